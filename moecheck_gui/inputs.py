"""Cleaning and checking what the user typed, before anything is sent.

Why: credentials are copied from a web page, so they arrive with a stray space,
a trailing newline, a non-breaking space or an invisible byte-order mark. Outer
ones are removed (and the user is told, so nothing changes silently); anything
that is still not printable ASCII without spaces is refused with a message that
says which field and what is wrong (PRODUCT.md 3.1 ``invalid_input``). Refusing
locally also means that nothing able to break an HTTP header (CR, LF, NUL) ever
reaches the network code.

Messages never quote the values: the key is secret, and a key pasted into the
wrong field would otherwise be echoed too.
"""

from __future__ import annotations

import ipaddress
import os
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from moecheck_gui.datacenters import BY_CODE, DC_CODES
from moecheck_gui.limits import MAX_FIELD_LENGTH

API_PATH = "/v1/integrations/authentication"
API_BASE_ENV = "MOECHECK_API_BASE"
_WHERE_KEY = "Copy it from Settings › Account › APIs in the MoEngage dashboard (Data tile)."
_WHERE_WORKSPACE = "Copy it from Settings › Account › APIs in the MoEngage dashboard."

FIELD_NAMES: dict[str, str] = {
    "workspace_id": "Workspace ID",
    "api_key": "Data API key",
    "dc": "Data center",
    "api_base": "MOECHECK_API_BASE",
}
"""How each field is called in messages, in the words the user sees on screen."""


@dataclass(frozen=True)
class Credentials:
    """A workspace ID and Data API key that passed :func:`normalise_credentials`.

    Its ``repr``/``str`` never shows the key, so a stray log line, traceback or
    f-string cannot leak it.
    """

    workspace_id: str
    api_key: str

    def __repr__(self) -> str:
        return f"Credentials(workspace_id={self.workspace_id!r}, api_key=<hidden>)"

    __str__ = __repr__


