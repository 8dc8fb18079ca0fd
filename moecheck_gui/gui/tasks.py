"""The one background-task helper: run a blocking call off the GUI thread, get the result back.

Why plain daemon Python threads and not QThread/QThreadPool: a check can hang
inside a socket read until its deadline. When the user closes the window, the
app must exit at once; a QThread that is still running at exit makes Qt print
"QThread: Destroyed while thread is still running" and abort, and a QThreadPool
waits for its runnables. A daemon thread is simply abandoned at exit.

How results come back: the thread never touches a widget. It emits a signal on
a :class:`TaskRunner` that lives on the GUI thread; because the emitting thread
is not the receiver's thread, Qt queues the call onto the GUI thread's event
loop. The runner then calls the task's callbacks there.

Stale results: :meth:`TaskRunner.discard` forgets a task's callbacks, so a
result that arrives after a cancel (or after the inputs changed) is dropped
instead of being shown as current. After :meth:`TaskRunner.shutdown` nothing
is delivered at all.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class _Pending:
    """A task's callbacks. (A plain class: a dataclass costs ~0.5 ms at import.)"""

    __slots__ = ("name", "on_error", "on_result")

    def __init__(self, name: str, on_result: ResultCallback, on_error: ErrorCallback | None):
        self.name = name
        self.on_result = on_result
        self.on_error = on_error


class TaskRunner(QObject):
    """Runs callables on daemon threads and delivers their outcome on the GUI thread.

    Signals:
        succeeded(int, object): a task finished; task id and its return value.
            Emitted from the worker thread, delivered queued on the GUI thread.
        failed(int, object): a task raised; task id and the exception.
        taskDone(int): emitted on the GUI thread after a task's callbacks ran
            (or were skipped because the task was discarded). For tests and
            for anything that wants to know the runner is idle.
    """

    succeeded = Signal(int, object)
    failed = Signal(int, object)
    taskDone = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._closed = False
        self._lock = threading.Lock()
        self._threads: dict[int, threading.Thread] = {}
        self._held = 0
        self.succeeded.connect(self._deliver_result)
        self.failed.connect(self._deliver_error)

    def start(
        self,
        fn: Callable[[], Any],
        on_result: ResultCallback,
        on_error: ErrorCallback | None = None,
        *,
        name: str = "task",
    ) -> int:
        """Run ``fn()`` on a new daemon thread; return the task id.

        ``on_result(value)`` or ``on_error(exc)`` is later called on the GUI
        thread, unless the task was discarded or the runner shut down. With no
        ``on_error`` the exception is re-raised on the GUI thread, where the
        app's unexpected-error handler shows it.
        """
        if self._closed:
            raise RuntimeError("TaskRunner has been shut down")
        task_id = next(self._ids)
        self._pending[task_id] = _Pending(name, on_result, on_error)
        thread = threading.Thread(
            target=self._run, args=(task_id, fn), name=f"moecheck-{name}-{task_id}", daemon=True
        )
        with self._lock:
            self._threads[task_id] = thread
        thread.start()
        return task_id

    def _run(self, task_id: int, fn: Callable[[], Any]) -> None:
        """Worker-thread body: call, then emit. Never touches widgets."""
        try:
            result = fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self._emit(self.failed, task_id, exc)
        else:
            self._emit(self.succeeded, task_id, result)
        finally:
            with self._lock:
                self._threads.pop(task_id, None)

    def _emit(self, signal: Any, task_id: int, value: object) -> None:
        with self._lock:
            if self._closed:
                return
        try:
            signal.emit(task_id, value)
        except RuntimeError:
            # The runner's C++ object is gone (window closed and deleted while
            # this task was still running): nobody wants the result.
            log.debug("Dropped the result of task %s: runner deleted", task_id)

    @Slot(int, object)
    def _deliver_result(self, task_id: int, value: object) -> None:
        pending = self._pending.pop(task_id, None)
        try:
            if pending is not None and not self._closed:
                pending.on_result(value)
        finally:
            self.taskDone.emit(task_id)

    @Slot(int, object)
    def _deliver_error(self, task_id: int, exc: object) -> None:
        pending = self._pending.pop(task_id, None)
        try:
            if pending is None or self._closed:
                return
            if not isinstance(exc, BaseException):
                exc = TypeError(f"task {task_id} failed with a non-exception: {exc!r}")
            if pending.on_error is None:
                raise exc
            pending.on_error(exc)
        finally:
            self.taskDone.emit(task_id)

    def discard(self, task_id: int | None) -> None:
        """Drop a task's callbacks: its result, whenever it arrives, is ignored."""
        if task_id is not None:
            self._pending.pop(task_id, None)

    def is_pending(self, task_id: int | None) -> bool:
        """True while a task's result is still wanted and has not arrived."""
        return task_id is not None and task_id in self._pending

    def running_count(self) -> int:
        """Worker threads still running (including discarded tasks), plus held work.

        Held work (see :meth:`hold`) counts as one running task, so "wait until
        the runner is idle" also waits for start-up work that is scheduled but
        has not begun yet.
        """
        with self._lock:
            return self._held + sum(1 for t in self._threads.values() if t.is_alive())

    def hold(self) -> None:
        """Announce work that will start tasks soon (the window's after-first-paint start-up)."""
        with self._lock:
            self._held += 1

    def release(self) -> None:
        """The announced work has run (and started whatever tasks it needed)."""
        with self._lock:
            self._held = max(0, self._held - 1)

    def shutdown(self) -> None:
        """Stop delivering anything; running threads are abandoned (they are daemons)."""
        with self._lock:
            self._closed = True
        self._pending.clear()
