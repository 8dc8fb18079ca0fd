"""A masked line edit with a show/hide toggle, for the Data API key.

Why a toggle: keys are long random strings pasted from a web page; people want
to glance at what they pasted (a stray quote, half a key) without retyping it.
It starts masked and the toggle is a real, focusable action with an accessible
name, so it works from the keyboard (Ctrl+Shift+H) and with a screen reader.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLineEdit, QWidget

from moecheck_gui.gui import theme


class PasswordEdit(QLineEdit):
    """A QLineEdit in password mode with a trailing eye action.

    Signals:
        revealedChanged(bool): the key became visible (True) or masked again.
    """

    revealedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        # No autocompletion, no drag-out of the secret, no IME guessing.
        self.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoAutoUppercase
        )
        self.setDragEnabled(False)
        self.toggle_action = QAction(self)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.toggle_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.toggle_action.toggled.connect(self.set_revealed)
        self.addAction(self.toggle_action, QLineEdit.ActionPosition.TrailingPosition)
        self._update_action()

    def is_revealed(self) -> bool:
        """True while the key is shown in clear text."""
        return self.echoMode() == QLineEdit.EchoMode.Normal

    def set_revealed(self, revealed: bool) -> None:
        """Show or mask the key."""
        mode = QLineEdit.EchoMode.Normal if revealed else QLineEdit.EchoMode.Password
        if mode == self.echoMode():
            return
        self.setEchoMode(mode)
        if self.toggle_action.isChecked() != revealed:
            self.toggle_action.setChecked(revealed)
        self._update_action()
        self.revealedChanged.emit(revealed)

    def _update_action(self) -> None:
        revealed = self.is_revealed()
        text = "Hide key" if revealed else "Show key"
        self.toggle_action.setText(text)
        self.toggle_action.setToolTip(f"{text} (Ctrl+Shift+H)")
        tint = theme.text_color(self.palette())
        self.toggle_action.setIcon(theme.icon("eye-off" if revealed else "eye", tint))

    def changeEvent(self, event: QEvent) -> None:
        """Re-tint the eye icon when the palette switches between light and dark."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._update_action()
        super().changeEvent(event)