class InputError(ValueError):
    """Input refused locally (nothing was sent).

    ``field`` is ``"workspace_id"``, ``"api_key"``, ``"dc"`` or ``"api_base"``;
    ``message`` names the field in the user's words and says what is wrong. It
    never contains the value.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- trimming -----------------------------------------------------------------

# Invisible characters that copy-paste brings along but str.isspace() does not
# cover: zero-width space/non-joiner/joiner, word joiner, byte-order mark.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")

_CHAR_NAMES: dict[str, str] = {
    " ": "space",
    "\t": "tab",
    "\n": "newline",
    "\r\n": "newline",
    "\r": "carriage return",
    "\u00a0": "non-breaking space",
    "\u200b": "zero-width space",
    "\ufeff": "invisible byte-order mark",
}


def _trimmable(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE


def _char_name(piece: str) -> str:
    """A plain-language name for one trimmed character (or a CR LF pair)."""
    if piece in _CHAR_NAMES:
        return _CHAR_NAMES[piece]
    if piece in _INVISIBLE:
        return "invisible character"
    if unicodedata.category(piece) in ("Zl", "Zp") or piece in "\x0b\x0c\x1c\x1d\x1e\x85":
        return "line break"
    return "special space"


def _pieces(chars: str) -> list[str]:
    """Split trimmed characters into pieces, keeping a Windows CR LF together as one newline."""
    out: list[str] = []
    i = 0
    while i < len(chars):
        if chars.startswith("\r\n", i):
            out.append("\r\n")
            i += 2
        else:
            out.append(chars[i])
            i += 1
    return out


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _describe(chars: str, side: str) -> str:
    """E.g. ``"a trailing tab and newline"`` or ``"2 leading spaces"``."""
    counts: dict[str, int] = {}
    for piece in _pieces(chars):
        name = _char_name(piece)
        counts[name] = counts.get(name, 0) + 1
    items = list(counts.items())
    single = all(count == 1 for _, count in items)
    parts: list[str] = []
    for index, (name, count) in enumerate(items):
        if count > 1:
            phrase = f"{count} {side} {name}s" if index == 0 else f"{count} {name}s"
        elif index == 0:
            phrase = f"{_article(side)} {side} {name}"
        else:
            phrase = name if single else f"{_article(name)} {name}"
        parts.append(phrase)
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _trim(value: str, field: str) -> tuple[str, str | None]:
    """Remove outer whitespace and invisible characters; return the rest and a notice, if any."""
    start, end = 0, len(value)
    while start < end and _trimmable(value[start]):
        start += 1
    while end > start and _trimmable(value[end - 1]):
        end -= 1
    leading, trailing = value[:start], value[end:]
    if not leading and not trailing:
        return value, None
    phrases = []
    if leading:
        phrases.append(_describe(leading, "leading"))
    if trailing:
        phrases.append(_describe(trailing, "trailing"))
    joiner = " and "
    if len(phrases) == 2 and any(" and " in p or "," in p for p in phrases):
        joiner = ", and "
    return value[start:end], f"Removed {joiner.join(phrases)} from the {FIELD_NAMES[field]}."


# --- refusing -----------------------------------------------------------------


def _problem(text: str, field: str) -> str | None:
    """What is wrong with an already trimmed value, as the end of a sentence; None if fine."""
    if len(text) > MAX_FIELD_LENGTH:
        return f"is too long ({len(text)} characters; at most {MAX_FIELD_LENGTH} are allowed)"
    noun = "key" if field == "api_key" else FIELD_NAMES[field]
    for index, ch in enumerate(text, start=1):
        if "!" <= ch <= "~":
            continue
        at = f"at character {index}"
        if ch == " ":
            return f"contains a space ({at}); it cannot contain spaces"
        if ch in "\r\n\x0b\x0c\x85\u2028\u2029":
            return f"contains a line break ({at}); it must be on one line"
        if ch == "\t":
            return f"contains a tab ({at})"
        if ch in _INVISIBLE:
            return f"contains an invisible character such as a zero-width space ({at})"
        if ch.isspace():
            return f"contains a special space such as a non-breaking space ({at})"
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return f"contains an invisible control character ({at})"
        return (
            f"contains a character that cannot be part of a {noun}, such as a curly quote "
            f"or an accented letter ({at})"
        )
    return None


def _clean_field(value: object, field: str) -> tuple[str, str | None]:
    """Trim and check one field; raise :class:`InputError` if it cannot be used."""
    name = FIELD_NAMES[field]
    where = _WHERE_KEY if field == "api_key" else _WHERE_WORKSPACE
    if not isinstance(value, str):
        raise InputError(field, f"The {name} is missing. {where}")
    text, notice = _trim(value, field)
    if not text:
        held = " (it held only spaces or line breaks)" if value else ""
        raise InputError(field, f"The {name} is empty{held}. {where}")
    problem = _problem(text, field)
    if problem is not None:
        raise InputError(
            field, f"The {name} {problem}. {where.replace('Copy it', 'Copy it again')}"
        )
    return text, notice


def normalise_credentials(workspace_id: str, api_key: str) -> tuple[Credentials, tuple[str, ...]]:
    """Trim both fields and check them (PRODUCT.md 3.1 ``invalid_input``).

    Returns the cleaned credentials and plain-language notices about what was
    trimmed (``"Removed a trailing newline from the Data API key."``). Raises
    :class:`InputError` for the first field, in on-screen order, that cannot be
    used. The result is always 1..256 printable ASCII characters without spaces.
    """
    workspace, ws_notice = _clean_field(workspace_id, "workspace_id")
    key, key_notice = _clean_field(api_key, "api_key")
    notices = tuple(n for n in (ws_notice, key_notice) if n is not None)
    return Credentials(workspace, key), notices


# --- endpoint -----------------------------------------------------------------

_HOST_SHOWN = re.compile(r"[a-z0-9.-]{1,100}", re.ASCII)


def _is_loopback(host: str) -> bool:
    """True for this computer: ``localhost``, 127.0.0.0/8 and ``::1`` (also IPv4-mapped)."""
    host = host.lower().removesuffix(".")
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _base_error(problem: str) -> InputError:
    return InputError("api_base", f"MOECHECK_API_BASE {problem}")


def _checked_base(url: str) -> None:
    """Raise :class:`InputError` unless ``url`` is a safe base to send a key to.

    Why so strict: this address receives the API key. Plain http would send it
    unencrypted; user info (``user@host``) hides the real host; a query or
    fragment would swallow the path we append.
    """
    if not url.isascii() or any(not "!" <= ch <= "~" for ch in url):
        raise _base_error(
            "contains spaces or characters that are not plain ASCII. "
            "Set it to an address such as https://api-{dc}.example.com."
        )
    if "{" in url or "}" in url:
        raise _base_error("has a placeholder other than {dc}, the only one that is filled in.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise _base_error(
            "is not a valid web address. Set it to an address such as https://api-{dc}.example.com."
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise _base_error(
            "must be an http:// or https:// address with a host, such as "
            "https://api-{dc}.example.com."
        )
    if "@" in parts.netloc:
        raise _base_error(
            "contains a user name or password (user@host). Remove it: it would hide "
            "where the key is sent."
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise _base_error("must not contain '?' or '#'; the API path is appended to it.")
    if scheme == "http" and not _is_loopback(parts.hostname):
        host = parts.hostname
        shown = f" ({host})" if _HOST_SHOWN.fullmatch(host) else ""
        raise _base_error(
            f"uses plain http:// to a host that is not this computer{shown}, so the key "
            "would travel unencrypted. Use https://, or http:// only with localhost, "
            "127.0.0.1 or [::1]."
        )


def endpoint_url(dc: str, base: str | None = None) -> str:
    """The full URL of MoEngage's credential check for a DC.

    ``dc`` must already be a normalised code from :func:`~moecheck_gui.datacenters.parse_dc`
    (``"01"``, ``"101"``). Without a base the host is ``api-{dc}.moengage.com``
    (never ``api-0{dc}``). ``base`` defaults to ``MOECHECK_API_BASE`` (empty means
    unset); ``{dc}`` in it is replaced by the code, and a base without ``{dc}``
    (one gateway for all DCs) is allowed. Raises :class:`InputError` for an unknown
    DC (``field="dc"``) or an unsafe base (``field="api_base"``).
    """
    if not isinstance(dc, str) or dc not in BY_CODE:
        choices = ", ".join(f"DC-{code}" for code in DC_CODES)
        raise InputError("dc", f"The Data center is not one MoEngage has. Use one of {choices}.")
    if base is None:
        base = os.environ.get(API_BASE_ENV)
    base = (base or "").strip()
    if not base:
        return f"https://{BY_CODE[dc].api_host}{API_PATH}"
    url = base.replace("{dc}", dc)
    _checked_base(url)
    return url.rstrip("/") + API_PATH


def endpoint_host(url: str) -> str:
    """``host[:port]`` of a URL for display (``"api-01.moengage.com"``); ``""`` if it has none.

    Why not ``netloc``: that would include any user info. Never raises.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except (ValueError, TypeError, AttributeError):
        return ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port is not None else host
