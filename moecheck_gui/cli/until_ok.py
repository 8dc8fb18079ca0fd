"""``moecheck check --until-ok DURATION [--every SECONDS]``: keep checking until the key works.

Why it exists (issue 10, PRODUCT.md 3.3): MoEngage's newer dashboard says a
freshly generated key can take a few minutes to start working, and a rate
limit or a server error passes by itself. Instead of a person pressing Enter
every few seconds, the command checks again while the outcome is one that can
change on its own (:data:`KEEP_TRYING`) and stops at the first success (exit 0)
or when DURATION has passed (the last outcome's exit code). Anything else -- a
blocked account, a TLS or proxy problem, bad input -- will not fix itself by
waiting, so it ends the loop at once.

Gentle on MoEngage: tries are ``--every`` seconds apart (15 by default, never
less than 1 s), and further apart when a ``Retry-After`` asks for it.
"""

from __future__ import annotations

import argparse
import math
import re
import time
from collections.abc import Callable

from moecheck_gui.i18n import N_, _, format_number, ngettext
from moecheck_gui.outcome import Kind, Outcome

DEFAULT_EVERY_S = 15.0
MIN_EVERY_S = 1.0
MAX_DURATION_S = 24 * 3600.0
"""The longest ``--until-ok`` accepted (a day): longer is almost certainly a typo."""

KEEP_TRYING = frozenset(
    {
        Kind.AUTH.value,
        Kind.RATE_LIMITED.value,
        Kind.SERVER_ERROR.value,
        Kind.TIMEOUT.value,
        Kind.CONNECT.value,
    }
)
"""Outcome kinds that can change by themselves (a new key going live, a rate limit or an
outage passing), so checking again is worth it (PRODUCT.md 3.3)."""

_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h)?\s*")
_UNIT_S = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_value(text: str) -> float:
    """``--until-ok``: seconds from ``90``, ``90s``, ``10m`` or ``1h``; positive, at most a day."""
    match = _DURATION.fullmatch(text.lower())
    if match is None:
        # Translators: 90s, 10m, 1h are typed as they are (English units), keep them.
        raise argparse.ArgumentTypeError(
            _("{value} is not a duration: use seconds (90), or 90s, 10m, 1h").format(
                value=repr(text)
            )
        )
    seconds = float(match.group(1)) * _UNIT_S[(match.group(2) or "")[:1]]
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(_("must be a positive duration (e.g. 90s or 10m)"))
    if seconds > MAX_DURATION_S:
        raise argparse.ArgumentTypeError(_("must be at most 24h"))
    return seconds


def every_value(text: str) -> float:
    """``--every``: seconds between tries, at least 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a number of seconds (e.g. --every 15)").format(value=repr(text))
        ) from None
    if not math.isfinite(value) or value < MIN_EVERY_S:
        least = int(MIN_EVERY_S)
        raise argparse.ArgumentTypeError(
            ngettext(
                "must be at least {number} second", "must be at least {number} seconds", least
            ).format(number=format_number(least))
        )
    if value > MAX_DURATION_S:
        raise argparse.ArgumentTypeError(_("must be at most a day (86400)"))
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``--until-ok`` and ``--every`` (``check`` only)."""
    p.add_argument(
        "--until-ok",
        type=duration_value,
        metavar="DURATION",
        help=_(
            "keep checking while the key is rejected, rate limited, MoEngage has trouble, "
            "or the connection fails or times out, until it works or DURATION (90, 90s, 10m) "
            "has passed"
        ),
    )
    p.add_argument(
        "--every",
        type=every_value,
        metavar="SECONDS",
        help=_(
            "with --until-ok: seconds between tries (default {default}, at least {least}; "
            "longer when MoEngage asks with Retry-After)"
        ).format(default=format_number(DEFAULT_EVERY_S), least=format_number(MIN_EVERY_S)),
    )


