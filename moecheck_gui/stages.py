"""Time the stages of one check, and know which one was running when it failed.

Why: "it timed out" is not a diagnosis. "Connected in 40 ms, then the TLS
handshake stalled for 10 s" points at an inspecting proxy; "DNS answered, the
TCP connect timed out" at a firewall; "the DNS lookup failed" while a proxy is
configured at a bypass. The client marks each stage as it enters and leaves it;
the waiting thread reads the clock at the deadline, so a stalled stage is named
with how long it had been running.

The stages, in order (:data:`moecheck_gui.outcome.STAGES`): ``proxy`` (choosing
the proxy: environment, PAC file, OS setting), ``dns``, ``connect`` (TCP, and a
proxy's CONNECT tunnel), ``tls`` (the handshake) and ``response`` (from the
request sent to the first byte of the answer). Through a proxy, DNS and
connect are those of the proxy. A reused kept-alive connection skips DNS,
connect and TLS: they stay None.

Thread-safe: the request thread writes, the waiting thread reads.

The words are translated (durations in the language's digits); the report asks
for English ones (``translate=False``) because MoEngage support reads it.
"""

from __future__ import annotations

import threading
import time

from moecheck_gui.i18n import N_, _, format_list, format_ms, format_number
from moecheck_gui.outcome import Timings

_TIMED = ("dns", "connect", "tls", "response")


class StageClock:
    """Records when each stage of one request began and ended."""

    def __init__(self, started: float | None = None) -> None:
        self._lock = threading.Lock()
        self.started = time.monotonic() if started is None else started
        self._current: str | None = None
        self._began: dict[str, float] = {}
        self._took: dict[str, float] = {}
        self._answered = False

    def begin(self, stage: str) -> None:
        """Enter ``stage`` (ending the one before, if it was still open)."""
        now = time.monotonic()
        with self._lock:
            if self._current is not None and self._current not in self._took:
                self._took[self._current] = now - self._began[self._current]
            self._current = stage
            self._began[stage] = now
            self._took.pop(stage, None)

    def end(self, stage: str) -> None:
        """Leave ``stage``; a stage that was never entered is ignored."""
        now = time.monotonic()
        with self._lock:
            if stage in self._began and stage not in self._took:
                self._took[stage] = now - self._began[stage]
            if self._current == stage:
                self._current = None

    def answered(self) -> None:
        """The first byte of an HTTP answer arrived: no stage failed."""
        self.end("response")
        with self._lock:
            self._answered = True

    @property
    def current(self) -> str | None:
        """The stage running now (or when the check stopped), or None."""
        with self._lock:
            return self._current

    @property
    def reached(self) -> tuple[str, ...]:
        """The stages entered so far, in the order they began."""
        with self._lock:
            return tuple(sorted(self._began, key=self._began.__getitem__))

    def failed_stage(self) -> str | None:
        """The stage to blame: the one running, else the last one entered; None once answered."""
        with self._lock:
            if self._answered:
                return None
            if self._current is not None:
                return self._current
            if not self._began:
                return None
            return max(self._began, key=self._began.__getitem__)

    def timings(self, now: float | None = None) -> Timings:
        """The contract's ``timings``; a stage still running counts up to ``now``."""
        now = time.monotonic() if now is None else now
        with self._lock:
            took = dict(self._took)
            if self._current is not None and self._current not in took:
                took[self._current] = now - self._began[self._current]
        values = {stage: took[stage] * 1000.0 if stage in took else None for stage in _TIMED}
        return Timings(
            dns_ms=values["dns"],
            connect_ms=values["connect"],
            tls_ms=values["tls"],
            first_byte_ms=values["response"],
            total_ms=(now - self.started) * 1000.0,
        )


