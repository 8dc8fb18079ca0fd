"""The one way to make the outcome of a check that was stopped before an answer arrived.

Why a module of its own: a check can end without any answer to judge in three
places -- detection when every data center was cancelled or ran out of time,
the command's watchdog and Ctrl-C, and the window's Stop button. Each used to
build this :class:`~moecheck_gui.outcome.Outcome` by hand with slightly
different fields; here it is built once, with the words of
:mod:`moecheck_gui.messages`. (It is not in :mod:`moecheck_gui.outcome`
because the messages module imports that one: the import would be a cycle.)
"""

from __future__ import annotations

from moecheck_gui import messages
from moecheck_gui.outcome import Kind, Outcome

STOP_KINDS = (Kind.CANCELLED, Kind.TIMEOUT)
"""The kinds of a check that ended without an answer: the user stopped it, or the deadline did."""


def stopped_outcome(
    kind: Kind,
    workspace_id: str,
    dc: str | None,
    *,
    elapsed_ms: float,
    timeout_s: float | None = None,
    detected: bool = False,
    message: str | None = None,
) -> Outcome:
    """The ``cancelled`` or ``timeout`` outcome of a check that got no answer to judge.

    ``workspace_id`` is shown trimmed of outer whitespace, like every other
    outcome's; ``dc`` is the data center tried (None for detection, which
    tried them all, and then pass ``detected=True`` so the words do not suggest
    trying another data center). ``timeout_s`` names the deadline in the
    ``timeout`` message. ``message`` replaces the standard summary (e.g. the
    window's "Stopped because the window is closing"); the hint stays.
    Raises ValueError for any other kind: those always come from an answer.
    """
    if kind not in STOP_KINDS:
        raise ValueError(f"a stopped check is cancelled or timed out, not {kind.value}")
    words, hint = messages.for_kind(kind, messages.Context(detected=detected, timeout_s=timeout_s))
    return Outcome(
        ok=False,
        kind=kind.value,
        dc=dc,
        workspace_id=workspace_id.strip(),
        message=message or words,
        hint=hint,
        elapsed_ms=elapsed_ms,
    )
