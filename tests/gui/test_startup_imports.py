"""Start-up hygiene: what the window loads before its first frame, and what comes right after.

These tests are deterministic (module lists, enum values, widget state), not
timings: the timings live in scripts/bench.py and docs/benchmarks.md. They keep
the start-up work that docs/benchmarks.md measured from creeping back, e.g. an
innocent top-level ``import json`` or ``from PySide6.QtCore import Qt`` in a
window module, and check that everything deferred still arrives.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from moecheck_gui.gui import MainWindow, qtvalues
from moecheck_gui.gui import app as gui_app
from moecheck_gui.gui.main_window import settings_path
from moecheck_gui.profiles import ProfileStore

ROOT = Path(__file__).resolve().parents[2]

# Must not be loaded when the first frame is on screen: the network stack, the
# keychain, JSON, the profile store, the log file's handlers, the SVG renderer,
# dialogs nobody opened, and the core modules only a check needs.
NOT_BEFORE_FIRST_FRAME = (
    "requests",
    "urllib3",
    "keyring",
    "truststore",
    "secretstorage",
    "cryptography",
    "jeepney",
    "ssl",
    "json",
    "platformdirs",
    "logging.handlers",
    "PySide6.QtSvg",
    "moecheck_gui.client",
    "moecheck_gui.detect",
    "moecheck_gui.trust",
    "moecheck_gui.keychain",
    "moecheck_gui.profiles",
    "moecheck_gui.inputs",
    "moecheck_gui.messages",
    "moecheck_gui.outcome",
    "moecheck_gui.report",
    "moecheck_gui.sandbox",
    "moecheck_gui.gui.about",
    "moecheck_gui.gui.error_dialog",
)

FIRST_FRAME_PROBE = """
import os, sys
os.environ["MOECHECK_QUIT_WHEN_IDLE"] = "1"
from moecheck_gui.gui import app as gui_app

def first_frame(app):
    # Called where the benchmark prints READY: the window is painted and idle.
    import PySide6.QtCore as core
    from PySide6.QtWidgets import QApplication
    window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow")
    state = {
        "modules": sorted(sys.modules),
        "qt_namespace_built": "Qt" in vars(core),
        "visible": window.isVisible(),
        "test_button": window.findChild(core.QObject, "testButton") is not None,
    }
    app.quit()
    import json
    print("STATE " + json.dumps(state), flush=True)

