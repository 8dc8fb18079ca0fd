"""The window's check flow, driven like a user would, against the core's real sandbox.

Every test types into the real widgets (found by their contract objectNames),
clicks the real button and waits for ``checkFinished``; the checks run through
the real client over HTTP(S) on 127.0.0.1.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trustme
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from moecheck_gui.gui import MainWindow
from moecheck_gui.outcome import Outcome
from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox

US = DEMO_WORKSPACES[0]  # DEMO_US, works on DC 01
EU = DEMO_WORKSPACES[1]  # DEMO_EU, works on DC 02


def fill(window: QWidget, workspace_id: str, key: str, dc: str) -> None:
    """Enter credentials through the contract's widget names."""
    window.findChild(QLineEdit, "workspaceIdEdit").setText(workspace_id)
    window.findChild(QLineEdit, "apiKeyEdit").setText(key)
    combo = window.findChild(QComboBox, "dataCenterCombo")
    index = combo.findData(dc)
    assert index >= 0, dc
    combo.setCurrentIndex(index)


def run_check(qtbot: Any, window: MainWindow, timeout: int = 10000) -> Outcome:
    """Click Test connection and return the outcome it reports."""
    button = window.findChild(QPushButton, "testButton")
    with qtbot.waitSignal(window.checkFinished, timeout=timeout) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert isinstance(outcome, Outcome)
    return outcome


def panel_text(window: QWidget) -> str:
    panel = window.findChild(QWidget, "resultPanel")
    return "\n".join(label.text() for label in panel.findChildren(QLabel))


