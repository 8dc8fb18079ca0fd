"""The result panel's details in the window: timeline, certificate, who answered, proxy, history.

Every case is a real check through the real client against a server on
127.0.0.1 (tests/servers.py, tests/proxy_servers.py, the sandbox), with
certificates from trustme, driven through the window like a user.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from moecheck_gui.client import Checker
from moecheck_gui.gui.check_flow import CheckFlow
from moecheck_gui.gui.credentials_form import TypedCredentials
from moecheck_gui.gui.main_window import MainWindow
from moecheck_gui.gui.providers import Providers
from moecheck_gui.gui.tasks import TaskRunner
from moecheck_gui.gui.timeline_view import FAILED_MARK, TimelineView
from moecheck_gui.history import HistoryStore, format_when
from moecheck_gui.outcome import Outcome
from moecheck_gui.profiles import ProfileStore
from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox
from tests import servers
from tests.proxy_servers import ForwardProxy
from tests.servers import ScriptedServer, scripted

WS, KEY = "WS123ABC", "canary-key-0123456789abcdef"
US = DEMO_WORKSPACES[0]


def button(window: QWidget, name: str) -> QPushButton:
    found = window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def edit(window: QWidget, name: str) -> QLineEdit:
    found = window.findChild(QLineEdit, name)
    assert found is not None, name
    return found


def label_named(window: QWidget, name: str) -> QLabel:
    found = window.findChild(QLabel, name)
    assert found is not None, name
    return found


def timeline_of(window: QWidget) -> TimelineView:
    found = window.findChild(TimelineView, "stageTimeline")
    assert found is not None
    return found


def fill(window: MainWindow, workspace_id: str = WS, key: str = KEY, dc: str = "01") -> None:
    edit(window, "workspaceIdEdit").setText(workspace_id)
    edit(window, "apiKeyEdit").setText(key)
    window.select_dc(dc)


def check(qtbot: Any, window: MainWindow) -> Outcome:
    with qtbot.waitSignal(window.checkFinished, timeout=15000) as got:
        qtbot.mouseClick(button(window, "testButton"), Qt.MouseButton.LeftButton)
    outcome = got.args[0]
    assert isinstance(outcome, Outcome)
    window.result_panel.details_toggle.setChecked(True)
    return outcome


def visible_labels(window: MainWindow) -> list[QLabel]:
    panel = window.result_panel
    return [label for label in panel.findChildren(QLabel) if label.isVisibleTo(panel)]


def assert_all_plain(window: MainWindow) -> None:
    for label in visible_labels(window):
        if label.text():
            assert label.textFormat() == Qt.TextFormat.PlainText, label.text()


def shown_text(window: MainWindow) -> str:
    return "\n".join(label.text() for label in visible_labels(window))


def api_base(server: ScriptedServer) -> str:
    return server.url() + "/dc-{dc}"


@pytest.fixture
def tls_servers() -> Iterator[list[ScriptedServer]]:
    made: list[ScriptedServer] = []
    yield made
    for server in made:
        server.close()


def test_tls_failure_shows_the_inspection_proxy_certificate_and_the_failed_stage(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    tls_servers: list[ScriptedServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA(organization_name="Zscaler Inc.").issue_cert("127.0.0.1").configure_cert(ctx)
    server = ScriptedServer(servers.success(), tls=ctx)
    tls_servers.append(server)
    monkeypatch.setenv("MOECHECK_API_BASE", api_base(server))
    window = make_window()
    fill(window)
    outcome = check(qtbot, window)
    assert outcome.kind == "tls" and outcome.certificate is not None
    text = window.result_panel.text()
    assert "Certificate problem: Issued by an authority this computer does not trust" in text
    assert "Issued by: " in text and "Zscaler" in text
    assert "a product that inspects encrypted traffic" in text
    assert "Names: 127.0.0.1" in text
    assert "Valid from: " in text and "Valid until: " in text
    timeline = timeline_of(window)
    assert timeline is not None and timeline.isVisibleTo(window)
    assert {row.label: row.state for row in timeline.rows}["TLS handshake"] == "failed"
    assert FAILED_MARK in shown_text(window)
    assert "Stages: " in text and "TLS handshake" in text
    assert not button(window, "keepCheckingButton").isVisibleTo(window)
    assert_all_plain(window)
    assert KEY not in text


def test_stalled_tls_handshake_is_drawn_as_the_failed_stage(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    trust_test_ca: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with scripted(servers.success(), handshake=servers.accept_silently()) as server:
        monkeypatch.setenv("MOECHECK_API_BASE", f"https://127.0.0.1:{server.port}/dc-{{dc}}")
        window = make_window(timeout=1.0)
        fill(window)
        outcome = check(qtbot, window)
    assert outcome.kind == "timeout" and outcome.failed_stage == "tls"
    timeline = timeline_of(window)
    states = {row.label: row.state for row in timeline.rows}
    assert states["TLS handshake"] == "failed" and states["TCP connect"] == "done"
    assert "not reached" in shown_text(window)
    assert button(window, "keepCheckingButton").isVisibleTo(window)


def test_html_block_page_shows_who_answered_as_plain_text(
    qtbot: Any, make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    title = '<img src="http://example.invalid/x.png"><b>Access Denied</b>'
    body = f"<html><head><title>{title}</title></head><body>Blocked</body></html>".encode()
    page = servers.reply(403, body, {"Content-Type": "text/html", "Server": "Zscaler/6.2"})
    with scripted(page) as server:
        monkeypatch.setenv("MOECHECK_API_BASE", api_base(server))
        window = make_window()
        fill(window)
        outcome = check(qtbot, window)
    assert outcome.kind == "proxy" and outcome.page_title
    text = window.result_panel.text()
    assert f"Page title: {outcome.page_title}" in text
    assert "Server header: Zscaler/6.2" in text
    assert "Looks like: Zscaler (a company web filter)" in text
    assert "<b>" not in text and "<img" not in text
    # Not judged by MoEngage: neither "try all data centers" nor "keep checking".
    assert not button(window, "tryAllButton").isVisibleTo(window)
    assert not button(window, "keepCheckingButton").isVisibleTo(window)
    assert_all_plain(window)


def test_forbidden_from_moengage_offers_try_all_data_centers(
    qtbot: Any, make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = servers.reply(403, {"status": "fail", "error": {"message": "IP not allowed"}})
    with scripted(answer) as server:
        monkeypatch.setenv("MOECHECK_API_BASE", api_base(server))
        window = make_window()
        fill(window)
        outcome = check(qtbot, window)
        assert outcome.kind == "forbidden"
        try_all = button(window, "tryAllButton")
        assert try_all.isVisibleTo(window)
        with qtbot.waitSignal(window.checkFinished, timeout=15000) as got:
            qtbot.mouseClick(try_all, Qt.MouseButton.LeftButton)
    detected = got.args[0]
    assert detected.attempts is not None and len(detected.attempts) > 1, "every DC was asked"
    assert "Data centers tried" in window.result_panel.text()


def test_the_proxy_used_and_why(
    qtbot: Any, make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    with ForwardProxy() as proxy, scripted(servers.success("Via Proxy")) as server:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("MOECHECK_API_BASE", api_base(server))
        window = make_window()
        fill(window)
        outcome = check(qtbot, window)
    assert outcome.ok and outcome.proxy == proxy.url and outcome.proxy_source == "env"
    text = window.result_panel.text()
    assert f"Proxy: {proxy.url}" in text
    assert "Why this proxy: " in text


def test_direct_connection_says_no_proxy(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox
) -> None:
    window = make_window()
    fill(window, US.workspace_id, US.api_key, "01")
    assert check(qtbot, window).ok
    assert "Proxy: none (direct connection)" in window.result_panel.text()


# --------------------------------------------------------------------------- history


class ThreadNotingStore(HistoryStore):
    """The real history store, noting which thread touched the file (a spy, not a fake)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.threads: list[str] = []

    def _load(self) -> Any:
        self.threads.append(threading.current_thread().name)
        return super()._load()

    def record(self, workspace_id: str, outcome: Outcome, *, at: str | None = None) -> str | None:
        self.threads.append(threading.current_thread().name)
        return super().record(workspace_id, outcome, at=at)


