"""Cleaning and checking what the user typed, before anything is sent.

Why: credentials are copied from a web page, so they arrive with a stray space,
a trailing newline, a non-breaking space or an invisible byte-order mark. Outer
ones are removed (and the user is told, so nothing changes silently); anything
that is still not printable ASCII without spaces is refused with a message that
says which field and what is wrong (PRODUCT.md 3.1 ``invalid_input``). Refusing
locally also means that nothing able to break an HTTP header (CR, LF, NUL) ever
reaches the network code.

Messages never quote the values: the key is secret, and a key pasted into the
wrong field would otherwise be echoed too. They are in the user's language
(whole sentences with placeholders); ``field`` values, MoEngage's menu names and
``MOECHECK_API_BASE`` stay as they are.
"""

from __future__ import annotations

import ipaddress
import os
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from moecheck_gui.datacenters import BY_CODE, DC_CODES
from moecheck_gui.i18n import N_, _, format_list, join_sentences, ngettext
from moecheck_gui.limits import MAX_FIELD_LENGTH

API_PATH = "/v1/integrations/authentication"
API_BASE_ENV = "MOECHECK_API_BASE"
# Translators: "Settings › Account › APIs" and "Data" are MoEngage's own menu and tile
# names, which its dashboard shows in English: keep them in English.
_WHERE_KEY = N_("Copy it from Settings › Account › APIs in the MoEngage dashboard (Data tile).")
# Translators: "Settings › Account › APIs" is MoEngage's own menu: keep it in English.
_WHERE_WORKSPACE = N_("Copy it from Settings › Account › APIs in the MoEngage dashboard.")
# Translators: "Settings › Account › APIs" and "Data" are MoEngage's own menu and tile
# names: keep them in English.
_WHERE_KEY_AGAIN = N_(
    "Copy it again from Settings › Account › APIs in the MoEngage dashboard (Data tile)."
)
# Translators: "Settings › Account › APIs" is MoEngage's own menu: keep it in English.
_WHERE_WORKSPACE_AGAIN = N_(
    "Copy it again from Settings › Account › APIs in the MoEngage dashboard."
)

FIELD_NAMES: dict[str, str] = {
    "workspace_id": N_("Workspace ID"),
    "api_key": N_("Data API key"),
    "dc": N_("Data center"),
    "api_base": "MOECHECK_API_BASE",  # an environment variable: never translated
}
"""How each field is called in messages, in the words the user sees on screen (English;
:func:`field_name` gives them in the user's language)."""


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
    "\r": "carriage_return",
    "\u00a0": "non_breaking_space",
    "\u200b": "zero_width_space",
    "\ufeff": "invisible_byte_order_mark",
}
"""Which name (a key of :func:`_char_word`, never shown) each well-known trimmed character has."""