def describe(timings: Timings, failed_stage: str | None) -> str | None:
    """One sentence reading the timeline for people, or None when there is nothing to say.

    The sentence names what worked and where it stopped, because the pattern
    is what points at the cause (see the module docstring).
    """
    done: list[str] = []
    if timings.dns_ms is not None and failed_stage != "dns":
        done.append(
            _("the name was found in {duration}").format(duration=format_ms(timings.dns_ms))
        )
    if timings.connect_ms is not None and failed_stage != "connect":
        done.append(_("connected in {duration}").format(duration=format_ms(timings.connect_ms)))
    if timings.tls_ms is not None and failed_stage != "tls":
        done.append(
            _("the secure connection was set up in {duration}").format(
                duration=format_ms(timings.tls_ms)
            )
        )
    stalled = {
        "proxy": (_STALLED_WHILE["proxy"], None),
        "dns": (_STALLED_WHILE["dns"], timings.dns_ms),
        "connect": (_STALLED_WHILE["connect"], timings.connect_ms),
        "tls": (_STALLED_WHILE["tls"], timings.tls_ms),
        "response": (_STALLED_WHILE["response"], timings.first_byte_ms),
    }.get(failed_stage or "")
    if stalled is None:
        return None
    what, took = stalled
    if took is None:
        # Translators: {what} is one of "choosing the proxy", "connecting", ...
        tail = _("it stopped while {what}").format(what=_(what))
    else:
        # Translators: {what} is one of "choosing the proxy", "connecting", ...;
        # {duration} e.g. "5 ms" or "10.0 s".
        tail = _("it stopped while {what}, after {duration}").format(
            what=_(what), duration=_seconds(took)
        )
    if done:
        # Translators: {done} lists what worked ("the name was found in 3 ms, connected in
        # 40 ms"); {stopped} is "it stopped while ...".
        sentence = _("{done}, then {stopped}").format(done=format_list(done), stopped=tail)
    else:
        sentence = tail
    # Translators: the end of a sentence; {sentence} starts with a capital letter where
    # the language has them.
    return _("{sentence}.").format(sentence=sentence[0].upper() + sentence[1:])


_STALLED_WHILE = {
    "proxy": N_("choosing the proxy"),
    "dns": N_("looking up the server's name"),
    "connect": N_("connecting"),
    "tls": N_("setting up the secure connection (TLS handshake)"),
    "response": N_("waiting for the answer"),
}
"""What a check was doing when it stopped, per stage (end of "it stopped while ...")."""


def _same(text: str) -> str:
    return text


def _seconds(ms: float, translate: bool = True) -> str:
    language = None if translate else "en"
    tr = _ if translate else _same
    if ms >= 1000:
        # Translators: a duration in seconds, e.g. "10.0 s".
        return tr(N_("{number} s")).format(number=format_number(ms / 1000, 1, language))
    return format_ms(ms, language) if translate else f"{ms:.0f} ms"


_LINE_NAMES = (
    ("dns_ms", "dns", N_("DNS lookup")),
    ("connect_ms", "connect", N_("TCP connect")),
    ("tls_ms", "tls", N_("TLS handshake")),
    ("first_byte_ms", "response", N_("Waiting for the answer")),
)


def timeline_rows(
    timings: Timings, failed_stage: str | None, *, translate: bool = True
) -> list[tuple[str, float | None, str]]:
    """(label, milliseconds or None, state) per stage; state is ``done``, ``failed``,
    ``skipped`` (not reached, not applicable or a reused connection).

    Labels are in the user's language, or English with ``translate=False``
    (the report, which MoEngage support reads)."""
    rows: list[tuple[str, float | None, str]] = []
    for attr, stage, label in _LINE_NAMES:
        value = getattr(timings, attr)
        if stage == failed_stage:
            state = "failed"
        elif value is None:
            state = "skipped"
        else:
            state = "done"
        rows.append((_(label) if translate else label, value, state))
    return rows


def timeline_lines(
    timings: Timings, failed_stage: str | None, *, translate: bool = True
) -> list[str]:
    """The timeline as text lines, for ``-v`` and (with ``translate=False``) the report."""
    tr = _ if translate else _same
    lines = []
    if failed_stage == "proxy":
        choosing, failed = tr(N_("Choosing the proxy")), tr(N_("failed here"))
        lines.append(f"{choosing:<25} {failed}")
    for label, value, state in timeline_rows(timings, failed_stage, translate=translate):
        shown = "-" if value is None else _seconds(value, translate)
        mark = "   " + tr(N_("<- failed here")) if state == "failed" else ""
        if state == "skipped":
            shown = tr(N_("- (not needed or not reached)"))
        lines.append(f"{label:<25} {shown}{mark}")
    if timings.total_ms is not None:
        total = tr(N_("Total"))
        lines.append(f"{total:<25} {_seconds(timings.total_ms, translate)}")
    return lines
