"""The app around the window: demo mode, start-up cost, closing mid-check, palette, geometry."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from moecheck_gui.gui import DemoMode, MainWindow
from moecheck_gui.gui.theme import TONES, Tone
from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox
from tests.gui.test_window_check import panel_text, run_check

ROOT = Path(__file__).resolve().parents[2]


def test_demo_mode_banner_prefill_and_check(
    qtbot: Any, make_window: Callable[..., MainWindow], sandbox: Sandbox
) -> None:
    demo = DemoMode(api_base=sandbox.api_base, workspaces=DEMO_WORKSPACES, sandbox=sandbox)
    window = make_window(demo=demo)
    banner = window.findChild(QWidget, "demoBanner")
    assert banner.isVisibleTo(window)
    assert "not MoEngage" in window.findChild(QLabel, "demoBannerTitle").text()
    assert "Demo" in window.windowTitle()
    assert window.findChild(QLineEdit, "workspaceIdEdit").text() == DEMO_WORKSPACES[0].workspace_id
    assert window.findChild(QLineEdit, "apiKeyEdit").text() == DEMO_WORKSPACES[0].api_key
    remember = window.findChild(QCheckBox, "rememberCheck")
    assert not remember.isEnabled() and "demo" in remember.text()
    outcome = run_check(qtbot, window)
    assert outcome.ok and outcome.app_name == DEMO_WORKSPACES[0].app_name
    assert len(sandbox.requests) == 1

    # Picking another demo workspace shows another outcome.
    combo = window.findChild(QComboBox, "demoWorkspaceCombo")
    index = combo.findData("DEMO_SUSPENDED")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert run_check(qtbot, window).kind == "forbidden"


def test_window_is_not_in_demo_mode_by_default(make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    assert not window.findChild(QWidget, "demoBanner").isVisibleTo(window)


def _run_python(code: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_constructing_the_window_does_no_network_or_keychain_work() -> None:
    result = _run_python(
        """
        import sys
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from moecheck_gui.gui import MainWindow
        window = MainWindow()
        loaded = sorted(m for m in ("requests", "urllib3", "keyring", "secretstorage",
                                     "moecheck_gui.client", "moecheck_gui.keychain")
                        if m in sys.modules)
        print("LOADED", loaded)
        """,
        _child_env(),
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout, result.stdout


@pytest.mark.parametrize("where", ["demo", "external"])
def test_closing_during_a_hanging_check_exits_promptly(where: str) -> None:
    """The app exits within seconds while a request hangs, with no Qt thread complaints."""
    env = _child_env()
    script = """
        import sys, time
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QPushButton
        from moecheck_gui.gui import MainWindow
        from moecheck_gui.gui import app as gui_app

        qapp = QApplication([])

        def poke():
            window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow))
            if window.demo is not None:
                window.demo.sandbox.set_mode("hang")
            window.findChild(QPushButton, "testButton").click()
            def close():
                assert window.is_checking, "the check should still be running"
                print("CLOSING", flush=True)
                global closed_at
                closed_at = time.monotonic()
                window.close()
            QTimer.singleShot(700, close)

        QTimer.singleShot(300, poke)
        code = gui_app.main(ARGS)
        print("EXITED", code, round(time.monotonic() - closed_at, 2), flush=True)
        sys.exit(code)
    """
    if where == "demo":
        script = script.replace("ARGS", '["--demo"]')
        result = _run_in_child(script, env)
    else:
        with Sandbox() as box:
            box.set_mode("hang")
            env["MOECHECK_API_BASE"] = box.api_base
            script = script.replace("ARGS", "[]")
            result = _run_in_child(script, env)
            assert len(box.requests) == 1, "the check reached the hanging server"
    out, err, elapsed = result
    assert "CLOSING" in out, err
    assert "EXITED 0" in out, err
    assert "QThread: Destroyed" not in err
    assert "Traceback" not in err
    assert elapsed < 3.0 + 1.0 + 2.0, "start-up + 1 s until close + a prompt exit"


def _run_in_child(script: str, env: dict[str, str]) -> tuple[str, str, float]:
    # Fill the workspace form before the check: DEMO prefill covers demo mode;
    # for the external server, prefill through the environment-free window API.
    if '"--demo"' not in script:
        script = script.replace(
            'window.findChild(QPushButton, "testButton").click()',
            'window.workspace_edit.setText("DEMO_US"); window.key_edit.setText("demo-key-us-0001");'
            ' window.select_dc("01"); window.findChild(QPushButton, "testButton").click()',
        )
    started = time.monotonic()
    result = _run_python(script, env, timeout=20)
    return result.stdout, result.stderr, time.monotonic() - started


def test_app_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    from moecheck_gui.gui import app

    with pytest.raises(SystemExit) as exc:
        app.main(["--version"])
    assert exc.value.code == 0
    assert "MoeCheck" in capsys.readouterr().out


def test_follows_a_dark_palette(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox, qapp: QApplication
) -> None:
    window = make_window()
    window.workspace_edit.setText(DEMO_WORKSPACES[0].workspace_id)
    window.key_edit.setText(DEMO_WORKSPACES[0].api_key)
    window.select_dc("01")
    run_check(qtbot, window)
    light = TONES[(Tone.SUCCESS, False)]
    assert painted_background(window) == QColor(light.bg)
    original = qapp.palette()
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#1f2125"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e6e6e6"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#2a2d31"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    try:
        qapp.setPalette(dark)
        qtbot.waitUntil(
            lambda: painted_background(window) == QColor(TONES[(Tone.SUCCESS, True)].bg),
            timeout=2000,
        )
        title = window.result_panel.title_label.palette().color(QPalette.ColorRole.WindowText)
        assert title == QColor(TONES[(Tone.SUCCESS, True)].fg)
        assert "Connection works" in panel_text(window)
    finally:
        qapp.setPalette(original)
    qtbot.waitUntil(lambda: painted_background(window) == QColor(light.bg), timeout=2000)


def painted_background(window: MainWindow) -> QColor:
    """The colour the result panel actually paints, read from a picture of it."""
    panel = window.result_panel
    image = panel.grab().toImage()
    ratio = image.devicePixelRatio() or 1.0
    return QColor(image.pixel(int(panel.width() // 2 * ratio), int(4 * ratio)))


def test_window_size_persists(qtbot: Any, make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    window.resize(700, 720)
    qtbot.waitUntil(lambda: window.width() == 700)
    window.close()
    again = make_window()
    assert (again.width(), again.height()) == (700, 720)


def test_about_dialog(qtbot: Any, make_window: Callable[..., MainWindow]) -> None:
    from moecheck_gui import __version__

    window = make_window()
    dialog = window.show_about()
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert __version__ in texts and "MIT" in texts
    assert "moengage.com/docs" in texts
    dialog.close()


def test_every_control_has_an_accessible_name_and_description(
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window()
    for name in (
        "workspaceIdEdit",
        "apiKeyEdit",
        "dataCenterCombo",
        "testButton",
        "cancelButton",
        "rememberCheck",
    ):
        widget = window.findChild(QWidget, name)
        assert widget.accessibleName(), name
        assert widget.accessibleDescription(), name
    assert window.findChild(QWidget, "resultPanel").accessibleName() == "Result"


def test_keyboard_flow_reaches_every_field_in_order(
    qtbot: Any, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window()
    workspace = window.findChild(QLineEdit, "workspaceIdEdit")
    workspace.setFocus()
    qtbot.waitUntil(workspace.hasFocus)
    order = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order[0] is window.findChild(QLineEdit, "apiKeyEdit")
    assert window.findChild(QComboBox, "dataCenterCombo") in (order[1], order[1].parent())


@pytest.mark.skipif(
    sys.platform == "win32", reason="reads the child's exit through os.kill(pid, 0)"
)
def test_closing_during_a_hanging_check_all_exits_promptly_and_leaves_no_child() -> None:
    """The check-all child process does not outlive the app, nor hold its exit up."""
    env = _child_env()
    script = """
        import multiprocessing, sys, time
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from moecheck_gui.batch import BatchRow
        from moecheck_gui.batch.process import BatchRecipe
        from moecheck_gui.gui import MainWindow
        from moecheck_gui.gui import app as gui_app
        from moecheck_gui.gui.check_all_view import CheckAllView

        qapp = QApplication([])

        def poke():
            window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow))
            rows = [BatchRow(f"HANG{n}", "01", api_key=f"hang-key-{n:04d}") for n in range(6)]
            view = CheckAllView(rows, BatchRecipe(api_base=API, use_keychain=False),
                                concurrency=2, timeout=60, runner=window.runner, parent=window)
            view.show()
            view.start()
            def close():
                children = [p for p in multiprocessing.active_children()
                            if p.name == "moecheck-check-all"]
                assert view.is_running() and len(children) == 1, children
                print("CHILD", children[0].pid, flush=True)
                global closed_at
                closed_at = time.monotonic()
                window.close()
            QTimer.singleShot(1500, close)

        QTimer.singleShot(300, poke)
        code = gui_app.main([])
        print("EXITED", code, round(time.monotonic() - closed_at, 2), flush=True)
        sys.exit(code)
    """
    with Sandbox() as box:
        box.set_mode("hang")
        script = script.replace("API", repr(box.api_base))
        started = time.monotonic()
        result = _run_python(script, env, timeout=30)
        elapsed = time.monotonic() - started
        assert 1 <= len(box.requests) <= 2, "the child's checks reached the hanging server"
    assert "EXITED 0" in result.stdout, result.stderr
    assert "Traceback" not in result.stderr and "QThread: Destroyed" not in result.stderr
    assert elapsed < 3.0 + 1.5 + 3.0, "start-up + 1.5 s until close + a prompt exit"
    pid = int(result.stdout.split("CHILD", 1)[1].split()[0])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the check-all child {pid} outlived the app")
