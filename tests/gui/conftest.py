"""Fixtures for the window's tests: offscreen Qt, a private HOME, a sandbox, a window.

Why a private HOME per test: the window reads and writes the platform config
and log folders (profiles, geometry, log file). Every test gets its own empty
HOME and XDG folders so nothing touches the developer's real profile, and the
canary test can search *everything* the app wrote.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from moecheck_gui.sandbox import Sandbox

IN_KEYRING_SESSION = os.environ.get("MOECHECK_IN_KEYRING_SESSION") == "1"
needs_keyring = pytest.mark.skipif(
    not IN_KEYRING_SESSION,
    reason="needs a real Secret Service: run under scripts/with-keyring",
)


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty HOME and XDG folders for this test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        path = home / sub
        path.mkdir(parents=True)
        monkeypatch.setenv(name, str(path))
    return home


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """The core's MoEngage stand-in on 127.0.0.1."""
    with Sandbox() as box:
        box.slow_scenario_delay = 0.2
        yield box


@pytest.fixture
def use_sandbox(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Point MOECHECK_API_BASE at the sandbox, as a user or test harness would."""
    monkeypatch.setenv("MOECHECK_API_BASE", sandbox.api_base)
    return sandbox


class NoKeychain:
    """Placeholder keychain for tests that must not touch any keychain at all.

    A fake, on purpose: these tests are about the form and the check, and the
    real keychain has its own tests (test_window_keychain.py). It reports
    "unusable", exactly like a machine without a Secret Service.
    """

    def info(self) -> object:
        from moecheck_gui.keychain import NO_STORE_NAME, StoreInfo

        return StoreInfo(NO_STORE_NAME, False, "No keychain in this test.", "tests.NoKeychain")

    def save(self, workspace_id: str, api_key: str) -> str:
        raise AssertionError("save must not be called")

    def load(self, workspace_id: str) -> str | None:
        raise AssertionError("load must not be called")

    def delete(self, workspace_id: str) -> bool:
        raise AssertionError("delete must not be called")


@pytest.fixture
def make_window(qtbot: object) -> Callable[..., object]:
    """Build a MainWindow (kwargs passed through), shown, registered for cleanup."""
    from moecheck_gui.gui import MainWindow

    def make(**kwargs: object) -> MainWindow:
        kwargs.setdefault("keychain", NoKeychain())
        window = MainWindow(**kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.show()
        qtbot.waitExposed(window)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: window.runner.running_count() == 0, timeout=10000)  # type: ignore[attr-defined]
        return window

    return make
