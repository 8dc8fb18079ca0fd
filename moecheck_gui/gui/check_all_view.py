"""The check-all view: every saved workspace in one table, verdicts filling in as they arrive.

What the user gets (issue 12): a table (``checkAllTable``) with label,
workspace ID, DC, verdict with its icon, workspace name, last worked and
request ID; a progress bar; Cancel; sorting by any column; "Show failures
only"; Enter or double-click on a row to open that workspace's full diagnosis
(the view emits :attr:`CheckAllView.outcomeActivated`; the main window shows
it); and "Export…" to CSV or JSON of exactly the rows shown, never a key.

How it stays responsive: the checks run in a child process
(:class:`moecheck_gui.batch.process.BatchProcess`, given the window's
:class:`~moecheck_gui.batch.process.BatchRecipe`), so they never hold the
interpreter lock this thread needs to paint. One task of the window's
:class:`~moecheck_gui.gui.tasks.TaskRunner`, the project's one background
helper, receives their results (:class:`~.check_all_job.CheckAllJob`); it
never touches a widget: each result and progress event is *emitted* on a
:class:`~.check_all_job.CheckAllRelay` that lives on the GUI thread, so Qt
queues it there, and the view shows what arrived every ``FLUSH_MS`` in one
model update. Nothing here does network or keychain I/O on the GUI thread.
Export is in :mod:`.check_all_export`.

Closing the view mid-run cancels the batch: every running check is cut at
once (the client closes its sockets), the remaining rows come back
"not checked" and the child process exits; the task's late results are discarded.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui.batch import (
    DEFAULT_CONCURRENCY,
    BatchEvent,
    BatchResult,
    BatchRow,
    KeySource,
)
from moecheck_gui.gui import check_all_export
from moecheck_gui.gui.check_all_job import CheckAllJob, CheckAllRelay, CheckerSource, weakly
from moecheck_gui.gui.check_all_model import (
    COL_VERDICT,
    RESULT_ROLE,
    CheckAllFilter,
    CheckAllModel,
)
from moecheck_gui.gui.check_all_status import status_text
from moecheck_gui.gui.tasks import TaskRunner
from moecheck_gui.history import HistoryStore
from moecheck_gui.i18n import _

if TYPE_CHECKING:
    from pathlib import Path

    from moecheck_gui.gui.main_window import MainWindow
    from moecheck_gui.outcome import Outcome

log = logging.getLogger(__name__)

FLUSH_MS = 50
"""Answers arriving within this many milliseconds are shown together (one repaint, not 16)."""

_RELAYS: list[CheckAllRelay] = []
"""Every relay made in this process (see ``CheckAllView.__init__``: never freed under an emit)."""


class CheckAllView(QDialog):
    """Checks many workspaces and shows them in one table; see the module docstring.

    Signals:
        outcomeActivated(object): the user opened a row (Enter or double-click);
            the row's :class:`~moecheck_gui.outcome.Outcome`. Rows still waiting
            emit nothing.
        runFinished(object): the batch ended (all done, or cancelled); the list of
            :class:`BatchResult` in input order.
        resultArrived(object): one :class:`BatchResult`, as the table shows it.
    """

    outcomeActivated = Signal(object)
    runFinished = Signal(object)
    resultArrived = Signal(object)

    def __init__(
        self,
        rows: Sequence[BatchRow],
        checks: CheckerSource,
        *,
        keychain_factory: Callable[[], KeySource | None] | None = None,
        history: HistoryStore | None = None,
        history_factory: Callable[[], HistoryStore | None] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float = 15.0,
        runner: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Build the view (no I/O). Call :meth:`start` to begin checking.

        ``checks`` is a :class:`~moecheck_gui.batch.process.BatchRecipe` (the
        batch runs in a child process that builds its own checker and reads
        saved keys from the OS keychain: what the window does), or a checker
        factory (the batch runs on threads in this process, with keys from
        ``keychain_factory``: for an injected checker that cannot cross a
        process boundary). Factories are called on the worker thread.
        ``history`` annotates and records saved workspaces; None keeps no
        history. ``history_factory`` instead builds the store on the worker
        thread (the window's, which resolves the data folder). ``runner`` is
        the window's TaskRunner (one is created when None).
        """
        super().__init__(parent)
        self.setObjectName("checkAllView")
        self.setWindowTitle(_("Check all saved workspaces"))
        self._rows = list(rows)
        self._checks = checks
        self._keychain_factory = keychain_factory
        self._history = history
        self._history_factory = history_factory
        self._concurrency = concurrency
        self._timeout = timeout
        self.runner = runner if runner is not None else TaskRunner(self)
        self._task: int | None = None
        self._running = False
        self._job: CheckAllJob | None = None
        self._resized_after_run = False
        self._paused: dict[str, str] = {}
        self._notices: list[str] = []
        # No parent: a relay dies with the process, not with the view. A worker thread may
        # be emitting on it at the moment the view is closed and deleted; a relay owned
        # by the view would be freed under that emit (a crash). Its news reaches the view
        # through weak callbacks (delivered on the relay's thread, the GUI thread) that
        # drop it once the view is gone; one small QObject per run is kept.
        self._relay = CheckAllRelay()
        _RELAYS.append(self._relay)
        self._relay.result.connect(weakly(self._on_result))
        self._relay.progress.connect(weakly(self._on_event))
        self._relay.lastWorked.connect(weakly(self._on_last_worked))
        self._pending_results: list[BatchResult] = []
        self._pending_checking: list[int] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)

        self.model = CheckAllModel(self._rows, self)
        self.model.set_palette(self.palette())
        self.proxy = CheckAllFilter(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self._update_status()

    # -- layout ------------------------------------------------------------------

    def _build(self) -> None:
        box = QVBoxLayout(self)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("checkAllStatus")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        box.addWidget(self.status_label)

        self.progress = QProgressBar(self)
        self.progress.setObjectName("checkAllProgress")
        self.progress.setRange(0, max(1, len(self._rows)))
        self.progress.setValue(0)
        # Translators: the progress bar: %v is how many are checked, %m how many in all.
        self.progress.setFormat(_("%v of %m"))
        self.progress.setAccessibleName(_("Workspaces checked"))
        box.addWidget(self.progress)

        self.table = QTableView(self)
        self.table.setObjectName("checkAllTable")
        self.table.setAccessibleName(_("Saved workspaces and their verdicts"))
        self.table.setModel(self.proxy)
        # Input order until the user clicks a header.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(50)  # size columns from the first rows only: cheap
        self.table.resizeColumnsToContents()
        self._size_verdict_column()
        self.table.activated.connect(self._on_activated)
        box.addWidget(self.table, 1)

        row = QHBoxLayout()
        self.failures_only = QCheckBox(_("Show &failures only"), self)
        self.failures_only.setObjectName("checkAllFailuresOnly")
        self.failures_only.toggled.connect(self.proxy.set_failures_only)
        row.addWidget(self.failures_only)
        row.addStretch(1)
        self.export_button = QPushButton(_("&Export…"), self)
        self.export_button.setObjectName("checkAllExport")
        self.export_button.setToolTip(_("Save the rows shown as CSV or JSON (never a key)"))
        self.export_button.clicked.connect(self._export_clicked)
        row.addWidget(self.export_button)
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.setObjectName("checkAllCancel")
        self.cancel_button.setToolTip(
            _("Stop checking; unchecked workspaces are marked not checked")
        )
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        self.close_button = QPushButton(_("Close"), self)
        self.close_button.setObjectName("checkAllClose")
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.close_button)
        box.addLayout(row)
        for button in (self.export_button, self.cancel_button, self.close_button):
            # Enter on a table row opens that row; it must not also press a button.
            button.setAutoDefault(False)
            button.setDefault(False)
        self.resize(860, 420)

    def _size_verdict_column(self) -> None:
        """Wide enough for the longest verdict words and their icon, before any arrive.

        (Sized from "Waiting" alone, answers like "not checked: fix the row" were cut
        off; resizing while answers arrive would make the columns jump.)
        """
        from moecheck_gui.batch import VERDICT_WORDS

        metrics = self.table.fontMetrics()
        words = [_(w) for w in VERDICT_WORDS.values()] + [_("works")]
        widest = max(metrics.horizontalAdvance(w) for w in words)
        icon = self.table.iconSize().width() or metrics.height()
        wanted = widest + icon + 6 * metrics.averageCharWidth()
        if self.table.columnWidth(COL_VERDICT) < wanted:
            self.table.setColumnWidth(COL_VERDICT, wanted)

    # -- running -----------------------------------------------------------------

    def is_running(self) -> bool:
        """True from :meth:`start` until the batch has ended."""
        return self._running

    def start(self) -> None:
        """Begin checking every row on a background task (once)."""
        if self._running or self._task is not None:
            return
        self._running = True
        self.cancel_button.setEnabled(True)
        self._job = CheckAllJob(
            self._rows,
            self._checks,
            self._keychain_factory,
            self._history,
            self._history_factory,
            self._concurrency,
            self._timeout,
            self._relay,
        )
        # The task holds the job and weak callbacks, never the view: a worker thread
        # dropping the last reference to a widget would destroy it on that thread
        # (a crash) when the view is closed and released mid-run. A view deleted without
        # being closed (its parent went first) still stops the batch.
        job = self._job
        self.destroyed.connect(lambda *_args: job.cancel())
        self._task = self.runner.start(
            self._job.run, weakly(self._on_done), weakly(self._on_failed), name="check-all"
        )
        self._update_status()

    def cancel(self) -> None:
        """Stop the batch promptly; rows not yet checked are marked not checked."""
        if self._job is not None:
            self._job.cancel()
        if self._running:
            self.cancel_button.setEnabled(False)
            self.status_label.setText(_("Stopping…"))

    @Slot(object)
    def _on_result(self, result: BatchResult) -> None:
        # Queue it; :meth:`_flush` shows everything that arrived in the last FLUSH_MS at
        # once, so 16 answers landing together cost one model update and one repaint.
        self._pending_results.append(result)
        self._schedule_flush()

    @Slot(object)
    def _on_event(self, event: BatchEvent) -> None:
        if event.kind == "checking" and event.index is not None:
            self._pending_checking.append(event.index)
            self._schedule_flush()
            return
        if event.kind == "paused" and event.dc:
            self._paused[event.dc] = event.message
        elif event.kind == "resumed" and event.dc:
            self._paused.pop(event.dc, None)
        elif event.kind == "notice" and event.message not in self._notices:
            self._notices.append(event.message)
        self._update_status()

    def _schedule_flush(self) -> None:
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        """Show the rows that started and the answers that arrived since the last flush."""
        self._flush_timer.stop()
        checking, self._pending_checking = self._pending_checking, []
        results, self._pending_results = self._pending_results, []
        for index in checking:
            self.model.set_checking(index)
        for result in results:
            self.model.set_result(result)
        if results:
            # QProgressBar.setValue() repaints at once, which would paint the whole
            # window (the table too) inside this slot; let the next frame paint it.
            self.progress.setUpdatesEnabled(False)
            self.progress.setValue(self.model.finished_count())
            self.progress.setUpdatesEnabled(True)
            self.progress.update()
        self._update_status()
        for result in results:
            self.resultArrived.emit(result)

    @Slot(object)
    def _on_last_worked(self, found: dict[str, str]) -> None:
        self.model.set_last_worked(found)

    def _on_done(self, notices: object) -> None:
        self._finish()

    def _on_failed(self, exc: BaseException) -> None:
        log.error("Check-all stopped by an unexpected error: %s", type(exc).__name__)
        self._notices.append(
            _(
                "Checking stopped because of an unexpected problem; the rows shown are what was "
                "checked. The log has details."
            )
        )
        self._finish()

    def _finish(self) -> None:
        self._flush()
        if self.model.rowCount() and not self._resized_after_run:
            # Once, at the end: names and request IDs are known now (not mid-run: jumping).
            # In the next turn of the event loop, so the last answers are painted first and
            # the two never make one long frame.
            self._resized_after_run = True
            QTimer.singleShot(0, self, self.table.resizeColumnsToContents)
        self._running = False
        self._paused.clear()
        self.cancel_button.setEnabled(False)
        self._update_status()
        self.runFinished.emit(self.model.results())

    def _update_status(self) -> None:
        text = status_text(
            self.model.results(),
            total=len(self._rows),
            done=self.model.finished_count(),
            running=self._running,
            started=self._task is not None,
        )
        lines = [text, *self._paused.values(), *self._notices]
        self.status_label.setText("\n".join(lines))

    # -- rows --------------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        # The result sits on the row's first cell (see check_all_model).
        result = self.proxy.data(index.siblingAtColumn(0), RESULT_ROLE)
        if isinstance(result, BatchResult):
            self.outcomeActivated.emit(result.outcome)

    def shown_results(self) -> list[BatchResult]:
        """The finished rows as the table shows them now (filter and sort applied)."""
        shown: list[BatchResult] = []
        for row in range(self.proxy.rowCount()):
            result = self.proxy.data(self.proxy.index(row, 0), RESULT_ROLE)
            if isinstance(result, BatchResult):
                shown.append(result)
        return shown

    # -- export ------------------------------------------------------------------

    def export_to(self, path: Path, fmt: str | None = None) -> int:
        """Write the shown rows to ``path`` as CSV or JSON (by ``fmt`` or the suffix).

        Returns how many rows were written. Raises OSError when the file cannot
        be written. The content is the command's ``--csv``/``--json`` output.
        """
        return check_all_export.write_results(self.shown_results(), path, fmt)

    def _export_clicked(self) -> None:
        saved = check_all_export.ask_and_export(self, self.shown_results())
        if saved is not None:
            self.status_label.setText(saved)

    # -- closing -----------------------------------------------------------------

    def done(self, result: int) -> None:
        """Closing (Close, Esc, the window's close button) cancels a running batch."""
        if self._running:
            self.cancel()
        super().done(result)


