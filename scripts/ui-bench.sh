#!/usr/bin/env bash
# Benchmark of the roster screen and search, and of emergency mode (incident → SMS text, the roll
# call's marks), in headless Chromium, on the real core through the
# test bridge, on a 2,000-household demo village. Prints figures; not part of the tests.
# PROFILE=release (default) or debug.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${PROFILE:-release}"
flag=(); [ "$profile" = release ] && flag=(--release)
npm --prefix ui run build:uitest >/dev/null
cargo build -q "${flag[@]}" -p cunan-cli
cargo build -q "${flag[@]}" -p cunan-app --example ui_bridge
target="${CARGO_TARGET_DIR:-target}/$profile"
dir="$(mktemp -d)"
bridge=""
trap 'if [ -n "$bridge" ]; then kill "$bridge" 2>/dev/null || true; fi; rm -rf "$dir"' EXIT
"$target/cunan" --db "$dir/bench.sqlite3" demo --households "${HOUSEHOLDS:-2000}" >/dev/null
port=5179
XDG_DATA_HOME="$dir" "$target/examples/ui_bridge" "$dir/bench.sqlite3" ui/dist-uitest "$port" >/dev/null &
bridge=$!
sleep 1
echo "ui-bench: $profile build, $(nproc) cores"
(cd ui && CUNAN_UI_URL="http://127.0.0.1:$port/" node bench/roster.mjs)
(cd ui && CUNAN_UI_URL="http://127.0.0.1:$port/" node bench/emergency.mjs)
