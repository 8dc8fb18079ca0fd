"""Keep Python's full garbage collections from stalling the window.

Why: after start-up the process holds some 50,000 long-lived Python objects
(modules, PySide6 wrappers, the network stack). A full (generation 2)
collection walks all of them: 20-27 ms on the benchmark machine, run on
whichever thread happens to allocate -- often the GUI thread in the middle of
a check, where it shows as a dropped frame (docs/benchmarks.md, event loop).

``gc.freeze()`` moves every object alive at that moment into a permanent
generation that collections skip; it costs almost nothing. Freezing once the
start-up work is done (the network stack imported by the warm-up) and once
after the first check (session, TLS context, caches) leaves the collector only
the objects checks create, which is what it is for. Garbage that exists at
the moment of freezing is kept, not leaked repeatedly: it happens twice per run.
"""

from __future__ import annotations

import gc

_checks_frozen = False


def freeze_survivors() -> None:
    """Exempt every object alive now from future collections (start-up is over)."""
    gc.freeze()


def freeze_after_first_check(*_: object) -> None:
    """Connected to the first check's end: freeze what the first check set up (once)."""
    global _checks_frozen
    if not _checks_frozen:
        _checks_frozen = True
        gc.freeze()
