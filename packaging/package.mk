# Installers. Included from the top-level Makefile (which defines VENV, BIN,
# venv and system-deps); everything here lives under packaging/.
#
#   make package        dist/moecheck_<version>_amd64.deb + dist/moecheck-<version>-linux-x86_64.tar.xz
#   make package-test   unpack the .deb into a scratch root and test the installed programs
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

.PHONY: package package-test package-deps freeze icons

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

package-test: package
	scripts/with-keyring packaging/linux/package_test.sh $(PKG_DEB)
