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
"""

from __future__ import annotations

import threading
import time

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
        done.append(f"the name was found in {timings.dns_ms:.0f} ms")
    if timings.connect_ms is not None and failed_stage != "connect":
        done.append(f"connected in {timings.connect_ms:.0f} ms")
    if timings.tls_ms is not None and failed_stage != "tls":
        done.append(f"the secure connection was set up in {timings.tls_ms:.0f} ms")
    stalled = {
        "proxy": ("choosing the proxy", None),
        "dns": ("looking up the server's name", timings.dns_ms),
        "connect": ("connecting", timings.connect_ms),
        "tls": ("setting up the secure connection (TLS handshake)", timings.tls_ms),
        "response": ("waiting for the answer", timings.first_byte_ms),
    }.get(failed_stage or "")
    if stalled is None:
        return None
    what, took = stalled
    tail = f"it stopped while {what}"
    if took is not None:
        tail += f", after {_seconds(took)}"
    sentence = ", ".join([*done, f"then {tail}"]) if done else tail
    return sentence[0].upper() + sentence[1:] + "."


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.0f} ms"


_LINE_NAMES = (
    ("dns_ms", "dns", "DNS lookup"),
    ("connect_ms", "connect", "TCP connect"),
    ("tls_ms", "tls", "TLS handshake"),
    ("first_byte_ms", "response", "Waiting for the answer"),
)


def timeline_rows(
    timings: Timings, failed_stage: str | None
) -> list[tuple[str, float | None, str]]:
    """(label, milliseconds or None, state) per stage; state is ``done``, ``failed``,
    ``skipped`` (not reached, not applicable or a reused connection)."""
    rows: list[tuple[str, float | None, str]] = []
    for attr, stage, label in _LINE_NAMES:
        value = getattr(timings, attr)
        if stage == failed_stage:
            state = "failed"
        elif value is None:
            state = "skipped"
        else:
            state = "done"
        rows.append((label, value, state))
    return rows


def timeline_lines(timings: Timings, failed_stage: str | None) -> list[str]:
    """The timeline as text lines, for ``-v`` and the report."""
    lines = []
    if failed_stage == "proxy":
        lines.append("Choosing the proxy        failed here")
    for label, value, state in timeline_rows(timings, failed_stage):
        shown = "-" if value is None else _seconds(value)
        mark = "   <- failed here" if state == "failed" else ""
        if state == "skipped":
            shown = "- (not needed or not reached)"
        lines.append(f"{label:<25} {shown}{mark}")
    if timings.total_ms is not None:
        lines.append(f"{'Total':<25} {_seconds(timings.total_ms)}")
    return lines
