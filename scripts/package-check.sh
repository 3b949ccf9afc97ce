#!/usr/bin/env bash
# The installer, checked (scripts/test.sh runs this last):
#  1. builds the release .deb the way the README says (`tauri build --bundles deb`);
#  2. checks its control fields, unpacks it with `dpkg-deb -x` into a throw-away root (no container;
#     the host's dpkg database is not touched) and checks the files the .desktop entry names;
#  3. starts the unpacked app with `--demo` under Xvfb with a throw-away HOME, checks that it opens
#     its window, creates the demo store and is still running some seconds later, then stops it;
#  4. checks that the workspace compiles for Windows (x86_64-pc-windows-gnu, with mingw-w64).
# Installs what it needs (apt, rustup), skipping whatever is there. Prints sizes and step times.
#
#   scripts/package-check.sh               all of the above
#   scripts/package-check.sh --deb FILE    steps 2 and 3 on FILE (no build), then step 4
#   scripts/package-check.sh --no-windows  skip step 4
# PACKAGE_CHECK_RUN_SECONDS (default 5): how long the app must stay up after its window appears.
# PACKAGE_CHECK_KEEP=1 keeps the unpacked tree and the app's home for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

deb_arg="" windows=1
while [ $# -gt 0 ]; do
  case "$1" in
    --deb) deb_arg="$(realpath "$2")"; shift 2 ;;
    --no-windows) windows=0; shift ;;
    *) echo "package-check: unknown argument $1" >&2; exit 2 ;;
  esac
done

win_target=x86_64-pc-windows-gnu
run_seconds="${PACKAGE_CHECK_RUN_SECONDS:-5}"
# The window title the app opens with (tauri.conf.json, app.windows[0].title).
window_title="村安 · 村级应急管理"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
fail() { printf 'package-check: FAIL: %s\n' "$*" >&2; exit 1; }

# Steps: "== name" lines like scripts/test.sh, each followed by its time; a summary at the end.
started=$(date +%s) step_name="" step_start=0 summary=() figures=()
end_step() {
  if [ -n "$step_name" ]; then
    local took=$(( $(date +%s) - step_start ))
    printf '   (%d s)\n' "$took"
    summary+=("$(printf '%6d s  %s' "$took" "$step_name")")
  fi
  step_name=""
}
step() { end_step; step_name="$*"; step_start=$(date +%s); printf '\n== %s\n' "$*"; }
figure() { printf '   %s\n' "$*"; figures+=("$*"); }

# The app runs in its own session (app_sid: xvfb-run's pid) under xvfb-run, which starts Xvfb.
app_sid="" app_name="" display="" work=""
app_pid() { pgrep -s "$app_sid" -x "$app_name" | head -n1 || true; }
# Stops the app so that xvfb-run cleans up after itself (stops Xvfb, which removes its lock, and
# deletes its temp dir): TERM to the app alone, then to the session, then KILL what is left.
stop_app() {
  [ -n "$app_sid" ] || return 0
  local pid
  pid="$(app_pid)"
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
  for _ in $(seq 100); do pgrep -s "$app_sid" >/dev/null || break; sleep 0.1; done
  if pgrep -s "$app_sid" >/dev/null; then
    kill -TERM -- "-$app_sid" 2>/dev/null || true
    sleep 2
    kill -KILL -- "-$app_sid" 2>/dev/null || true
  fi
  wait "$app_sid" 2>/dev/null || true
  app_sid=""
  # An Xvfb that could not clean up leaves its lock, and xvfb-run -a would skip that display.
  local n="${display#:}" lock
  if [ -n "$n" ]; then
    lock="/tmp/.X$n-lock"
    if [ -f "$lock" ] && ! kill -0 "$(tr -d ' ' <"$lock")" 2>/dev/null; then
      rm -f "$lock" "/tmp/.X11-unix/X$n"
    fi
  fi
}
cleanup() {
  stop_app
  if [ -n "$work" ]; then
    if [ "${PACKAGE_CHECK_KEEP:-}" = 1 ]; then echo "package-check: kept $work"; else rm -rf "$work"; fi
  fi
}
trap cleanup EXIT
trap 'printf "package-check: FAIL: line %d: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