gui_app._report_ready = first_frame
sys.exit(gui_app.main([]))
"""


def _run_probe(home: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[name] = str(home)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FIRST_FRAME_PROBE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("STATE "))
    state: dict[str, Any] = json.loads(line.removeprefix("STATE "))
    return state


def test_first_frame_needs_only_qt_and_the_window(tmp_path: Path) -> None:
    # A saved profile exists: reading it must still wait for the first frame.
    store = ProfileStore(tmp_path / "moecheck" / "profiles.json")
    store.upsert("WS_PROFILE", "02", "Prod")
    store.set_last("WS_PROFILE")
    assert store.save()

    state = _run_probe(tmp_path)

    assert state["visible"] and state["test_button"]
    loaded = set(state["modules"])
    early = sorted(name for name in NOT_BEFORE_FIRST_FRAME if name in loaded)
    assert early == [], f"loaded before the first frame: {early}"
    # Building PySide6's whole Qt namespace costs ~10 ms (see qtvalues.py).
    assert not state["qt_namespace_built"]


def test_constants_match_the_real_qt_enums() -> None:
    for name, path in qtvalues.EXPECTED.items():
        module_name, *attrs = path.split(".")
        member: Any = importlib.import_module(f"PySide6.{module_name}")
        for attr in attrs:
            member = getattr(member, attr)
        assert getattr(qtvalues, name) == member.value, f"{name} is not {path}"


def test_set_props_refuses_a_misspelt_property(qapp: Any) -> None:
    label = QLabel()
    with pytest.raises(AttributeError, match="textFromat"):
        qtvalues.set_props(label, textFromat=qtvalues.PLAIN_TEXT)


def test_plain_labels_never_render_html(qapp: Any) -> None:
    from PySide6.QtCore import Qt

    from moecheck_gui.gui.result_panel import plain_label

    label = plain_label('<img src="http://example.invalid/x.png"><b>bold</b>')
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text().startswith("<img")


def test_no_arguments_means_the_parsers_defaults() -> None:
    fast, qt_args = gui_app.parse_args([])
    parsed, _ = gui_app.build_parser().parse_known_args([])
    assert vars(fast) == vars(parsed)
    assert qt_args == []


@pytest.mark.parametrize(
    "xdg",
    ["absolute", "unset", "relative"],
)
def test_settings_live_where_platformdirs_says(
    xdg: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if xdg == "absolute":
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    elif xdg == "unset":
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")
    expected = Path(platformdirs.user_config_dir("moecheck", appauthor=False)) / "window.ini"
    assert settings_path() == expected


def test_feature_scan_table_marks_our_modules(qapp: Any) -> None:
    feature = sys.modules.get("shibokensupport.feature")
    table = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(table, dict):
        pytest.skip("this PySide6 has no feature table; the scan simply runs")
    gui_app.skip_feature_source_scan()
    # 0: uses PySide without __feature__ (the window); -1: ignore (the Qt-free core).
    assert table["moecheck_gui.gui.main_window"] == 0
    assert table["moecheck_gui.outcome"] == -1


def test_deferred_parts_arrive_after_the_first_paint(
    qtbot: Any, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    """Icons, the eye button and the saved-workspace row come right after the first frame."""
    store = ProfileStore(tmp_path / "profiles.json")
    store.upsert("WS_ONE", "03", "Prod")  # (not "last used": no keychain in this test)
    window = make_window(profiles=store)

    key = window.findChild(QLineEdit, "apiKeyEdit")
    assert key is not None and key.actions(), "the show/hide key button is there"
    assert not key.actions()[0].icon().isNull()
    header = window.findChild(QLabel, "headerIcon")
    assert header is not None and not header.pixmap().isNull()
    assert not window.windowIcon().isNull()

    # The saved-workspace row was built on demand; Tab still runs top to bottom.
    combo = window.findChild(QComboBox, "profileCombo")
    assert combo is not None and combo.isVisibleTo(window)
    assert combo.findData("WS_ONE") > 0
    forget = window.findChild(QPushButton, "forgetButton")
    assert forget is not None
    forget.setEnabled(True)  # (it is enabled once a profile is picked)
    first = _next_tab_stop(window, combo)
    assert [first.objectName(), _next_tab_stop(window, first).objectName()] == [
        "forgetButton",
        "workspaceIdEdit",
    ]


def _next_tab_stop(window: QWidget, widget: QWidget) -> QWidget:
    """Where Tab goes from ``widget``: the next focusable, visible, enabled widget in the chain."""
    candidate = widget.nextInFocusChain()
    while candidate is not None and not (
        candidate.focusPolicy() & Qt.FocusPolicy.TabFocus
        and candidate.isVisibleTo(window)
        and candidate.isEnabled()
    ):
        candidate = candidate.nextInFocusChain()
    assert candidate is not None
    return candidate


def test_lines_logged_before_the_log_file_opens_reach_it_redacted(private_home: Path) -> None:
    """The window opens its log file after the first paint; the start-up lines must not be lost."""
    import logging

    from moecheck_gui import applog

    secret = "sk-early-0123456789"
    applog.buffer_early_records(logging.INFO)
    applog.register_secret(secret)
    try:
        logging.getLogger("moecheck.test").info("starting with %s", secret)
        logging.getLogger("moecheck.test").debug("too detailed for INFO")
        path = applog.setup_logging(level=logging.INFO)
        assert path is not None
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = path.read_text()
    finally:
        applog.unregister_secret(secret)
        applog.shutdown_logging()
    assert "starting with [redacted]" in text
    assert secret not in text
    assert "too detailed" not in text
