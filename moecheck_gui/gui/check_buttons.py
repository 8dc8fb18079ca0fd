"""The row under the form: a one-line status note, Cancel, and Test connection.

Why a widget of its own: which button is enabled follows from two facts the
window knows (a check runs; a saved key is still loading), and the note's
colour follows the palette; neither needs the rest of the window.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from moecheck_gui.gui import qtvalues, theme
from moecheck_gui.gui.credentials_form import SPACING, describe
from moecheck_gui.gui.result_panel import plain_label
from moecheck_gui.gui.theme import Tone
from moecheck_gui.i18n import _


class CheckButtons(QWidget):
    """The status note (``statusHint``), ``cancelButton`` and ``testButton``.

    Signals: none of its own; the window connects the buttons' ``clicked``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # QPushButton(parent) + setText: the (text, parent) overload builds QIcon's enums.
        self.test_button = QPushButton(self)
        self.test_button.setText(_("&Test connection"))
        self.test_button.setObjectName("testButton")
        self.test_button.setDefault(True)
        self.test_button.setAutoDefault(True)
        self.test_button.setMinimumWidth(150)
        describe(
            self.test_button,
            _("Test connection"),
            # Translators: Enter is the key on the keyboard.
            _("Ask MoEngage whether these credentials work (Enter)."),
        )
        self.cancel_button = QPushButton(self)
        self.cancel_button.setText(_("Cancel"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)
        # A property, not setShortcut(): see qtvalues.py.
        qtvalues.set_props(self.cancel_button, shortcut="Esc")  # a key name, not a word
        # Translators: Esc is the key on the keyboard.
        describe(self.cancel_button, _("Cancel"), _("Stop the running check (Esc)."))
        self.status_hint = plain_label(parent=self)
        self.status_hint.setObjectName("statusHint")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(SPACING)
        row.addWidget(self.status_hint, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.test_button)

    def set_busy(self, checking: bool, *, loading: bool = False) -> None:
        """Test while idle (not while a saved key loads); Cancel while a check runs."""
        self.test_button.setEnabled(not checking and not loading)
        self.cancel_button.setEnabled(checking)

    def set_status(self, text: str, tone: Tone) -> None:
        """A one-line note beside the buttons (DC found in a URL, profile problems…)."""
        colors = theme.tone_colors(tone, self.palette())
        self.status_hint.setStyleSheet(f"color: {colors.fg};")
        self.status_hint.setText(text)
        self.status_hint.setAccessibleDescription(text)
