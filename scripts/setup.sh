#!/usr/bin/env bash
# Installs what Cun'an needs to build, run and test on Debian 12 (or UOS/Kylin, Debian-based),
# skipping whatever is already there. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# System packages: WebKitGTK for the Tauri window, its WebDriver and Xvfb for the end-to-end test,
# poppler for reading PDFs back in tests, Chromium for the headless UI tests.
apt_packages=(build-essential pkg-config file libwebkit2gtk-4.1-dev libssl-dev webkit2gtk-driver xvfb xauth poppler-utils chromium)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs npm)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found. Install Rust (rustup) first." >&2
  exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH"
command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked

# The front end: dependencies from the lock file, then the build the app embeds.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  npm ci --prefix ui --no-audit --no-fund
fi
npm --prefix ui run build
# The same UI for the headless UI tests, talking to the loopback test bridge instead of Tauri.
npm --prefix ui run build:uitest
