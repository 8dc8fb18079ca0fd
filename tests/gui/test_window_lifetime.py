"""A closed window that nobody refers to is deleted at once, not by the cycle collector later.

Why it matters: a window kept alive by a Python reference cycle (a part
holding a reference back to the window) is deleted whenever Python's cycle
collector happens to run, possibly in the middle of another window's signal
delivery; that crashed the screenshot script (several windows in one
process). The parts must refer to the window only as their Qt parent.
"""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from moecheck_gui.gui import DemoMode, MainWindow
from moecheck_gui.profiles import ProfileStore
from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox
from tests.gui.conftest import NoKeychain


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def spin(app: QApplication, until: Any, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not until() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    assert until()


@pytest.mark.parametrize("mode", ["plain", "demo", "profiles"])
def test_a_dropped_window_is_freed_at_once(
    qapp: QApplication, sandbox: Sandbox, tmp_path: Path, mode: str, no_cycle_collector: None
) -> None:
    kwargs: dict[str, Any] = {"keychain": NoKeychain(), "settings_file": tmp_path / "w.ini"}
    if mode == "demo":
        kwargs["demo"] = DemoMode(sandbox.api_base, DEMO_WORKSPACES, sandbox)
    elif mode == "profiles":
        store = ProfileStore(tmp_path / "profiles.json")
        store.upsert("WS_ONE", "01", "Prod")  # the saved-workspace row gets built
        kwargs["profiles"] = store
    window = MainWindow(**kwargs)
    window.show()
    runner = window.runner
    spin(qapp, lambda: runner.running_count() == 0)
    if mode == "demo":  # one whole check too
        done: list[object] = []
        window.checkFinished.connect(done.append)
        window.test_button.click()
        spin(qapp, lambda: bool(done))
        del done
    window.close()
    qapp.processEvents()
    ref = weakref.ref(window)
    del window
    assert ref() is None, "something still refers to the closed window (a reference cycle?)"
