"""Run the real window in a child process, drive one scenario, and print what a user would see.

Why a child process: keychain faults (no D-Bus, a locked keychain, a forced
keyring backend) are decided once per process when ``keyring`` picks its
backend, and "closing the window mid-check never hangs or aborts" can only be
observed from outside. The child is started by the reliability tests:

    python -m tests.reliability.window_driver SCENARIO

Scenarios: ``start`` (open, wait for the keychain answer, close), ``check``
(fill DRIVER_WS/DRIVER_KEY/DRIVER_DC from the environment, tick "Remember" when
it is enabled, run one check, wait for the save to finish), ``close-mid-check``
(start a check and close the window while it runs). The last stdout line is a
JSON report: every text the window shows, the keychain state, the profiles,
the outcome. The key edit's own text is never reported (it holds the key by design).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


def visible_text(root: QWidget) -> list[str]:
    """Every string the window shows or exposes to assistive technology."""
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        texts += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            texts.append(widget.displayText())  # the key edit shows bullets only
            texts.append(widget.placeholderText())
        elif isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
    return [t for t in texts if t]


def spin(app: QApplication, until: Any, timeout: float) -> bool:
    """Run the event loop until ``until()`` is true or ``timeout`` seconds pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if until():
            return True
        time.sleep(0.01)
    return bool(until())


def main(scenario: str) -> int:
    app = QApplication([sys.argv[0]])
    from moecheck_gui import applog
    from moecheck_gui.gui import MainWindow

    log_path = applog.setup_logging()
    timeout = float(os.environ.get("DRIVER_TIMEOUT", "5"))
    window = MainWindow(timeout=timeout)
    report: dict[str, Any] = {"log_file": str(log_path) if log_path else None}
    store: list[Any] = []
    outcomes: list[Any] = []
    saved: list[str] = []
    window.keychainReady.connect(store.append)
    window.checkFinished.connect(outcomes.append)
    window.keySaved.connect(saved.append)
    window.show()
    report["keychain_answered"] = spin(app, lambda: bool(store), 15)
    info = store[0] if store else None
    report["store"] = (
        {"name": info.name, "usable": info.usable, "reason": info.reason} if info else None
    )
    report["remember_enabled"] = window.remember_check.isEnabled()
    # Start-up work (restoring the last profile's key) must not race the scenario.
    spin(app, lambda: window.runner.running_count() == 0, 10)
    if scenario in ("check", "close-mid-check"):
        window.workspace_edit.setText(os.environ["DRIVER_WS"])
        window.key_edit.setText(os.environ["DRIVER_KEY"])
        window.select_dc(os.environ.get("DRIVER_DC", "01"))
        if window.remember_check.isEnabled():
            window.remember_check.setChecked(True)
        status_before = window.remember_status.text()
        window.test_button.click()
        if scenario == "close-mid-check":
            spin(app, lambda: False, float(os.environ.get("DRIVER_CLOSE_AFTER", "0.2")))
            started = time.monotonic()
            window.close()
            app.processEvents()
            report["close_seconds"] = time.monotonic() - started
            print(json.dumps(report), flush=True)
            return 0
        spin(app, lambda: bool(outcomes), timeout + 5)
        report["outcome"] = outcomes[0].to_json() if outcomes else None
        # Saving the key runs on a worker after the check; wait for its answer.
        spin(
            app,
            lambda: bool(saved) or window.remember_status.text() != status_before,
            10 if window.remember_check.isChecked() else 0.2,
        )
        report["saved_in"] = saved[0] if saved else None
        report["remember_status"] = window.remember_status.text()
    report["texts"] = visible_text(window)
    report["profiles"] = [p.workspace_id for p in window.profiles.profiles()]
    report["profiles_problem"] = window.profiles.problem
    QTimer.singleShot(0, window.close)
    spin(app, lambda: not window.isVisible(), 5)
    report["log_file_after"] = str(applog.current_log_file() or "")
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "start"))