def open_for_window(window: MainWindow) -> CheckAllView:
    """File › Check all saved workspaces…: open the view over the window's saved workspaces.

    The rows come from the saved list (already read into memory); the checks run
    in a child process with the window's own settings (API base, PAC override,
    proxy sign-ins: :meth:`Providers.batch_recipe`), or on threads when a checker
    was injected. Opening a row shows its diagnosis in the window's result
    panel and selects that saved workspace (:func:`show_in_window`).
    """
    import os

    from moecheck_gui.batch import rows_from_profiles

    providers = window.check_flow.providers
    # Where the window's checks go outside demo mode (the entry is off in demo mode).
    api_base = os.environ.get("MOECHECK_API_BASE") or None
    recipe = providers.batch_recipe(api_base)
    view = CheckAllView(
        rows_from_profiles(window.profiles),
        recipe if recipe is not None else lambda: providers.checker(api_base),
        keychain_factory=providers.keychain,
        history_factory=providers.history,
        timeout=window.timeout,
        runner=window.runner,
        parent=window,
    )
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    target = weakref.ref(window)  # the view must not keep the window alive

    def activated(outcome: Any) -> None:
        shown = target()
        if shown is not None:
            show_in_window(shown, outcome)

    view.outcomeActivated.connect(activated)
    view.show()
    view.start()
    return view


def show_in_window(window: MainWindow, outcome: Outcome) -> None:
    """Show a check-all row's full diagnosis in the window, with its saved workspace selected."""
    workspace_id = outcome.workspace_id
    if window.profiles.get(workspace_id) is not None:
        window.saved.load(workspace_id)  # fills the form; its key loads on a worker
    window.result_panel.show_outcome(outcome)
    window.activateWindow()  # (the view, its child dialog, stays in front of it)
