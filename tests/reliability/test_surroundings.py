"""Faults in our own surroundings: keychain, settings file, config and log folders.

None of these may crash the command or the window, lose saved workspaces, or
put the key anywhere but the OS keychain. The window runs in a child process
(``window_driver.py``) because a keychain backend is chosen once per process.

How the faults are made, and why that way:

* **No keychain service**: ``DBUS_SESSION_BUS_ADDRESS`` points at a socket that
  does not exist, as on a server or a minimal desktop without D-Bus (real).
* **Locked keychain**: a private GNOME Keyring session whose collection is
  locked through the Secret Service ``Lock`` call (real; ``keyring_child.py``).
* **Denied keychain**: faked with a keyring backend that raises D-Bus
  ``AccessDenied`` (``fake_backends.py``) — GNOME Keyring cannot deny one app.
* **Plaintext backend**: ``PYTHON_KEYRING_BACKEND`` forces keyrings.alt's real
  ``PlaintextKeyring`` (skipped if keyrings.alt is not installed), and a faked
  plaintext-file backend (``fake_backends.py``) that always runs.
* **Unreadable settings**: the tests run as root, and root ignores ``chmod 000``;
  a *directory* in place of ``profiles.json`` cannot be read by anyone (EISDIR).
* **Read-only folders**: ``chattr +i`` (immutable) stops even root from creating,
  renaming or deleting files in a folder; where chattr is unavailable (not
  root, or a filesystem without it) those tests fall back to ``chmod 555`` for
  a non-root user, or skip. A *file* in place of a folder is also tried.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from moecheck_gui.sandbox import Sandbox
from tests.platform_support import (
    folder_permissions_enforced,
    needs_dbus_keychain,
    running_as_root,
)
from tests.reliability.cases import KEY, WS
from tests.reliability.conftest import SECRET_FORMS, cli_env, run_cli, scan_tree_for_secrets

REPO = Path(__file__).resolve().parents[2]
NO_DBUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/moecheck-no-bus"}
DENIED = re.compile("denied|did not allow", re.IGNORECASE)
IN_KEYRING_SESSION = os.environ.get("MOECHECK_IN_KEYRING_SESSION") == "1"
APP = "Rel Prod"
PROFILES = {
    "version": 1,
    "last_workspace_id": "SAVEDPROD",
    "profiles": [
        {"workspace_id": "SAVEDPROD", "dc": "02", "label": "Prod", "last_used": "2026-01-02"},
        {"workspace_id": "SAVEDTEST", "dc": "05", "label": "Test", "last_used": "2026-01-01"},
    ],
}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as box:
        box.add_workspace(WS, KEY, "01", APP)
        yield box


def run_window(
    scenario: str, home: Path, env: Mapping[str, str | None], timeout: float = 60
) -> dict[str, Any]:
    """Run the window driver in a child; assert it exits cleanly; return its report."""
    child = cli_env(home, env)
    child.update(PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    child.setdefault("DRIVER_WS", WS)
    child.setdefault("DRIVER_KEY", KEY)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.reliability.window_driver", scenario],
        env=child,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(home),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    for secret in SECRET_FORMS:
        assert secret not in proc.stdout + proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert isinstance(report, dict)
    return report


def window_text(report: Mapping[str, Any]) -> str:
    return "\n".join(report["texts"])


def assert_no_secret_under(home: Path) -> None:
    assert scan_tree_for_secrets(home) == []


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """Make a folder read-only even for root (chattr +i); undo afterwards."""
    if not running_as_root() or shutil.which("chattr") is None:
        if not folder_permissions_enforced():
            pytest.skip("cannot make a folder read-only here (Windows ignores folder mode bits)")
        os.chmod(path, 0o555)
        try:
            yield
        finally:
            os.chmod(path, 0o755)
        return
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot make a folder read-only here: {made.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def _check_args(*extra: str) -> list[str]:
    return ["check", "--workspace-id", WS, "--dc", "01", "--json", *extra]


# ----------------------------------------------------------------------------- keychain


@needs_dbus_keychain
def test_no_keychain_service_command(home: Path, sandbox: Sandbox) -> None:
    env = {**NO_DBUS, "MOECHECK_API_BASE": sandbox.api_base, "MOECHECK_API_KEY": KEY}
    saved = run_cli(_check_args("--save"), home=home, env=env)
    assert saved.returncode == 0, "the check itself worked; saving is only a warning"
    data = saved.json()
    assert data["ok"] and data["saved_in"] is None
    assert "keychain" in data["save_error"].lower()
    assert "not saved" in saved.stderr
    from_keychain = run_cli(_check_args("--keychain"), home=home, env=env)
    assert from_keychain.returncode == 2
    assert "keychain" in from_keychain.json()["message"].lower()
    forget = run_cli(["forget", "--workspace-id", WS], home=home, env=env)
    assert forget.returncode == 2 and "keychain" in forget.stderr.lower()
    assert_no_secret_under(home)


@needs_dbus_keychain
def test_no_keychain_service_window(home: Path, sandbox: Sandbox) -> None:
    report = run_window("check", home, {**NO_DBUS, "MOECHECK_API_BASE": sandbox.api_base})
    assert report["keychain_answered"]
    assert report["store"]["usable"] is False
    assert report["remember_enabled"] is False
    assert "no secure keychain" in window_text(report).lower()
    assert report["outcome"]["ok"] and report["outcome"]["app_name"] == APP
    assert report["saved_in"] is None
    assert_no_secret_under(home)


@pytest.mark.skipif(
    shutil.which("dbus-run-session") is None or shutil.which("gnome-keyring-daemon") is None,
    reason="needs dbus-run-session and gnome-keyring-daemon for a private, lockable keychain",
)
def test_locked_keychain(home: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "locked.json"
    env = cli_env(home, {"MOECHECK_API_BASE": sandbox.api_base})
    # A new private session even when this run is already inside one.
    env.pop("MOECHECK_IN_KEYRING_SESSION", None)
    env.update(PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen", DRIVER_WS=WS, DRIVER_KEY=KEY)
    proc = subprocess.run(
        [
            str(REPO / "scripts/with-keyring"),
            sys.executable,
            "-m",
            "tests.reliability.keyring_child",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(home),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["locked"] is True
    for name in ("check_keychain", "check_save", "forget", "window"):
        assert "Traceback" not in results[name]["stderr"], (name, results[name]["stderr"])
        for secret in SECRET_FORMS:
            assert secret not in results[name]["stdout"] + results[name]["stderr"]
    check_keychain = results["check_keychain"]
    assert check_keychain["rc"] == 2
    assert "locked" in json.loads(check_keychain["stdout"])["message"].lower()
    saved = json.loads(results["check_save"]["stdout"])
    assert results["check_save"]["rc"] == 0 and saved["ok"] and saved["saved_in"] is None
    assert "locked" in saved["save_error"].lower()
    assert results["forget"]["rc"] == 2 and "locked" in results["forget"]["stderr"].lower()
    window = json.loads(results["window"]["stdout"].strip().splitlines()[-1])
    assert window["outcome"]["ok"], "a locked keychain does not stop the check itself"
    assert window["saved_in"] is None
    assert "locked" in window["remember_status"].lower()
    assert results["still_locked"] is True
    assert_no_secret_under(home)


def test_denied_keychain_faked(home: Path, sandbox: Sandbox) -> None:
    """Faked (see fake_backends.py): a keychain that refuses this application."""
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.reliability.fake_backends.DenyingKeyring",
        "PYTHONPATH": str(REPO),
        "MOECHECK_API_BASE": sandbox.api_base,
        "MOECHECK_API_KEY": KEY,
    }
    saved = run_cli(_check_args("--save"), home=home, env=env)
    assert saved.returncode == 0
    data = saved.json()
    assert data["saved_in"] is None and DENIED.search(data["save_error"])
    loaded = run_cli(_check_args("--keychain"), home=home, env=env)
    assert loaded.returncode == 2 and DENIED.search(loaded.json()["message"])
    report = run_window("check", home, env)
    assert report["outcome"]["ok"]
    assert report["saved_in"] is None
    assert DENIED.search(report["remember_status"]), report["remember_status"]
    assert_no_secret_under(home)


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param(
            "keyrings.alt.file.PlaintextKeyring",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("keyrings") is None
                or importlib.util.find_spec("keyrings.alt") is None,
                reason="keyrings.alt (the real plaintext backend) is not installed",
            ),
            id="keyrings.alt",
        ),
        pytest.param("tests.reliability.fake_backends.PlaintextFileKeyring", id="faked"),
    ],
)
def test_plaintext_backend_is_refused(home: Path, sandbox: Sandbox, backend: str) -> None:
    env = {
        "PYTHON_KEYRING_BACKEND": backend,
        "PYTHONPATH": str(REPO),
        "MOECHECK_API_BASE": sandbox.api_base,
        "MOECHECK_API_KEY": KEY,
    }
    saved = run_cli(_check_args("--save"), home=home, env=env)
    assert saved.returncode == 0
    data = saved.json()
    assert data["saved_in"] is None
    assert "PYTHON_KEYRING_BACKEND" in data["save_error"]
    report = run_window("check", home, env)
    assert report["store"]["usable"] is False
    assert "PYTHON_KEYRING_BACKEND" in report["store"]["reason"]
    assert report["remember_enabled"] is False and report["saved_in"] is None
    # The backends would have written keyring_pass.cfg / the fake's file under HOME.
    assert not list(home.rglob("keyring_pass.cfg"))
    assert not list(home.rglob(".moecheck-fake-plaintext-keyring"))
    assert_no_secret_under(home)


# ----------------------------------------------------------------------------- settings


def profiles_file(home: Path) -> Path:
    return home / ".config" / "moecheck" / "profiles.json"


def write_profiles(home: Path, content: bytes | None = None) -> Path:
    path = profiles_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if content is not None else json.dumps(PROFILES).encode())
    return path


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00\xff{not json at all",
        b'{"version": 1, "profiles": [{"workspace_id": "A B"}]}',
        b'{"version": 99, "profiles": []}',
        b"[]",
        b"x" * 300_000,
    ],
    ids=["binary", "bad-entry", "future-version", "wrong-shape", "too-large"],
)
@needs_dbus_keychain
def test_corrupt_settings_start_with_defaults_and_keep_the_file(
    home: Path, sandbox: Sandbox, garbage: bytes
) -> None:
    path = write_profiles(home, garbage)
    report = run_window("start", home, {**NO_DBUS, "MOECHECK_API_BASE": sandbox.api_base})
    assert report["profiles"] == []
    problem = report["profiles_problem"]
    assert problem and "could not be loaded" in problem
    assert problem in window_text(report), "the window says so"
    assert path.read_bytes() == garbage, "the unusable file was changed"
    assert not list(path.parent.glob("*.corrupt-*"))


@needs_dbus_keychain
def test_unreadable_settings_directory_in_place_of_the_file(home: Path, sandbox: Sandbox) -> None:
    """chmod 000 does not stop root; a directory where the file should be stops everyone."""
    path = profiles_file(home)
    path.mkdir(parents=True)
    (path / "keep.txt").write_text("not ours")
    report = run_window("start", home, {**NO_DBUS, "MOECHECK_API_BASE": sandbox.api_base})
    assert report["profiles"] == []
    assert report["profiles_problem"] and report["profiles_problem"] in window_text(report)
    assert (path / "keep.txt").read_text() == "not ours"


@pytest.mark.skipif(not IN_KEYRING_SESSION, reason="saving a profile needs the real keychain")
def test_corrupt_settings_are_moved_aside_not_overwritten_on_save(
    home: Path, sandbox: Sandbox
) -> None:
    garbage = b"\x00\xff{not json"
    path = write_profiles(home, garbage)
    report = run_window("check", home, {"MOECHECK_API_BASE": sandbox.api_base})
    assert report["outcome"]["ok"] and report["saved_in"], report["remember_status"]
    aside = list(path.parent.glob("profiles.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    assert WS in json.loads(path.read_text())["profiles"][0]["workspace_id"]
    assert_no_secret_under(home)
    run_cli(["forget", "--workspace-id", WS], home=home)


@needs_dbus_keychain
def test_read_only_config_folder_keeps_saved_profiles(home: Path, sandbox: Sandbox) -> None:
    path = write_profiles(home)
    before = path.read_bytes()
    env = {**NO_DBUS, "MOECHECK_API_BASE": sandbox.api_base}
    with immutable(path.parent):
        report = run_window("check", home, env)
        assert report["outcome"]["ok"]
        assert report["profiles"] == ["SAVEDPROD", "SAVEDTEST"], "saved workspaces were lost"
        again = run_window("start", home, env)
    assert again["profiles"] == ["SAVEDPROD", "SAVEDTEST"]
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name != "profiles.json"]


@pytest.mark.skipif(not IN_KEYRING_SESSION, reason="saving a profile needs the real keychain")
def test_read_only_config_folder_save_fails_politely(home: Path, sandbox: Sandbox) -> None:
    path = write_profiles(home)
    before = path.read_bytes()
    with immutable(path.parent):
        report = run_window("check", home, {"MOECHECK_API_BASE": sandbox.api_base})
    assert report["outcome"]["ok"]
    problem = report["profiles_problem"] or ""
    assert "Could not save your workspaces" in problem, report["remember_status"]
    assert set(report["profiles"]) >= {"SAVEDPROD", "SAVEDTEST"}
    assert path.read_bytes() == before, "a failed save must leave the old file intact"
    assert_no_secret_under(home)
    run_cli(["forget", "--workspace-id", WS], home=home)


@needs_dbus_keychain
def test_config_folder_is_a_file(home: Path, sandbox: Sandbox) -> None:
    (home / ".config" / "moecheck").write_text("a file where a folder should be")
    report = run_window("check", home, {**NO_DBUS, "MOECHECK_API_BASE": sandbox.api_base})
    assert report["outcome"]["ok"]
    assert (home / ".config" / "moecheck").read_text() == "a file where a folder should be"


@needs_dbus_keychain
def test_corrupt_window_settings_file(home: Path, sandbox: Sandbox) -> None:
    ini = home / ".config" / "moecheck" / "window.ini"
    ini.parent.mkdir(parents=True)
    ini.write_bytes(b"[window]\ngeometry=@ByteArray(\x00\xff\xfe garbage\n\x00\x00[[[\n")
    report = run_window("check", home, {**NO_DBUS, "MOECHECK_API_BASE": sandbox.api_base})
    assert report["outcome"]["ok"]


@pytest.mark.parametrize("how", ["file-in-place", "immutable"])
@needs_dbus_keychain
def test_no_writable_log_folder(home: Path, sandbox: Sandbox, how: str) -> None:
    state = home / ".local" / "state"
    if how == "file-in-place":
        (state / "moecheck").write_text("not a folder")
        guard: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    else:
        guard = immutable(state)
    env = {**NO_DBUS, "MOECHECK_API_BASE": sandbox.api_base}
    with guard:
        report = run_window("check", home, env)
        cli = run_cli(_check_args(), home=home, env={**env, "MOECHECK_API_KEY": KEY})
    assert report["log_file"] is None
    assert report["outcome"]["ok"]
    assert cli.returncode == 0
    assert_no_secret_under(home)
