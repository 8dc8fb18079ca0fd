"""``--save``, ``forget`` and the history in ``moecheck check``; ``-v`` failure details.

Real parts: the sandbox and loopback servers (tests/servers.py, trustme
certificates), the saved-workspaces and history files under a private HOME,
and the real Secret Service for the tests marked ``keychain`` (run under
scripts/with-keyring).
"""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from moecheck_gui.history import HistoryStore
from moecheck_gui.history import default_path as history_path
from moecheck_gui.profiles import ProfileStore
from moecheck_gui.sandbox import Sandbox
from tests import servers
from tests.cli.conftest import CANARY, Moecheck, assert_contract_fields, needs_keychain

WS = "SAVEDWS"


@pytest.fixture
def saved(sandbox: Sandbox, home: Path) -> str:
    """A workspace in the saved list (as the window would save it; its key comes from env)."""
    sandbox.add_workspace(WS, CANARY, "02", "Saved Co")
    ProfileStore().upsert(WS, "02", "Prod")
    return WS


def test_a_rejected_key_that_worked_before_says_when(moecheck: Moecheck, saved: str) -> None:
    ok = moecheck("check", "--workspace-id", saved, "--dc", "02", "--json", key=CANARY)
    assert ok.rc == 0 and ok.json()["previously_worked_at"] is None
    worked_at = HistoryStore().last_success(saved)
    assert worked_at is not None

    bad = moecheck("check", "--workspace-id", saved, "--dc", "02", "--json", key="NEW-KEY-9999")
    data = bad.json()
    assert bad.rc == 1 and data["kind"] == "auth"
    assert data["previously_worked_at"] == worked_at.at
    assert_contract_fields(data)

    human = moecheck("check", "--workspace-id", saved, "--dc", "02", key="NEW-KEY-9999")
    assert "This key worked on" in human.out
    assert [e.ok for e in HistoryStore().entries(saved)] == [True, False, False]


def test_an_unsaved_workspace_leaves_no_history(moecheck: Moecheck, sandbox: Sandbox) -> None:
    sandbox.add_workspace("RANDOMWS", CANARY, "01", "Random")
    assert moecheck("check", "--workspace-id", "RANDOMWS", "--dc", "01", key=CANARY).rc == 0
    assert moecheck("check", "--workspace-id", "RANDOMWS", "--dc", "01", key="WRONG-0000").rc == 1
    assert not history_path().exists()


def test_a_corrupt_history_is_replaced_and_said_on_stderr(moecheck: Moecheck, saved: str) -> None:
    path = history_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    r = moecheck("check", "--workspace-id", saved, "--dc", "02", "--json", key=CANARY)
    assert r.rc == 0 and r.json()["ok"] is True
    assert "started a new history" in r.err
    assert [e.ok for e in HistoryStore().entries(saved)] == [True]
    assert list(path.parent.glob("history.json.corrupt-*"))


