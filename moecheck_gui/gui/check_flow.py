"""The running check: start it off the GUI thread, tick while it runs, end it exactly once.

Why a QObject of its own, without widgets: a check has a lifetime (a cancel
token, a background task, the key registered with the log's redaction, a
ticker for the elapsed time) and four ways to end (a result, a cancel, a bug
in the worker, the window closing). All four go through one teardown,
:meth:`CheckFlow._end`, so none of them can forget to drop the task, stop the
ticker or unregister the key. The window only shows what the signals say.

Repeatable: each :meth:`CheckFlow.start` makes a new :class:`CheckRun`; a
slot connected to :attr:`CheckFlow.finished` may start the next check at once
(the run is over and its key unregistered before ``finished`` is emitted), so
a "keep checking until it works" loop can be built on top of this.

History: a check of a *saved* workspace (``record=True``) is annotated from
and added to the history of checks (:func:`moecheck_gui.history.annotate_and_record`)
inside the check's task, on the worker thread, so the outcome that reaches the
window already carries ``previously_worked_at`` and no file I/O happens on the
GUI thread. A check with "Remember" ticked that works is recorded too (it is
the check that saves the workspace, PRODUCT.md 3.7).

Start-up cost: imported before the first paint, so the core's outcome,
messages and client modules are imported only when a check starts or ends.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from moecheck_gui import applog

if TYPE_CHECKING:
    from moecheck_gui.cancel import CancelToken
    from moecheck_gui.gui.credentials_form import TypedCredentials
    from moecheck_gui.gui.providers import Providers
    from moecheck_gui.gui.tasks import TaskRunner
    from moecheck_gui.outcome import Outcome

log = logging.getLogger(__name__)

TICK_MS = 100
"""How often :attr:`CheckFlow.tick` reports the elapsed time while a check runs."""


class CheckRun:
    """One started check: what was typed, how it is run, when it started.

    (A plain class: a dataclass costs ~0.5 ms at import, before the first
    paint.) Its ``repr`` never shows the key.
    """

    __slots__ = (
        "api_base",
        "detect",
        "history_notice",
        "record",
        "started",
        "task_id",
        "token",
        "typed",
        "unrecorded_kinds",
    )

    def __init__(
        self,
        typed: TypedCredentials,
        *,
        detect: bool,
        api_base: str | None,
        token: CancelToken,
        record: bool = False,
        unrecorded_kinds: frozenset[str] = frozenset(),
    ) -> None:
        self.typed = typed
        self.record = record
        """True for a saved workspace: the outcome is annotated from and added to the history."""
        self.unrecorded_kinds = unrecorded_kinds
        """Failures of these kinds are annotated but not added (keep checking's repeated tries)."""
        self.history_notice: str | None = None
        """Set by the worker: the history's notice for the user (e.g. it was corrupt), or None."""
        self.detect = detect
        """True when every DC is tried (the dropdown said "auto", or Try all was asked)."""
        self.api_base = api_base
        self.token = token
        self.task_id = 0
        self.started = time.monotonic()

    @property
    def workspace_id(self) -> str:
        """The workspace ID as typed, without outer whitespace."""
        return self.typed.workspace_id.strip()

    @property
    def dc(self) -> str:
        """The DC chosen in the form (``"auto"`` for detection)."""
        return self.typed.dc

    @property
    def secret(self) -> str:
        """The key as typed: registered with the log's redaction while the check runs."""
        return self.typed.api_key

    def elapsed_s(self) -> float:
        """Seconds since the check started."""
        return time.monotonic() - self.started

    def __repr__(self) -> str:
        """Never shows the key."""
        return f"CheckRun(task {self.task_id}, {self.workspace_id}, {self.dc})"


class CheckFlow(QObject):
    """Owns the one running check: its token, task, registered key and ticker.

    Signals:
        started(object): a check started; its :class:`CheckRun`.
        tick(float): while a check runs, every :data:`TICK_MS`: seconds elapsed.
        finished(object, object): a check ended with an Outcome (the result,
            or ``cancelled`` when stopped) and its :class:`CheckRun`. The run is
            over and its key unregistered by then; a slot may start the next.
        crashed(object, object): a bug in the worker ended the check: the
            exception and the :class:`CheckRun`. Emitted while the key is still
            registered, so a report written by the slot has it redacted.
        closed(): :meth:`close` was called (the window is closing): no more checks.
    """

    started = Signal(object)
    tick = Signal(float)
    finished = Signal(object, object)
    crashed = Signal(object, object)
    closed = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        providers: Providers,
        *,
        timeout: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.providers = providers
        self.timeout = timeout
        """The overall deadline per check, in seconds."""
        self._run: CheckRun | None = None
        self._closed = False
        self._held: dict[str, int] = {}
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._on_tick)

    @property
    def is_running(self) -> bool:
        """True while a check runs (its result is still wanted)."""
        return self._run is not None

    @property
    def current(self) -> CheckRun | None:
        """The running check, if any."""
        return self._run

    @property
    def is_closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def start(
        self,
        typed: TypedCredentials,
        *,
        detect: bool = False,
        api_base: str | None = None,
        record: bool = False,
        unrecorded_kinds: frozenset[str] = frozenset(),
    ) -> CheckRun | None:
        """Start checking ``typed`` on a worker thread; None (nothing sent) if one runs.

        ``detect`` tries every DC whatever ``typed.dc`` says (``"auto"`` always does).
        ``api_base`` replaces MoEngage's address (the sandbox, ``MOECHECK_API_BASE``).
        ``record``: a saved workspace; see "History" in the module docstring.
        ``unrecorded_kinds``: failures of these kinds are not added to the history
        (a loop of tries would otherwise push the last success out of the short
        history); a success, and any other failure, still are.
        """
        if self._run is not None or self._closed:
            return None
        from moecheck_gui.cancel import CancelToken  # imports only threading

        run = CheckRun(
            typed,
            detect=detect or typed.dc == "auto",
            api_base=api_base,
            token=CancelToken(),
            record=record,
            unrecorded_kinds=unrecorded_kinds,
        )
        applog.register_secret(run.secret)
        providers, timeout = self.providers, self.timeout

        def work() -> Outcome:
            checker = providers.checker(api_base)
            line_log = logging.getLogger("moecheck.check").debug
            if run.detect:
                outcome = checker.detect(
                    typed.workspace_id,
                    typed.api_key,
                    timeout=timeout,
                    cancel=run.token,
                    log=line_log,
                )
            else:
                outcome = checker.check(
                    typed.workspace_id,
                    typed.api_key,
                    typed.dc,
                    timeout=timeout,
                    cancel=run.token,
                    log=line_log,
                )
            return keep_history(outcome, run, providers)

        run.task_id = self.runner.start(work, self._on_result, self._on_error, name="check")
        self._run = run
        log.info(
            "Check started: workspace %s, %s", run.workspace_id, "detect" if run.detect else run.dc
        )
        self._ticker.start()
        self.started.emit(run)
        return run

    def cancel(self, reason: str | None = None) -> None:
        """Stop the running check at once; ``finished`` brings a ``cancelled`` Outcome.

        ``reason`` replaces the usual "you stopped it" message (e.g. "you
        changed the details"). The abandoned request ends in the background
        and its late answer is dropped.
        """
        run = self._run
        if run is None:
            return
        from moecheck_gui.outcome import Kind
        from moecheck_gui.stopped import stopped_outcome

        outcome = stopped_outcome(
            Kind.CANCELLED,
            run.workspace_id,
            None if run.detect else run.dc,
            elapsed_ms=run.elapsed_s() * 1000,
            detected=run.detect,
            message=reason,
        )
        log.info("Check cancelled%s", f" ({reason})" if reason else "")
        self._end(outcome=outcome, cancel=True)

    def close(self) -> None:
        """The window is closing: abandon any running check silently; start no more."""
        if self._closed:
            return
        self._closed = True
        self._end(cancel=True, quiet=True)
        self.closed.emit()

    def hold_secret(self, secret: str) -> None:
        """Keep ``secret`` registered with the log's redaction across checks (until released).

        For a loop of checks ("keep checking"): each check unregisters its key
        when it ends, which would leave the key unredacted between tries.
        """
        applog.register_secret(secret)
        self._held[secret] = self._held.get(secret, 0) + 1

    def release_secret(self, secret: str) -> None:
        """Undo one :meth:`hold_secret`; the key is unregistered unless a check still uses it."""
        left = self._held.get(secret, 0) - 1
        if left > 0:
            self._held[secret] = left
            return
        self._held.pop(secret, None)
        if self._run is None or self._run.secret != secret:
            applog.unregister_secret(secret)

    def _on_tick(self) -> None:
        if self._run is not None:
            self.tick.emit(self._run.elapsed_s())

    def _on_result(self, outcome: Outcome) -> None:
        if self._run is None:
            return
        log.info(
            "Check finished: %s (HTTP %s, request %s)",
            outcome.kind or "ok",
            outcome.http_status,
            outcome.request_id,
        )
        self._end(outcome=outcome)

    def _on_error(self, exc: BaseException) -> None:
        """A bug in the worker (the client never raises for network trouble)."""
        self._end(error=exc)

    def _end(
        self,
        *,
        outcome: Outcome | None = None,
        error: BaseException | None = None,
        cancel: bool = False,
        quiet: bool = False,
    ) -> None:
        """The one way a check ends: forget it, stop the ticker, drop its task, unregister its key.

        ``cancel`` also cuts the request (cancel, close); ``quiet`` emits
        nothing (close). A crash is announced before the key is unregistered,
        a result after.
        """
        run = self._run
        if run is None:
            return
        self._run = None
        self._ticker.stop()
        self.runner.discard(run.task_id)
        if cancel:
            run.token.cancel()
        try:
            if error is not None and not quiet:
                self.crashed.emit(error, run)
        finally:
            if run.secret not in self._held:
                applog.unregister_secret(run.secret)
        if outcome is not None and not quiet:
            self.finished.emit(outcome, run)


def keep_history(outcome: Outcome, run: CheckRun, providers: Providers) -> Outcome:
    """On the worker thread: annotate and record a saved workspace's check (see module docstring).

    The history is secondary to the verdict: a bug in it is logged and the
    outcome comes back as it was, never lost. A cancelled run records nothing
    (the user did not see its answer).
    """
    saved_now = run.typed.remember and outcome.ok
    if not (run.record or saved_now) or run.token.cancelled:
        return outcome
    store = providers.history()
    if store is None:
        return outcome
    from moecheck_gui.history import annotate

    try:
        seen = outcome
        if run.record:
            outcome = annotate(outcome, store)  # (against the history before this check)
        failure_kept = run.record and seen.kind not in run.unrecorded_kinds
        if seen.workspace_id and (seen.ok or failure_kept):
            run.history_notice = store.record(seen.workspace_id, seen)
    except Exception:  # see the docstring: the verdict must reach the window
        log.exception("Could not keep the history of this check")
    return outcome
