"""The ways the sandbox misbehaves on demand (:meth:`Sandbox.set_mode`), and their parameters.

Why a table: a typo in a test (``set_mode("hangs")``, ``dealy=3``) must fail
loudly instead of silently testing the normal path, so every mode names the
parameters it takes and :func:`check_params` refuses anything else.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from functools import lru_cache

MODES: dict[str, frozenset[str]] = {
    "normal": frozenset(),
    "status": frozenset({"status", "body", "headers"}),
    "unauthorized": frozenset(),
    "forbidden": frozenset({"error_type", "message"}),
    "rate_limited": frozenset({"retry_after"}),
    "server_error": frozenset({"status", "html"}),
    "slow": frozenset({"delay"}),
    "hang": frozenset(),
    "html": frozenset(),
    "redirect": frozenset({"status", "location"}),
    "not_found": frozenset(),
    "trickle": frozenset({"interval", "length"}),
    "large": frozenset({"size", "gzip"}),
    "reset": frozenset(),
    "json": frozenset({"body", "status"}),
    "page": frozenset({"status", "title", "server", "headers"}),
    "reject_then_accept": frozenset({"times"}),
}
"""Every mode :meth:`Sandbox.set_mode` accepts, with the parameters it takes.

``page``: a web page (HTML) with ``status`` (default 403), ``title`` (put in
as given, markup and all), ``server`` (the ``Server`` header) and extra
``headers``: a web filter or edge answering in MoEngage's place.
``reject_then_accept``: right credentials get 401 ``times`` times (default 2),
then are accepted: a brand-new key, for "keep checking" and ``--until-ok``.
"""

PRE_VALIDATION_MODES = frozenset({"hang", "reset", "slow"})
"""Modes that act on any request, even one that would get 400/404: they imitate the network."""

_NUMERIC = ("status", "delay", "interval", "size", "length", "times")


def check_params(mode: str, params: Mapping[str, object]) -> None:
    """Raise ValueError for an unknown mode, an unknown parameter or a bad number."""
    if mode not in MODES:
        raise ValueError(f"Unknown sandbox mode {mode!r}; known: {', '.join(MODES)}")
    unknown = set(params) - MODES[mode]
    if unknown:
        allowed = ", ".join(sorted(MODES[mode])) or "none"
        raise ValueError(
            f"Mode {mode!r} does not take {', '.join(sorted(unknown))} (takes: {allowed})"
        )
    for name in _NUMERIC:
        value = params.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value < 0
        ):
            raise ValueError(f"Mode {mode!r}: {name} must be a non-negative number")


def number(params: Mapping[str, object], name: str, default: float) -> float:
    """A numeric mode parameter (set_mode has already checked its type)."""
    value = params.get(name, default)
    return float(value) if isinstance(value, int | float | str) else default


def large_size(params: Mapping[str, object]) -> tuple[int, bool]:
    """The ``large`` mode's (size, gzip): 10 MB decoded when compressed, else 1 MB."""
    compress = bool(params.get("gzip", False))
    default_size = 10_000_000 if compress else 1_000_000
    return int(number(params, "size", default_size)), compress


@lru_cache(maxsize=8)
def large_body(size: int, compress: bool) -> bytes:
    """A success-looking JSON document of ``size`` bytes, gzip-compressed if asked.

    Padding is zeros so that the gzip variant is a compression bomb: about
    10 KB on the wire for 10 MB decoded. Cached because building it is the
    slow part and tests ask for the same sizes repeatedly.
    """
    head = b'{"status":"success","app_name":"MoeCheck Demo (Large)","padding":"'
    tail = b'"}'
    padding = max(0, size - len(head) - len(tail))
    body = head + b"0" * padding + tail
    if compress:
        return gzip.compress(body, compresslevel=9, mtime=0)
    return body
