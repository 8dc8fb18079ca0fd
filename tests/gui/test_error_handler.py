"""An exception escaping a Qt slot on the GUI thread reaches the one error handler.

PySide6 hands exceptions raised in slots to ``sys.excepthook``; the app installs
``errors.install_excepthook`` at start-up, so a bug shows a redacted, copyable
dialog instead of a traceback on a terminal the user never sees.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from moecheck_gui import applog
from moecheck_gui.gui import errors

CANARY = "CANARY-KEY-excepthook-42f1"


@pytest.fixture
def installed_hook() -> Iterator[None]:
    import threading

    saved = sys.excepthook, threading.excepthook
    errors.install_excepthook()
    applog.register_secret(CANARY)
    try:
        yield
    finally:
        applog.unregister_secret(CANARY)
        sys.excepthook, threading.excepthook = saved


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_shows_the_redacted_error_dialog(
    qtbot: Any, installed_hook: None
) -> None:
    def buggy_slot() -> None:
        raise RuntimeError(f"bug while handling the key {CANARY}")

    QTimer.singleShot(0, buggy_slot)
    qtbot.waitUntil(lambda: errors._open_dialog is not None, timeout=5000)
    dialog = errors._open_dialog
    assert dialog is not None and dialog.isVisible()
    text = "\n".join(w.toPlainText() for w in dialog.findChildren(QPlainTextEdit))
    assert "RuntimeError: bug while handling the key [redacted]" in text
    assert CANARY not in text
    assert (
        "log"
        in " ".join(
            child.text()
            for child in dialog.findChildren(object)
            if hasattr(child, "text") and isinstance(child.text(), str)
        ).lower()
    )
    dialog.close()
    QApplication.processEvents()


def test_keyboard_interrupt_is_not_shown_as_a_bug(installed_hook: None, capsys: Any) -> None:
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as exc:
        sys.excepthook(KeyboardInterrupt, exc, exc.__traceback__)
    assert errors._open_dialog is None