def _trimmable(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE


def _char_name(piece: str) -> str:
    """The name (a key of :func:`_char_word`) of one trimmed character or a CR LF pair."""
    if piece in _CHAR_NAMES:
        return _CHAR_NAMES[piece]
    if piece in _INVISIBLE:
        return "invisible_character"
    if unicodedata.category(piece) in ("Zl", "Zp") or piece in "\x0b\x0c\x1c\x1d\x1e\x85":
        return "line_break"
    return "special_space"


def _char_word(name: str, count: int) -> str:
    """``name`` (from :func:`_char_name`) in the user's language, singular or plural for ``count``.

    Literal calls, one per name, so the extractor sees every word.
    """
    words = {
        "space": lambda: ngettext("space", "spaces", count),
        "tab": lambda: ngettext("tab", "tabs", count),
        "newline": lambda: ngettext("newline", "newlines", count),
        "carriage_return": lambda: ngettext("carriage return", "carriage returns", count),
        "non_breaking_space": lambda: ngettext("non-breaking space", "non-breaking spaces", count),
        "zero_width_space": lambda: ngettext("zero-width space", "zero-width spaces", count),
        "invisible_byte_order_mark": lambda: ngettext(
            "invisible byte-order mark", "invisible byte-order marks", count
        ),
        "invisible_character": lambda: ngettext(
            "invisible character", "invisible characters", count
        ),
        "line_break": lambda: ngettext("line break", "line breaks", count),
        "special_space": lambda: ngettext("special space", "special spaces", count),
    }
    return words[name]()


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


def _first_phrase(side: str, name: str, count: int) -> str:
    """The first item of a side: ``"a trailing tab"``, ``"2 leading spaces"``."""
    word = _char_word(name, count)
    if side == "leading":
        if count > 1:
            # Translators: e.g. "2 leading spaces"; {name} is already in the plural.
            return _("{count} leading {name}").format(count=count, name=word)
        # Translators: e.g. "a leading space" (removed from the start of a field).
        return _("a leading {name}").format(name=word)
    if count > 1:
        # Translators: e.g. "2 trailing newlines"; {name} is already in the plural.
        return _("{count} trailing {name}").format(count=count, name=word)
    # Translators: e.g. "a trailing newline" (removed from the end of a field).
    return _("a trailing {name}").format(name=word)


def _next_phrase(name: str, count: int, single: bool) -> str:
    """A later item of the same side: ``"newline"``, ``"a newline"`` or ``"2 newlines"``."""
    word = _char_word(name, count)
    if count > 1:
        # Translators: e.g. "2 newlines"; {name} is already in the plural.
        return _("{count} {name}").format(count=count, name=word)
    if single:
        return word
    # English says "an" before a vowel; translate both the same way when your
    # language has no such rule.
    if name[0] in "aeiou":
        # Translators: "an" + a character's name, e.g. "an invisible character".
        return _("an {name}").format(name=word)
    # Translators: "a" + a character's name, e.g. "a newline".
    return _("a {name}").format(name=word)


def _describe(chars: str, side: str) -> str:
    """E.g. ``"a trailing tab and newline"`` or ``"2 leading spaces"``."""
    counts: dict[str, int] = {}
    for piece in _pieces(chars):
        name = _char_name(piece)
        counts[name] = counts.get(name, 0) + 1
    items = list(counts.items())
    single = all(count == 1 for _name, count in items)
    parts: list[str] = []
    for index, (name, count) in enumerate(items):
        if index == 0:
            parts.append(_first_phrase(side, name, count))
        else:
            parts.append(_next_phrase(name, count, single))
    if len(parts) == 1:
        return parts[0]
    # Translators: the last two items of a list, e.g. "a trailing space, tab and newline".
    return _("{items} and {last}").format(items=format_list(parts[:-1]), last=parts[-1])


def field_name(field: str) -> str:
    """How ``field`` is called on screen, in the user's language (:data:`FIELD_NAMES`)."""
    name = FIELD_NAMES[field]
    return name if field == "api_base" else _(name)


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
    if leading and trailing:
        first, second = _describe(leading, "leading"), _describe(trailing, "trailing")
        if len(_char_set(leading)) > 1 or len(_char_set(trailing)) > 1:
            # Translators: two lists joined, e.g. "a leading space and tab, and a trailing
            # newline".
            what = _("{first}, and {second}").format(first=first, second=second)
        else:
            # Translators: e.g. "a leading space and a trailing newline".
            what = _("{first} and {second}").format(first=first, second=second)
    else:
        what = _describe(leading, "leading") if leading else _describe(trailing, "trailing")
    # Translators: e.g. "Removed a trailing newline from the Data API key."
    notice = _("Removed {what} from the {field}.").format(what=what, field=field_name(field))
    return value[start:end], notice


def _char_set(chars: str) -> set[str]:
    """The different character names among ``chars`` (more than one makes a list)."""
    return {_char_name(piece) for piece in _pieces(chars)}


# --- refusing -----------------------------------------------------------------


def _problem(text: str, field: str) -> str | None:
    """The sentence saying what is wrong with an already trimmed value; None if fine."""
    name = field_name(field)
    if len(text) > MAX_FIELD_LENGTH:
        return _(
            "The {field} is too long ({length} characters; at most {limit} are allowed)."
        ).format(field=name, length=len(text), limit=MAX_FIELD_LENGTH)
    for index, ch in enumerate(text, start=1):
        if "!" <= ch <= "~":
            continue
        if ch == " ":
            return _(
                "The {field} contains a space (at character {index}); it cannot contain spaces."
            ).format(field=name, index=index)
        if ch in "\r\n\x0b\x0c\x85\u2028\u2029":
            return _(
                "The {field} contains a line break (at character {index}); it must be on one line."
            ).format(field=name, index=index)
        if ch == "\t":
            return _("The {field} contains a tab (at character {index}).").format(
                field=name, index=index
            )
        if ch in _INVISIBLE:
            return _(
                "The {field} contains an invisible character such as a zero-width space "
                "(at character {index})."
            ).format(field=name, index=index)
        if ch.isspace():
            return _(
                "The {field} contains a special space such as a non-breaking space "
                "(at character {index})."
            ).format(field=name, index=index)
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return _(
                "The {field} contains an invisible control character (at character {index})."
            ).format(field=name, index=index)
        if field == "api_key":
            return _(
                "The {field} contains a character that cannot be part of a key, such as a "
                "curly quote or an accented letter (at character {index})."
            ).format(field=name, index=index)
        return _(
            "The {field} contains a character that cannot be part of a {field}, such as a "
            "curly quote or an accented letter (at character {index})."
        ).format(field=name, index=index)
    return None


def _where(field: str, again: bool) -> str:
    """Where the user finds the value in MoEngage's dashboard (its menu names stay English)."""
    if field == "api_key":
        if again:
            return _(_WHERE_KEY_AGAIN)
        return _(_WHERE_KEY)
    if again:
        return _(_WHERE_WORKSPACE_AGAIN)
    return _(_WHERE_WORKSPACE)


def _clean_field(value: object, field: str) -> tuple[str, str | None]:
    """Trim and check one field; raise :class:`InputError` if it cannot be used."""
    name = field_name(field)
    if not isinstance(value, str):
        missing = _("The {field} is missing.").format(field=name)
        raise InputError(field, join_sentences(missing, _where(field, again=False)))
    text, notice = _trim(value, field)
    if not text:
        if value:
            empty = _("The {field} is empty (it held only spaces or line breaks).")
        else:
            empty = _("The {field} is empty.")
        raise InputError(
            field, join_sentences(empty.format(field=name), _where(field, again=False))
        )
    problem = _problem(text, field)
    if problem is not None:
        raise InputError(field, join_sentences(problem, _where(field, again=True)))
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
    """A refusal of ``MOECHECK_API_BASE``; ``problem`` is a whole translated sentence."""
    return InputError("api_base", problem)


_EXAMPLE_BASE = "https://api-{dc}.example.com"


def _checked_base(url: str) -> None:
    """Raise :class:`InputError` unless ``url`` is a safe base to send a key to.

    Why so strict: this address receives the API key. Plain http would send it
    unencrypted; user info (``user@host``) hides the real host; a query or
    fragment would swallow the path we append.
    """
    if not url.isascii() or any(not "!" <= ch <= "~" for ch in url):
        raise _base_error(
            # Translators: MOECHECK_API_BASE is an environment variable: keep it as it is.
            _(
                "MOECHECK_API_BASE contains spaces or characters that are not plain ASCII. "
                "Set it to an address such as {example}."
            ).format(example=_EXAMPLE_BASE)
        )
    if "{" in url or "}" in url:
        raise _base_error(
            _(
                "MOECHECK_API_BASE has a placeholder other than {placeholder}, the only one "
                "that is filled in."
            ).format(placeholder="{dc}")
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise _base_error(
            _(
                "MOECHECK_API_BASE is not a valid web address. Set it to an address such as "
                "{example}."
            ).format(example=_EXAMPLE_BASE)
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise _base_error(
            _(
                "MOECHECK_API_BASE must be an http:// or https:// address with a host, such as "
                "{example}."
            ).format(example=_EXAMPLE_BASE)
        )
    if "@" in parts.netloc:
        raise _base_error(
            _(
                "MOECHECK_API_BASE contains a user name or password (user@host). Remove it: "
                "it would hide where the key is sent."
            )
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise _base_error(
            _("MOECHECK_API_BASE must not contain '?' or '#'; the API path is appended to it.")
        )
    if scheme == "http" and not _is_loopback(parts.hostname):
        host = parts.hostname
        if _HOST_SHOWN.fullmatch(host):
            plain = _(
                "MOECHECK_API_BASE uses plain http:// to a host that is not this computer "
                "({host}), so the key would travel unencrypted. Use https://, or http:// only "
                "with localhost, 127.0.0.1 or [::1]."
            ).format(host=host)
        else:
            plain = _(
                "MOECHECK_API_BASE uses plain http:// to a host that is not this computer, so "
                "the key would travel unencrypted. Use https://, or http:// only with "
                "localhost, 127.0.0.1 or [::1]."
            )
        raise _base_error(plain)


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
        choices = format_list(f"DC-{code}" for code in DC_CODES)
        raise InputError(
            "dc",
            _("The {field} is not one MoEngage has. Use one of {choices}.").format(
                field=field_name("dc"), choices=choices
            ),
        )
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
