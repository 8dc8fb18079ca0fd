"""The credentials form on its own, without a window: what it hands over, and the helps it gives.

Typed into like a user would (keyClicks, setText on the real widgets, found by
their objectNames); no network and no keychain are involved.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit

from moecheck_gui.gui.credentials_form import CredentialsForm, TypedCredentials
from moecheck_gui.gui.theme import Tone
from moecheck_gui.keychain import NO_STORE_NAME, StoreInfo


@pytest.fixture
def form(qtbot: Any) -> CredentialsForm:
    form = CredentialsForm()
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


class Recorder:
    def __init__(self, form: CredentialsForm) -> None:
        self.edited = 0
        self.statuses: list[tuple[str, Tone]] = []
        self.remember: list[bool] = []
        form.edited.connect(self._on_edited)
        form.statusChanged.connect(lambda text, tone: self.statuses.append((text, tone)))
        form.rememberToggled.connect(self.remember.append)

    def _on_edited(self) -> None:
        self.edited += 1


def child(form: CredentialsForm, kind: type, name: str) -> Any:
    widget = form.findChild(kind, name)
    assert widget is not None, name
    return widget


def test_snapshot_is_what_was_typed_and_never_shows_the_key(form: CredentialsForm) -> None:
    child(form, QLineEdit, "workspaceIdEdit").setText(" WS_ONE ")
    child(form, QLineEdit, "apiKeyEdit").setText("secret-key-0001\n")
    combo = child(form, QComboBox, "dataCenterCombo")
    combo.setCurrentIndex(combo.findData("02"))
    child(form, QLineEdit, "profileLabelEdit").setText("Prod")

    typed = form.snapshot()

    assert typed == TypedCredentials(" WS_ONE ", "secret-key-0001\n", "02", False, "Prod")
    assert "secret-key-0001" not in repr(typed) and "WS_ONE" in repr(typed)
    with pytest.raises(AttributeError):
        typed.api_key = "changed"  # type: ignore[misc]
    child(form, QLineEdit, "apiKeyEdit").setText("another-key-0002")
    assert typed.api_key == "secret-key-0001\n", "a snapshot does not follow later edits"


def test_detect_is_the_default_data_center(form: CredentialsForm) -> None:
    assert form.snapshot().dc == "auto"
    assert form.select_dc("101") and form.current_dc() == "101"
    assert not form.select_dc("07")
    assert form.current_dc() == "101"


def test_a_pasted_dashboard_address_picks_its_data_center(form: CredentialsForm) -> None:
    seen = Recorder(form)
    workspace = child(form, QLineEdit, "workspaceIdEdit")
    workspace.setText("https://dashboard-05.moengage.com/v4/#/dashboard")
    assert form.current_dc() == "05"
    assert workspace.text() == "", "an address is not a workspace ID"
    text, tone = seen.statuses[-1]
    assert "DC-05 — Singapore" in text and "now selected" in text and tone == Tone.SUCCESS
    assert seen.edited >= 1, "the details changed"


def test_an_address_typed_into_the_data_center_field(qtbot: Any, form: CredentialsForm) -> None:
    seen = Recorder(form)
    combo = child(form, QComboBox, "dataCenterCombo")
    combo.lineEdit().clear()
    combo.setFocus()
    qtbot.keyClicks(combo.lineEdit(), "app-eu.moengage.com")
    assert form.current_dc() == "02"
    assert "DC-02 — EU" in seen.statuses[-1][0]


@pytest.mark.parametrize(("typed", "code"), [("dc5", "05"), ("DC-101", "101"), ("Detect", "auto")])
def test_a_data_center_written_any_way_is_understood(
    qtbot: Any, form: CredentialsForm, typed: str, code: str
) -> None:
    form.select_dc("01")
    combo = child(form, QComboBox, "dataCenterCombo")
    combo.lineEdit().setText(typed)
    combo.lineEdit().editingFinished.emit()
    assert form.current_dc() == code


def test_an_unknown_data_center_is_refused_in_words(form: CredentialsForm) -> None:
    seen = Recorder(form)
    form.select_dc("03")
    combo = child(form, QComboBox, "dataCenterCombo")
    combo.lineEdit().setText("07")
    combo.lineEdit().editingFinished.emit()
    assert form.current_dc() == "03", "the choice stays"
    assert combo.lineEdit().text() == combo.itemText(combo.currentIndex())
    text, tone = seen.statuses[-1]
    assert text and tone == Tone.ERROR


def test_what_will_be_trimmed_is_pointed_out(form: CredentialsForm) -> None:
    notice = child(form, QLabel, "inputNotice")
    assert not notice.isVisibleTo(form)
    child(form, QLineEdit, "apiKeyEdit").setText("secret-key-0001\n")
    assert notice.isVisibleTo(form)
    assert "newline" in notice.text() and "Data API key" in notice.text()
    assert notice.textFormat() == Qt.TextFormat.PlainText
    child(form, QLineEdit, "apiKeyEdit").setText("secret-key-0001")
    assert not notice.isVisibleTo(form)


def test_edits_by_the_user_are_announced_and_changes_by_code_are_not(
    form: CredentialsForm,
) -> None:
    seen = Recorder(form)
    child(form, QLineEdit, "apiKeyEdit").setText("secret-key-0001")
    form.select_dc("02")
    assert seen.edited == 2
    form.quietly(lambda: form.fill("WS_ONE", "03", label="Prod"))
    assert seen.edited == 2
    assert form.snapshot()[:3] == ("WS_ONE", "", "03"), "fill clears the key unless given"
    assert child(form, QLineEdit, "profileLabelEdit").text() == "Prod"


def test_remember_follows_the_keychain(form: CredentialsForm) -> None:
    seen = Recorder(form)
    remember = child(form, QCheckBox, "rememberCheck")
    label = child(form, QLineEdit, "profileLabelEdit")
    assert not remember.isEnabled(), "off until the keychain answered"

    form.apply_store_info(StoreInfo("Test Keyring", True, None, "tests"), demo=False, remember=True)
    assert remember.isEnabled() and remember.isChecked() and label.isEnabled()
    assert "Test Keyring" in remember.text() and "stored nowhere else" in remember.toolTip()
    assert form.snapshot().remember
    remember.setChecked(False)
    assert seen.remember[-1] is False and not label.isEnabled()

    reason = "No Secret Service is running. Install GNOME Keyring or KWallet."
    form.apply_store_info(
        StoreInfo(NO_STORE_NAME, False, reason, "tests"), demo=False, remember=True
    )
    assert not remember.isEnabled() and not remember.isChecked()
    assert "no secure keychain" in remember.text()
    assert reason in remember.toolTip() and "never stores keys anywhere else" in remember.toolTip()
    assert not form.snapshot().remember

    form.apply_store_info(None, demo=True, remember=True)
    assert not remember.isEnabled() and "demo" in remember.text()


def test_remember_status_speaks_plain_text(form: CredentialsForm) -> None:
    status = child(form, QLabel, "rememberStatus")
    assert not status.isVisibleTo(form)
    form.show_remember_status("<b>Saved</b> the key.", Tone.SUCCESS)
    assert status.isVisibleTo(form) and status.text() == "<b>Saved</b> the key."
    assert status.textFormat() == Qt.TextFormat.PlainText
    assert status.accessibleDescription() == "<b>Saved</b> the key."


def test_focus_goes_to_the_field_to_correct(qtbot: Any, form: CredentialsForm) -> None:
    form.activateWindow()
    form.focus_field("api_key")
    qtbot.waitUntil(lambda: child(form, QLineEdit, "apiKeyEdit").hasFocus())
    form.focus_field("workspace_id")
    qtbot.waitUntil(lambda: child(form, QLineEdit, "workspaceIdEdit").hasFocus())