def _seconds_words(seconds: float) -> str:
    """The wait before the next try, whole seconds up: ``"15 s"``."""
    from moecheck_gui.cli.output import seconds_short

    return seconds_short(max(1, math.ceil(seconds - 1e-6)))


def duration_words(seconds: float) -> str:
    """``90 s`` or ``10 min``, for the closing line."""
    from moecheck_gui.cli.output import seconds_short

    if seconds >= 60 and seconds % 60 == 0:
        minutes = seconds / 60
        # Translators: a duration in minutes, short, e.g. "10 min".
        return _("{number} min").format(
            number=format_number(minutes, 0 if minutes.is_integer() else 1)
        )
    return seconds_short(seconds)


# The lines of `moecheck check --until-ok`, one per try.
# Translators: a line of --until-ok: {number} is the try, {result} e.g. "key rejected (HTTP 401)".
WORKS = N_("try {number}: {result}: it works")
# Translators: a line of --until-ok: {number} is the try, {result} e.g. "key rejected (HTTP 401)".
WILL_NOT_CHANGE = N_("try {number}: {result}: this will not change by waiting; stopping")
# Translators: {duration} is e.g. "10 min" or "90 s".
TIME_UP = N_("try {number}: {result}; stopping: {duration} passed")
# Translators: {duration} is e.g. "15 s".
NEXT_TRY = N_("try {number}: {result}; next try in {duration}")
# Translators: {duration} is e.g. "15 s"; MoEngage's Retry-After asked for the wait.
NEXT_TRY_ASKED = N_("try {number}: {result}; next try in {duration} (MoEngage asked to wait)")


def try_line(n: int, outcome: Outcome, line: str, duration: str = "") -> str:
    """One line per try: local time, then ``line`` (a marked message above) filled in.

    The time of day is digits in every language (``time.strftime``), like a log's.
    """
    from moecheck_gui.batch import verdict

    http = f" (HTTP {outcome.http_status})" if outcome.http_status is not None else ""
    text = _(line).format(
        number=format_number(n), result=verdict(outcome) + http, duration=duration
    )
    return f"{time.strftime('%H:%M:%S')}  {text}"


def keep_checking(
    check_once: Callable[[], Outcome],
    *,
    duration_s: float,
    every_s: float,
    report: Callable[[str], None],
    stopped: Callable[[int], Outcome],
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    """Check until success, an outcome that will not change by itself, or ``duration_s``.

    ``check_once`` runs one check (it raises
    :class:`~moecheck_gui.cli.run.Interrupted` on Ctrl-C); ``report`` gets one
    line per try; ``stopped(tries)`` makes the outcome to report when Ctrl-C
    arrives between tries. Returns the last outcome with ``tries`` set; raises
    ``Interrupted`` (its outcome carrying ``tries``) on Ctrl-C.
    """
    from moecheck_gui.cli.run import Interrupted

    end = clock() + duration_s
    tries = 0
    while True:
        tries += 1
        started = clock()
        try:
            outcome = check_once().replace(tries=tries)
        except Interrupted as stop:
            raise Interrupted(stop.outcome.replace(tries=tries)) from None
        if outcome.ok:
            report(try_line(tries, outcome, WORKS))
            return outcome
        if outcome.kind not in KEEP_TRYING:
            report(try_line(tries, outcome, WILL_NOT_CHANGE))
            return outcome
        now = clock()
        asked = float(outcome.retry_after_s or 0)
        next_at = max(started + every_s, now + MIN_EVERY_S, now + asked)
        if next_at >= end:
            report(try_line(tries, outcome, TIME_UP, duration_words(duration_s)))
            return outcome
        line = NEXT_TRY_ASKED if now + asked >= started + every_s and asked else NEXT_TRY
        try:
            # The line is inside: Ctrl-C right after it is printed is still "between tries".
            report(try_line(tries, outcome, line, _seconds_words(next_at - now)))
            while (left := next_at - clock()) > 0:
                time.sleep(min(left, 0.2))
        except KeyboardInterrupt:
            raise Interrupted(stopped(tries)) from None
