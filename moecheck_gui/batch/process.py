"""Run a check-all in a child process, so the window's event loop never waits on the checks.

Why a process: a check is mostly Python (requests, urllib3, TLS set-up, judging
the answer). With eight checks on threads inside the window's process, the GUI
thread waited its turn for the interpreter lock behind them: on a two-core
machine the window stalled for 20-55 ms at a time while the table filled in
(docs/benchmarks.md). In a child process the checks compete only for a CPU
core, which the operating system shares out fairly; the window's process only
receives finished results (one small unpickle each, on a worker thread).

What crosses the pipes: the rows and a :class:`BatchRecipe` (how to build the
checker, keychain and history: settings, never live objects) go down; results,
progress events and notices come back (:mod:`.child` lists the messages).
Saved keys are read by the child from the OS keychain itself and never cross;
a row's own key (a file's ``api_key`` column) does, in memory only; no key is
written anywhere (the child writes the history file, which never holds one).

The child is started with "spawn" (a fresh interpreter; never "fork": the app
has threads), as :class:`moecheck_gui.proxy.PacRunner` starts the PAC engine,
so the frozen launchers' ``multiprocessing.freeze_support()`` serves both. A
check behind a PAC file starts that engine from the child (see :mod:`.child`).

Stopping: :meth:`BatchProcess.cancel` asks the child to cancel (its running
checks are cut at once and the rest come back "not checked"); a child that has
not finished :data:`CANCEL_GRACE_S` later is killed, and so is one whose
consumer stopped listening. If the child dies or fails, the rows it never
answered come back "not checked" and a notice says why: the user never waits
on a table that will not fill in.

:class:`BatchProcess` runs like :class:`~moecheck_gui.batch.runner.BatchRunner`
(``run``, ``cancel``, ``notices``); the command keeps the runner on threads,
where no event loop waits.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Generator, Iterable, Iterator
from typing import Any

from moecheck_gui.batch import child
from moecheck_gui.batch.events import BatchEvent, EventFn
from moecheck_gui.batch.recipe import BatchRecipe
from moecheck_gui.batch.results import BatchResult
from moecheck_gui.batch.rows import BatchRow
from moecheck_gui.batch.runner import DEFAULT_CONCURRENCY, check_concurrency
from moecheck_gui.batch.unsent import not_checked_outcome
from moecheck_gui.i18n import _

log = logging.getLogger(__name__)

CANCEL_GRACE_S = 5.0
"""After a cancel, how long the child may take to send its last results before it is killed."""
_POLL_S = 0.1

__all__ = ["CANCEL_GRACE_S", "BatchProcess", "BatchRecipe"]


class BatchProcess:
    """Checks many rows in a child process; runs like :class:`BatchRunner` (see the module).

    One instance runs once. ``on_event`` is called on the thread that iterates
    :meth:`run`; :meth:`cancel` may be called from any thread, before or during
    the run. ``pid`` is the child's process ID while it runs (tests read it).
    """

    def __init__(
        self,
        recipe: BatchRecipe,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float = 15.0,
        on_event: EventFn | None = None,
        cancel_grace_s: float = CANCEL_GRACE_S,
    ) -> None:
        self.recipe = recipe
        self.concurrency = check_concurrency(concurrency)
        self.timeout = timeout
        self.on_event = on_event
        self.cancel_grace_s = cancel_grace_s
        self.notices: list[str] = []
        """Sentences for the user (history notices, a child that stopped), each once."""
        self.pid: int | None = None
        self._lock = threading.Lock()
        self._control: Any = None
        self._cancel_at: float | None = None
        self._started = False

    # -- public ------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop: running checks end as ``cancelled``, unchecked rows come back ``cancelled``."""
        with self._lock:  # (the pipe is closed under this lock too: never sent on once closed)
            if self._cancel_at is None:
                self._cancel_at = time.monotonic()
            if self._control is not None:
                self._send_cancel(self._control)

    def run(self, rows: Iterable[BatchRow]) -> Iterator[BatchResult]:
        """Check every row in a child process; yield each result as it arrives.

        Every row yields exactly one result: answered by the child, or "not
        checked" when the run was cancelled, the child was killed or it failed.
        Stopping the iteration early (closing the generator) stops the child.
        """
        if self._started:
            raise RuntimeError("A BatchProcess runs once")
        self._started = True
        pending = dict(enumerate(rows))
        finished = False
        if pending and self._cancel_at is None:  # (stopped before it began: no process at all)
            finished = yield from self._from_child(pending)
        if pending and not finished and self._cancel_at is None:
            self._notice(
                _(
                    "Checking stopped because of an unexpected problem; the workspaces not "
                    "yet checked are marked not checked. The log has details."
                )
            )
        for index, row in sorted(pending.items()):
            yield BatchResult(not_checked_outcome(row), row.label, row.line, index)

    def run_all(self, rows: Iterable[BatchRow]) -> list[BatchResult]:
        """Check every row; all results in input order."""
        return sorted(self.run(rows), key=lambda r: r.index)

    # -- the child ---------------------------------------------------------------

    def _from_child(self, pending: dict[int, BatchRow]) -> Generator[BatchResult, None, bool]:
        """Start the child, yield its results (removing them from ``pending``), stop it.

        Returns True when the child finished its run; rows left in ``pending``
        are the caller's to answer.
        """
        ctx = multiprocessing.get_context("spawn")
        control_read, control_write = ctx.Pipe(duplex=False)
        results_read, results_write = ctx.Pipe(duplex=False)
        process = ctx.Process(
            target=child.serve,
            args=(control_read, results_write),
            name="moecheck-check-all",
            daemon=True,
        )
        finished = False
        try:
            process.start()
            self.pid = process.pid
            control_read.close()
            results_write.close()
            control_write.send(
                ("run", self.recipe, list(pending.values()), self.concurrency, self.timeout)
            )
            with self._lock:
                self._control = control_write
                if self._cancel_at is not None:
                    self._send_cancel(control_write)
            for message in self._messages(results_read, process):
                kind = message[0]
                if kind == "result":
                    result: BatchResult = message[1]
                    if pending.pop(result.index, None) is not None:
                        yield result
                elif kind == "event":
                    self._event(message[1])
                elif kind == "log":
                    _log_from_child(message)
                elif kind == "done":
                    for notice in message[1]:
                        self._notice(notice)
                    finished = True
                    break
                elif kind == "failed":
                    log.error("The check-all process failed: %s", message[1])
                    break
        except Exception as exc:  # noqa: BLE001 - every row still gets its answer below
            log.error("The check-all process could not be used: %s", type(exc).__name__)
        finally:
            with self._lock:
                self._control = None
                control_write.close()
            self._stop(
                process, control_write, results_read, control_read, results_write, wait=not finished
            )
        return finished

    def _messages(self, conn: Any, process: Any) -> Iterator[tuple[Any, ...]]:
        """The child's messages until it closes its end, dies, or overstays a cancel."""
        while True:
            cancel_at = self._cancel_at
            if cancel_at is not None and time.monotonic() - cancel_at > self.cancel_grace_s:
                log.warning("The check-all process did not stop when asked; it is stopped now")
                return
            try:
                if not conn.poll(_POLL_S):
                    if not process.is_alive() and not conn.poll(0):
                        log.error("The check-all process ended early (exit %s)", process.exitcode)
                        return
                    continue
                message = conn.recv()
            except (EOFError, OSError):
                return
            if isinstance(message, tuple) and message:
                yield message

    @staticmethod
    def _send_cancel(control: Any) -> None:
        try:
            control.send(("cancel",))
        except (OSError, ValueError):
            pass  # the child is gone already

    @staticmethod
    def _stop(process: Any, *conns: Any, wait: bool) -> None:
        """Close the pipes (the child takes that as a cancel) and make sure it exits.

        After a clean finish the child is already on its way out: a daemon thread
        reaps it, so the last result is not held back by the child's exit.
        """
        for conn in conns:
            try:
                conn.close()
            except OSError:
                pass
        if process.pid is None:
            return
        if wait:
            _reap(process)
        else:
            threading.Thread(
                target=_reap, args=(process,), name="moecheck-check-all-reaper", daemon=True
            ).start()

    # -- events ------------------------------------------------------------------

    def _event(self, event: BatchEvent) -> None:
        if event.kind == "notice":
            if event.message in self.notices:
                return
            self.notices.append(event.message)
        if self.on_event is not None:
            self.on_event(event)

    def _notice(self, text: str) -> None:
        self._event(BatchEvent("notice", text))


def _log_from_child(message: tuple[Any, ...]) -> None:
    """A log record the child sent: logged here, where the app's log file and redaction are."""
    if len(message) != 4:
        return
    _kind, level, name, text = message
    if isinstance(level, int) and isinstance(name, str) and isinstance(text, str):
        logging.getLogger(name).log(level, "%s (in the check-all process)", text)


def _reap(process: Any) -> None:
    """Wait briefly for the child to exit; kill it if it does not."""
    process.join(1.0)
    if process.is_alive():
        process.kill()
        process.join(2.0)