# ---------------------------------------------------------------------------------------------
step "tools (apt, rustup; skipping what is there)"
# xvfb/xauth for xvfb-run, x11-utils for xwininfo (is the window there), desktop-file-utils to
# validate the .desktop entry, procps for pgrep, file; mingw-w64 (x86_64 only: gcc for the C in
# ring/SQLite, binutils for windres, which tauri-build uses for the .exe's icon and manifest).
apt_packages=(xvfb xauth x11-utils desktop-file-utils procps file)
[ "$windows" = 1 ] && apt_packages+=(gcc-mingw-w64-x86-64-posix binutils-mingw-w64-x86-64)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "package-check: installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "apt: all there (${apt_packages[*]})"
fi
if [ "$windows" = 1 ]; then
  command -v rustup >/dev/null 2>&1 || fail "rustup not found; it adds the Rust target $win_target"
  if rustup target list --installed | grep -qx "$win_target"; then
    echo "rustup: $win_target already installed"
  else
    rustup target add "$win_target"
  fi
fi

# ---------------------------------------------------------------------------------------------
if [ -n "$deb_arg" ]; then
  deb="$deb_arg"
  [ -f "$deb" ] || fail "no such file: $deb"
else
  step "release build: tauri build --bundles deb"
  [ -x ui/node_modules/.bin/tauri ] || fail "ui/node_modules is missing; run scripts/setup.sh first"
  # tauri.conf.json has no beforeBuildCommand: the UI the binary embeds must be built already
  # (scripts/setup.sh does it).
  [ -f ui/dist/index.html ] || npm --prefix ui run build
  # Where cargo puts things: honours CARGO_TARGET_DIR (CI) and falls back to ./target.
  target_dir="$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
  [ -n "$target_dir" ] || fail "could not read the target directory from cargo metadata"
  deb_dir="$target_dir/release/bundle/deb"
  rm -f "$deb_dir"/*.deb
  npm --prefix ui exec -- tauri build --bundles deb
  debs=("$deb_dir"/*.deb)
  [ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb in $deb_dir, found: ${debs[*]}"
  deb="${debs[0]}"
fi

# ---------------------------------------------------------------------------------------------
step "the .deb: control fields"
echo "$deb"
dpkg-deb --info "$deb"
field() { dpkg-deb --field "$deb" "$1"; }
package="$(field Package)"
version="$(field Version)"
depends="$(field Depends)"
conf_version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' src-tauri/tauri.conf.json)"
[ -n "$package" ] || fail "the .deb has no Package field"
[ "$version" = "$conf_version" ] || fail "Version is '$version', tauri.conf.json says '$conf_version'"
[ "$(field Architecture)" = amd64 ] || fail "Architecture is '$(field Architecture)', not amd64"
case "$depends" in
  *libwebkit2gtk-4.1*) ;;
  *) fail "Depends does not name libwebkit2gtk-4.1 (the window needs the system WebKitGTK): '$depends'" ;;
esac
# Every package named in Depends must be one Debian knows (installed here or in the apt lists).
IFS=',' read -r -a dep_list <<<"$depends"
for d in "${dep_list[@]}"; do
  name="$(echo "$d" | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g')"
  [ -n "$name" ] || continue
  dpkg-query -W "$name" >/dev/null 2>&1 || apt-cache show "$name" >/dev/null 2>&1 \
    || fail "Depends names '$name', which is neither installed nor known to apt"
done
deb_bytes="$(stat -c %s "$deb")"
figure "deb: $(basename "$deb"), $deb_bytes bytes"
figure "Depends: $depends"
figure "Installed-Size (control): $(field Installed-Size) KiB"

# ---------------------------------------------------------------------------------------------
step "unpack into a throw-away root (dpkg-deb -x) and check the tree"
work="$(mktemp -d /tmp/cunan-package-check.XXXXXX)"
tree="$work/root"
mkdir -p "$tree"
dpkg-deb -x "$deb" "$tree"
(cd "$tree" && find . ! -type d | sort)
installed_bytes="$(du -sb "$tree" | cut -f1)"
figure "unpacked: $installed_bytes bytes in $(find "$tree" ! -type d | wc -l) files"

desktops=("$tree"/usr/share/applications/*.desktop)
[ ${#desktops[@]} = 1 ] && [ -f "${desktops[0]}" ] || fail "expected one .desktop file in usr/share/applications"
desktop="${desktops[0]}"
desktop-file-validate "$desktop" || fail "desktop-file-validate rejects $(basename "$desktop")"
exec_line="$(sed -n 's/^Exec=//p' "$desktop" | head -n1)"
exec_cmd="${exec_line%% *}"
[ -n "$exec_cmd" ] || fail "$(basename "$desktop") has no Exec="
# Exec is a command on PATH (the package puts it in /usr/bin) or an absolute path.
case "$exec_cmd" in
  /*) bin="$tree$exec_cmd" ;;
  *) bin="$tree/usr/bin/$exec_cmd" ;;
esac
[ -f "$bin" ] || fail "the .desktop entry runs '$exec_cmd', but the package has no ${bin#"$tree"}"
[ -x "$bin" ] || fail "${bin#"$tree"} is not executable"
file -b "$bin" | grep -q '^ELF 64-bit LSB .*x86-64' || fail "${bin#"$tree"} is not an x86-64 executable: $(file -b "$bin")"
icon="$(sed -n 's/^Icon=//p' "$desktop" | head -n1)"
icons=("$tree"/usr/share/icons/hicolor/*/apps/"$icon".png)
[ -f "${icons[0]}" ] || fail "the .desktop entry's icon '$icon' is not under usr/share/icons/hicolor"
echo "Exec=$exec_line → ${bin#"$tree"}, Icon=$icon → ${#icons[@]} sizes"
# Every shared library it links must resolve on this (Debian 12) system.
if ldd "$bin" | grep 'not found'; then fail "${bin#"$tree"} links libraries this system lacks"; fi
# The app reads no files of its own at run time: the UI (ui/dist) is embedded by tauri, the fonts,
# kit catalogue, plan templates and schema by include_bytes!/include_str!. Check that the two fonts
# and the catalogue really are inside the binary (32 bytes from the middle of each; grep works on
# lines, so a run without a newline byte).
embedded() {
  local size offset hex
  size="$(stat -c %s "$1")"
  for offset in $(seq $(( size / 2 )) 97 $(( size / 2 + 97 * 50 ))); do
    hex="$(od -An -v -tx1 -j "$offset" -N 32 "$1" | tr -d ' \n')"
    if ! echo "$hex" | grep -q '^\(..\)*0a'; then
      LC_ALL=C grep -qaP "$(echo "$hex" | sed 's/../\\x&/g')" "$bin"
      return
    fi
  done
  fail "no 32 bytes without a newline in the middle of $1"
}
for asset in assets/fonts/NotoSansSC-Regular.ttf assets/fonts/NotoSansCJKsc-RareSubset.ttf assets/catalog/kit-5x.json; do
  embedded "$asset" || fail "$asset is not embedded in ${bin#"$tree"} (does the app now read it from a file?)"
  echo "embedded: $asset"
