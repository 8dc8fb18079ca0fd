"""The check-all runner: many rows, a few checks at a time, pausing a DC after a 429, stoppable.

Why it is built this way:

* **Gentle on MoEngage.** At most ``concurrency`` checks at once (4 by default,
  16 at most). A ``429`` pauses every further check on that data center until
  its ``Retry-After`` has passed (:data:`DEFAULT_PAUSE_S` without one, at most
  :data:`MAX_PAUSE_S`); the pause and its end are reported as
  :class:`~moecheck_gui.batch.events.BatchEvent`\\ s. The row that got the 429
  is reported as ``rate_limited``, not retried.
* **One deadline per check**, the same ``timeout`` as a single check; time spent
  waiting out a pause does not count against it.
* **Cancel is prompt.** One :class:`CancelToken` is shared by every check (the
  client cuts their sockets); rows not yet started come back as ``cancelled``.
* **Memory does not grow with the input.** Workers pull a row from the source
  only when free, through a bounded queue, so a slow consumer holds them back.
* **Keys never leave.** A key read from the keychain or a file lives in a local
  variable for one check.

Saved workspaces get history: each finished check is annotated
(``previously_worked_at``, renamed workspace) and then recorded.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from moecheck_gui.batch.events import BatchEvent, EventFn
from moecheck_gui.batch.protocols import CheckerLike, KeySource
from moecheck_gui.batch.results import BatchResult, dc_text
from moecheck_gui.batch.rows import AUTO, BatchRow, BatchUsageError
from moecheck_gui.batch.unsent import not_checked_outcome, refused_outcome
from moecheck_gui.datacenters import DC_CODES
from moecheck_gui.history import HistoryStore, annotate_with, now_iso
from moecheck_gui.i18n import _
from moecheck_gui.outcome import Kind, Outcome

if TYPE_CHECKING:
    from moecheck_gui.cancel import CancelToken
    from moecheck_gui.client import LogFn

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
DEFAULT_PAUSE_S = 10.0
"""How long a DC pauses after a 429 that names no ``Retry-After``."""
MAX_PAUSE_S = 300.0
"""The longest pause honoured; longer ``Retry-After`` values are cut to this."""


class _Done:
    """A worker finished (queue marker)."""


@dataclass(frozen=True)
class _Failed:
    """The row source raised (a file changed under us): re-raised in the consumer."""

    error: BaseException


def check_concurrency(value: int) -> int:
    """``value`` if it is a valid concurrency (1..16), else :class:`BatchUsageError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONCURRENCY:
        raise BatchUsageError(
            _(
                "The concurrency must be a whole number from 1 to {maximum} (default {default})."
            ).format(maximum=MAX_CONCURRENCY, default=DEFAULT_CONCURRENCY)
        )
    return value


class BatchRunner:
    """Checks many rows with bounded concurrency; see :mod:`moecheck_gui.batch`.

    One runner runs once. ``on_event`` is called from worker threads (keep it
    quick and thread-safe: the window's view relays it as a signal).
    :meth:`run` yields results as they finish, on the caller's thread.
    """

    def __init__(
        self,
        checker: CheckerLike,
        *,
        keychain: KeySource | None = None,
        history: HistoryStore | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float = 15.0,
        cancel: CancelToken | None = None,
        on_event: EventFn | None = None,
        log: LogFn | None = None,
        default_pause_s: float = DEFAULT_PAUSE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from moecheck_gui.cancel import CancelToken

        self.checker = checker
        self.keychain = keychain
        self.history = history
        self.concurrency = check_concurrency(concurrency)
        self.timeout = timeout
        self.cancel_token = cancel if cancel is not None else CancelToken()
        self.on_event = on_event
        self.log = log
        self.default_pause_s = default_pause_s
        self.notices: list[str] = []
        """Sentences from the history store, each once (also sent as ``notice`` events)."""
        self._clock = clock
        self._pause = threading.Condition()
        self._paused_until: dict[str, float] = {}
        self._keychain_lock = threading.Lock()
        self._keychain_problem: str | None = None
        self._source_lock = threading.Lock()
        self._abandoned = False
        self._started = False

    # -- public ------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop: running checks end as ``cancelled``, unchecked rows come back ``cancelled``."""
        self.cancel_token.cancel()

    def run(self, rows: Iterable[BatchRow]) -> Iterator[BatchResult]:
        """Check every row; yield each :class:`BatchResult` as it finishes (completion order).

        Stopping the iteration early (closing the generator) cancels the rest.
        Raises :class:`BatchUsageError` if the row source does (a file that
        became unreadable mid-run), after cancelling the other checks.
        """
        if self._started:
            raise RuntimeError("A BatchRunner runs once")
        self._started = True
        source = iter(rows)
        indexes = itertools.count()
        # Bounded, so workers never run far ahead of a slow consumer: rows are
        # pulled from the source only as results are taken.
        results: queue.Queue[BatchResult | _Done | _Failed] = queue.Queue(
            maxsize=2 * self.concurrency
        )
        workers = [
            threading.Thread(
                target=self._work,
                args=(source, indexes, results),
                name=f"moecheck-batch-{n}",
                daemon=True,
            )
            for n in range(self.concurrency)
        ]
        for worker in workers:
            worker.start()
        running = len(workers)
        failure: BaseException | None = None
        try:
            while running:
                item = results.get()
                if isinstance(item, _Done):
                    running -= 1
                elif isinstance(item, _Failed):
                    failure = failure or item.error
                    self.cancel()
                else:
                    yield item
        finally:
            if running:
                self._abandoned = True
                self.cancel()
        if failure is not None:
            raise failure

    def run_all(self, rows: Iterable[BatchRow]) -> list[BatchResult]:
        """Check every row; all results in input order (for ``--json``/``--csv``)."""
        return sorted(self.run(rows), key=lambda r: r.index)

    # -- workers -----------------------------------------------------------------

    def _work(
        self,
        source: Iterator[BatchRow],
        indexes: Iterator[int],
        results: queue.Queue[BatchResult | _Done | _Failed],
    ) -> None:
        try:
            while True:
                with self._source_lock:
                    if self._abandoned:
                        return
                    row = next(source, None)
                    if row is None:
                        return
                    index = next(indexes)
                self._put(results, self._one(row, index))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer's thread
            self._put(results, _Failed(exc))
        finally:
            self._put(results, _Done())

    def _put(
        self,
        results: queue.Queue[BatchResult | _Done | _Failed],
        item: BatchResult | _Done | _Failed,
    ) -> None:
        """Hand an item to the consumer; drop it once the consumer has gone away."""
        while not self._abandoned:
            try:
                results.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _one(self, row: BatchRow, index: int) -> BatchResult:
        outcome = self._outcome(row, index)
        last_worked: str | None = now_iso() if outcome.ok else None
        if row.saved and self.history is not None and row.workspace_id:
            last = self.history.last_success(row.workspace_id)
            outcome = annotate_with(outcome, last)
            notice = self.history.record(row.workspace_id, outcome)
            if notice:
                self._notice(notice)
            if last_worked is None and last is not None:
                last_worked = last.at
        return BatchResult(outcome, row.label, row.line, index, last_worked)

    def _outcome(self, row: BatchRow, index: int) -> Outcome:
        started = time.monotonic()
        if row.problem is not None:
            return refused_outcome(row, row.problem, row.problem_field or "workspace_id")
        if self.cancel_token.cancelled:
            return not_checked_outcome(row)
        key, why = self._key_for(row)
        if key is None:
            return refused_outcome(row, why, "api_key")
        if not self._wait_for_dc(row, index):
            return not_checked_outcome(row)
        log = self._row_log(row)
        if row.dc == AUTO:
            outcome = self.checker.detect(
                row.workspace_id, key, timeout=self.timeout, cancel=self.cancel_token, log=log
            )
        else:
            outcome = self.checker.check(
                row.workspace_id,
                key,
                row.dc,
                timeout=self.timeout,
                cancel=self.cancel_token,
                log=log,
            )
        del key
        self._note_rate_limit(outcome, row)
        if outcome.elapsed_ms <= 0:
            outcome = outcome.replace(elapsed_ms=(time.monotonic() - started) * 1000.0)
        return outcome

    def _row_log(self, row: BatchRow) -> LogFn | None:
        """The client's log lines for one row, each after its workspace ID (checks overlap)."""
        log = self.log
        if log is None:
            return None
        prefix = f"{row.workspace_id}: "

        def row_log(line: str) -> None:
            log(prefix + line)

        return row_log

    def _key_for(self, row: BatchRow) -> tuple[str | None, str]:
        """The key for a row (keychain first, then the file) or why there is none."""
        from moecheck_gui.keychain import KeychainError, KeychainUnavailable

        why = ""
        if self.keychain is not None:
            with self._keychain_lock:
                problem = self._keychain_problem
                if problem is None:
                    try:
                        key = self.keychain.load(row.workspace_id)
                    except KeychainUnavailable as exc:
                        self._keychain_problem = problem = exc.message
                    except KeychainError as exc:
                        problem = exc.message
                    else:
                        if key:
                            return key, ""
            if problem:
                why = _("The saved key could not be read: {problem}").format(problem=problem)
        if row.api_key:
            return row.api_key, ""
        if why:
            return None, why
        if row.line is not None:
            return None, _(
                "No Data API key for this workspace: none is saved in the keychain and the "
                "file has none in an api_key column."
            )
        return None, _("No Data API key is saved in the keychain for this workspace.")

    # -- rate limits ---------------------------------------------------------------

    def _dcs_of(self, row: BatchRow) -> tuple[str, ...]:
        return DC_CODES if row.dc == AUTO else (row.dc,)

    def _wait_for_dc(self, row: BatchRow, index: int) -> bool:
        """Wait while the row's DC (any DC, for ``auto``) is paused; False if cancelled."""
        dcs = self._dcs_of(row)
        while True:
            with self._pause:
                now = self._clock()
                until = max((self._paused_until.get(dc, 0.0) for dc in dcs), default=0.0)
                if until <= now:
                    for dc in dcs:
                        if dc in self._paused_until:
                            del self._paused_until[dc]
                            self._emit(
                                BatchEvent(
                                    "resumed",
                                    _(
                                        "Checks on {dc} go on: the pause MoEngage asked "
                                        "for has passed."
                                    ).format(dc=dc_text(dc)),
                                    dc=dc,
                                )
                            )
                    self._emit(
                        BatchEvent(
                            "checking",
                            _("Checking {workspace} ({dc}).").format(
                                workspace=row.workspace_id, dc=dc_text(row.dc)
                            ),
                            index=index,
                            workspace_id=row.workspace_id,
                            dc=row.dc,
                        )
                    )
                    return not self.cancel_token.cancelled
            if self.cancel_token.wait(max(0.0, until - now)):
                return False

    def _note_rate_limit(self, outcome: Outcome, row: BatchRow) -> None:
        """After a 429, pause the DC(s) that sent it."""
        limited: list[str] = []
        if outcome.kind == Kind.RATE_LIMITED and outcome.dc:
            limited.append(outcome.dc)
        for dc, attempt in (outcome.attempts or {}).items():
            if attempt.kind == Kind.RATE_LIMITED and dc not in limited:
                limited.append(dc)
        if not limited:
            return
        wait = outcome.retry_after_s if outcome.retry_after_s is not None else None
        seconds = min(float(wait) if wait is not None else self.default_pause_s, MAX_PAUSE_S)
        if seconds <= 0:
            return
        with self._pause:
            until = self._clock() + seconds
            for dc in limited:
                if until > self._paused_until.get(dc, 0.0):
                    self._paused_until[dc] = until
                    self._emit(
                        BatchEvent(
                            "paused",
                            _(
                                "MoEngage asked to slow down on {dc} (HTTP 429 for "
                                "{workspace}): waiting {seconds} s before the next "
                                "check there."
                            ).format(
                                dc=dc_text(dc), workspace=row.workspace_id, seconds=f"{seconds:g}"
                            ),
                            workspace_id=row.workspace_id,
                            dc=dc,
                            wait_s=seconds,
                        )
                    )

    # -- events --------------------------------------------------------------------

    def _emit(self, event: BatchEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def _notice(self, text: str) -> None:
        with self._pause:
            if text in self.notices:
                return
            self.notices.append(text)
            self._emit(BatchEvent("notice", text))
