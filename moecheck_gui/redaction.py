"""Secrets and redaction, in one place: what counts as a secret and how it is removed from text.

Why one module: the API key (and, later, a proxy password) must never reach a
screen, a log, a report or a terminal (PRODUCT.md 3.4, 3.7). The client, the
command's output guard, the report and the log file all remove secrets from
text; they share these definitions so that they agree on

* the placeholder (:data:`REDACTED`),
* which strings are too short to look for (:data:`MIN_SECRET_LENGTH`),
* the forms in which a key can come back (:func:`secret_forms`: raw, trimmed,
  JSON-escaped, base64 as in the ``Authorization`` header),
* how secrets are replaced (:func:`redact`), how a URL loses its
  ``user:password@`` part (:func:`redact_url`), and which credential-looking
  fields are removed whoever wrote them (:func:`redact_credential_fields`).

:class:`SecretSet` is the thread-safe registry a front end adds the secrets of
the running work to (the command's output guard, the window's log).

Light on purpose: the window imports this (through :mod:`moecheck_gui.applog`)
before its first frame, so only :mod:`re` and :mod:`threading` load at import
time; everything else is imported when first needed, and regexes are compiled
on first use.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

REDACTED = "[redacted]"
"""What stands in for a secret wherever it would otherwise be shown."""

MIN_SECRET_LENGTH = 4
"""Secrets (and forms of secrets) shorter than this are not searched for in text.

Why 4: below that, a "secret" matches ordinary words and numbers ("401", "the",
"dc") and replacing it would make every message unreadable, while protecting
nothing (a 3-character secret is guessed in moments). 4 is the smallest length
any redaction path used before they were unified, so no path redacts less than
it did. Real Data API keys are far longer, so in practice every key is covered.
"""

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
"""Invisible characters copy-paste brings along (as :mod:`moecheck_gui.inputs` trims them)."""


def _trimmed(value: str) -> str:
    """``value`` without outer whitespace or invisible characters, as the check would send it."""
    previous = None
    while previous != value:
        previous = value
        value = value.strip().strip(_INVISIBLE)
    return value


def secret_forms(key: str, workspace_id: str | None = None) -> tuple[str, ...]:
    """Every form in which ``key`` could come back, longest first.

    The key as given and trimmed (as the check sends it), each JSON-escaped (as
    in a request body or a JSON dump), the key in base64, and -- when the
    workspace ID is known -- base64 of ``workspace_id:key`` as in the
    ``Authorization: Basic`` header. Forms shorter than
    :data:`MIN_SECRET_LENGTH` are left out.
    """
    import base64
    import json

    plain = {key, key.strip(), _trimmed(key)}
    forms = set(plain)
    forms |= {json.dumps(form)[1:-1] for form in plain}
    for form in plain:
        raw = form.encode("utf-8", "replace")
        forms.add(base64.b64encode(raw).decode("ascii"))
        if workspace_id is not None:
            pair = f"{_trimmed(workspace_id)}:{form}".encode("utf-8", "replace")
            forms.add(base64.b64encode(pair).decode("ascii"))
    return tuple(
        sorted((f for f in forms if len(f) >= MIN_SECRET_LENGTH), key=lambda f: (-len(f), f))
    )


def _pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of the non-empty secrets, longest first; None if there are none."""
    wanted = sorted({s for s in secrets if s}, key=len, reverse=True)
    if not wanted:
        return None
    return re.compile("|".join(re.escape(s) for s in wanted))


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every occurrence of every non-empty secret replaced by ``[redacted]``.

    Longer secrets are replaced first, so a secret that contains another one is
    removed whole. Replacement is one left-to-right pass, so the inserted
    ``[redacted]`` is never itself searched. The caller decides which strings are
    secrets (usually :func:`secret_forms` or a :class:`SecretSet`); no length
    filter is applied here.
    """
    if not text:
        return text
    pattern = _pattern(secrets)
    return pattern.sub(REDACTED, text) if pattern is not None else text


def redact_url(url: str) -> str:
    """``url`` with any ``user:password@`` part replaced: proxy or gateway credentials never leak.

    Host and port stay (they are what the user must look at). Anything that
    cannot be parsed is replaced whole, since it may hide a secret in an
    unexpected place.
    """
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{REDACTED}@{host}"))


_field_patterns: tuple[tuple[re.Pattern[str], str], ...] | None = None


def _credential_field_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The credential-field patterns, compiled on first use (not at import: the
    window imports this module before its first paint, and compiling costs ~1 ms)."""
    global _field_patterns  # compiled once, lazily
    if _field_patterns is None:
        _field_patterns = (
            # Authorization: Basic xxx / Bearer xxx (header lines, dict reprs, JSON)
            (
                re.compile(
                    r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?\s*(?:basic|bearer)?\s*)[^\s'\",}]+"
                ),
                r"\1" + REDACTED,
            ),
            # "Basic <base64>" anywhere, e.g. an exception text quoting the header value
            # (case-sensitive, and the token must hold a digit, + or /, so that prose
            # such as "basic information" is left alone).
            (
                re.compile(r"(\bBasic\s+)(?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{12,}={0,2}"),
                r"\1" + REDACTED,
            ),
            # "app_secret": "xxx" / app_secret=xxx / 'app_secret': 'xxx'
            (
                re.compile(r"(?i)(app_secret['\"]?\s*[:=]\s*['\"]?)[^'\"&\s,}]+"),
                r"\1" + REDACTED,
            ),
            # MOECHECK_API_KEY=xxx in a dumped environment
            (re.compile(r"(MOECHECK_API_KEY['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+"), r"\1" + REDACTED),
        )
    return _field_patterns


