# MoeCheck developer entry points. `make run` and `make test` work on a fresh
# Debian/Ubuntu machine with Python 3.11: they install what they need first.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages `make run` needs: venv support and the system libraries Qt's
# xcb platform loads.
RUN_DEB_PACKAGES := python3-venv \
	libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 \
	libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 \
	fonts-dejavu-core
# ...and what the checks add: a Secret Service for keychain tests, Xvfb for
# screenshots, the tools tests/test_packaging.py uses (readelf, xprop, the
# desktop/AppStream validators), gsettings with the proxy schema and dconf for
# the GNOME proxy reader's tests, and shellcheck (make lint, also via actionlint).
DEB_PACKAGES := $(RUN_DEB_PACKAGES) dbus dbus-x11 gnome-keyring xvfb xauth \
	binutils x11-utils desktop-file-utils appstream \
	libglib2.0-bin gsettings-desktop-schemas dconf-service dconf-gsettings-backend \
	shellcheck
# Shell scripts make lint checks with shellcheck.
SHELL_SCRIPTS := scripts/ensure-system-deps scripts/with-keyring .ci/run \
	packaging/linux/package_test.sh packaging/windows/compile_check.sh
# pip prints what it downloads; on a terminal with progress bars, in a log (CI)
# one line a package. ($(shell) captures stdout, so ask about stderr.)
PIP_PROGRESS := $(shell [ -t 2 ] && echo --progress-bar=on || echo --progress-bar=off)

.PHONY: run test lint typecheck audit pytest system-deps run-deps venv clean screenshots bench bench-frozen po mo

run: run-deps venv
	@echo "==> Starting MoeCheck ($(BIN)/moecheck-gui)"
	$(BIN)/moecheck-gui

test: system-deps venv lint typecheck audit pytest

run-deps:
	@scripts/ensure-system-deps $(RUN_DEB_PACKAGES)

system-deps:
	@scripts/ensure-system-deps $(DEB_PACKAGES)

$(STAMP): pyproject.toml
	@if [ ! -x $(BIN)/python ]; then \
		echo "==> Creating the virtual environment in $(VENV) (first run only)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	@echo "==> Updating pip in $(VENV)"
	@$(BIN)/python -m pip install $(PIP_PROGRESS) --upgrade pip
	@echo "==> Installing MoeCheck and its Python packages into $(VENV)"
	@echo "    (the first time this downloads Qt for Python, about 100 MB: a few minutes)"
	@$(BIN)/python -m pip install $(PIP_PROGRESS) -e '.[test]'
	@touch $@
	@echo "==> $(VENV) is ready"

venv: $(STAMP)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/actionlint -no-color
	shellcheck $(SHELL_SCRIPTS)

audit: venv
	$(BIN)/python scripts/audit.py

typecheck: venv
	$(BIN)/mypy

pytest: venv
	scripts/with-keyring $(BIN)/python -m pytest $(PYTEST_ARGS)

# Screenshots add a Japanese font (Arabic is in DejaVu); check-all reads keys from a
# throwaway keychain; the tall screen fits a window with its details open.
SCREENSHOT_DEB_PACKAGES := fonts-ipafont-gothic
screenshots: system-deps venv
	@scripts/ensure-system-deps $(SCREENSHOT_DEB_PACKAGES)
	xvfb-run -a -s '-screen 0 1600x1400x24' scripts/with-keyring $(BIN)/python scripts/screenshots.py

bench: venv
	$(BIN)/python scripts/bench.py --runs 11 --out docs/benchmarks.md

# Translations (docs/translations.md): `make po` extracts the marked strings
# into po/moecheck.pot and merges them into each po/<lang>.po; translate, then
# `make mo` compiles them into moecheck_gui/locale/ (committed, so wheels,
# sdists, frozen bundles and the .deb carry them without Babel at build time;
# tests/test_i18n.py fails when a .mo is stale or a message is missing).
LANGUAGES := id ja es pt_BR ar
po: venv
	$(BIN)/pybabel extract -F babel.cfg -o po/moecheck.pot -c Translators: \
		--project=MoeCheck --version=$$($(BIN)/python -c 'import moecheck_gui; print(moecheck_gui.__version__)') \
		--add-location=file --sort-by-file --width=100 .
	for lang in $(LANGUAGES); do \
		if [ -f po/$$lang.po ]; then \
			$(BIN)/pybabel update -i po/moecheck.pot -o po/$$lang.po -l $$lang \
				--ignore-obsolete --no-fuzzy-matching --width=100 || exit 1; \
		else \
			$(BIN)/pybabel init -i po/moecheck.pot -o po/$$lang.po -l $$lang --width=100 || exit 1; \
		fi; \
	done

mo: venv
	for lang in $(LANGUAGES); do \
		mkdir -p moecheck_gui/locale/$$lang/LC_MESSAGES && \
		$(BIN)/pybabel compile -i po/$$lang.po -l $$lang --statistics \
			-o moecheck_gui/locale/$$lang/LC_MESSAGES/moecheck.mo || exit 1; \
	done

include packaging/package.mk

bench-frozen: venv $(PKG_STAMP) icons
	$(BIN)/python scripts/bench.py --runs 7 --freeze --out docs/benchmarks.md

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .pytest_cache .ruff_cache
