"""CancelToken: its own light module, so the window can make one without the network stack."""

from __future__ import annotations

import subprocess
import sys
import threading

from moecheck_gui.cancel import CancelToken


def test_cancel_module_loads_no_network_stack() -> None:
    script = "import moecheck_gui.cancel, sys; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    heavy = [m for m in out if m.split(".")[0] in ("requests", "urllib3", "ssl", "socket")]
    assert heavy == []
    ours = sorted(m for m in out if m.startswith("moecheck_gui."))
    assert ours == ["moecheck_gui.cancel"]


def test_client_still_offers_the_same_class() -> None:
    from moecheck_gui import client

    assert client.CancelToken is CancelToken  # the client uses the one definition


def test_callbacks_run_once_on_cancel_and_removed_ones_not_at_all() -> None:
    token = CancelToken()
    calls: list[str] = []
    token.add_callback(lambda: calls.append("a"))
    remove = token.add_callback(lambda: calls.append("b"))
    remove()
    assert not token.cancelled
    token.cancel()
    token.cancel()
    assert token.cancelled
    assert calls == ["a"]


def test_callback_added_after_cancel_runs_at_once() -> None:
    token = CancelToken()
    token.cancel()
    calls: list[str] = []
    remover = token.add_callback(lambda: calls.append("late"))
    assert calls == ["late"]
    remover()  # harmless


def test_wait_returns_when_another_thread_cancels() -> None:
    token = CancelToken()
    assert token.wait(0) is False
    thread = threading.Thread(target=token.cancel)
    thread.start()
    assert token.wait(30) is True
    thread.join()
