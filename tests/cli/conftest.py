"""Fixtures for in-process runs of ``moecheck``: a private HOME, the sandbox, a canary key.

The saved workspaces (config folder) and the history (data folder) are real
files under a throwaway HOME, resolved by platformdirs from the environment
exactly as in a user's session. After each test, nothing under that HOME may
contain the canary key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from moecheck_gui.cli import main
from moecheck_gui.sandbox import Sandbox

CANARY = "CANARY-CLI-KEY-5d81c0e2"
"""A key that must never appear in any output or file."""

IN_KEYRING_SESSION = os.environ.get("MOECHECK_IN_KEYRING_SESSION") == "1"
needs_keychain = pytest.mark.skipif(
    not IN_KEYRING_SESSION, reason="needs the private Secret Service of scripts/with-keyring"
)

CONTRACT_FIELDS = (
    "ok",
    "kind",
    "dc",
    "workspace_id",
    "app_name",
    "http_status",
    "server_message",
    "request_id",
    "retry_after_s",
    "message",
    "hint",
    "elapsed_ms",
    "timings",
    "failed_stage",
    "proxy",
    "proxy_source",
    "certificate",
    "page_title",
    "previously_worked_at",
)
"""Every field PRODUCT.md 3.4 names for every outcome object."""

TIMING_FIELDS = ("dns_ms", "connect_ms", "tls_ms", "first_byte_ms", "total_ms")


def assert_contract_fields(data: dict[str, Any]) -> None:
    """Every 3.4 field is present (null where it does not apply), timings complete."""
    missing = [name for name in CONTRACT_FIELDS if name not in data]
    assert not missing, f"missing 3.4 fields: {missing}"
    assert sorted(data["timings"]) == sorted(TIMING_FIELDS)


@dataclass
class Ran:
    """One in-process run: exit code and both streams."""

    rc: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        data = json.loads(self.out)
        assert isinstance(data, dict)
        return data


class Moecheck:
    """Runs ``moecheck`` in-process and checks that the canary never shows."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *args: str, key: str | None = None) -> Ran:
        if key is None:
            self.monkeypatch.delenv("MOECHECK_API_KEY", raising=False)
        else:
            self.monkeypatch.setenv("MOECHECK_API_KEY", key)
        self.capsys.readouterr()
        rc = main(list(args))
        out, err = self.capsys.readouterr()
        assert CANARY not in out and CANARY not in err
        assert "Traceback" not in err
        return Ran(rc, out, err)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private HOME with its own config and data folders; checked for the key afterwards."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("NO_COLOR", "1")
    yield home
    for path in home.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert CANARY.encode() not in path.read_bytes(), f"the key was written to {path}"


@pytest.fixture
def moecheck(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Moecheck:
    return Moecheck(capsys, monkeypatch)


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with Sandbox() as sb:
        monkeypatch.setenv("MOECHECK_API_BASE", sb.api_base)
        yield sb
