"""The one handler for unexpected errors: a dialog with redacted, copyable details.

Why one handler: a bug must never end in a silent crash or a raw traceback
window, and it must never leak the key. Every unexpected exception (from a
slot, from a worker task, from ``sys.excepthook``) goes through
:func:`report_unexpected`, which logs it (the log filter redacts) and shows
:class:`ErrorDialog` with the same redacted text and where the log file is.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui import APP_NAME, __version__, applog

log = logging.getLogger(__name__)

_open_dialog: ErrorDialog | None = None


def redacted_details(exc: BaseException) -> str:
    """The traceback of ``exc`` with registered secrets and credential fields removed."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return applog.redact(f"{APP_NAME} {__version__}\n{text}")


def log_location_text() -> str:
    """A sentence saying where the log is, or that there is none."""
    path = applog.current_log_file()
    if path is None:
        return "No log file is being written (the log folder is not writable)."
    return f"The log file is {path}"


class ErrorDialog(QDialog):
    """Tells the user something went wrong, with details they can copy into a bug report.

    Signals: none beyond QDialog's.
    """

    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(f"{APP_NAME} ran into a problem")
        intro = QLabel(
            "Something unexpected went wrong. Your check was not affected by anything you "
            "did, and your key is not included below. You can keep using MoeCheck; if this "
            "happens again, copy the details into a bug report.",
            self,
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("errorDetails")
        self.details.setReadOnly(True)
        self.details.setPlainText(details)
        self.details.setAccessibleName("Error details")
        self.details.setMinimumHeight(160)
        where = QLabel(log_location_text(), self)
        where.setObjectName("logLocation")
        where.setTextFormat(Qt.TextFormat.PlainText)
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton("&Copy details", self)
        copy.setObjectName("copyErrorButton")
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.details, 1)
        layout.addWidget(where)
        layout.addWidget(buttons)
        # Fixed constraints: a shown window whose minimum size changes makes the
        # platform re-negotiate size hints (and offscreen Qt warn).
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setMinimumSize(480, 300)
        self.resize(620, 380)

    def copy_details(self) -> None:
        """Put the (already redacted) details and the log location on the clipboard."""
        QGuiApplication.clipboard().setText(
            self.details.toPlainText() + "\n" + log_location_text() + "\n"
        )

    def add_details(self, details: str) -> None:
        """A second error while the dialog is open: append instead of stacking dialogs."""
        self.details.appendPlainText("\n---\n" + details)


def report_unexpected(exc: BaseException, parent: QWidget | None = None) -> ErrorDialog | None:
    """Log ``exc`` and show (or extend) the error dialog; returns it (None without a QApplication).

    The dialog is non-modal so that a bug cannot freeze the window and tests
    can inspect it.
    """
    global _open_dialog
    details = redacted_details(exc)
    log.error("Unexpected error:\n%s", details)
    if QApplication.instance() is None:
        print(details, file=sys.stderr)
        return None
    if _open_dialog is not None and _open_dialog.isVisible():
        _open_dialog.add_details(details)
        return _open_dialog
    dialog = ErrorDialog(details, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.destroyed.connect(_forget_dialog)
    _open_dialog = dialog
    dialog.show()
    return dialog


def _forget_dialog() -> None:
    global _open_dialog
    _open_dialog = None


def install_excepthook() -> None:
    """Route uncaught exceptions on the GUI thread to :func:`report_unexpected`.

    Exceptions on other threads are only logged: a dialog may be created on the
    GUI thread only, and worker tasks already report through the task runner.
    """

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        report_unexpected(exc.with_traceback(tb))

    sys.excepthook = hook

    def thread_hook(args: object) -> None:
        exc = getattr(args, "exc_value", None)
        if isinstance(exc, BaseException):
            log.error("Unexpected error in a background thread:\n%s", redacted_details(exc))

    threading.excepthook = thread_hook
