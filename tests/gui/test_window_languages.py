"""The whole window in Arabic and in Japanese: built, checked against the sandbox, read.

Real Qt (offscreen), our real catalogues and PySide6's qtbase_*.qm, real
checks over HTTP against the sandbox on 127.0.0.1: nothing is faked but the
keychain (NoKeychain: these tests are about words, not storage).

What a translated window must do: lay itself out right to left in Arabic; show
the outcome titles and the formatting words the translators have already done
(the assertions ask the catalogue for the expected text, so they hold before
and after the rest of the window's strings are translated); show MoEngage's own
words and the workspace name exactly as MoEngage sent them; raise nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QLabel, QToolButton, QWidget

from moecheck_gui import i18n
from moecheck_gui.datacenters import BY_CODE
from moecheck_gui.gui import MainWindow, i18n_qt
from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox
from tests.gui.test_window_check import fill, panel_text, run_check

US = DEMO_WORKSPACES[0]  # DEMO_US, works on DC 01

# The titles as the translators wrote them (po/<lang>.po), so a window that
# forgot to translate them fails here even if the catalogue is right.
WORKS = {"ar": "الاتصال يعمل", "ja": "接続できます"}
REJECTED = {"ar": "رفض MoEngage بيانات الاعتماد هذه", "ja": "MoEngage がこの認証情報を拒否しました"}
LANGUAGE_ENTRY = {"ar": "ال&لغة…", "ja": "言語(&L)…"}


@pytest.fixture(autouse=True)
def _back_to_english(qapp: Any) -> Iterator[None]:
    """Start in English and leave the application as the rest of the suite expects it."""
    i18n.install("en")
    yield
    i18n.install("en")
    for translator in qapp.findChildren(QTranslator):
        qapp.removeTranslator(translator)
        translator.deleteLater()
    QGuiApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def _all_text(window: QWidget) -> str:
    return "\n".join(label.text() for label in window.findChildren(QLabel))


@pytest.mark.parametrize("language", ["ar", "ja"])
def test_the_window_speaks_the_language_and_checks_against_the_sandbox(
    language: str,
    qapp: Any,
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    use_sandbox: Sandbox,
) -> None:
    assert i18n_qt.install_translations(qapp, language) == language
    window = make_window()

    right_to_left = language == "ar"
    assert window.isRightToLeft() is right_to_left
    expected_direction = (
        Qt.LayoutDirection.RightToLeft if right_to_left else Qt.LayoutDirection.LeftToRight
    )
    assert window.layoutDirection() == expected_direction
    assert any(a.text() == LANGUAGE_ENTRY[language] for a in window.menus.help_menu.actions())

    # The DC list shows each region in the language (display_label), codes unchanged.
    combo = window.findChild(QComboBox, "dataCenterCombo")
    india = combo.itemText(combo.findData("03"))
    assert india == BY_CODE["03"].display_label and india.startswith("DC-03")
    if i18n._("India") != "India":
        assert "India" not in india

    # A check that works: the title is translated, the workspace name is MoEngage's.
    fill(window, US.workspace_id, US.api_key, "01")
    outcome = run_check(qtbot, window)
    assert outcome.ok
    text = panel_text(window)
    assert WORKS[language] in text and "Connection works" not in text
    assert US.app_name in text  # MoEngage's answer, as sent

    # A rejected key: translated title, MoEngage's own message untouched in the details.
    fill(window, US.workspace_id, "not-the-demo-key-0001", "01")
    outcome = run_check(qtbot, window)
    assert outcome.kind == "auth"
    toggle = window.findChild(QToolButton, "detailsToggle")
    toggle.setChecked(True)
    details = window.findChild(QWidget, "resultDetails")
    qtbot.waitUntil(details.isVisible, timeout=5000)
    text = panel_text(window)
    assert REJECTED[language] in text
    assert outcome.server_message and outcome.server_message in text
    assert "App Secret key mismatch" in outcome.server_message  # never translated
    assert window.findChild(QWidget, "stageTimeline") is not None
    assert window.result_panel.text()  # the screen-reader text builds in this language

    # About says translations are welcome and where to start.
    dialog = window.show_about()
    qtbot.addWidget(dialog)
    about = _all_text(dialog)
    assert "docs/translations.md" in about
    assert i18n.LANGUAGES["ja"] in about and i18n.LANGUAGES["ar"] in about
    assert dialog.isRightToLeft() is right_to_left
    dialog.close()
    assert _all_text(window)
