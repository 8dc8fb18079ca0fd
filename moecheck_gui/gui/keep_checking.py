"""Keep checking: run the same check again every 15 s until it works, for at most 10 minutes.

Why: MoEngage's help says a newly generated key can take a few minutes to
start working, and a rate limit or an outage passes. Instead of pressing Test
again and again, the user asks once; the window shows a countdown ("Next check
in 12 s · 3 tries · stops at 10:42") with Stop, and the loop ends at the first
success (shown like any success), at the time limit (the last answer stays,
and the panel says it gave up), when the answer changes to something waiting
will not fix (e.g. a TLS failure), or when the user stops it, edits the
details, starts another check or closes the window.

How: :class:`KeepChecking` is a small QObject that drives the window's
:class:`~.check_flow.CheckFlow`. Its ``finished`` slot schedules the next try
(CheckFlow allows that: a run is over before ``finished`` is emitted). It waits
at least ``interval_s`` between the end of one try and the start of the next,
longer when the answer carried a ``Retry-After`` asking for more. The key is
held only by this object while the loop runs, and kept registered with the
log's redaction (:meth:`CheckFlow.hold_secret`) between the tries too; it is
dropped when the loop ends. Tries of a saved workspace are annotated from the
history, but a try that fails the same way waiting might fix is not added to
it: 40 rejected tries would push the last success out of the short history that
says "this key worked on ...". The failure that started the loop was recorded
as the check it was; a success, and an answer that changed to something waiting
will not fix (which ends the loop), are recorded too.

Loaded only when the user asks to keep checking (never at start-up).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from moecheck_gui.i18n import _, format_minutes, format_number, format_time, ngettext

if TYPE_CHECKING:
    from moecheck_gui.gui.check_flow import CheckFlow, CheckRun
    from moecheck_gui.gui.credentials_form import TypedCredentials
    from moecheck_gui.outcome import Outcome

INTERVAL_S = 15.0
"""Seconds between the end of one try and the start of the next (at least)."""
LIMIT_S = 600.0
"""How long to keep checking, from the moment the user asked."""
RETRY_KINDS = frozenset({"auth", "rate_limited", "server_error", "timeout", "connect"})
"""Outcomes that waiting can change (as ``moecheck check --until-ok``, PRODUCT.md 3.3)."""

OK, LIMIT, CHANGED, STOPPED = "ok", "limit", "changed", "stopped"
"""Why a loop ended (the second argument of :attr:`KeepChecking.ended`)."""


def offered_for(outcome: Outcome) -> bool:
    """True when Keep checking is worth offering for this outcome."""
    return not outcome.ok and outcome.kind in RETRY_KINDS


def ended_text(reason: str, tries: int, limit_s: float = LIMIT_S) -> str:
    """How a loop ended, in words for the result panel (the user's language)."""
    n = format_number(tries)
    if reason == OK:
        return _("It worked on try {n}.").format(n=n)
    if reason == LIMIT:
        minutes = max(1, round(limit_s / 60))
        return ngettext(
            "Gave up after {duration} and {n} try: the last answer is shown above.",
            "Gave up after {duration} and {n} tries: the last answer is shown above.",
            tries,
        ).format(duration=format_minutes(minutes), n=n)
    if reason == CHANGED:
        return ngettext(
            "Stopped checking after {n} try: the answer changed (see above).",
            "Stopped checking after {n} tries: the answer changed (see above).",
            tries,
        ).format(n=n)
    return ngettext(
        "Stopped checking after {n} try.", "Stopped checking after {n} tries.", tries
    ).format(n=n)


class KeepChecking(QObject):
    """Re-runs one check through a :class:`CheckFlow` until it works or time is up.

    ``interval_s`` and ``limit_s`` default to :data:`INTERVAL_S` and
    :data:`LIMIT_S`. They and ``clock`` (a monotonic clock in seconds) exist
    for tests: a short interval and a fake clock make the loop run without
    waiting minutes.

    Signals:
        waiting(str): the countdown line, at start, every second while waiting
            and when a try starts ("Checking again now · ...").
        ended(object, str): the loop is over: the last Outcome and why
            (:data:`OK`, :data:`LIMIT`, :data:`CHANGED` or :data:`STOPPED`).
    """

    waiting = Signal(str)
    ended = Signal(object, str)

    def __init__(
        self,
        flow: CheckFlow,
        typed: TypedCredentials,
        *,
        detect: bool = False,
        api_base: str | None = None,
        record: bool = False,
        interval_s: float | None = None,
        limit_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.flow = flow
        self._typed: TypedCredentials | None = typed
        self.detect = detect
        self.api_base = api_base
        self.record = record
        # (Read now, not at import: tests shorten the module's values for the window.)
        self.interval_s = INTERVAL_S if interval_s is None else interval_s
        self.limit_s = LIMIT_S if limit_s is None else limit_s
        self._clock = clock
        self.tries = 0
        """Checks made so far, the one the user asked after included."""
        self.last: Outcome | None = None
        self.reason: str | None = None
        """Why the loop ended (None while it runs or before it starts)."""
        self._active = False
        self._starting = False
        self._run: CheckRun | None = None
        self._deadline = 0.0
        self._next_at = 0.0
        self._stops_at = datetime.now()
        self._next = QTimer(self)
        self._next.setSingleShot(True)
        self._next.timeout.connect(self._try)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)

    @property
    def is_active(self) -> bool:
        """True from :meth:`start` until the loop ends."""
        return self._active

    def owns(self, run: CheckRun) -> bool:
        """True when ``run`` is one of this loop's tries."""
        return self._active and (self._starting or run is self._run)

    def start(self, last: Outcome) -> None:
        """Begin after ``last`` (the failure on display, counted as the first try)."""
        if self._active or self._typed is None or self.flow.is_closed:
            return
        self._active = True
        self.tries = 1
        self.last = last
        self._deadline = self._clock() + self.limit_s
        self._stops_at = datetime.now() + timedelta(seconds=self.limit_s)
        self.flow.hold_secret(self._typed.api_key)
        self.flow.started.connect(self._on_started)
        self.flow.finished.connect(self._on_finished)
        self.flow.closed.connect(self.stop)
        self._schedule(last)

    def stop(self) -> None:
        """Stop now (the user, an edit, the window closing); a running try is cancelled."""
        if not self._active:
            return
        if self._run is not None and self.flow.current is self._run:
            self.flow.cancel(_("Stopped checking."))  # its finished slot ends the loop
            if not self._active:
                return
        self._finish(STOPPED)

    # --- the loop ---------------------------------------------------------------

    def _schedule(self, outcome: Outcome) -> None:
        delay = max(self.interval_s, float(outcome.retry_after_s or 0))
        if self._clock() + delay > self._deadline:
            self._finish(LIMIT)
            return
        self._next_at = self._clock() + delay
        self._next.start(max(0, round(delay * 1000)))
        self._ticker.start()
        self._tick()

    def _tick(self) -> None:
        left = max(0, round(self._next_at - self._clock()))
        self.waiting.emit(
            # Translators: the countdown under the result; "s" is seconds, {time} a clock time.
            ngettext(
                "Next check in {seconds} s · {n} try · stops at {time}",
                "Next check in {seconds} s · {n} tries · stops at {time}",
                self.tries,
            ).format(
                seconds=format_number(left),
                n=format_number(self.tries),
                time=format_time(self._stops_at),
            )
        )

    def _try(self) -> None:
        if not self._active or self._typed is None:
            return
        self._ticker.stop()
        self._starting = True
        try:
            run = self.flow.start(
                self._typed,
                detect=self.detect,
                api_base=self.api_base,
                record=self.record,
                unrecorded_kinds=RETRY_KINDS,
            )
        finally:
            self._starting = False
        if run is None:  # the window is closing, or another check runs (it stopped us)
            if self._active:
                self._finish(STOPPED)
            return
        self._run = run
        self.waiting.emit(
            ngettext(
                "Checking again now · {n} try so far · stops at {time}",
                "Checking again now · {n} tries so far · stops at {time}",
                self.tries,
            ).format(n=format_number(self.tries), time=format_time(self._stops_at))
        )

    def _on_started(self, run: CheckRun) -> None:
        if self._active and not self.owns(run):
            self._finish(STOPPED)  # the user started another check: it replaces this loop

    def _on_finished(self, outcome: Outcome, run: CheckRun) -> None:
        if not self._active or run is not self._run:
            return
        self._run = None
        from moecheck_gui.outcome import Kind

        if outcome.kind == Kind.CANCELLED:
            self._finish(STOPPED)
            return
        self.tries += 1
        self.last = outcome
        if outcome.ok:
            self._finish(OK)
        elif outcome.kind not in RETRY_KINDS:
            self._finish(CHANGED)
        else:
            self._schedule(outcome)

    def _finish(self, reason: str) -> None:
        """The one way the loop ends: timers off, signals off, key released and dropped."""
        self._active = False
        self.reason = reason
        self._next.stop()
        self._ticker.stop()
        for signal, slot in (
            (self.flow.started, self._on_started),
            (self.flow.finished, self._on_finished),
            (self.flow.closed, self.stop),
        ):
            signal.disconnect(slot)
        if self._typed is not None:
            self.flow.release_secret(self._typed.api_key)
            self._typed = None
        self.ended.emit(self.last, reason)
