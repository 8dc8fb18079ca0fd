"""Walk everything that led to an exception: causes, contexts and urllib3's wrapped reasons.

Why: requests and urllib3 wrap the real failure (a refused socket, a certificate
verify error) two or three layers deep, in ``reason`` attributes and ``args`` as
well as ``__cause__``. The verdict and the certificate reader both need to find
the inner failure, so the walk lives here once.
"""

from __future__ import annotations


def chain(exc: BaseException | None) -> list[BaseException]:
    """The exception, its causes, and wrapped ``reason``s, outermost first (each once)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        reason = getattr(item, "reason", None)
        todo.append(reason if isinstance(reason, BaseException) else None)
        todo.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))
        todo.append(item.__cause__)
        todo.append(item.__context__)
    return seen
