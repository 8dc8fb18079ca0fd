"""Find the data center that holds a workspace by asking all of them at once.

Why at once: users rarely know their DC, and seven checks one after another
would take seven times as long. Every DC gets its own thread (a bounded seven);
the first one that accepts the credentials wins and cancels the rest, so the
whole run takes about as long as the slowest answer we actually need.
Every attempt is reported, because "accepted nowhere" versus "unreachable
everywhere" are very different problems for the user.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from moecheck_gui.cancel import CancelToken
from moecheck_gui.datacenters import DC_CODES
from moecheck_gui.outcome import Attempt, Kind, Outcome
from moecheck_gui.stopped import stopped_outcome


class OneDcChecker(Protocol):
    """What detection needs from a checker: check one DC, and refuse bad input up front.

    :class:`moecheck_gui.client.Checker` is one. A protocol rather than an import
    of the client, so this module does not depend on the network code that
    depends on it (no import cycle), and tests may pass a stand-in.
    """

    def refusal(self, workspace_id: str, api_key: str, dc: str) -> Outcome | None:
        """The ``invalid_input`` outcome this input would get, or None if it is acceptable."""
        ...

    def check(
        self,
        workspace_id: str,
        api_key: str,
        dc: str,
        *,
        timeout: float,
        cancel: CancelToken | None,
        log: Callable[[str], None] | None,
        detected: bool,
    ) -> Outcome:
        """Check the credentials against one DC; never raises for I/O."""
        ...


# When no DC accepts, the outcome that explains most wins: a workspace that is
# blocked somewhere beats "rejected everywhere", which beats network trouble.
_PRIORITY = (
    Kind.FORBIDDEN,
    Kind.RATE_LIMITED,
    Kind.AUTH,
    Kind.TLS,
    Kind.PROXY,
    Kind.DNS,
    Kind.CONNECT,
    Kind.SERVER_ERROR,
    Kind.TIMEOUT,
    Kind.BAD_RESPONSE,
    Kind.NOT_FOUND,
    Kind.CANCELLED,
)


def detect(
    checker: OneDcChecker,
    workspace_id: str,
    api_key: str,
    *,
    timeout: float,
    cancel: CancelToken | None = None,
    log: Callable[[str], None] | None = None,
) -> Outcome:
    """Check the credentials against every DC concurrently; report the winner and all attempts."""
    started = time.monotonic()
    # Validate once, up front: refused input is refused for every DC alike.
    refused = checker.refusal(workspace_id, api_key, DC_CODES[0])
    if refused is not None:
        return refused.replace(dc=None, elapsed_ms=(time.monotonic() - started) * 1000.0)

    group = CancelToken()
    remove = cancel.add_callback(group.cancel) if cancel is not None else (lambda: None)
    results: dict[str, Outcome] = {}
    lock = threading.Lock()

    def run(dc: str) -> None:
        outcome = checker.check(
            workspace_id, api_key, dc, timeout=timeout, cancel=group, log=log, detected=True
        )
        with lock:
            results[dc] = outcome
        if outcome.ok:
            group.cancel()

    threads = [
        threading.Thread(target=run, args=(dc,), name=f"moecheck-detect-{dc}", daemon=True)
        for dc in DC_CODES
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            # Each check ends by its own deadline (or at once when cancelled);
            # the extra second only covers thread scheduling.
            thread.join(timeout + 1.0)
    finally:
        remove()

    with lock:
        snapshot = dict(results)
    elapsed = (time.monotonic() - started) * 1000.0
    attempts = {dc: _attempt(dc, snapshot.get(dc)) for dc in DC_CODES}
    winner = next((snapshot[dc] for dc in DC_CODES if dc in snapshot and snapshot[dc].ok), None)
    if winner is not None:
        return winner.replace(attempts=attempts, elapsed_ms=elapsed)
    if cancel is not None and cancel.cancelled:
        stopped = stopped_outcome(
            Kind.CANCELLED, workspace_id, None, elapsed_ms=elapsed, detected=True
        )
        return stopped.replace(attempts=attempts)
    best = _most_telling(snapshot)
    if best is None:
        stopped = stopped_outcome(
            Kind.TIMEOUT, workspace_id, None, elapsed_ms=elapsed, timeout_s=timeout, detected=True
        )
        return stopped.replace(attempts=attempts)
    return best.replace(
        attempts=attempts,
        elapsed_ms=elapsed,
        dc=best.dc if best.kind in (Kind.FORBIDDEN.value, Kind.RATE_LIMITED.value) else None,
    )


def _attempt(dc: str, outcome: Outcome | None) -> Attempt:
    if outcome is None:
        return Attempt(dc=dc, ok=False, kind=Kind.TIMEOUT.value)
    return Attempt(
        dc=dc,
        ok=outcome.ok,
        kind=outcome.kind,
        http_status=outcome.http_status,
        elapsed_ms=outcome.elapsed_ms,
    )


def _most_telling(results: dict[str, Outcome]) -> Outcome | None:
    for kind in _PRIORITY:
        for dc in DC_CODES:
            outcome = results.get(dc)
            if outcome is not None and outcome.kind == kind.value:
                return outcome
    return None
