"""Help › Language…: choose the window's language (takes effect at the next start).

Why the next start: every text is translated when its widget is built, and
re-translating a live window would mean a ``changeEvent``/``retranslate`` in
every widget; a marketer changes the language once. The dialog says so.
Languages are listed in their own names (a reader who cannot read the
current language still finds theirs), with "System default" first.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui import i18n
from moecheck_gui.gui import i18n_qt, qtvalues
from moecheck_gui.i18n import _


class LanguageDialog(QDialog):
    """A list of the languages and "System default"; OK saves the choice.

    ``languageCombo`` holds the codes as item data (``""`` for the system's).
    Signals: none of its own (QDialog's ``accepted``/``rejected``).
    """

    def __init__(self, parent: QWidget | None = None, settings_path: Path | None = None) -> None:
        super().__init__(parent)
        self._path = settings_path
        self.setObjectName("languageDialog")
        self.setWindowTitle(_("Language"))
        layout = QVBoxLayout(self)
        label = QLabel(_("Language of MoeCheck's window:"), self)
        qtvalues.set_props(label, textFormat=qtvalues.PLAIN_TEXT)
        layout.addWidget(label)
        self.combo = QComboBox(self)
        self.combo.setObjectName("languageCombo")
        self.combo.addItem(_("System default"), "")
        for code, name in i18n.LANGUAGES.items():
            self.combo.addItem(name, code)
        saved = i18n_qt.saved_language(settings_path)
        self.combo.setCurrentIndex(max(self.combo.findData(saved or ""), 0))
        label.setBuddy(self.combo)
        layout.addWidget(self.combo)
        note = QLabel(_("The new language is used the next time you start MoeCheck."), self)
        note.setObjectName("languageRestartNote")
        note.setWordWrap(True)
        qtvalues.set_props(note, textFormat=qtvalues.PLAIN_TEXT)
        layout.addWidget(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> str | None:
        """The selected language code, or None for "System default"."""
        value = self.combo.currentData()
        return value if isinstance(value, str) and value else None

    def accept(self) -> None:
        """Save the choice for the next start, then close."""
        i18n_qt.save_language(self.chosen(), self._path)
        super().accept()


def open_language_dialog(parent: QWidget | None = None) -> None:
    """Show the dialog (modal) from the Help menu."""
    dialog = LanguageDialog(parent)
    dialog.exec()
    dialog.deleteLater()
