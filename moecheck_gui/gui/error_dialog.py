"""The error dialog: what went wrong, redacted, copyable, and where the log is.

Imported only when an unexpected error is first reported (see
:mod:`moecheck_gui.gui.errors`), so building it costs nothing at start-up.
It imports nothing from :mod:`.errors` (no import cycle): the dialog shows
text that was already redacted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui import APP_NAME, applog
from moecheck_gui.i18n import _


def log_location_text() -> str:
    """A sentence saying where the log is, or that there is none."""
    path = applog.current_log_file()
    if path is None:
        return _("No log file is being written (the log folder is not writable).")
    return _("The log file is {path}").format(path=path)


class ErrorDialog(QDialog):
    """Tells the user something went wrong, with details they can copy into a bug report.

    Signals: none beyond QDialog's.
    """

    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(_("{app} ran into a problem").format(app=APP_NAME))
        intro = QLabel(
            _(
                "Something unexpected went wrong. Your check was not affected by anything you "
                "did, and your key is not included below. You can keep using MoeCheck; if this "
                "happens again, copy the details into a bug report."
            ),
            self,
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("errorDetails")
        self.details.setReadOnly(True)
        self.details.setPlainText(details)
        self.details.setAccessibleName(_("Error details"))
        self.details.setMinimumHeight(160)
        where = QLabel(log_location_text(), self)
        where.setObjectName("logLocation")
        where.setTextFormat(Qt.TextFormat.PlainText)
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton(_("&Copy details"), self)
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
