"""A masked line edit with a show/hide toggle, for the Data API key.

Why a toggle: keys are long random strings pasted from a web page; people want
to glance at what they pasted (a stray quote, half a key) without retyping it.
It starts masked and the toggle is a real, focusable action with an accessible
name, so it works from the keyboard (Ctrl+Shift+H) and with a screen reader.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QWidget

from moecheck_gui.gui import qtvalues, theme
from moecheck_gui.gui.qtvalues import set_props
from moecheck_gui.i18n import _

SHORTCUT = "Ctrl+Shift+H"
"""The show/hide toggle's key combination (Qt's portable text: the same in every language)."""


def with_shortcut(text: str) -> str:
    """``"Show key (Ctrl+Shift+H)"``: a tooltip naming the action and its keys."""
    # Translators: a tooltip: {action} is e.g. "Show key", {shortcut} the keys, "Ctrl+Shift+H".
    return _("{action} ({shortcut})").format(action=text, shortcut=SHORTCUT)


class PasswordEdit(QLineEdit):
    """A QLineEdit in password mode with a trailing eye action.

    Signals:
        revealedChanged(bool): the key became visible (True) or masked again.
    """

    revealedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None, *, icons: bool = True) -> None:
        """``icons=False``: the eye button appears (with its icon) at :meth:`show_icons`;
        the window calls that right after its first frame, which skips QIcon and QtSvg."""
        super().__init__(parent)
        self._icons = icons
        self.setEchoMode(QLineEdit.EchoMode.Password)
        # No autocompletion, no drag-out of the secret, no IME guessing.
        # Ints, not Qt.InputMethodHint: built before the first paint (see qtvalues).
        set_props(
            self,
            inputMethodHints=qtvalues.IMH_HIDDEN_TEXT
            | qtvalues.IMH_NO_PREDICTIVE_TEXT
            | qtvalues.IMH_SENSITIVE_DATA
            | qtvalues.IMH_NO_AUTO_UPPERCASE,
        )
        self.setDragEnabled(False)
        self.toggle_action = QAction(self)
        self.toggle_action.setCheckable(True)
        # As a property: setShortcut()'s overload check builds the whole Qt namespace.
        set_props(self.toggle_action, shortcut=SHORTCUT)
        set_props(self.toggle_action, shortcutContext=qtvalues.WIDGET_SHORTCUT)
        self.toggle_action.toggled.connect(self.set_revealed)
        self._update_action()
        if icons:
            self._place_action()

    def _place_action(self) -> None:
        # addAction(action, position)'s overload check builds QIcon's enums (~1.6 ms),
        # so with icons=False the eye button joins the field with its icon.
        self.addAction(self.toggle_action, QLineEdit.ActionPosition.TrailingPosition)

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
        text = _("Hide key") if revealed else _("Show key")
        self.toggle_action.setText(text)
        self.toggle_action.setToolTip(with_shortcut(text))
        tint = theme.text_color(self.palette())
        if self._icons:
            self.toggle_action.setIcon(theme.icon("eye-off" if revealed else "eye", tint))

    def show_icons(self) -> None:
        """Give the show/hide action its eye icon (see ``icons`` in the constructor)."""
        if not self._icons:
            self._icons = True
            self._update_action()
            self._place_action()

    def changeEvent(self, event: QEvent) -> None:
        """Re-tint the eye icon when the palette switches between light and dark."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._update_action()
        super().changeEvent(event)
