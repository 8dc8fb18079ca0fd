"""Keep Python's full garbage collections from stalling the window.

Why: after start-up the process holds some 50,000 long-lived Python objects
(modules, PySide6 wrappers, the network stack). A full (generation 2)
collection walks all of them: 20-27 ms on the benchmark machine, run on
whichever thread happens to allocate -- often the GUI thread in the middle of
a check, where it shows as a dropped frame (docs/benchmarks.md, event loop).

``gc.freeze()`` moves every object alive at that moment into a permanent
generation that collections skip; it costs almost nothing. It is done once,
when the start-up work is over (the network stack imported by the warm-up),
and not later: an object frozen while it is in use -- a pooled connection,
say -- is never collected when it becomes cyclic garbage, so its socket would
stay open (the soak test counts them). Modules, classes and widgets built at
start-up live for the whole run anyway.

When the window closes, :func:`thaw` gives the frozen objects back to the
collector: PySide6 wrappers left in the permanent generation outlive the
interpreter's own clean-up and can crash the process on its way out.
"""

from __future__ import annotations

import gc

_closing = False


def freeze_survivors() -> None:
    """Exempt every object alive now from future collections (start-up is over)."""
    if not _closing:
        gc.freeze()


def thaw() -> None:
    """Return frozen objects to the collector (the window is closing: shut down normally)."""
    global _closing
    _closing = True  # a late warm-up or check result must not freeze again
    gc.unfreeze()
