#!/usr/bin/env bash
# Look at the screens in a browser against the real core: builds the UI for the test bridge,
# makes a demo village once (HOUSEHOLDS=2000 for the big one), and serves both on
# http://127.0.0.1:${PORT:-5178}/ until stopped. Development only; the app never uses the bridge.
set -euo pipefail
cd "$(dirname "$0")/.."
npm --prefix ui run build:uitest >/dev/null
store="${CUNAN_UI_DEV_STORE:-${TMPDIR:-/tmp}/cunan-ui-dev.sqlite3}"
[ -f "$store" ] || cargo run -q -p cunan-cli -- --db "$store" demo --households "${HOUSEHOLDS:-300}"
exec cargo run -q -p cunan-app --example ui_bridge -- "$store" ui/dist-uitest "${PORT:-5178}"
