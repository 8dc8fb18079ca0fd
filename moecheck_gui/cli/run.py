"""Running one check from the command: a worker thread, the deadline watchdog, and Ctrl-C.

Why a thread: the main thread then only waits on an event, which Ctrl-C
interrupts at once, whatever the network code is blocked in. Ctrl-C is a normal
way to stop: the check is cancelled, ``Interrupted.`` is printed and the exit
code is 130, without a traceback.

Also here: the outcomes the command makes up itself (:func:`refused` for input
refused before anything was sent).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from moecheck_gui.cancel import CancelToken
from moecheck_gui.i18n import _
from moecheck_gui.outcome import Kind, Outcome

WATCHDOG_GRACE_S = 0.9
"""How long past ``--timeout`` the command waits for the core before giving up itself,
so a check never outlives its deadline by more than a second (PRODUCT.md 3.3)."""

CANCEL_GRACE_S = 1.0
"""How long after Ctrl-C the command waits for the check to wind down cleanly."""


class Interrupted(Exception):
    """Ctrl-C arrived during a check; ``outcome`` is the cancelled outcome to report."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("interrupted")
        self.outcome = outcome


def refused(
    message: str,
    *,
    field: str | None,
    workspace_id: str = "",
    dc: str | None = None,
    hint: str = "",
) -> Outcome:
    """An ``invalid_input`` outcome for something refused before anything was sent."""
    return Outcome(
        ok=False,
        kind=Kind.INVALID_INPUT.value,
        dc=dc,
        workspace_id=workspace_id,
        message=message,
        hint=hint or _("Correct it and try again. Nothing was sent to MoEngage."),
        field=field,
    )


def run_in_thread(
    work: Callable[[CancelToken], Outcome],
    token: CancelToken,
    *,
    timeout: float,
    workspace_id: str,
    dc: str | None,
) -> Outcome:
    """Run ``work`` on a worker thread so Ctrl-C and the deadline are always honoured.

    If the core has not answered ``WATCHDOG_GRACE_S`` after ``timeout``, the
    token is cancelled and a ``timeout`` outcome is returned without waiting.
    ``dc`` is None for detection (every data center).
    Raises :class:`Interrupted` on Ctrl-C after cancelling the token; an
    exception raised by ``work`` is re-raised here, on the calling thread.
    """
    box: list[Outcome] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def target() -> None:
        try:
            box.append(work(token))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            failure.append(exc)
        finally:
            done.set()

    from moecheck_gui.stopped import stopped_outcome  # loaded only when a check runs

    worker = threading.Thread(target=target, name="moecheck-check", daemon=True)
    started = time.monotonic()
    worker.start()
    limit = started + timeout + WATCHDOG_GRACE_S
    try:
        while not done.wait(0.05):
            if time.monotonic() >= limit:
                token.cancel()
                return stopped_outcome(
                    Kind.TIMEOUT,
                    workspace_id,
                    dc,
                    elapsed_ms=timeout * 1000,
                    timeout_s=timeout,
                    detected=dc is None,
                )
    except KeyboardInterrupt:
        token.cancel()
        done.wait(CANCEL_GRACE_S)
        if box and box[0].kind == Kind.CANCELLED.value:
            raise Interrupted(box[0]) from None
        elapsed = (time.monotonic() - started) * 1000
        cancelled = stopped_outcome(
            Kind.CANCELLED, workspace_id, dc, elapsed_ms=elapsed, detected=dc is None
        )
        raise Interrupted(cancelled) from None
    if failure:
        raise failure[0]
    return box[0]
