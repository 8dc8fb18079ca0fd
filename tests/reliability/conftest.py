"""Shared fixtures for the reliability suite: certificates, a private HOME, the CLI runner, probes.

Why a private HOME for every test: the command and the window read and write
the platform config and log folders; each test gets empty ones so nothing
touches the developer's real profile and the secrets tests can scan *all* of it.

Probes (RSS, threads, sockets) read ``/proc/self``, which only Linux has; on
macOS and Windows they answer None and the memory/thread bounds are skipped
(``tests/platform_support.py``). They are used only as generous upper bounds.
"""

from __future__ import annotations

import base64
import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from moecheck_gui.outcome import TITLES, Kind
from tests import platform_support
from tests.reliability.cases import KEY, WS, Case, Kit

BASIC = base64.b64encode(f"{WS}:{KEY}".encode()).decode()
"""The Basic-auth token of the canary credentials: also a leak if it shows up anywhere."""
SECRET_FORMS = (KEY, BASIC, base64.b64encode(KEY.encode()).decode())

UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
"""What must never reach a screen from a server: controls, escapes, bidi and invisible marks."""

EXIT_FOR_KIND = {
    None: 0,
    "auth": 1,
    "forbidden": 1,
    "invalid_input": 2,
    "dns": 3,
    "connect": 3,
    "tls": 3,
    "proxy": 3,
    "timeout": 3,
    "not_found": 4,
    "rate_limited": 4,
    "server_error": 4,
    "bad_response": 4,
    "cancelled": 130,
}
"""PRODUCT.md 3.2, written out again on purpose (not imported from the code under test)."""

DEADLINE_SLACK_S = 1.5
"""A check must end within its deadline plus this (the contract promises one second)."""
MEMORY_BOUND = 20 * 1024 * 1024


# ----------------------------------------------------------------------------- probes


# The probes live in tests/platform_support.py: they read /proc, which only
# Linux has, and answer None elsewhere (the callers then skip that bound).
rss_bytes = platform_support.rss_bytes
os_thread_count = platform_support.os_thread_count
socket_fds = platform_support.socket_fds


def wait_for_request_threads(timeout: float = 3.0) -> list[str]:
    """Wait until the client's abandoned request threads have ended; return any left."""
    end = time.monotonic() + timeout
    while True:
        left = [t.name for t in threading.enumerate() if t.name.startswith("moecheck-")]
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.05)


# ----------------------------------------------------------------------------- environment


