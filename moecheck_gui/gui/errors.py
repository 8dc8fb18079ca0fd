"""The one handler for unexpected errors: a dialog with redacted, copyable details.

Why one handler: a bug must never end in a silent crash or a raw traceback
window, and it must never leak the key. Every unexpected exception (from a
slot, from a worker task, from ``sys.excepthook``) goes through
:func:`report_unexpected`, which logs it (the log filter redacts) and shows
:class:`ErrorDialog` with the same redacted text and where the log file is.

Start-up cost: this module imports no widgets. :func:`install_excepthook`
runs before the window is built, and the dialog (:mod:`.error_dialog`, with
its QPlainTextEdit and QDialogButtonBox) is imported only when an error is
first reported. ``errors.ErrorDialog`` still works (resolved lazily).

Imports go one way: this module uses :mod:`.error_dialog`, never the reverse.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

from moecheck_gui import APP_NAME, __version__, applog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from moecheck_gui.gui.error_dialog import ErrorDialog

log = logging.getLogger(__name__)

_open_dialog: ErrorDialog | None = None


def __getattr__(name: str) -> Any:
    if name == "ErrorDialog":
        from moecheck_gui.gui.error_dialog import ErrorDialog

        return ErrorDialog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def redacted_details(exc: BaseException) -> str:
    """The traceback of ``exc`` with registered secrets and credential fields removed."""
    import traceback

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return applog.redact(f"{APP_NAME} {__version__}\n{text}")


def report_unexpected(exc: BaseException, parent: QWidget | None = None) -> ErrorDialog | None:
    """Log ``exc`` and show (or extend) the error dialog; returns it (None without a QApplication).

    The dialog is non-modal so that a bug cannot freeze the window and tests
    can inspect it.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from moecheck_gui.gui.error_dialog import ErrorDialog

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
