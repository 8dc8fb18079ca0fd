"""The window's language: our catalogues, Qt's own qtbase_*.qm, right to left, Help › Language….

Real Qt (offscreen), real QSettings files in the private HOME, real .qm files
from PySide6: nothing is faked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel

from moecheck_gui import i18n
from moecheck_gui.gui import i18n_qt
from moecheck_gui.gui.language_dialog import LanguageDialog


@pytest.fixture(autouse=True)
def _back_to_english(qapp: Any) -> Iterator[None]:
    """Every test starts in English and leaves the application as the rest of the suite expects."""
    i18n.install("en")
    yield
    i18n.install("en")
    for translator in qapp.findChildren(QTranslator):
        qapp.removeTranslator(translator)
        translator.deleteLater()
    QGuiApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_right_to_left_constant_is_qts() -> None:
    assert i18n_qt.RIGHT_TO_LEFT == Qt.LayoutDirection.RightToLeft.value


def test_the_saved_choice_round_trips(tmp_path: Path) -> None:
    ini = tmp_path / "window.ini"
    assert i18n_qt.saved_language(ini) is None
    i18n_qt.save_language("ja", ini)
    assert i18n_qt.saved_language(ini) == "ja"
    i18n_qt.save_language(None, ini)
    assert i18n_qt.saved_language(ini) is None
    ini.write_text("[ui]\nlanguage=klingon\n")
    assert i18n_qt.saved_language(ini) is None  # not ours: follow the system


def test_arabic_lays_the_application_out_right_to_left(qapp: Any) -> None:
    assert i18n_qt.install_translations(qapp, "ar") == "ar"
    assert QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert QGuiApplication.isRightToLeft()


def test_japanese_loads_qts_own_words_and_ours(qapp: Any, qtbot: Any) -> None:
    assert i18n_qt.install_translations(qapp, "ja") == "ja"
    assert QGuiApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight
    # Qt's standard button, from PySide6's qtbase_ja.qm.
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") != "Cancel"
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(buttons)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel is not None and cancel.text() == "キャンセル"
    assert i18n._("System default") == "システムの既定"


def test_english_installs_no_qt_translator(qapp: Any) -> None:
    before = len(qapp.findChildren(QTranslator))
    assert i18n_qt.install_translations(qapp, "en") == "en"
    assert len(qapp.findChildren(QTranslator)) == before


def test_qt_translations_are_found() -> None:
    folder = i18n_qt.qt_translations_dir()
    assert folder is not None
    for language in ("ja", "es", "pt_BR", "ar"):
        assert (folder / f"qtbase_{language}.qm").is_file(), language


def test_language_dialog_lists_languages_in_their_own_names_and_saves(
    qtbot: Any, tmp_path: Path
) -> None:
    ini = tmp_path / "window.ini"
    dialog = LanguageDialog(settings_path=ini)
    qtbot.addWidget(dialog)
    combo = dialog.findChild(QComboBox, "languageCombo")
    assert combo is not None
    names = [combo.itemText(i) for i in range(combo.count())]
    assert names == ["System default", *i18n.LANGUAGES.values()]
    assert "日本語" in names and "العربية" in names
    assert combo.currentIndex() == 0  # nothing saved: System default
    note = dialog.findChild(QLabel, "languageRestartNote")
    assert note is not None and "next time" in note.text()

    combo.setCurrentIndex(combo.findData("ar"))
    dialog.accept()
    assert i18n_qt.saved_language(ini) == "ar"

    again = LanguageDialog(settings_path=ini)
    qtbot.addWidget(again)
    assert again.chosen() == "ar"
    again.combo.setCurrentIndex(0)
    again.accept()
    assert i18n_qt.saved_language(ini) is None


def test_help_menu_has_the_language_entry(make_window: Callable[..., Any]) -> None:
    window = make_window()
    action = window.findChild(QAction, "languageAction")
    assert action is not None
    assert action in window.menus.help_menu.actions()
    assert action.text() == "&Language…"


def test_a_window_built_in_japanese_shows_translated_entries(
    qapp: Any, make_window: Callable[..., Any]
) -> None:
    i18n_qt.install_translations(qapp, "ja")
    window = make_window()
    action = window.findChild(QAction, "languageAction")
    assert action is not None and action.text() == "言語(&L)…"


def test_a_window_built_in_arabic_is_mirrored(qapp: Any, make_window: Callable[..., Any]) -> None:
    i18n_qt.install_translations(qapp, "ar")
    window = make_window()
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.isRightToLeft()


@pytest.mark.parametrize("lang", ["ja_JP.UTF-8", "ar_SA.UTF-8"])
def test_start_up_budget_holds_in_a_translated_language(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first frame in Japanese/Arabic loads nothing more than in English but gettext."""
    from tests.gui.test_startup_imports import NOT_BEFORE_FIRST_FRAME, _run_probe

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", lang)
    state = _run_probe(tmp_path)
    loaded = set(state["modules"])
    assert state["visible"] and "moecheck_gui.i18n" in loaded and "gettext" in loaded
    assert sorted(name for name in NOT_BEFORE_FIRST_FRAME if name in loaded) == []
    assert not state["qt_namespace_built"]  # right to left set without Qt.LayoutDirection
