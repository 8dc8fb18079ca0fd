"""File › Check all saved workspaces… in the window (PRODUCT.md 3.6, issue 12).

The saved workspaces are real profiles in this test's private HOME, their keys
are in the real Secret Service (``scripts/with-keyring``), and every check goes
through the real client to the sandbox on 127.0.0.1.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QTableView

from moecheck_gui.batch import BatchResult
from moecheck_gui.gui import MainWindow
from moecheck_gui.gui.check_all_model import COL_ID, COL_NAME, COL_VERDICT
from moecheck_gui.gui.check_all_view import CheckAllView
from moecheck_gui.keychain import KeychainStore
from moecheck_gui.profiles import ProfileStore
from moecheck_gui.sandbox import Sandbox
from tests.gui.conftest import needs_keyring


def _cell(view: CheckAllView, row: int, column: int) -> str:
    return str(view.proxy.index(row, column).data() or "")


def _row_of(view: CheckAllView, workspace_id: str) -> int:
    for row in range(view.proxy.rowCount()):
        if _cell(view, row, COL_ID) == workspace_id:
            return row
    raise AssertionError(f"{workspace_id} is not shown")


def _action(window: MainWindow) -> QAction:
    action = window.findChild(QAction, "checkAllAction")
    assert isinstance(action, QAction)
    assert action in window.menus.file_menu.actions()
    return action


def test_disabled_with_a_reason_until_a_workspace_is_saved(
    qtbot: Any, make_window: Callable[..., MainWindow], private_home: Path
) -> None:
    profiles = ProfileStore(private_home / "profiles.json")
    window = make_window(profiles=profiles)
    action = _action(window)
    assert not action.isEnabled()
    assert "No saved workspaces yet" in action.toolTip()
    assert window.menus.file_menu.toolTipsVisible()

    profiles.upsert("SAVED1", "01", "Prod")
    window.keychain_flow.profilesChanged.emit("SAVED1")
    assert action.isEnabled()
    assert "1 saved" in action.toolTip()
    profiles.remove("SAVED1")
    window.keychain_flow.profilesChanged.emit(None)
    assert not action.isEnabled()


@pytest.fixture
def real_keychain() -> KeychainStore:
    store = KeychainStore()
    info = store.info()
    if not info.usable:
        pytest.skip(f"no usable Secret Service: {info.reason}")
    return store


@pytest.fixture
def saved_workspaces(
    use_sandbox: Sandbox, real_keychain: KeychainStore, private_home: Path
) -> Iterator[tuple[ProfileStore, dict[str, str]]]:
    """Five saved workspaces: three that work, one whose key was regenerated, one without a key.

    Returns the store and {workspace ID: what it should show}.
    """
    tag = uuid.uuid4().hex[:8].upper()
    works = {f"OK{n}_{tag}": (dc, f"Client {n}") for n, dc in enumerate(["01", "02", "03"])}
    rotated, keyless = f"ROT_{tag}", f"NOKEY_{tag}"
    profiles = ProfileStore(private_home / "profiles.json")
    expected: dict[str, str] = {}
    for n, (workspace_id, (dc, name)) in enumerate(works.items()):
        key = f"key-{n}-{uuid.uuid4().hex}"
        use_sandbox.add_workspace(workspace_id, key, dc, name)
        real_keychain.save(workspace_id, key)
        profiles.upsert(workspace_id, dc, f"Label {n}")
        expected[workspace_id] = "works"
    use_sandbox.add_workspace(rotated, "the-new-key-" + tag, "02", "Rotated Ltd")
    real_keychain.save(rotated, "the-old-key-" + tag)
    profiles.upsert(rotated, "02", "Old key")
    expected[rotated] = "key rejected"
    profiles.upsert(keyless, "01", "No key")
    expected[keyless] = "not checked"
    assert profiles.save()
    yield profiles, expected
    for workspace_id in [*works, rotated]:
        real_keychain.delete(workspace_id)


@needs_keyring
@pytest.mark.keychain
def test_check_all_fills_in_and_a_row_opens_its_diagnosis(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    real_keychain: KeychainStore,
    saved_workspaces: tuple[ProfileStore, dict[str, str]],
) -> None:
    profiles, expected = saved_workspaces
    window = make_window(keychain=real_keychain, profiles=profiles)
    action = _action(window)
    qtbot.waitUntil(action.isEnabled, timeout=5000)
    assert "5 saved" in action.toolTip()

    action.trigger()
    view = window.findChild(CheckAllView, "checkAllView")
    assert isinstance(view, CheckAllView) and view.isVisible()
    table = view.findChild(QTableView, "checkAllTable")
    assert table is not None and table.model().rowCount() == len(expected)
    arrived: list[BatchResult] = []
    view.resultArrived.connect(arrived.append)
    qtbot.waitUntil(lambda: not view.is_running(), timeout=30000)

    # (Answers reach the view through queued signals: none arrived before this slot was connected.)
    assert sorted(r.outcome.workspace_id for r in arrived) == sorted(expected)
    verdicts = {_cell(view, r, COL_ID): _cell(view, r, COL_VERDICT) for r in range(5)}
    keyless = next(ws for ws in expected if ws.startswith("NOKEY_"))
    assert verdicts.pop(keyless).startswith("not checked")
    assert verdicts == {ws: v for ws, v in expected.items() if ws != keyless}
    assert len(verdicts) == 4
    for workspace_id, verdict in expected.items():
        if verdict == "works":
            number = workspace_id[2]
            assert _cell(view, _row_of(view, workspace_id), COL_NAME) == f"Client {number}"
    assert "Done: 3 of 5 work" in view.status_label.text()

    # Enter on the rejected key's row: the window shows that diagnosis, with its workspace picked.
    rotated = next(ws for ws in expected if ws.startswith("ROT_"))
    table.setFocus()
    table.setCurrentIndex(view.proxy.index(_row_of(view, rotated), COL_VERDICT))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    shown = window.result_panel.outcome
    assert shown is not None and shown.workspace_id == rotated and shown.kind == "auth"
    assert shown.message in window.result_panel.text()
    assert not window.result_panel.stale
    assert window.findChild(QLineEdit, "workspaceIdEdit").text() == rotated
    assert window.current_dc() == "02"
    # Its key arrives from the keychain (on a worker thread) without making the result stale.
    qtbot.waitUntil(lambda: window.key_edit.text() == f"the-old-key-{rotated[4:]}", timeout=5000)
    assert not window.result_panel.stale
    view.close()


@needs_keyring
@pytest.mark.keychain
def test_the_windows_check_all_runs_in_a_child_process_that_closing_stops(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    use_sandbox: Sandbox,
    real_keychain: KeychainStore,
    saved_workspaces: tuple[ProfileStore, dict[str, str]],
) -> None:
    """The checks run outside the window's process (so it paints on time); closing stops them."""
    import multiprocessing
    import threading

    import shiboken6

    def children() -> list[str]:
        return [p.name for p in multiprocessing.active_children() if p.name == "moecheck-check-all"]

    profiles, expected = saved_workspaces
    use_sandbox.set_mode("hang")
    window = make_window(keychain=real_keychain, profiles=profiles)
    action = _action(window)
    qtbot.waitUntil(action.isEnabled, timeout=5000)
    action.trigger()
    view = window.findChild(CheckAllView, "checkAllView")
    assert isinstance(view, CheckAllView)
    qtbot.waitUntil(
        lambda: any(_cell(view, r, COL_VERDICT) == "Checking…" for r in range(len(expected))),
        timeout=15000,
    )
    assert children() == ["moecheck-check-all"]
    assert not [t.name for t in threading.enumerate() if t.name.startswith("moecheck-batch-")]
    view.close()  # the window's view deletes itself on close; this test still holds it
    qtbot.waitUntil(lambda: children() == [], timeout=10000)
    qtbot.waitUntil(lambda: window.runner.running_count() == 0, timeout=10000)
    qtbot.waitUntil(lambda: not shiboken6.isValid(view), timeout=5000)