def test_contract_widgets_exist(make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    for name in ("workspaceIdEdit", "apiKeyEdit", "testButton", "cancelButton", "rememberCheck"):
        assert window.findChild(QWidget, name) is not None, name
    assert window.findChild(QWidget, "resultPanel") is not None
    combo = window.findChild(QComboBox, "dataCenterCombo")
    codes = [combo.itemData(i) for i in range(combo.count())]
    assert codes == ["auto", "01", "02", "03", "04", "05", "06", "101"]
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert "DC-01 — US" in labels and "DC-101" in labels
    key = window.findChild(QLineEdit, "apiKeyEdit")
    assert key.echoMode() == QLineEdit.EchoMode.Password


def test_success_shows_workspace_name_dc_and_time(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    window = make_window()
    fill(window, US.workspace_id, US.api_key, "01")
    outcome = run_check(qtbot, window)
    assert outcome.ok and outcome.kind is None
    assert outcome.app_name == US.app_name and outcome.dc == "01"
    text = panel_text(window)
    assert "Connection works" in text
    assert US.app_name in text
    assert "DC-01 — US" in text and "answered in" in text
    assert window.findChild(QPushButton, "testButton").isEnabled()
    assert len(use_sandbox.requests) == 1


@pytest.mark.parametrize(
    ("mode", "params", "kind", "expect"),
    [
        ("unauthorized", {}, "auth", ["rejected", "HTTP status", "401", "App Secret key mismatch"]),
        ("forbidden", {"error_type": "BlockedClient"}, "forbidden", ["403", "BlockedClient"]),
        ("rate_limited", {"retry_after": 30}, "rate_limited", ["429", "Retry after", "30 s"]),
        ("server_error", {"status": 503}, "server_error", ["503", "problem on its side"]),
    ],
)
def test_failure_rendering(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    use_sandbox: Sandbox,
    mode: str,
    params: dict[str, object],
    kind: str,
    expect: list[str],
) -> None:
    use_sandbox.set_mode(mode, **params)
    window = make_window()
    fill(window, US.workspace_id, US.api_key, "01")
    outcome = run_check(qtbot, window)
    assert not outcome.ok and outcome.kind == kind
    assert outcome.request_id, "the sandbox sends a request id with every failure"
    text = panel_text(window)
    assert outcome.title in text
    assert outcome.message in text and outcome.hint in text
    assert "Request ID" in text and outcome.request_id in text
    for snippet in expect:
        assert snippet in text, snippet
    # "Try all data centers" is offered only after an auth or forbidden failure on a chosen DC.
    try_all = window.findChild(QPushButton, "tryAllButton")
    assert try_all.isVisibleTo(window) == (kind in ("auth", "forbidden"))


def test_tls_failure_from_untrusted_certificate(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server_ca, other_ca = trustme.CA(), trustme.CA()
    cert = server_ca.issue_cert("127.0.0.1")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    other = tmp_path / "other-ca.pem"
    other_ca.cert_pem.write_to_path(str(other))
    # Trust only a CA that did not sign the server's certificate.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other))
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    with Sandbox(tls=(str(cert_file), str(key_file))) as box:
        monkeypatch.setenv("MOECHECK_API_BASE", box.api_base)
        window = make_window()
        fill(window, US.workspace_id, US.api_key, "01")
        outcome = run_check(qtbot, window)
        assert outcome.kind == "tls"
        text = panel_text(window)
        assert "not trusted" in text
        assert box.requests == [], "no request may be sent over an untrusted connection"


def test_invalid_input_sends_nothing_and_focuses_the_field(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    window = make_window()
    fill(window, US.workspace_id, "", "01")
    outcome = run_check(qtbot, window)
    assert outcome.kind == "invalid_input" and outcome.field == "api_key"
    assert "Data API key" in panel_text(window)
    assert use_sandbox.requests == []
    qtbot.waitUntil(lambda: window.focusWidget() is window.findChild(QLineEdit, "apiKeyEdit"))


def test_timeout_with_a_tiny_deadline(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    use_sandbox.set_mode("hang")
    window = make_window(timeout=0.5)
    fill(window, US.workspace_id, US.api_key, "01")
    outcome = run_check(qtbot, window, timeout=5000)
    assert outcome.kind == "timeout"
    assert "did not answer in time" in panel_text(window)


def test_server_html_is_shown_literally(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    name = '<b>bold</b><img src="http://127.0.0.1:9/x.png">'
    use_sandbox.add_workspace("HTMLWS", "html-key-0001", "01", name)
    window = make_window()
    fill(window, "HTMLWS", "html-key-0001", "01")
    outcome = run_check(qtbot, window)
    assert outcome.ok and outcome.app_name == name
    panel = window.findChild(QWidget, "resultPanel")
    shown = [label for label in panel.findChildren(QLabel) if label.text() == name]
    assert shown, "the workspace name is shown exactly as sent, tags included"
    for label in panel.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()


def test_captive_portal_html_is_a_bad_response_not_rendered(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    use_sandbox.set_mode("html")
    window = make_window()
    fill(window, US.workspace_id, US.api_key, "01")
    outcome = run_check(qtbot, window)
    assert outcome.kind == "bad_response"
    panel = window.findChild(QWidget, "resultPanel")
    assert all(
        label.textFormat() == Qt.TextFormat.PlainText for label in panel.findChildren(QLabel)
    )


def test_no_double_submit(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    use_sandbox.set_mode("slow", delay=0.6)
    window = make_window()
    fill(window, US.workspace_id, US.api_key, "01")
    button = window.findChild(QPushButton, "testButton")
    key_edit = window.findChild(QLineEdit, "apiKeyEdit")
    with qtbot.waitSignal(window.checkFinished, timeout=10000):
        for _ in range(5):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            qtbot.keyClick(key_edit, Qt.Key.Key_Return)
            button.click()
        assert not button.isEnabled()
        assert window.findChild(QPushButton, "cancelButton").isEnabled()
    qtbot.wait(300)
    assert len(use_sandbox.requests) == 1


def test_enter_in_a_field_starts_the_check(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    window = make_window()
    fill(window, US.workspace_id, US.api_key, "01")
    with qtbot.waitSignal(window.checkFinished, timeout=10000) as blocker:
        qtbot.keyClick(window.findChild(QLineEdit, "workspaceIdEdit"), Qt.Key.Key_Return)
    assert blocker.args[0].ok


@pytest.mark.parametrize("how", ["button", "escape"])
def test_cancel_returns_control_at_once_and_drops_the_late_result(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox, how: str
) -> None:
    use_sandbox.set_mode("hang")
    window = make_window()
    fill(window, US.workspace_id, US.api_key, "01")
    qtbot.mouseClick(window.findChild(QPushButton, "testButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(use_sandbox.requests) == 1, timeout=5000)
    # While it runs, the panel says so, how to stop, and that the wait is bounded.
    running = panel_text(window)
    assert "Checking DC-01" in running and "Esc" in running
    assert "gives up after 15 s" in running
    with qtbot.waitSignal(window.checkFinished, timeout=1000) as blocker:
        if how == "button":
            qtbot.mouseClick(
                window.findChild(QPushButton, "cancelButton"), Qt.MouseButton.LeftButton
            )
        else:
            qtbot.keyClick(window.findChild(QLineEdit, "apiKeyEdit"), Qt.Key.Key_Escape)
    assert blocker.args[0].kind == "cancelled"
    assert window.findChild(QPushButton, "testButton").isEnabled()
    assert not window.findChild(QPushButton, "cancelButton").isEnabled()
    assert "Check stopped" in panel_text(window)
    # The abandoned request ends in the background; nothing more is reported.
    with qtbot.assertNotEmitted(window.checkFinished, wait=800):
        pass
    assert "Check stopped" in panel_text(window)


def test_changing_input_during_a_check_stops_it(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    use_sandbox.set_mode("slow", delay=0.8)
    window = make_window()
    fill(window, US.workspace_id, US.api_key, "01")
    qtbot.mouseClick(window.findChild(QPushButton, "testButton"), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.checkFinished, timeout=1000) as blocker:
        window.findChild(QLineEdit, "workspaceIdEdit").setText("SOMETHING_ELSE")
    assert blocker.args[0].kind == "cancelled"
    assert "changed the details" in panel_text(window)
    with qtbot.assertNotEmitted(window.checkFinished, wait=1500):
        pass
    assert "Connection works" not in panel_text(window)


def test_result_marked_stale_after_editing(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    window = make_window()
    fill(window, US.workspace_id, US.api_key, "01")
    run_check(qtbot, window)
    window.findChild(QLineEdit, "apiKeyEdit").setText("another-key-0001")
    assert "You changed the details after this check" in panel_text(window)
    assert window.result_panel.stale


def test_detection_finds_and_selects_the_data_center(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    window = make_window()
    fill(window, EU.workspace_id, EU.api_key, "auto")
    outcome = run_check(qtbot, window)
    assert outcome.ok and outcome.dc == "02"
    assert outcome.attempts is not None and outcome.attempts["02"].ok
    assert window.findChild(QComboBox, "dataCenterCombo").currentData() == "02"
    assert "DC-02 — EU" in panel_text(window)


def test_try_all_data_centers_after_auth_failure(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    window = make_window()
    fill(window, EU.workspace_id, EU.api_key, "01")  # right key, wrong DC
    outcome = run_check(qtbot, window)
    assert outcome.kind == "auth"
    try_all = window.findChild(QPushButton, "tryAllButton")
    assert try_all.isVisibleTo(window)
    with qtbot.waitSignal(window.checkFinished, timeout=10000) as blocker:
        qtbot.mouseClick(try_all, Qt.MouseButton.LeftButton)
    assert blocker.args[0].ok and blocker.args[0].dc == "02"


def test_pasted_dashboard_url_selects_its_data_center(
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window()
    workspace = window.findChild(QLineEdit, "workspaceIdEdit")
    workspace.setText("https://dashboard-05.moengage.com/v4/#/dashboard")
    assert window.findChild(QComboBox, "dataCenterCombo").currentData() == "05"
    assert workspace.text() == "", "a URL is not a workspace ID"
    assert "DC-05 — Singapore" in window.status_hint.text()
    assert "now selected" in window.status_hint.text()


def test_pasted_url_into_the_data_center_field(
    qtbot: Any, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window()
    combo = window.findChild(QComboBox, "dataCenterCombo")
    combo.lineEdit().clear()
    combo.setFocus()
    qtbot.keyClicks(combo.lineEdit(), "app-eu.moengage.com")
    assert combo.currentData() == "02"
    assert "DC-02 — EU" in window.status_hint.text()


def test_trimmed_input_is_pointed_out(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    window = make_window()
    fill(window, US.workspace_id, US.api_key + "\n", "01")
    notice = window.findChild(QLabel, "inputNotice")
    assert notice.isVisibleTo(window)
    assert "newline" in notice.text() and "Data API key" in notice.text()
    outcome = run_check(qtbot, window)
    assert outcome.ok
    assert outcome.notices
    assert "newline" in panel_text(window)


def test_the_check_runs_off_the_gui_thread(
    qtbot: Any, make_window: Callable[..., MainWindow], sandbox: Sandbox
) -> None:
    from moecheck_gui.client import Checker

    threads: list[int] = []

    class Spy(Checker):
        """A real Checker that records which thread ran the check."""

        def check(self, *args: Any, **kwargs: Any) -> Outcome:
            threads.append(threading.get_ident())
            return super().check(*args, **kwargs)

    spy = Spy(api_base=sandbox.api_base)
    window = make_window(checker=spy)
    fill(window, US.workspace_id, US.api_key, "01")
    outcome = run_check(qtbot, window)
    assert outcome.ok
    assert threads and threads[0] != threading.get_ident()


def test_api_base_is_read_at_check_time(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window()  # built before the environment points anywhere
    monkeypatch.setenv("MOECHECK_API_BASE", sandbox.api_base)
    fill(window, US.workspace_id, US.api_key, "01")
    assert run_check(qtbot, window).ok
    assert len(sandbox.requests) == 1


def test_copy_details_is_redacted_and_useful(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    from PySide6.QtGui import QGuiApplication

    use_sandbox.set_mode("unauthorized")
    window = make_window()
    fill(window, US.workspace_id, US.api_key, "01")
    outcome = run_check(qtbot, window)
    qtbot.mouseClick(window.findChild(QPushButton, "copyDetailsButton"), Qt.MouseButton.LeftButton)
    report = QGuiApplication.clipboard().text()
    assert outcome.request_id and outcome.request_id in report
    assert "401" in report and "DC-01" in report
    assert US.api_key not in report
    assert "Copied" in panel_text(window)


def test_unexpected_error_shows_one_redacted_dialog(
    qtbot: Any, make_window: Callable[..., MainWindow]
) -> None:
    from moecheck_gui.gui.errors import ErrorDialog

    secret = "canary-key-in-an-exception-4711"

    class Broken:
        """A checker with a bug: raises with the key in its message (the worst case)."""

        def check(self, workspace_id: str, api_key: str, dc: str, **_: Any) -> Outcome:
            raise RuntimeError(f"bug while handling {api_key}")

        def detect(self, workspace_id: str, api_key: str, **_: Any) -> Outcome:
            raise RuntimeError(f"bug while handling {api_key}")

    window = make_window(checker=Broken())
    fill(window, US.workspace_id, secret, "01")
    qtbot.mouseClick(window.findChild(QPushButton, "testButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(ErrorDialog) is not None, timeout=5000)
    dialog = window.findChild(ErrorDialog)
    details = dialog.details.toPlainText()
    assert "RuntimeError" in details and "bug while handling" in details
    assert secret not in details
    assert "log" in dialog.findChild(QLabel, "logLocation").text()
    assert window.findChild(QPushButton, "testButton").isEnabled()
    dialog.close()
