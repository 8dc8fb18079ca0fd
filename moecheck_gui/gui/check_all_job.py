"""The check-all view's background job: one batch run on a worker, its news relayed to the GUI.

Why apart from the view: this is the one part of check-all that runs on a
worker thread, and its rule is strict: it never touches a widget. The whole
batch (:class:`moecheck_gui.batch.BatchRunner`, which keeps its own bounded
worker threads) runs inside one task of the window's
:class:`~moecheck_gui.gui.tasks.TaskRunner`; each result and progress event is
*emitted* on a :class:`CheckAllRelay` that lives on the GUI thread, so Qt
queues it there. The checker, keychain and history are built by the factories
on that worker thread, so nothing does network or keychain I/O on the GUI
thread. When the view is gone, emitting fails and the batch is cancelled.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from moecheck_gui.batch import BatchEvent, BatchRow, BatchRunner, CheckerLike, KeySource
from moecheck_gui.history import HistoryStore


class CheckAllRelay(QObject):
    """Carries a running batch's news from the worker thread to the GUI thread.

    Signals:
        result(object): one :class:`BatchResult`.
        progress(object): one :class:`BatchEvent` (checking, paused, resumed, notice).
        lastWorked(object): ``{workspace_id: ISO time}`` of the last successes on record.
    """

    result = Signal(object)
    progress = Signal(object)
    lastWorked = Signal(object)


class CheckAllJob:
    """One check-all run, as the worker thread sees it: plain data and the relay.

    Deliberately holds no widget (see :meth:`CheckAllView.start`). ``cancel()``
    may come from the GUI thread before or after the batch exists.
    """

    def __init__(
        self,
        rows: list[BatchRow],
        checker_factory: Callable[[], CheckerLike],
        keychain_factory: Callable[[], KeySource | None] | None,
        history: HistoryStore | None,
        history_factory: Callable[[], HistoryStore | None] | None,
        concurrency: int,
        timeout: float,
        relay: CheckAllRelay,
    ) -> None:
        self.rows = rows
        self.checker_factory = checker_factory
        self.keychain_factory = keychain_factory
        self.history = history
        self.history_factory = history_factory
        self.concurrency = concurrency
        self.timeout = timeout
        self.relay = relay
        self._lock = threading.Lock()
        self._stop_requested = False
        self._batch: BatchRunner | None = None

    def cancel(self) -> None:
        """Stop the batch (now, or as soon as it is built)."""
        with self._lock:
            self._stop_requested = True
            batch = self._batch
        if batch is not None:
            batch.cancel()

    def run(self) -> list[str]:
        """Worker thread: build the checker, run the batch, emit everything. Never a widget."""
        relay = self.relay
        rows = self.rows
        if self.history is None and self.history_factory is not None:
            self.history = self.history_factory()
        if self.history is not None:
            found = self.history.last_successes([r.workspace_id for r in rows if r.saved])
            if not _emit(relay.lastWorked, {ws: e.at for ws, e in found.items()}):
                return []

        def on_event(event: BatchEvent) -> None:
            _emit(relay.progress, event)

        checker = self.checker_factory()
        keychain = self.keychain_factory() if self.keychain_factory is not None else None
        batch = BatchRunner(
            checker,
            keychain=keychain,
            history=self.history,
            concurrency=self.concurrency,
            timeout=self.timeout,
            on_event=on_event,
        )
        with self._lock:
            self._batch = batch
            if self._stop_requested:
                batch.cancel()
        for result in batch.run(rows):
            if not _emit(relay.result, result):
                batch.cancel()  # the view is gone: stop, and let the rest drain
        return batch.notices


def weakly(method: Callable[[Any], None]) -> Callable[[Any], None]:
    """A callback that calls ``method`` only while its object is still alive."""
    ref = weakref.WeakMethod(method)

    def call(value: Any) -> None:
        bound = ref()
        if bound is not None:
            bound(value)

    return call


def _emit(signal: Any, value: object) -> bool:
    """Emit from a worker thread; False when the receiver's C++ object is gone."""
    try:
        signal.emit(value)
    except RuntimeError:
        return False
    return True
