"""The window against the hostile-server cases marked ``window=True`` in ``cases.CASES``.

Driven like a user: type into the contract's widgets, click Test connection,
wait for ``checkFinished``. While the check runs, a 50 ms QTimer ticks on the
GUI thread; if anything blocked the event loop (network I/O on the GUI thread,
a huge answer being rendered) the ticks would stop, so the longest gap between
ticks is the responsiveness measure. The result panel must show the kind's
title and the plain-language message, as plain text.
"""

from __future__ import annotations

import gc
import itertools
import time
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from moecheck_gui.gui import MainWindow
from moecheck_gui.keychain import NO_STORE_NAME, StoreInfo
from moecheck_gui.outcome import Outcome
from tests.platform_support import growth
from tests.reliability.cases import KEY, WINDOW_CASES, WS, Case, Kit
from tests.reliability.conftest import (
    MEMORY_BOUND,
    apply_env,
    assert_outcome_matches,
    rss_bytes,
)

MAX_TICK_GAP_S = 0.5
"""The event loop may never stall longer than this during a check (a generous bound)."""


class NoKeychain:
    """Stands in for "no keychain on this computer" (a fake: these tests are about the network)."""

    def info(self) -> StoreInfo:
        return StoreInfo(NO_STORE_NAME, False, "No keychain in this test.", "tests.NoKeychain")

    def save(self, workspace_id: str, api_key: str) -> str:
        raise AssertionError("save must not be called")

    def load(self, workspace_id: str) -> str | None:
        raise AssertionError("load must not be called")

    def delete(self, workspace_id: str) -> bool:
        raise AssertionError("delete must not be called")


def open_window(qtbot: Any, timeout: float) -> MainWindow:
    window = MainWindow(keychain=NoKeychain(), timeout=timeout)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.runner.running_count() == 0, timeout=10000)
    return window


W = TypeVar("W", bound=QWidget)


def child(window: QWidget, cls: type[W], name: str) -> W:
    """The contract widget ``name`` (fails clearly if the window lacks it)."""
    found = window.findChild(cls, name)
    assert found is not None, f"no {cls.__name__} named {name}"
    return found


def fill(window: QWidget, workspace_id: str, key: str, dc: str) -> None:
    child(window, QLineEdit, "workspaceIdEdit").setText(workspace_id)
    child(window, QLineEdit, "apiKeyEdit").setText(key)
    combo = child(window, QComboBox, "dataCenterCombo")
    combo.setCurrentIndex(combo.findData(dc))


def panel_labels(window: QWidget) -> list[QLabel]:
    panel = child(window, QWidget, "resultPanel")
    return [label for label in panel.findChildren(QLabel) if label.isVisibleTo(panel)]


@pytest.mark.parametrize("case", WINDOW_CASES, ids=[c.id for c in WINDOW_CASES])
def test_window(
    case: Case, kit: Kit, home: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with case.build(kit) as scene:
        apply_env(monkeypatch, {**scene.env, "MOECHECK_API_BASE": scene.api_base})
        window = open_window(qtbot, case.timeout)
        fill(window, WS, KEY, "01")
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(50)
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        gc.collect()
        rss_before = rss_bytes()
        timer.start()
        started = time.monotonic()
        with qtbot.waitSignal(window.checkFinished, timeout=int((case.timeout + 5) * 1000)) as got:
            qtbot.mouseClick(child(window, QPushButton, "testButton"), Qt.MouseButton.LeftButton)
        ended = time.monotonic()
        timer.stop()
        rss_growth = growth(rss_before, rss_bytes())
        outcome = got.args[0]
        assert isinstance(outcome, Outcome)
        data = outcome.to_json()
        scene.after(data)
    assert_outcome_matches(case, data)
    assert ended - started <= case.timeout + 1.5
    # Responsiveness: the GUI thread kept serving its timer all along.
    marks = [started, *ticks, ended]
    gap = max(b - a for a, b in itertools.pairwise(marks))
    assert gap < MAX_TICK_GAP_S, f"the event loop stalled for {gap:.2f} s"
    if ended - started > 1.0:
        assert len(ticks) >= (ended - started) / 0.05 * 0.5, len(ticks)
    if rss_growth is not None:  # None without /proc (macOS, Windows)
        assert rss_growth < MEMORY_BOUND, f"RSS grew by {rss_growth / 2**20:.1f} MiB"
    # What the user sees: the kind's title and the message, as plain text.
    labels = panel_labels(window)
    shown = "\n".join(label.text() for label in labels)
    assert outcome.title in shown
    assert outcome.hint in shown
    if outcome.ok:
        assert outcome.app_name and outcome.app_name in shown
    else:
        assert outcome.message in shown
    for label in labels:
        if label.text():
            assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    assert KEY not in shown and KEY not in window.windowTitle()
    assert child(window, QPushButton, "testButton").isEnabled(), "ready for the next check"
    assert not child(window, QPushButton, "cancelButton").isEnabled()