def saved_profiles(*workspace_ids: str) -> ProfileStore:
    store = ProfileStore(in_memory=True)
    for workspace_id in workspace_ids:
        store.upsert(workspace_id, "01", "Prod")
    store.set_last(None)  # nothing to load from the keychain at start-up
    return store


def worked_before(path: Path, workspace_id: str, at: str) -> ThreadNotingStore:
    store = ThreadNotingStore(path)
    ok = Outcome(ok=True, kind=None, dc="01", workspace_id=workspace_id, app_name="Acme")
    assert store.record(workspace_id, ok, at=at) is None
    store.threads.clear()
    return store


def test_a_saved_workspace_rejected_now_says_when_it_last_worked(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox, tmp_path: Path
) -> None:
    at = "2024-11-12T10:02:00+00:00"
    store = worked_before(tmp_path / "history.json", US.workspace_id, at)
    use_sandbox.set_mode("unauthorized")
    window = make_window(history=store, profiles=saved_profiles(US.workspace_id))
    fill(window, US.workspace_id, US.api_key, "01")
    outcome = check(qtbot, window)
    assert outcome.kind == "auth" and outcome.previously_worked_at == at
    text = window.result_panel.text()
    assert f"Last worked: {format_when(at)} (this key)" in text
    assert "This key worked on" in text
    assert "Server header" not in text, "MoEngage's own JSON answer: no 'who answered' rows"
    assert [e.kind for e in store.entries(US.workspace_id)] == [None, "auth"], "recorded"
    assert store.threads and threading.main_thread().name not in store.threads[:2], (
        "the history file is read and written on the worker thread"
    )
    assert button(window, "keepCheckingButton").isVisibleTo(window)