done
figure "binary: ${bin#"$tree"}, $(stat -c %s "$bin") bytes"

# ---------------------------------------------------------------------------------------------
step "start the unpacked app: xvfb-run -a ${bin#"$tree"} --demo"
home="$work/home"
mkdir -p "$home/data" "$home/config" "$home/cache" "$home/runtime"
chmod 700 "$home/runtime"
store="$home/data/cn.cunan.app/cunan-demo.sqlite3"
# Its own session (setsid), so that stopping it stops xvfb-run, Xvfb, the app and WebKit's helpers.
# Software rendering and no accessibility bus, as in the end-to-end test.
setsid env -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
  HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
  XDG_CACHE_HOME="$home/cache" XDG_RUNTIME_DIR="$home/runtime" \
  WEBKIT_DISABLE_COMPOSITING_MODE=1 NO_AT_BRIDGE=1 GDK_BACKEND=x11 \
  xvfb-run -a -e "$work/xvfb.log" -s "-screen 0 1280x800x24 -nolisten tcp" "$bin" --demo \
  >"$work/app.log" 2>&1 </dev/null &
app_sid=$!
app_name="$(basename "$bin" | cut -c1-15)" # what pgrep -x matches: the kernel's 15-character name
launched=$(date +%s)
app_log() { echo "---- app log ----"; cat "$work/app.log"; echo "---- xvfb-run log ----"; cat "$work/xvfb.log" 2>/dev/null || true; }
alive() { kill -0 "$app_sid" 2>/dev/null && [ -n "$(app_pid)" ]; }
# Up to 60 s for the window to appear (the first start also writes the demo village).
window=""
while [ $(( $(date +%s) - launched )) -lt 60 ]; do
  if ! kill -0 "$app_sid" 2>/dev/null; then
    wait "$app_sid" && rc=0 || rc=$?
    app_sid=""
    app_log
    fail "the app exited (status $rc) before its window appeared"
  fi
  pid="$(app_pid)"
  if [ -n "$pid" ]; then
    display="$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^DISPLAY=//p')"
    xauth_file="$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^XAUTHORITY=//p')"
    # (xwininfo prints the title as UTF-8 only in a UTF-8 locale.)
    if [ -n "$display" ] && LC_ALL=C.UTF-8 DISPLAY="$display" XAUTHORITY="$xauth_file" xwininfo -root -tree 2>/dev/null | grep -qF "\"$window_title\""; then
      window=yes
      break
    fi
  fi
  sleep 0.5
