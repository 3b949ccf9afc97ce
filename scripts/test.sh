#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh) and runs every check and test CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }
step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
step "cargo build"
cargo build --workspace
step "cargo test"
cargo test --workspace
step "package check: the release .deb, installed and started; the Windows build"
scripts/package-check.sh
