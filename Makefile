# MoeCheck developer entry points. `make run` and `make test` work on a fresh
# Debian/Ubuntu machine with Python 3.11: they install what they need first.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages: venv support, a Secret Service for keychain tests, Xvfb for
# screenshots, the system libraries Qt's xcb/offscreen platforms load, and the
# tools tests/test_packaging.py uses (readelf, xprop, the desktop/AppStream validators).
DEB_PACKAGES := python3-venv dbus dbus-x11 gnome-keyring xvfb xauth \
	libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 \
	libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 \
	fonts-dejavu-core \
	binutils x11-utils desktop-file-utils appstream \
	libglib2.0-bin gsettings-desktop-schemas dconf-service dconf-gsettings-backend

.PHONY: run test lint typecheck audit pytest system-deps venv clean screenshots bench bench-frozen

run: system-deps venv
	$(BIN)/moecheck-gui

test: system-deps venv lint typecheck audit pytest

system-deps:
	@scripts/ensure-system-deps $(DEB_PACKAGES)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

venv: $(STAMP)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

audit: venv
	$(BIN)/python scripts/audit.py

typecheck: venv
	$(BIN)/mypy

pytest: venv
	scripts/with-keyring $(BIN)/python -m pytest $(PYTEST_ARGS)

screenshots: system-deps venv
	xvfb-run -a -s '-screen 0 1280x1024x24' $(BIN)/python scripts/screenshots.py

bench: venv
	$(BIN)/python scripts/bench.py --runs 7 --out docs/benchmarks.md

include packaging/package.mk

bench-frozen: venv $(PKG_STAMP) icons
	$(BIN)/python scripts/bench.py --runs 7 --freeze --out docs/benchmarks.md

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .pytest_cache .ruff_cache
