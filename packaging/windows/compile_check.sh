#!/usr/bin/env bash
# Compile packaging/windows/moecheck.iss with Inno Setup's real compiler under
# Wine, over a stand-in payload, and fail on any compiler error or warning.
#
#   packaging/windows/compile_check.sh ISCC.exe ICON.ico WORKDIR [SCRIPT.iss]
#
# Run by `make windows-installer-check` (part of `make package-test`, so CI runs
# it on every submission); the Makefile installs wine + wine32 and the npm
# package `innosetup` (which ships ISCC.exe) first.
#
# What it proves: the script's syntax, preprocessor logic, [Code] section
# (Pascal Script is compiled here), the required /D defines, the icon file and
# the compression settings all work with Inno Setup 6, and the result is a
# Windows executable.
#
# What it cannot prove: that the installer installs. Running the compiled
# setup under Wine 8 fails for a per-user install, because Wine cannot expand
# {autopf} when PrivilegesRequired=lowest; an installed-app test needs a real
# Windows machine (the release workflow's Windows job self-tests the frozen
# app there). The payload is not MoeCheck either: two small Windows programs
# from Wine under the expected names, plus a data file in _internal/.
set -euo pipefail

iscc=$(realpath "$1")
icon=$(realpath "$2")
work=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
# The script to compile; another one only for tests/test_delivery.py, which
# checks that a broken script makes this check fail.
iss=$(realpath "${4:-$root/packaging/windows/moecheck.iss}")

version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/moecheck_gui/__init__.py")
publisher=$(cd "$root" && python3 -c 'from moecheck_gui import publisher; print(publisher.display_name())')
contact=$(cd "$root" && python3 -c 'from moecheck_gui import publisher; print(publisher.CONTACT)')

rm -rf "$work/payload" "$work/out"
mkdir -p "$work/payload/_internal" "$work/out"
work=$(realpath "$work")
pe_dir=/usr/lib/i386-linux-gnu/wine/i386-windows
cp "$pe_dir/hostname.exe" "$work/payload/moecheck-gui.exe"
cp "$pe_dir/whoami.exe" "$work/payload/moecheck.exe"
printf 'stand-in for the frozen bundle\n' > "$work/payload/_internal/stand-in.txt"

# Unix path -> the same file through Wine's Z: drive.
winpath() { printf 'Z:%s' "${1//\//\\}"; }

# A prefix of its own unless one is given (the test reuses the one make made).
export WINEPREFIX="${WINEPREFIX:-$work/wineprefix}"
export WINEDEBUG=-all
# No Mono/Gecko install prompts (they would try to download); no display needed.
export WINEDLLOVERRIDES="mscoree,mshtml="
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "==> Creating a Wine prefix in $WINEPREFIX (first run only, about half a minute)"
    env -u DISPLAY -u WAYLAND_DISPLAY wineboot --init >/dev/null 2>&1 || true
    wineserver --wait || true
fi

echo "==> Compiling ${iss#"$root"/} $version with Inno Setup (ISCC.exe under Wine)"
log="$work/out/iscc.log"
status=0
env -u DISPLAY -u WAYLAND_DISPLAY wine "$iscc" \
    "/DAppVersion=$version" \
    "/DAppPublisher=$publisher" \
    "/DAppContact=$contact" \
    "/DSourceDir=$(winpath "$work/payload")" \
    "/DIconFile=$(winpath "$icon")" \
    "/DOutputDir=$(winpath "$work/out")" \
    "$(winpath "$iss")" >"$log" 2>&1 || status=$?
wineserver --wait || true
show_log() { tr -d '\r' <"$log" | grep -v '^\s*$' | sed 's/^/    /' || true; }

setup="$work/out/MoeCheck-Setup-$version.exe"
if [ "$status" -ne 0 ]; then
    show_log
    echo "FAIL: ISCC.exe exited with $status (compiler output above)" >&2
    exit 1
fi
if tr -d '\r' <"$log" | grep -qiE '^\s*(warning|error)\b'; then
    show_log
    echo "FAIL: the compiler reported warnings (output above)" >&2
    exit 1
fi
tr -d '\r' <"$log" | grep -E 'Compiler engine version|LZMA|Successful compile' | sed 's/^ */    /' || true
if [ ! -s "$setup" ] || [ "$(head -c 2 "$setup")" != "MZ" ]; then
    echo "FAIL: $setup is missing or not a Windows executable" >&2
    exit 1
fi
echo "==> OK: $(basename "$setup") ($(stat -c %s "$setup") bytes) compiled without errors or warnings"
