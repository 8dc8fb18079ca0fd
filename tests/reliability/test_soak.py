"""Soak and lifetime: 200 checks in one window, and closing the window mid-check, repeatedly.

Marked ``slow`` so it can be run apart (``-m slow``) or skipped (``-m 'not slow'``);
CI runs it. The server runs in its own process (``soak_server.py``) so that the
threads, sockets and memory counted here are the window's alone.

Figures are measured after a warm-up (the first checks load modules, build the
TLS context and fill the connection pool) and after letting abandoned request
threads finish; they are written to ``$MOECHECK_SOAK_REPORT`` (default: a file
in the test's tmp folder) and printed, for docs/reliability.md.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from moecheck_gui.outcome import Outcome
from tests import servers
from tests.platform_support import needs_proc
from tests.reliability.cases import KEY
from tests.reliability.conftest import (
    os_thread_count,
    rss_bytes,
    socket_fds,
    wait_for_request_threads,
)
from tests.reliability.test_hostile_window import fill, open_window
from tests.reliability.test_surroundings import REPO, run_window
from tests.servers import scripted

pytestmark = pytest.mark.slow

TOTAL = 200
WARM_UP = 30
MIB = 1024 * 1024
# One round of the mix: mostly successes, every failure kind the server can make, cancels.
MIX = (
    "OK", "AUTH", "OK", "ERR", "CANCEL", "OK", "BOMB", "RESET", "OK", "BIG",
    "OK", "AUTH", "CANCEL", "OK", "ERR", "OK", "OK", "BOMB", "CANCEL", "TIMEOUT",
)  # fmt: skip
EXPECTED = {
    "OK": None,
    "AUTH": "auth",
    "ERR": "server_error",
    "BOMB": "bad_response",
    "RESET": "connect",
    "BIG": "bad_response",
    "CANCEL": "cancelled",
    "TIMEOUT": "timeout",
}


@pytest.fixture
def soak_server() -> Any:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.soak_server"],
        cwd=str(REPO),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}/dc-{{dc}}"
    finally:
        proc.terminate()
        proc.wait(10)


def settle() -> None:
    """Let abandoned request threads end and garbage be collected before measuring."""
    assert wait_for_request_threads(5.0) == []
    time.sleep(0.3)
    gc.collect()


def snapshot(server_port: int) -> dict[str, int | None]:
    return {
        "rss": rss_bytes(),
        "threads": threading.active_count(),
        "os_threads": os_thread_count(),
        "sockets": socket_fds(),
        "server_sockets": socket_fds(remote_port=server_port),
    }


@needs_proc
def test_200_checks_in_one_window(
    qtbot: Any,
    home: Path,
    soak_server: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("MOECHECK_API_BASE", soak_server)
    server_port = int(soak_server.split(":")[2].split("/")[0])
    window = open_window(qtbot, timeout=1.0)
    test_button = window.findChild(QPushButton, "testButton")
    cancel_button = window.findChild(QPushButton, "cancelButton")
    kinds: Counter[str] = Counter()
    baseline: dict[str, Any] = {}

    def one_ok() -> None:
        """A success right before measuring, so the pool holds its usual keep-alive socket."""
        fill(window, "OKMEASURE", KEY, "01")
        with qtbot.waitSignal(window.checkFinished, timeout=10000) as got:
            qtbot.mouseClick(test_button, Qt.MouseButton.LeftButton)
        assert got.args[0].ok

    started = time.monotonic()
    for i in range(TOTAL):
        if i == WARM_UP:
            one_ok()
            settle()
            baseline = snapshot(server_port)
        what = MIX[i % len(MIX)]
        route = "HANG" if what in ("CANCEL", "TIMEOUT") else what
        fill(window, f"{route}{i}", KEY, "01")
        with qtbot.waitSignal(window.checkFinished, timeout=10000) as got:
            qtbot.mouseClick(test_button, Qt.MouseButton.LeftButton)
            if what == "CANCEL":
                qtbot.wait(50)
                qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
        outcome = got.args[0]
        assert isinstance(outcome, Outcome)
        assert outcome.kind == EXPECTED[what], (i, what, outcome.kind, outcome.detail)
        kinds[outcome.kind or "ok"] += 1
    took = time.monotonic() - started
    one_ok()
    settle()
    end: dict[str, Any] = snapshot(server_port)
    figures = {
        "checks": TOTAL,
        "warm_up": WARM_UP,
        "seconds": round(took, 1),
        "kinds": dict(kinds),
        "rss_after_warm_up_mib": round(baseline["rss"] / MIB, 1),
        "rss_end_mib": round(end["rss"] / MIB, 1),
        "rss_growth_mib": round((end["rss"] - baseline["rss"]) / MIB, 2),
        "threads": [baseline["threads"], end["threads"]],
        "os_threads": [baseline["os_threads"], end["os_threads"]],
        "sockets": [baseline["sockets"], end["sockets"]],
        "server_sockets": [baseline["server_sockets"], end["server_sockets"]],
    }
    report = Path(os.environ.get("MOECHECK_SOAK_REPORT", tmp_path / "soak.json"))
    report.write_text(json.dumps(figures, indent=2))
    print("\nsoak figures:", json.dumps(figures))
    assert end["rss"] - baseline["rss"] < 15 * MIB, figures
    assert end["threads"] <= baseline["threads"], figures
    assert end["os_threads"] <= baseline["os_threads"], figures
    # The window's connections to the server: a pooled keep-alive one at both points, and no
    # more (every socket of the process counts whatever else a long test run opens meanwhile).
    assert end["server_sockets"] <= baseline["server_sockets"], figures
    assert baseline["server_sockets"] is None or baseline["server_sockets"] >= 1, figures


@pytest.mark.parametrize(
    ("responder", "close_after"),
    [
        (servers.hang_until_client_leaves, 0.0),
        (servers.hang_until_client_leaves, 0.05),
        (servers.hang_until_client_leaves, 0.3),
        (lambda: servers.trickle(0.05, length=100_000), 0.2),
        (lambda: servers.delayed(0.3, servers.success()), 0.25),
        (lambda: servers.stream_body(60 * MIB, declare_length=False), 0.1),
    ],
    ids=["hang-0ms", "hang-50ms", "hang-300ms", "trickle", "answer-just-after", "60mb"],
)
def test_closing_the_window_mid_check_never_hangs_or_aborts(
    home: Path, responder: Any, close_after: float
) -> None:
    """A child process per close; repeated below so a rare race has many chances to show."""
    with scripted(responder()) as server:
        for _ in range(2):
            report = run_window(
                "close-mid-check",
                home,
                {
                    "MOECHECK_API_BASE": server.url() + "/dc-{dc}",
                    "DRIVER_CLOSE_AFTER": str(close_after),
                    "DRIVER_TIMEOUT": "30",
                },
                timeout=20,
            )
            assert report["close_seconds"] < 2.0, "closing waited for the check"
