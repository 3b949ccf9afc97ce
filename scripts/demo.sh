#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh) and starts the desktop app on the demo village.
# The demo store is kept in the app-data folder (cunan-demo.sqlite3) and made on first start.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo run -p cunan-app -- --demo