def apply_env(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str | None]) -> None:
    """Set (or, for None, remove) environment variables for this test."""
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """Two private CAs (one trusted by the cases, one not) and a folder for PEM files."""
    return Kit(trustme.CA(), trustme.CA(), tmp_path_factory.mktemp("reliability-certs"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME with XDG folders, for this process and the children it starts."""
    home = tmp_path / "home"
    for name, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        (home / sub).mkdir(parents=True)
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    return home


def scan_tree_for_secrets(root: Path, secrets: Sequence[str] = SECRET_FORMS) -> list[str]:
    """Every file under ``root`` that holds a secret (raw bytes, UTF-8 and UTF-16)."""
    hits = []
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for secret in secrets:
            forms = (secret.encode(), secret.encode("utf-16-le"))
            if any(form in data for form in forms):
                hits.append(f"{path}: {secret[:6]}…")
    return hits


# ----------------------------------------------------------------------------- the command

_WRAPPER = (
    "import os, sys\n" + platform_support.PEAK_RSS_SNIPPET + "from moecheck_gui.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "with open(os.environ['RELIABILITY_PEAK_FILE'], 'w') as f:\n"
    "    f.write(_peak_rss())\n"
    "sys.exit(code)\n"
)
"""Runs ``moecheck_gui.cli.main`` (the console script's entry point) and records peak RSS
(nothing where ``resource`` is missing, i.e. Windows)."""


@dataclass
class CliResult:
    """What one ``moecheck`` run produced."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int | None
    """Peak RSS in bytes; None where the child cannot measure it (Windows)."""

    def json(self) -> dict[str, Any]:
        """stdout as exactly one JSON object (fails if anything else is there)."""
        data = json.loads(self.stdout)
        assert isinstance(data, dict), self.stdout
        return data


def cli_env(home: Path, extra: Mapping[str, str | None] = {}) -> dict[str, str]:
    """The child's environment: ours minus MoeCheck/proxy/XDG settings, with a private HOME."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MOECHECK_", "XDG_"))
        and name.lower() not in ("https_proxy", "http_proxy", "all_proxy", "no_proxy")
    }
    if "MOECHECK_IN_KEYRING_SESSION" in os.environ:
        env["MOECHECK_IN_KEYRING_SESSION"] = os.environ["MOECHECK_IN_KEYRING_SESSION"]
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PYTHONIOENCODING="utf-8",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("NO_COLOR", None)
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_cli(
    args: Sequence[str],
    *,
    home: Path,
    env: Mapping[str, str | None] = {},
    stdin: str | bytes = "",
    timeout: float = 30,
    secrets: Sequence[str] = SECRET_FORMS,
) -> CliResult:
    """Run ``moecheck ARGS`` as a child process; assert no traceback and no secret in its output."""
    with tempfile.NamedTemporaryFile(prefix="peak-", delete=False) as handle:
        peak_file = handle.name
    child_env = cli_env(home, env)
    child_env["RELIABILITY_PEAK_FILE"] = peak_file
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args],
        env=child_env,
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        timeout=timeout,
        cwd=str(home),
    )
    seconds = time.monotonic() - started
    try:
        peak_text = Path(peak_file).read_text()
    finally:
        os.unlink(peak_file)
    stdout = proc.stdout.decode("utf-8")
    stderr = proc.stderr.decode("utf-8")
    for secret in secrets:
        assert secret not in stdout, "the key reached stdout"
        assert secret not in stderr, "the key reached stderr"
    assert "Traceback" not in stderr, stderr
    peak = int(peak_text) if peak_text else None
    return CliResult(proc.returncode, stdout, stderr, seconds, peak)


@pytest.fixture(scope="session")
def cli_baseline_rss(tmp_path_factory: pytest.TempPathFactory) -> int | None:
    """Peak RSS of a trivial ``moecheck check`` (connection refused): the memory yardstick."""
    from tests.servers import refused_port

    home = tmp_path_factory.mktemp("baseline-home")
    for sub in (".config", ".local/share", ".local/state", ".cache"):
        (home / sub).mkdir(parents=True)
    with refused_port() as port:
        result = run_cli(
            ["check", "--workspace-id", WS, "--dc", "01", "--json", "-v"],
            home=home,
            env={
                "MOECHECK_API_BASE": f"http://127.0.0.1:{port}/dc-{{dc}}",
                "MOECHECK_API_KEY": KEY,
            },
        )
    assert result.returncode == 3
    return result.peak_rss


# ----------------------------------------------------------------------------- outcome checks


def assert_outcome_matches(case: Case, outcome: Mapping[str, Any]) -> None:
    """What every front end must show for ``case``: kind, status, words, clean text, no key."""
    shown = json.dumps(outcome, ensure_ascii=False)
    for secret in SECRET_FORMS:
        assert secret not in shown, "the key is in the outcome"
    assert outcome["kind"] == case.kind, (case.id, outcome)
    assert outcome["ok"] is (case.kind is None)
    assert outcome["http_status"] == case.http_status, (case.id, outcome["http_status"])
    kind = Kind(case.kind) if case.kind else None
    title = outcome.get("title")
    if title is not None:
        assert title == (case.title or TITLES[kind])
    assert outcome["message"] and outcome["hint"], "a clear message and a next step"
    text = " ".join(str(outcome.get(k) or "") for k in ("message", "hint", "detail"))
    for word in case.words:
        assert word in text, (case.id, word, text)
    for name, value in outcome.items():
        if isinstance(value, str):
            assert not UNSAFE.search(value), f"{name} holds control/bidi characters: {value!r}"
    assert outcome["elapsed_ms"] / 1000 <= case.timeout + DEADLINE_SLACK_S
    if case.extra is not None:
        case.extra(dict(outcome))


@pytest.fixture
def case_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A monkeypatch for per-case environment (proxies, CA bundles)."""
    yield monkeypatch