def test_forget_removes_the_workspace_and_its_history(
    moecheck: Moecheck, saved: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    moecheck("check", "--workspace-id", saved, "--dc", "02", key=CANARY)
    assert HistoryStore().entries(saved)
    r = moecheck("forget", "--workspace-id", saved)
    assert f"Removed {saved} from your saved workspaces." in r.out
    assert f"Removed the history of checks of {saved}." in r.out
    assert ProfileStore().get(saved) is None
    assert HistoryStore().entries(saved) == []


@pytest.mark.keychain
@needs_keychain
def test_save_adds_the_workspace_with_its_label_and_records_the_check(
    moecheck: Moecheck, sandbox: Sandbox
) -> None:
    workspace = f"SV{uuid.uuid4().hex[:10].upper()}"
    sandbox.add_workspace(workspace, CANARY, "101", "Label Co")
    try:
        args = ("check", "--workspace-id", workspace, "--dc", "DC-101", "--save")
        r = moecheck(*args, "--label", "Staging", "--json", key=CANARY)
        assert r.rc == 0
        assert r.json()["saved_workspace"] is True and r.json()["saved_in"]
        assert "Added workspace" in r.err
        profile = ProfileStore().get(workspace)
        assert profile is not None and (profile.dc, profile.label) == ("101", "Staging")
        assert [e.ok for e in HistoryStore().entries(workspace)] == [True]

        loaded = moecheck("check", "--workspace-id", workspace, "--dc", "101", "--keychain")
        assert loaded.rc == 0
    finally:
        gone = moecheck("forget", "--workspace-id", workspace)
    assert "Removed the saved key" in gone.out
    assert ProfileStore().get(workspace) is None


@pytest.mark.keychain
@needs_keychain
def test_detect_save_adds_the_detected_dc(moecheck: Moecheck, sandbox: Sandbox) -> None:
    workspace = f"SV{uuid.uuid4().hex[:10].upper()}"
    sandbox.add_workspace(workspace, CANARY, "06", "Detected Co")
    try:
        r = moecheck("detect", "--workspace-id", workspace, "--save", "--json", key=CANARY)
        assert r.rc == 0
        assert_contract_fields(r.json())
        assert set(r.json()["attempts"]) >= {"01", "06"}
        profile = ProfileStore().get(workspace)
        assert profile is not None and profile.dc == "06"
    finally:
        moecheck("forget", "--workspace-id", workspace)


def test_detect_json_has_every_contract_field(moecheck: Moecheck, sandbox: Sandbox) -> None:
    r = moecheck("detect", "--workspace-id", "NOWHERE", "--json", key=CANARY)
    assert r.rc == 1
    assert_contract_fields(r.json())


# --- -v on failures ------------------------------------------------------------------------


@pytest.fixture
def tls_server(server_context: ssl.SSLContext) -> Iterator[servers.ScriptedServer]:
    server = servers.ScriptedServer(servers.success(), tls=server_context)
    yield server
    server.close()


def test_verbose_tls_failure_names_the_certificate_stage_and_proxy(
    moecheck: Moecheck,
    tls_server: servers.ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    home: Path,
) -> None:
    # The server's certificate comes from the test CA, which this run does not trust.
    monkeypatch.setenv("MOECHECK_API_BASE", tls_server.url() + "/dc-{dc}")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    r = moecheck("check", "--workspace-id", WS, "--dc", "01", "-v", key=CANARY)
    assert r.rc == 3
    assert "Certificate:" in r.out
    assert "issued by:" in r.out
    assert "for names: 127.0.0.1" in r.out or "for names: localhost" in r.out
    assert "problem: untrusted issuer" in r.out
    assert "Where it stopped:" in r.out and "TLS handshake" in r.out
    assert "Proxy used: none, a direct connection" in r.out
    plain = moecheck("check", "--workspace-id", WS, "--dc", "01", key=CANARY)
    assert "Certificate:" not in plain.out  # the details are for -v


def test_verbose_web_page_names_what_answered(
    moecheck: Moecheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = b"<html><head><title>Access \x1b[31mDenied</title></head><body>no</body></html>"
    blocked = servers.reply(403, page, {"Content-Type": "text/html", "Server": "FilterBox"})
    server = servers.ScriptedServer(blocked)
    try:
        monkeypatch.setenv("MOECHECK_API_BASE", server.url() + "/dc-{dc}")
        r = moecheck("check", "--workspace-id", WS, "--dc", "01", "-v", "--json", key=CANARY)
        data = r.json()
        assert data["kind"] == "proxy" and data["page_title"]
        human = moecheck("check", "--workspace-id", WS, "--dc", "01", "-v", key=CANARY)
    finally:
        server.close()
    line = next(x for x in human.out.splitlines() if "What answered:" in x)
    assert "Access" in line and "Denied" in line and "FilterBox" in line
    assert "\x1b" not in human.out
