#!/usr/bin/env bash
# Install-test the .deb without installing it system-wide: unpack it into a
# scratch root with dpkg-deb -x and exercise the *installed* programs there.
#
#   scripts/with-keyring packaging/linux/package_test.sh dist/moecheck_<version>_amd64.deb
#
# Must run inside scripts/with-keyring (a private D-Bus session with an
# unlocked GNOME Keyring): the self-test requires a real keyring backend and
# the keychain round trip stores, loads and deletes a demo key there.
# Checks, each failing the script:
#   1. the package: size budget, root-owned files, layout, Depends, desktop
#      file and AppStream metainfo valid (when the validators are installed);
#   2. moecheck-gui --self-test offscreen, and under Xvfb (real xcb plugin),
#      with REQUESTS_CA_BUNDLE/SSL_CERT_FILE unset so the frozen app's own
#      trust-root lookup is what gets tested;
#   3. the installed moecheck against the installed `moecheck sandbox`: a good
#      key exits 0 with ok=true, a wrong key exits 1 with kind=auth;
#   4. a keychain round trip: check --save, check --keychain, forget.
set -euo pipefail

deb=${1:?usage: package_test.sh PATH/TO/moecheck_VERSION_amd64.deb}
budget_bytes=${MOECHECK_DEB_BUDGET:-38000000}

if [ "${MOECHECK_IN_KEYRING_SESSION:-}" != "1" ]; then
    echo "package_test.sh: run me inside scripts/with-keyring" >&2
    exit 2
fi

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/moecheck-pkgtest.XXXXXX")
sandbox_pid=""
cleanup() {
    if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
    rm -rf "$scratch"
}
trap cleanup EXIT

step "package: $deb"
size=$(stat -c %s "$deb")
echo "size: $size bytes (budget $budget_bytes)"
[ "$size" -le "$budget_bytes" ] || fail ".deb is $size bytes, over the $budget_bytes budget"
owners=$(dpkg-deb --fsys-tarfile "$deb" | tar -tvf - | awk '{print $2}' | sort -u)
[ "$owners" = "root/root" ] || fail "files not root-owned: $owners"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for pkg in libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3; do
    grep -Eq "(^|, )$pkg(,| |$)" <<<"$depends" || fail "Depends lacks $pkg"
done
grep -Eq '(^|, )libc6 \(>= 2\.[0-9]+\)' <<<"$depends" || fail "Depends lacks a glibc floor"

root="$scratch/root"
dpkg-deb -x "$deb" "$root"
for path in opt/moecheck/moecheck-gui opt/moecheck/moecheck opt/moecheck/_internal \
    usr/bin/moecheck-gui usr/bin/moecheck \
    usr/share/applications/io.moecheck.MoeCheck.desktop \
    usr/share/metainfo/io.moecheck.MoeCheck.metainfo.xml \
    usr/share/icons/hicolor/scalable/apps/io.moecheck.MoeCheck.svg \
    usr/share/icons/hicolor/16x16/apps/io.moecheck.MoeCheck.png \
    usr/share/icons/hicolor/512x512/apps/io.moecheck.MoeCheck.png \
    usr/share/doc/moecheck/copyright; do
    [ -e "$root/$path" ] || fail "missing /$path"
done
if find "$root" -xtype l | grep -q .; then fail "dangling symlinks: $(find "$root" -xtype l)"; fi
grep -qx 'StartupWMClass=MoeCheck' "$root/usr/share/applications/io.moecheck.MoeCheck.desktop" \
    || fail "desktop file: StartupWMClass is not MoeCheck"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$root/usr/share/applications/io.moecheck.MoeCheck.desktop" \
        || fail "desktop-file-validate"
else
    echo "(desktop-file-validate not installed: skipped)"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$root/usr/share/metainfo/io.moecheck.MoeCheck.metainfo.xml" \
        || fail "appstreamcli validate"
else
    echo "(appstreamcli not installed: skipped)"
fi

export PATH="$root/usr/bin:$PATH"
gui="$root/usr/bin/moecheck-gui"
cli="$root/usr/bin/moecheck"
"$cli" --version | grep -q "$(dpkg-deb -f "$deb" Version)" || fail "moecheck --version"

# The installed app must find its own trust roots, not the test environment's.
trust_env=(env -u REQUESTS_CA_BUNDLE -u SSL_CERT_FILE)

step "moecheck-gui --self-test (offscreen)"
"${trust_env[@]}" -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen "$gui" --self-test \
    || fail "self-test offscreen"

step "moecheck-gui --self-test (Xvfb)"
"${trust_env[@]}" -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM \
    xvfb-run -a -s '-screen 0 1280x1024x24' "$gui" --self-test >"$scratch/xvfb.txt" 2>&1 \
    || { cat "$scratch/xvfb.txt"; fail "self-test under Xvfb"; }
cat "$scratch/xvfb.txt"
grep -q 'xcb platform' "$scratch/xvfb.txt" || fail "self-test under Xvfb did not use the xcb platform"

step "installed moecheck sandbox"
"$cli" sandbox --port 0 >"$scratch/sandbox.txt" 2>"$scratch/sandbox.err" &
sandbox_pid=$!
api_base=""
for _ in $(seq 1 100); do
    api_base=$(sed -n 's/^ *export MOECHECK_API_BASE=\(.*\)$/\1/p' "$scratch/sandbox.txt" | head -n1)
    [ -n "$api_base" ] && break
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$scratch/sandbox.err"; fail "sandbox exited"; }
    sleep 0.1
done
[ -n "$api_base" ] || fail "sandbox printed no MOECHECK_API_BASE"
echo "MOECHECK_API_BASE=$api_base"
export MOECHECK_API_BASE="$api_base"

step "installed moecheck check (good key -> 0, wrong key -> 1)"
out=$(MOECHECK_API_KEY=demo-key-us-0001 "${trust_env[@]}" "$cli" check --workspace-id DEMO_US --dc 01 --json) \
    || fail "moecheck check exited $?: $out"
echo "$out"
grep -q '"ok": true' <<<"$out" || fail "check did not report ok"
grep -q '"app_name": "MoeCheck Demo (US)"' <<<"$out" || fail "check did not report the workspace name"
set +e
out=$(MOECHECK_API_KEY=wrong-key-0000 "$cli" check --workspace-id DEMO_US --dc 01 --json)
code=$?
set -e
[ "$code" -eq 1 ] || fail "a wrong key exited $code, expected 1: $out"
grep -q '"kind": "auth"' <<<"$out" || fail "a wrong key was not kind=auth: $out"

step "keychain round trip with the installed moecheck"
MOECHECK_API_KEY=demo-key-us-0001 "$cli" check --workspace-id DEMO_US --dc 01 --save \
    || fail "check --save"
out=$(env -u MOECHECK_API_KEY "$cli" check --workspace-id DEMO_US --dc 01 --keychain --json) \
    || fail "check --keychain exited $?: $out"
grep -q '"ok": true' <<<"$out" || fail "check --keychain did not report ok: $out"
"$cli" forget --workspace-id DEMO_US || fail "forget"
set +e
env -u MOECHECK_API_KEY "$cli" check --workspace-id DEMO_US --dc 01 --keychain --json >/dev/null 2>&1
code=$?
set -e
[ "$code" -ne 0 ] || fail "the key was still in the keychain after forget"

printf '\nPackage test passed: %s\n' "$deb"
