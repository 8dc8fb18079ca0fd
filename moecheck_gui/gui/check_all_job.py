"""The check-all view's background job: one batch run, its news relayed to the GUI thread.

Why apart from the view: this is the one part of check-all that runs off the
GUI thread, and its rule is strict: it never touches a widget. The job runs
inside one task of the window's :class:`~moecheck_gui.gui.tasks.TaskRunner`;
each result and progress event is *emitted* on a :class:`CheckAllRelay` that
lives on the GUI thread, so Qt queues it there. When the view is closed or
deleted, it cancels the job; news still on its way is dropped.

Where the checks run: given a :class:`~moecheck_gui.batch.process.BatchRecipe`
(what the window gives), in a child process
(:class:`~moecheck_gui.batch.process.BatchProcess`): eight checks on threads in
this process would hold the interpreter lock the GUI thread needs to paint, and
the window would stall for tens of milliseconds at a time; this task then only
receives finished results. Given a checker factory instead (an injected checker,
which cannot cross a process boundary: tests' spies and fakes), the batch runs on
threads here (:class:`~moecheck_gui.batch.BatchRunner`), as the command's does.
Either way the checker, keychain and history are built off the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Union

import shiboken6
from PySide6.QtCore import QObject, Signal

from moecheck_gui.batch import BatchEvent, BatchLike, BatchRow, CheckerLike, KeySource
from moecheck_gui.history import HistoryStore

if TYPE_CHECKING:
    from moecheck_gui.batch.recipe import BatchRecipe

CheckerSource = Union["BatchRecipe", Callable[[], CheckerLike]]
"""A recipe (the batch runs in a child process) or a checker factory (on threads here)."""


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
        checks: CheckerSource,
        keychain_factory: Callable[[], KeySource | None] | None,
        history: HistoryStore | None,
        history_factory: Callable[[], HistoryStore | None] | None,
        concurrency: int,
        timeout: float,
        relay: CheckAllRelay,
    ) -> None:
        self.rows = rows
        self.checks = checks
        self.keychain_factory = keychain_factory
        self.history = history
        self.history_factory = history_factory
        self.concurrency = concurrency
        self.timeout = timeout
        self.relay = relay
        self._lock = threading.Lock()
        self._stop_requested = False
        self._batch: BatchLike | None = None

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

        batch = self._make_batch(on_event)
        with self._lock:
            self._batch = batch
            if self._stop_requested:
                batch.cancel()
        for result in batch.run(rows):
            if not _emit(relay.result, result):
                batch.cancel()  # the view is gone: stop, and let the rest drain
        return batch.notices

    def _make_batch(self, on_event: Callable[[BatchEvent], None]) -> BatchLike:
        """A child-process batch from a recipe; a threaded one from a checker factory."""
        if callable(self.checks):
            from moecheck_gui.batch import BatchRunner

            keychain = self.keychain_factory() if self.keychain_factory is not None else None
            return BatchRunner(
                self.checks(),
                keychain=keychain,
                history=self.history,
                concurrency=self.concurrency,
                timeout=self.timeout,
                on_event=on_event,
            )
        from moecheck_gui import i18n
        from moecheck_gui.batch.process import BatchProcess

        recipe = replace(
            self.checks,
            history_path=self.history.path if self.history is not None else None,
            language=i18n.current_language(),
            log_level=max(logging.DEBUG, logging.getLogger().getEffectiveLevel()),
        )
        return BatchProcess(
            recipe, concurrency=self.concurrency, timeout=self.timeout, on_event=on_event
        )


def weakly(method: Callable[[Any], None]) -> Callable[[Any], None]:
    """A callback that calls ``method`` only while its object is still alive.

    Alive means both halves: the Python object (the view is not held by the
    task) and, for a Qt object, its C++ side (a view closed with
    ``WA_DeleteOnClose`` is deleted while Python code may still hold it;
    news arriving after that is dropped, not a traceback).
    """
    ref = weakref.WeakMethod(method)

    def call(value: Any) -> None:
        bound = ref()
        if bound is not None and shiboken6.isValid(getattr(bound, "__self__", None)):
            bound(value)

    return call


def _emit(signal: Any, value: object) -> bool:
    """Emit from a worker thread; False when the receiver's C++ object is gone."""
    try:
        signal.emit(value)
    except RuntimeError:
        return False
    return True
