"""The check-all view, driven like a user would, checking against the core's real sandbox.

Every check goes through the real client to the sandbox on 127.0.0.1, from the
child process the window uses (a :class:`BatchRecipe`) unless a test says it
runs the in-process variant (a checker factory: what an injected checker gets);
the history is a real file in this test's private HOME. Keys come from the rows
(as from a file's api_key column), because the keychain has its own tests; the
real keychain path of the batch is tested in tests/test_batch.py and
tests/test_batch_process.py.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFileDialog, QProgressBar, QPushButton, QTableView

from moecheck_gui.batch import BatchResult, BatchRow
from moecheck_gui.batch.process import BatchRecipe
from moecheck_gui.client import Checker
from moecheck_gui.gui.check_all_model import (
    COL_ID,
    COL_LAST,
    COL_NAME,
    COL_REQUEST,
    COL_VERDICT,
    COLUMNS,
)
from moecheck_gui.gui.check_all_view import CheckAllView
from moecheck_gui.history import HistoryStore, format_when
from moecheck_gui.outcome import Outcome
from moecheck_gui.sandbox import Sandbox

CANARY = f"CANARY-{uuid.uuid4().hex}"
EARLIER = "2024-11-12T10:02:00+00:00"


@pytest.fixture
def checker(sandbox: Sandbox) -> Iterator[Checker]:
    made = Checker(api_base=sandbox.api_base)
    yield made
    made.close()


def _rows(sandbox: Sandbox) -> list[BatchRow]:
    """Four that work, one whose key was regenerated (the canary), one suspended, one bad DC."""
    for n, dc in enumerate(["01", "02", "03", "101"]):
        sandbox.add_workspace(f"OK{n}", f"ok-key-{n:04d}", dc, f"Client {n}")
    sandbox.add_workspace("ROTATED", "the-new-key-0001", "02", "Rotated Ltd")
    return [
        BatchRow("OK0", "01", "Prod", api_key="ok-key-0000", saved=True),
        BatchRow("OK1", "02", "EU", api_key="ok-key-0001", saved=True),
        BatchRow("ROTATED", "02", "Old key", api_key=CANARY, saved=True),
        BatchRow("OK2", "03", "India", api_key="ok-key-0002", saved=True),
        BatchRow("DEMO_SUSPENDED", "01", "Suspended", api_key="whatever-key-1", saved=True),
        BatchRow("OK3", "101", "DC-101", api_key="ok-key-0003", saved=True),
        BatchRow("BADDC", "", "Typo", problem="'07' is not a data center.", problem_field="dc"),
    ]


@pytest.fixture
def history(private_home: Path) -> HistoryStore:
    # Inside this test's private HOME (the default folder is the real one on Windows,
    # where platformdirs does not follow HOME).
    store = HistoryStore(private_home / "data" / "history.json")
    ok = Outcome(ok=True, kind=None, dc="02", workspace_id="ROTATED", app_name="Rotated Ltd")
    store.record("ROTATED", ok, at=EARLIER)
    return store


@pytest.fixture
def make_view(qtbot: Any, sandbox: Sandbox, checker: Checker) -> Callable[..., CheckAllView]:
    """A shown view over ``rows``: checks in a child process, or on threads with ``in_process``."""

    def make(rows: list[BatchRow], *, in_process: bool = False, **kwargs: Any) -> CheckAllView:
        checks = (
            (lambda: checker)
            if in_process
            else BatchRecipe(api_base=sandbox.api_base, use_keychain=False)
        )
        view = CheckAllView(rows, checks, **kwargs)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


def _run(qtbot: Any, view: CheckAllView, timeout: int = 20000) -> list[BatchResult]:
    with qtbot.waitSignal(view.runFinished, timeout=timeout) as blocker:
        view.start()
    results = blocker.args[0]
    assert isinstance(results, list)
    return results


def _cell(view: CheckAllView, row: int, column: int) -> str:
    return str(view.proxy.index(row, column).data() or "")


def _row_of(view: CheckAllView, workspace_id: str) -> int:
    for row in range(view.proxy.rowCount()):
        if _cell(view, row, COL_ID) == workspace_id:
            return row
    raise AssertionError(f"{workspace_id} is not shown")


# --------------------------------------------------------------------------- filling in


def test_rows_fill_in_as_answers_arrive(
    qtbot: Any, sandbox: Sandbox, history: HistoryStore, make_view: Callable[..., CheckAllView]
) -> None:
    view = make_view(_rows(sandbox), history=history)
    table = view.findChild(QTableView, "checkAllTable")
    assert table is view.table
    assert [table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(7)] == list(
        COLUMNS
    )
    # Before starting: one row per workspace, all waiting, last success from the history
    # not yet read (that happens on the worker thread).
    assert view.proxy.rowCount() == 7
    assert {_cell(view, r, COL_VERDICT) for r in range(7)} == {"Waiting"}

    arrived: list[BatchResult] = []
    view.resultArrived.connect(arrived.append)
    results = _run(qtbot, view)

    assert len(arrived) == 7 and len(results) == 7
    assert [r.index for r in results] == list(range(7))
    progress = view.findChild(QProgressBar, "checkAllProgress")
    assert progress.value() == progress.maximum() == 7
    verdicts = {_cell(view, r, COL_ID): _cell(view, r, COL_VERDICT) for r in range(7)}
    assert verdicts == {
        "OK0": "works",
        "OK1": "works",
        "ROTATED": "key rejected",
        "OK2": "works",
        "DEMO_SUSPENDED": "access blocked",
        "OK3": "works",
        "BADDC": "not checked: fix the row",
    }
    assert _cell(view, _row_of(view, "OK1"), COL_NAME) == "Client 1"
    assert _cell(view, _row_of(view, "OK1"), COL_REQUEST).startswith("sbx-")
    rotated = _row_of(view, "ROTATED")
    assert _cell(view, rotated, COL_LAST) == format_when(EARLIER)
    assert _cell(view, _row_of(view, "OK0"), COL_LAST) != ""
    icon = view.proxy.index(rotated, COL_VERDICT).data(Qt.ItemDataRole.DecorationRole)
    assert icon is not None and not icon.isNull()
    assert "Done: 4 of 7 work" in view.status_label.text()
    outcome = results[2].outcome
    assert outcome.previously_worked_at == EARLIER
    assert outcome.message.startswith("This key worked on")
    # Saved workspaces were recorded; the row that could not be checked was not.
    assert [e.ok for e in history.entries("ROTATED")] == [True, False]
    assert len(history.entries("OK3")) == 1 and history.entries("BADDC") == []


def test_filter_and_sort(
    qtbot: Any, sandbox: Sandbox, make_view: Callable[..., CheckAllView]
) -> None:
    view = make_view(_rows(sandbox))
    _run(qtbot, view)
    failures_only = view.findChild(QCheckBox, "checkAllFailuresOnly")
    qtbot.mouseClick(failures_only, Qt.MouseButton.LeftButton)
    assert failures_only.isChecked()
    shown = sorted(_cell(view, r, COL_ID) for r in range(view.proxy.rowCount()))
    assert shown == ["BADDC", "DEMO_SUSPENDED", "ROTATED"]
    qtbot.mouseClick(failures_only, Qt.MouseButton.LeftButton)
    assert view.proxy.rowCount() == 7

    view.table.sortByColumn(COL_VERDICT, Qt.SortOrder.AscendingOrder)
    verdicts = [_cell(view, r, COL_VERDICT) for r in range(7)]
    assert verdicts[-4:] == ["works"] * 4 and "works" not in verdicts[:3]
    view.table.sortByColumn(COL_ID, Qt.SortOrder.DescendingOrder)
    ids = [_cell(view, r, COL_ID) for r in range(7)]
    assert ids == sorted(ids, key=str.casefold, reverse=True)


def test_columns_fit_the_answers_once_the_run_is_over(
    qtbot: Any, sandbox: Sandbox, make_view: Callable[..., CheckAllView]
) -> None:
    long_name = "Northwind Traders International Holdings (Asia Pacific) Ltd"
    sandbox.add_workspace("LONGNAME", "long-name-key-01", "01", long_name)
    view = make_view([BatchRow("LONGNAME", "01", "Long", api_key="long-name-key-01")])
    metrics = view.table.fontMetrics()
    assert view.table.columnWidth(COL_NAME) < metrics.horizontalAdvance(long_name)
    _run(qtbot, view)
    assert _cell(view, 0, COL_NAME) == long_name
    qtbot.waitUntil(
        lambda: view.table.columnWidth(COL_NAME) >= metrics.horizontalAdvance(long_name),
        timeout=5000,
    )


# --------------------------------------------------------------------------- opening a row


def test_enter_and_double_click_open_a_rows_diagnosis(
    qtbot: Any, sandbox: Sandbox, make_view: Callable[..., CheckAllView]
) -> None:
    view = make_view(_rows(sandbox))
    opened: list[Outcome] = []
    view.outcomeActivated.connect(opened.append)
    # A row still waiting opens nothing.
    view.table.setFocus()
    view.table.setCurrentIndex(view.proxy.index(0, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened == []

    _run(qtbot, view)
    row = _row_of(view, "ROTATED")
    view.table.setCurrentIndex(view.proxy.index(row, COL_ID))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert [o.workspace_id for o in opened] == ["ROTATED"]
    assert opened[0].kind == "auth"
    assert view.isVisible(), "Enter must not press a dialog button"

    other = _row_of(view, "OK2")
    rect = view.table.visualRect(view.proxy.index(other, COL_NAME))
    # A real double-click starts with a click (Qt's test double-click alone has no press).
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(opened) == 1, "a single click must not open the row"
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [o.workspace_id for o in opened] == ["ROTATED", "OK2"]
    assert opened[1].ok and opened[1].app_name == "Client 2"


# --------------------------------------------------------------------------- export


def test_export_writes_what_is_shown_and_never_a_key(
    qtbot: Any,
    sandbox: Sandbox,
    history: HistoryStore,
    make_view: Callable[..., CheckAllView],
    tmp_path: Path,
    private_home: Path,
) -> None:
    view = make_view(_rows(sandbox), history=history)
    _run(qtbot, view)
    all_csv = tmp_path / "all.csv"
    assert view.export_to(all_csv) == 7
    table = list(csv.DictReader(all_csv.open(encoding="utf-8", newline="")))
    assert [r["workspace_id"] for r in table] == [r.workspace_id for r in _rows(sandbox)]
    assert {r["ok"] for r in table} == {"true", "false"}

    view.failures_only.setChecked(True)
    view.table.sortByColumn(COL_ID, Qt.SortOrder.AscendingOrder)
    failures_json = tmp_path / "failures.json"
    assert view.export_to(failures_json) == 3
    document = json.loads(failures_json.read_text(encoding="utf-8"))
    assert [r["workspace_id"] for r in document["results"]] == [
        "BADDC",
        "DEMO_SUSPENDED",
        "ROTATED",
    ]
    assert document["summary"] == {"total": 3, "ok": 0, "failed": 3}
    assert document["results"][2]["previously_worked_at"] == EARLIER
    assert document["results"][2]["label"] == "Old key" and document["results"][2]["row"] is None

    # The Export… button, with the save dialog answered (a stand-in for the modal
    # file dialog, which offscreen tests cannot click through).
    picked = tmp_path / "picked"
    chooser = lambda *args, **kwargs: (str(picked), "JSON (*.json)")  # noqa: E731
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QFileDialog, "getSaveFileName", chooser)
        qtbot.mouseClick(view.findChild(QPushButton, "checkAllExport"), Qt.MouseButton.LeftButton)
    saved = picked.with_suffix(".json")
    assert json.loads(saved.read_text(encoding="utf-8"))["summary"]["total"] == 3
    assert "Saved 3 rows" in view.status_label.text()

    # The canary key is in no file this test or the app wrote.
    for folder in (tmp_path, private_home):
        for path in folder.rglob("*"):
            if path.is_file():
                assert CANARY.encode() not in path.read_bytes(), path


# --------------------------------------------------------------------------- cancel and close


def _hanging_rows(count: int) -> list[BatchRow]:
    return [BatchRow(f"H{n}", "01", f"Hang {n}", api_key=f"hang-key-{n:04d}") for n in range(count)]


def _started_on_a_hanging_server(
    qtbot: Any, sandbox: Sandbox, make_view: Callable[..., CheckAllView], count: int
) -> CheckAllView:
    """A view checking ``count`` rows two at a time against a server that never answers."""
    sandbox.set_mode("hang")
    view = make_view(_hanging_rows(count), concurrency=2, timeout=60)
    view.start()
    qtbot.waitUntil(
        lambda: [_cell(view, r, COL_VERDICT) for r in range(count)].count("Checking…") == 2,
        timeout=10000,
    )
    return view


def test_cancel_marks_unchecked_rows(
    qtbot: Any, sandbox: Sandbox, make_view: Callable[..., CheckAllView]
) -> None:
    view = _started_on_a_hanging_server(qtbot, sandbox, make_view, 8)
    assert view.is_running()
    cancel = view.findChild(QPushButton, "checkAllCancel")
    with qtbot.waitSignal(view.runFinished, timeout=10000) as blocker:
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    results = blocker.args[0]
    assert len(results) == 8
    assert {r.outcome.kind for r in results} == {"cancelled"}
    assert sum(r.outcome.message.startswith("Not checked") for r in results) == 6
    assert {_cell(view, r, COL_VERDICT) for r in range(8)} == {"not checked"}
    assert not view.is_running() and not cancel.isEnabled()
    assert "0 of 8 work, 8 not checked (stopped)" in view.status_label.text()
    assert len(sandbox.requests) <= 2


def test_closing_mid_run_cancels_promptly(
    qtbot: Any, sandbox: Sandbox, make_view: Callable[..., CheckAllView]
) -> None:
    sandbox.set_mode("hang")
    view = make_view(_hanging_rows(6), concurrency=2, timeout=60)
    finished: list[list[BatchResult]] = []
    view.runFinished.connect(finished.append)
    view.start()
    qtbot.waitUntil(
        lambda: any(_cell(view, r, COL_VERDICT) == "Checking…" for r in range(6)),
        timeout=10000,
    )
    view.close()
    assert not view.isVisible()
    qtbot.waitUntil(lambda: bool(finished), timeout=10000)
    assert {r.outcome.kind for r in finished[0]} == {"cancelled"}
    qtbot.waitUntil(lambda: view.runner.running_count() == 0, timeout=10000)
    qtbot.waitUntil(lambda: _check_all_children() == [], timeout=10000)


def _check_all_children() -> list[str]:
    return [p.name for p in multiprocessing.active_children() if p.name == "moecheck-check-all"]


def _batch_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("moecheck-batch")]


def test_the_checks_run_in_a_child_process_not_on_the_windows_threads(
    qtbot: Any, sandbox: Sandbox, make_view: Callable[..., CheckAllView]
) -> None:
    """Why: checks on threads here held the interpreter lock the window needs to paint."""
    view = _started_on_a_hanging_server(qtbot, sandbox, make_view, 4)
    assert _check_all_children() == ["moecheck-check-all"]
    assert _batch_threads() == [], "the checks ran on threads in the window's process"
    assert len(sandbox.requests) <= 2
    with qtbot.waitSignal(view.runFinished, timeout=10000):
        view.cancel()
    qtbot.waitUntil(lambda: _check_all_children() == [], timeout=10000)


def test_the_in_process_variant_fills_in_the_same(
    qtbot: Any, sandbox: Sandbox, checker: Checker
) -> None:
    """An injected checker cannot cross a process boundary: its batch runs on threads here."""
    threads: set[str] = set()

    class Recording:
        """The real checker, noting which thread of this process called it."""

        def check(self, *args: Any, **kwargs: Any) -> Outcome:
            threads.add(threading.current_thread().name)
            return checker.check(*args, **kwargs)

        def detect(self, *args: Any, **kwargs: Any) -> Outcome:
            threads.add(threading.current_thread().name)
            return checker.detect(*args, **kwargs)

    view = CheckAllView(_rows(sandbox), Recording)
    qtbot.addWidget(view)
    results = _run(qtbot, view)
    assert [r.outcome.kind for r in results] == [
        None,
        None,
        "auth",
        None,
        "forbidden",
        None,
        "invalid_input",
    ]
    assert threads and all(name.startswith("moecheck-batch-") for name in threads), threads
    assert _check_all_children() == []


def test_a_view_deleted_with_its_parent_mid_run_stops_its_child_process(
    qtbot: Any, sandbox: Sandbox
) -> None:
    """Not closed, just deleted (its parent went first): the batch must not run on unseen."""
    from PySide6.QtWidgets import QWidget

    sandbox.set_mode("hang")
    parent = QWidget()
    recipe = BatchRecipe(api_base=sandbox.api_base, use_keychain=False)
    view = CheckAllView(_hanging_rows(6), recipe, concurrency=2, timeout=60, parent=parent)
    view.start()
    qtbot.waitUntil(lambda: _check_all_children() == ["moecheck-check-all"], timeout=10000)
    qtbot.waitUntil(lambda: len(sandbox.requests) == 2, timeout=10000)
    parent.deleteLater()
    del view
    qtbot.waitUntil(lambda: _check_all_children() == [], timeout=10000)
    assert len(sandbox.requests) == 2  # the four rows still waiting were never sent


@pytest.mark.parametrize("in_process", [False, True], ids=["child process", "in process"])
def test_dropping_the_view_mid_run_stops_the_batch_without_a_crash(
    qtbot: Any, sandbox: Sandbox, checker: Checker, in_process: bool
) -> None:
    """The last reference to the view goes away while its batch still runs.

    Regression: the worker task once held the view itself, so the worker thread
    could drop the last reference and destroy the dialog on that thread (a crash).
    """
    import gc
    import weakref

    sandbox.set_mode("hang")
    checks = (
        (lambda: checker)
        if in_process
        else BatchRecipe(api_base=sandbox.api_base, use_keychain=False)
    )
    view = CheckAllView(_hanging_rows(6), checks, concurrency=2, timeout=60)
    view.start()
    ref = weakref.ref(view)

    def checking() -> bool:
        shown = ref()
        return shown is not None and any(
            _cell(shown, r, COL_VERDICT) == "Checking…" for r in range(6)
        )

    qtbot.waitUntil(checking, timeout=10000)
    view.cancel()
    del view
    gc.collect()
    assert ref() is None, "the view was not freed on the GUI thread"
    qtbot.waitUntil(lambda: _batch_threads() == [], timeout=10000)
    qtbot.waitUntil(lambda: _check_all_children() == [], timeout=10000)
    qtbot.wait(50)  # let any late, queued delivery to the deleted relay be dropped


def test_painting_the_table_never_calls_python() -> None:
    """The table's models override no Qt virtual, so a repaint stays in C++.

    Why it matters: during a check-all, worker threads hold the GIL; every call
    from Qt into Python must win it back first, and a Python ``data()`` asked
    for each visible cell and role made one repaint take tens of milliseconds.
    """
    from PySide6.QtCore import QSortFilterProxyModel
    from PySide6.QtGui import QStandardItemModel

    from moecheck_gui.gui.check_all_model import CheckAllFilter, CheckAllModel

    for name in ("data", "rowCount", "columnCount", "headerData", "flags", "index", "parent"):
        assert getattr(CheckAllModel, name) is getattr(QStandardItemModel, name), name
    for name in ("data", "filterAcceptsRow", "lessThan", "mapToSource", "index"):
        assert getattr(CheckAllFilter, name) is getattr(QSortFilterProxyModel, name), name