done
if [ -z "$window" ]; then app_log; fail "no window titled '$window_title' within 60 s"; fi
figure "window up after $(( $(date +%s) - launched )) s on $display"
sleep "$run_seconds"
if ! alive; then app_log; fail "the app did not stay up $run_seconds s after its window appeared"; fi
echo "still running after $(( $(date +%s) - launched )) s (pid $(app_pid))"
[ -f "$store" ] || { app_log; fail "no demo store at \$XDG_DATA_HOME/${store#"$home/data/"}"; }
[ "$(head -c 15 "$store")" = "SQLite format 3" ] || fail "$store is not an SQLite database"
[ ! -e "$home/data/cn.cunan.app/cunan.sqlite3" ] || fail "--demo also created the officer's own store"
wal_bytes=0; [ -f "$store-wal" ] && wal_bytes="$(stat -c %s "$store-wal")"
figure "demo store: \$XDG_DATA_HOME/${store#"$home/data/"}, $(stat -c %s "$store") bytes + $wal_bytes bytes of WAL"
stop_app
if [ -s "$work/app.log" ]; then echo "---- what the app (and xvfb-run) printed ----"; cat "$work/app.log"; fi

# ---------------------------------------------------------------------------------------------
if [ "$windows" = 1 ]; then
  step "Windows: cargo clippy --workspace --target $win_target -- -D warnings"
  # `cargo check` plus the lints scripts/test.sh holds the Linux build to, so that code which
  # only compiles (or only warns) on Linux shows up here. Library and binary targets: what ships.
  # (The end-to-end test harness is Linux-only on purpose: WebKitWebDriver exists only there.)
  cargo clippy --workspace --target "$win_target" -- -D warnings
fi

end_step
printf '\n== package-check: passed in %d s\n' "$(( $(date +%s) - started ))"
for f in "${figures[@]}"; do printf '   %s\n' "$f"; done
for s in "${summary[@]}"; do printf '%s\n' "$s"; done