def test_an_unsaved_workspace_is_not_recorded(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox, tmp_path: Path
) -> None:
    store = ThreadNotingStore(tmp_path / "history.json")
    window = make_window(history=store, profiles=saved_profiles("SOMEONEELSE"))
    fill(window, US.workspace_id, US.api_key, "01")
    assert check(qtbot, window).ok
    assert store.threads == [] and not store.path.exists()


def test_a_corrupt_history_is_replaced_and_the_window_says_so(
    qtbot: Any, make_window: Callable[..., MainWindow], use_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "history.json"
    path.write_text("{ not json")
    window = make_window(history=HistoryStore(path), profiles=saved_profiles(US.workspace_id))
    fill(window, US.workspace_id, US.api_key, "01")
    assert check(qtbot, window).ok
    assert "could not be read" in window.status_hint.text()
    assert HistoryStore(path).last_success(US.workspace_id) is not None


def test_a_remembered_check_that_works_is_recorded_and_demo_keeps_none(
    qtbot: Any, qapp: Any, sandbox: Sandbox, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path / "history.json")
    runner = TaskRunner()
    flow = CheckFlow(
        runner, Providers(checker=Checker(api_base=sandbox.api_base), history=store), timeout=5.0
    )
    typed = TypedCredentials(US.workspace_id, US.api_key, "01", True, "Prod")
    with qtbot.waitSignal(flow.finished, timeout=10000):
        flow.start(typed)  # not saved yet: this is the check that saves it
    assert [e.ok for e in store.entries(US.workspace_id)] == [True]
    runner.shutdown()
    assert Providers(history=store, keep_history=False).history() is None