def redact_credential_fields(text: str) -> str:
    """``text`` with the values of credential-looking fields replaced, whoever wrote them.

    Covers ``Authorization`` header values, ``Basic <base64>`` tokens,
    ``app_secret`` fields and ``MOECHECK_API_KEY=...``: the shapes in which a key
    shows up in a debug line or an exception message even when nobody
    registered it.
    """
    for pattern, replacement in _credential_field_patterns():
        text = pattern.sub(replacement, text)
    return text


class SecretSet:
    """A thread-safe set of secrets to remove from text, for as long as they are in use.

    Why: the command's output guard and the window's log must redact the key of
    the check that is running, written from any thread. :meth:`add` registers a
    value and the forms it could take (:func:`secret_forms`); :meth:`discard`
    forgets them again when the work that used it has ended. The compiled
    pattern is cached until the set changes, so redacting every write is cheap.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._stale = False

    def add(self, secret: str, workspace_id: str | None = None) -> None:
        """Redact ``secret`` in every form (with ``workspace_id``: also its Basic-auth token)."""
        if not isinstance(secret, str):
            return
        forms = secret_forms(secret, workspace_id)
        with self._lock:
            if not set(forms) <= self._values:
                self._values.update(forms)
                self._stale = True

    def discard(self, secret: str, workspace_id: str | None = None) -> None:
        """Stop redacting what :meth:`add` registered for the same arguments."""
        if not isinstance(secret, str):
            return
        forms = secret_forms(secret, workspace_id)
        with self._lock:
            if self._values & set(forms):
                self._values.difference_update(forms)
                self._stale = True

    def values(self) -> tuple[str, ...]:
        """A snapshot of the registered strings, longest first."""
        with self._lock:
            return tuple(sorted(self._values, key=lambda v: (-len(v), v)))

    def redact(self, text: str) -> str:
        """``text`` with every registered secret replaced by :data:`REDACTED`."""
        if not text:
            return text
        with self._lock:
            if self._stale:
                self._pattern = _pattern(self._values)
                self._stale = False
            pattern = self._pattern
        return pattern.sub(REDACTED, text) if pattern is not None else text
