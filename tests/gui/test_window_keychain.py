"""Remember / profiles / Forget against a real Secret Service, and the no-keychain state.

The keychain tests need ``scripts/with-keyring`` (a private D-Bus session with
an unlocked GNOME Keyring); they are skipped with a reason otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QMessageBox, QPushButton, QWidget

from moecheck_gui.gui import MainWindow
from moecheck_gui.keychain import KeychainStore
from moecheck_gui.profiles import ProfileStore
from moecheck_gui.sandbox import Sandbox
from tests.gui.conftest import needs_keyring
from tests.gui.test_window_check import fill, run_check


def test_no_secure_store_disables_remember_and_says_why(
    qtbot: Any, make_window: Callable[..., MainWindow]
) -> None:
    import keyring.backends.fail

    # The real KeychainStore, given keyring's real "fail" backend: what a Linux
    # machine without a Secret Service gets.
    store = KeychainStore(backend=keyring.backends.fail.Keyring())
    window = make_window(keychain=store)
    remember = window.findChild(QCheckBox, "rememberCheck")
    qtbot.waitUntil(lambda: window._store_info is not None, timeout=5000)
    assert not remember.isEnabled()
    assert "no secure keychain" in remember.text()
    tip = remember.toolTip()
    assert "never stores keys anywhere else" in tip
    assert len(tip) > 60, "the tooltip explains what to install or enable"


@pytest.fixture
def real_keychain() -> KeychainStore:
    store = KeychainStore()
    info = store.info()
    if not info.usable:
        pytest.skip(f"no usable Secret Service: {info.reason}")
    return store


def _unique_workspace() -> str:
    return "TEST_" + uuid.uuid4().hex[:12].upper()


@needs_keyring
@pytest.mark.keychain
def test_remember_profiles_and_forget(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    use_sandbox: Sandbox,
    real_keychain: KeychainStore,
    private_home: Path,
) -> None:
    workspace_id, key = _unique_workspace(), "key-" + uuid.uuid4().hex
    use_sandbox.add_workspace(workspace_id, key, "03", "Keychain Test Workspace")

    window = make_window(keychain=real_keychain)
    remember = window.findChild(QCheckBox, "rememberCheck")
    qtbot.waitUntil(remember.isEnabled, timeout=5000)
    assert "Remember the key in" in remember.text()
    remember.setChecked(True)
    window.findChild(QLineEdit, "profileLabelEdit").setText("Prod")
    fill(window, workspace_id, key, "03")
    with qtbot.waitSignal(window.keySaved, timeout=10000) as saved:
        assert run_check(qtbot, window).ok
    store_name = saved.args[0]
    assert store_name in window.findChild(QWidget, "rememberStatus").text()
    assert real_keychain.load(workspace_id) == key
    profiles_file = private_home / ".config" / "moecheck" / "profiles.json"
    assert workspace_id in profiles_file.read_text()
    assert key not in profiles_file.read_text()
    window.close()

    # A new window lists the profile; picking it loads the key off the GUI thread.
    second = make_window(keychain=real_keychain)
    combo = second.findChild(QComboBox, "profileCombo")
    index = combo.findData(workspace_id)
    assert index > 0 and "Prod" in combo.itemText(index)
    second.findChild(QLineEdit, "apiKeyEdit").clear()
    with qtbot.waitSignal(second.profileKeyLoaded, timeout=10000):
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
    assert second.findChild(QLineEdit, "apiKeyEdit").text() == key
    assert second.findChild(QLineEdit, "workspaceIdEdit").text() == workspace_id
    assert second.findChild(QComboBox, "dataCenterCombo").currentData() == "03"
    # "Remember" stayed on (a preference), so a successful check saves the key again.
    assert second.findChild(QCheckBox, "rememberCheck").isChecked()
    with qtbot.waitSignal(second.keySaved, timeout=10000):
        assert run_check(qtbot, second).ok

    # Forget asks first; "Cancel" keeps everything.
    qtbot.mouseClick(second.findChild(QPushButton, "forgetButton"), Qt.MouseButton.LeftButton)
    question = second.findChild(QMessageBox, "forgetConfirm")
    assert question is not None and question.isVisible()
    assert workspace_id in question.text() and "Prod" in question.text()
    assert store_name in question.informativeText()
    question.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: second.findChild(QMessageBox, "forgetConfirm") is None, timeout=5000)
    assert real_keychain.load(workspace_id) == key
    assert combo.findData(workspace_id) > 0

    # Confirmed, Forget removes the key from the keychain and the profile from the list.
    qtbot.mouseClick(second.findChild(QPushButton, "forgetButton"), Qt.MouseButton.LeftButton)
    question = second.findChild(QMessageBox, "forgetConfirm")
    with qtbot.waitSignal(second.profileForgotten, timeout=10000):
        question.findChild(QPushButton, "forgetConfirmButton").click()
    assert real_keychain.load(workspace_id) is None
    assert combo.findData(workspace_id) < 0
    assert ProfileStore(profiles_file).get(workspace_id) is None
    assert "Forgot" in second.findChild(QWidget, "rememberStatus").text()


@needs_keyring
@pytest.mark.keychain
def test_canary_key_is_nowhere_but_the_keychain(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    use_sandbox: Sandbox,
    real_keychain: KeychainStore,
    private_home: Path,
) -> None:
    workspace_id = _unique_workspace()
    canary = "CANARY" + uuid.uuid4().hex.upper()
    use_sandbox.add_workspace(workspace_id, canary, "01", "Canary Workspace")
    from moecheck_gui import applog

    log_path = applog.setup_logging(level=10)  # DEBUG: the most talkative log
    try:
        window = make_window(keychain=real_keychain)
        remember = window.findChild(QCheckBox, "rememberCheck")
        qtbot.waitUntil(remember.isEnabled, timeout=5000)
        remember.setChecked(True)
        fill(window, workspace_id, canary + "\n", "01")
        with qtbot.waitSignal(window.keySaved, timeout=10000):
            assert run_check(qtbot, window).ok
        qtbot.mouseClick(
            window.findChild(QPushButton, "copyDetailsButton"), Qt.MouseButton.LeftButton
        )
        assert canary not in QGuiApplication.clipboard().text()
        # A failing check too (details and report of a 401).
        use_sandbox.set_mode("unauthorized")
        assert run_check(qtbot, window).kind == "auth"
        qtbot.mouseClick(
            window.findChild(QPushButton, "copyDetailsButton"), Qt.MouseButton.LeftButton
        )
        assert canary not in QGuiApplication.clipboard().text()

        key_edit = window.findChild(QLineEdit, "apiKeyEdit")
        for widget in [window, *window.findChildren(QWidget)]:
            texts = [
                widget.toolTip(),
                widget.accessibleName(),
                widget.accessibleDescription(),
                widget.windowTitle(),
                widget.statusTip(),
                widget.whatsThis(),
            ]
            if widget is key_edit:
                texts.append(key_edit.displayText())  # the field itself holds the key, masked
            else:
                for getter in ("text", "toPlainText", "currentText"):
                    method = getattr(widget, getter, None)
                    if callable(method):
                        texts.append(str(method()))
            for text in texts:
                assert canary not in text, f"key visible in {widget.objectName() or widget}"
        window.close()
    finally:
        applog.shutdown_logging()

    assert log_path is not None and log_path.exists()
    for path in private_home.rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes(), f"key written to {path}"
    assert real_keychain.delete(workspace_id)
