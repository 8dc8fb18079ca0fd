"""``check`` and ``detect`` share one path: what the path does, it does for both.

In-process runs of ``moecheck_gui.cli.main`` against the real :class:`Sandbox`
(a local HTTP server) through ``MOECHECK_API_BASE``. Each test is parametrised
over both commands; a behaviour written for only one of them fails here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from moecheck_gui.cli import main
from moecheck_gui.sandbox import Sandbox

KEY = "FLOW-KEY-9c2e4a71"
WORKSPACE = "FLOWWS"

COMMANDS = {
    "check": ["check", "--workspace-id", WORKSPACE, "--dc", "03"],
    "detect": ["detect", "--workspace-id", WORKSPACE],
}


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with Sandbox() as sb:
        sb.add_workspace(WORKSPACE, KEY, "03", "Flow Test")
        monkeypatch.setenv("MOECHECK_API_BASE", sb.api_base)
        yield sb


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_key_is_refused_the_same_way_before_anything_is_sent(
    command: str, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main([*COMMANDS[command], "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 2
    assert data["kind"] == "invalid_input"
    assert data["message"].startswith("No API key: set MOECHECK_API_KEY")
    assert data["hint"] == "Provide the key as described; nothing was sent to MoEngage."
    assert ("attempts" in data) == (command == "detect")
    assert sandbox.requests == []


@pytest.mark.parametrize("command", COMMANDS)
def test_success_names_the_workspace_and_the_key_source_with_v(
    command: str,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MOECHECK_API_KEY", f" {KEY}\n")
    rc = main([*COMMANDS[command], "--json", "-v"])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert rc == 0
    assert (data["ok"], data["dc"], data["app_name"]) == (True, "03", "Flow Test")
    assert f"workspace {WORKSPACE}" in err
    assert "(key from env)" in err
    assert "Endpoint: http://127.0.0.1:" in err
    assert KEY not in out + err


@pytest.mark.parametrize("command", COMMANDS)
def test_save_after_a_failed_check_saves_nothing_and_says_so(
    command: str,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MOECHECK_API_KEY", "WRONG-KEY-00000000")
    rc = main([*COMMANDS[command], "--json", "--save"])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert rc == 1
    assert data["kind"] == "auth"
    assert data["saved_in"] is None
    assert "Not saved: the key is saved only after a successful check." in err


@pytest.mark.parametrize("command", COMMANDS)
def test_the_watchdog_ends_a_hanging_check_with_timeout(
    command: str,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox.set_mode("hang")
    monkeypatch.setenv("MOECHECK_API_KEY", KEY)
    rc = main([*COMMANDS[command], "--json", "--timeout", "1"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 3
    assert data["kind"] == "timeout"
