# Installers. Included from the top-level Makefile (which defines VENV, BIN,
# venv and system-deps); everything here lives under packaging/.
#
#   make package        dist/moecheck_<version>_amd64.deb + dist/moecheck-<version>-linux-x86_64.tar.xz
#   make package-test   unpack the .deb into a scratch root and test the installed programs
#                       (and, first, make windows-installer-check)
#   make windows-installer-check   compile packaging/windows/moecheck.iss with ISCC.exe under Wine
#
# Windows and macOS installers are built by .github/workflows/release.yml.

PKG_VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' moecheck_gui/__init__.py)
PKG_DEB     := dist/moecheck_$(PKG_VERSION)_amd64.deb
PKG_TAR     := dist/moecheck-$(PKG_VERSION)-linux-x86_64.tar.xz
PKG_STAMP   := $(VENV)/.packaging-installed
# readelf/strip (binutils) for freezing and the glibc floor; Xvfb, D-Bus and
# GNOME Keyring for package-test; the two validators check the desktop entry
# and the AppStream metainfo.
PKG_DEB_PACKAGES := binutils dpkg xz-utils xvfb xauth dbus gnome-keyring \
	desktop-file-utils appstream

.PHONY: package package-test package-deps freeze icons windows-installer-check windows-deps

package-deps: system-deps
	@scripts/ensure-system-deps $(PKG_DEB_PACKAGES)

$(PKG_STAMP): packaging/requirements-build.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r packaging/requirements-build.txt
	@touch $@

icons: venv
	$(BIN)/python packaging/make_icons.py --out build/icons >/dev/null

freeze: package-deps $(PKG_STAMP) icons
	rm -rf dist/moecheck
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/moecheck.spec

package: freeze
	$(BIN)/python packaging/linux/build_deb.py --bundle dist/moecheck --icons build/icons --out dist

package-test: package windows-installer-check
	scripts/with-keyring packaging/linux/package_test.sh $(PKG_DEB)

# The Windows installer script, compiled for real: Inno Setup's ISCC.exe (from
# the npm package `innosetup`, pinned) under Wine, over a stand-in payload.
# Wine's compiler is 32-bit, hence wine32 from the i386 architecture.
# See packaging/windows/compile_check.sh for what it checks and what it cannot.
INNOSETUP_VERSION := 6.4.1
INNOSETUP_DIR     := build/innosetup
ISCC_EXE          := $(INNOSETUP_DIR)/node_modules/innosetup/bin/ISCC.exe
WIN_DEB_PACKAGES  := wine wine32:i386

windows-deps:
	@scripts/ensure-system-deps $(WIN_DEB_PACKAGES)

$(ISCC_EXE):
	@echo "==> Installing Inno Setup $(INNOSETUP_VERSION)'s compiler (npm package innosetup) into $(INNOSETUP_DIR)"
	npm install --prefix $(INNOSETUP_DIR) --no-audit --no-fund --no-save innosetup@$(INNOSETUP_VERSION)
	@test -f $@

windows-installer-check: windows-deps $(ISCC_EXE) icons
	packaging/windows/compile_check.sh $(ISCC_EXE) build/icons/moecheck.ico build/windows-installer-check
