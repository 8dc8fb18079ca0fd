"""MoEngage data centers, and turning whatever a user typed or pasted into a DC code.

Why this exists: marketers rarely know their "DC"; they know the web address of
their dashboard. So a DC can be written as ``5``, ``DC-05``, ``dc 5`` or pasted as
``https://dashboard-05.moengage.com/v4/#/...``. All of these become ``"05"``.

Why it is strict: the DC picks the host that receives the API key. A pasted
address is therefore accepted only when its *host* is exactly one of MoEngage's
known hosts; look-alikes (``dashboard-01.moengage.com.evil.example``,
``dashboard-01.moengage.com@evil.example``, a MoEngage host hidden in a path or
query) are refused rather than guessed at. Only ASCII digits count as digits, so
``٥`` (Arabic-Indic five) is not DC-05.

Languages: the messages, :data:`UNKNOWN_DC_LABEL` and the region names shown to
people (:attr:`DataCenter.display_label`, :func:`dc_label`) are translated. The
codes, hosts and :attr:`DataCenter.label` are data and stay English: ``label``
is what ``moecheck dc --json`` prints and what :func:`parse_dc` reads back.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from moecheck_gui.i18n import N_, _, format_list
from moecheck_gui.limits import MAX_DC_INPUT


class DataCenter(NamedTuple):
    """One MoEngage data center (PRODUCT.md section 2).

    A NamedTuple rather than a dataclass: the window needs this table before its
    first paint, and ``dataclasses`` (with ``inspect``) costs ~6 ms to import.
    """

    code: str
    """The normalised code, as sent in the request body's ``region``: ``"01"``, ``"101"``."""
    region: str | None
    """Where it is, for people choosing from a list, in English (marked for translation);
    None when MoEngage does not publish it."""
    dashboard_host: str
    api_host: str

    @property
    def label(self) -> str:
        """How the DC is shown to people: ``"DC-01 — US"``, or ``"DC-101"`` without a region."""
        name = f"DC-{self.code}"
        return f"{name} — {self.region}" if self.region else name

    @property
    def display_label(self) -> str:
        """:attr:`label` with the region in the user's language: ``"DC-03 — インド"``.

        For the window and sentences; :attr:`label` stays English (JSON, parsing).
        """
        name = f"DC-{self.code}"
        if not self.region:
            return name
        # Translators: a data center and its region, e.g. "DC-01 — US".
        return _("{dc} — {region}").format(dc=name, region=_(self.region))


def _dc(code: str, region: str | None) -> DataCenter:
    # Built from the code so the host is always api-{dc}, never api-0{dc}
    # (which would turn DC-101 into the nonexistent api-0101).
    return DataCenter(code, region, f"dashboard-{code}.moengage.com", f"api-{code}.moengage.com")


DATA_CENTERS: tuple[DataCenter, ...] = (
    # Region names are shown to people, so they are translated where shown (N_ here).
    _dc("01", N_("US")),
    _dc("02", N_("EU")),
    _dc("03", N_("India")),
    _dc("04", N_("US")),
    _dc("05", N_("Singapore")),
    _dc("06", N_("Indonesia")),
    _dc("101", None),
)
"""Every data center, in the order of MoEngage's table."""

DC_CODES: tuple[str, ...] = tuple(dc.code for dc in DATA_CENTERS)
BY_CODE: dict[str, DataCenter] = {dc.code: dc for dc in DATA_CENTERS}

UNKNOWN_DC_LABEL = N_("unknown data center")
"""How :func:`dc_label` names a data center that is not known (or not given); English,
translated by :func:`dc_label`."""


def dc_label(code: str | None, *, translate: bool = True) -> str:
    """How a data center is named to people, whatever the caller holds; never raises.

    * a known code: its table label, ``"DC-01 — US"`` or ``"DC-101"``;
    * another code of one to four ASCII digits: ``"DC-07"`` (it is shaped like a
      DC, and naming it helps more than hiding it);
    * None, empty or anything else: ``"unknown data center"``.

    Why this fallback: the label is used mid-sentence ("Found the workspace on
    ...", "No answer from ...") as well as in tables, reports and the command's
    list of attempts. "unknown data center" reads correctly in all of them,
    where ``-`` or ``—`` only works in a table, and echoing arbitrary text would
    put unchecked input into a sentence.

    In the user's language (the region, the fallback), or English with
    ``translate=False`` (the report, which MoEngage support reads).
    """
    unknown = _(UNKNOWN_DC_LABEL) if translate else UNKNOWN_DC_LABEL
    if not isinstance(code, str) or not code:
        return unknown
    known = BY_CODE.get(code)
    if known is not None:
        return known.display_label if translate else known.label
    if code.isascii() and code.isdigit() and len(code) <= 4:
        return f"DC-{code}"
    return unknown


LEGACY_HOSTS: dict[str, str] = {
    "app.moengage.com": "01",
    "app-eu.moengage.com": "02",
    "app-serv3.moengage.com": "03",
    "api.moengage.com": "01",
    "api-eu.moengage.com": "02",
    "api-serv3.moengage.com": "03",
}
"""Older dashboard and API hosts that are still in use, and the DC each belongs to."""

HOSTS: dict[str, str] = {
    **{dc.dashboard_host: dc.code for dc in DATA_CENTERS},
    **{dc.api_host: dc.code for dc in DATA_CENTERS},
    **LEGACY_HOSTS,
}
"""Every host name that identifies a DC (lower case, no trailing dot)."""

_CHOICE_CODES = tuple(f"DC-{code}" for code in DC_CODES)


def _choices() -> str:
    """``"DC-01, DC-02, ..."`` with the language's list separator."""
    return format_list(_CHOICE_CODES)


# ASCII only, on purpose: with re.ASCII, [0-9] and \s match no other scripts'
# digits. "DC", then optional spaces, dashes or underscores, then digits.
_CODE_RE = re.compile(r"(?:dc[ _-]*)?([0-9]+)", re.ASCII | re.IGNORECASE)
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.-]*)://", re.ASCII | re.IGNORECASE)
# What a pasted address is trimmed of, beyond str.strip()'s whitespace:
# invisible characters that copy-paste brings along.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# The labels themselves ("DC-01 — US"), in case one is copied from the window,
# also with an en dash or hyphen in place of the em dash.
_LABELS: dict[str, str] = {
    dc.label.replace("—", dash).casefold(): dc.code for dc in DATA_CENTERS for dash in "—–-"
}


class DataCenterError(ValueError):
    """A value that is not a MoEngage data center; ``message`` is written for the user.

    ``field`` is always ``"dc"``, matching :class:`moecheck_gui.inputs.InputError`, so
    callers can treat both errors alike.
    """

    field = "dc"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _shown(text: str) -> str:
    """The user's input quoted for a message, or a neutral phrase if it is unfit to show.

    Why: echoing what was typed makes the message concrete, but long text or
    invisible/control characters would make the message unreadable or misleading.
    The result starts a sentence ("{value} is not a MoEngage data center.").
    """
    if 0 < len(text) <= 80 and text.isprintable():
        # Translators: what the user typed, quoted; use your language's quotation marks.
        return _("'{text}'").format(text=text)
    # Translators: starts a sentence in place of what the user typed (unfit to show).
    return _("That value")


def _code_for_number(digits: str) -> str | None:
    """``"5"``/``"05"`` → ``"05"`` and ``"101"`` → ``"101"``; others (``"001"``, ``"7"``) → None."""
    if len(digits) <= 2:
        code = digits.zfill(2)
    else:
        code = digits
    return code if code in BY_CODE else None


def _looks_like_address(text: str) -> bool:
    """True when the text reads as a web address or host name rather than a DC number."""
    return any(ch in text for ch in "./:@\\")


def _host_code(text: str) -> tuple[str | None, str]:
    """The DC of a pasted URL or bare host, or ``(None, why)`` when it is not a MoEngage address.

    The decision rests on the host alone, which must equal a known host exactly
    (case-insensitive, one trailing dot allowed). Anything that makes the host
    ambiguous (user info with ``@``, backslashes, control characters, non-ASCII
    in the host part) is refused instead of interpreted.
    """
    not_moengage = _(
        "{value} is not a MoEngage dashboard or API address. Use one of {choices} (you can "
        "find it in your dashboard's web address, e.g. dashboard-01.moengage.com)."
    ).format(value=_shown(text), choices=_choices())
    if any(not ch.isprintable() or ch.isspace() for ch in text):
        # urlsplit silently drops tabs and newlines, which would let a split-up
        # host name through; a real pasted address has none of these.
        return None, _(
            "That web address contains spaces or invisible characters. Paste the address "
            "exactly as shown in your browser, or enter the data center ({choices})."
        ).format(choices=_choices())
    match = _SCHEME_RE.match(text)
    if match:
        if match.group(1).lower() not in ("http", "https"):
            return None, not_moengage
        url = text
    elif text.startswith("//"):
        url = "https:" + text
    else:
        url = "https://" + text
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None, not_moengage
    netloc = parts.netloc
    if "@" in netloc:
        return None, _(
            "That address contains '@', so its real host is not the part that looks like "
            "MoEngage. Paste your dashboard's address exactly as shown in your browser, "
            "or enter the data center ({choices})."
        ).format(choices=_choices())
    if not netloc.isascii() or "\\" in netloc:
        return None, not_moengage
    host = (parts.hostname or "").lower()
    if host.endswith("."):
        host = host[:-1]
    code = HOSTS.get(host)
    if code is None:
        return None, not_moengage
    return code, ""


def parse_dc(value: str) -> str:
    """Return the normalised DC code (``"05"``, ``"101"``) for any way a user writes a DC.

    Accepts ``5``, ``05``, ``DC-05``, ``dc05``, ``DC 05``, ``dc_5``, ``101``, a
    label such as ``DC-01 — US``, and pasted dashboard or API addresses (with or
    without scheme, port, path, query or fragment), including the legacy
    ``app.``, ``app-eu.`` and ``app-serv3.`` hosts. Raises :class:`DataCenterError`
    with a message for the user for anything else.
    """
    if not isinstance(value, str):
        raise DataCenterError(
            _(
                "Enter a data center: one of {choices} (you can find it in your dashboard's "
                "web address)."
            ).format(choices=_choices())
        )
    if len(value) > MAX_DC_INPUT:
        raise DataCenterError(
            _(
                "That is far too long to be a data center or a dashboard address. "
                "Use one of {choices} (you can find it in your dashboard's web address)."
            ).format(choices=_choices())
        )
    text = value.strip().strip(_INVISIBLE).strip()
    if not text:
        raise DataCenterError(
            _(
                "Enter a data center: one of {choices}, or paste your dashboard's web address."
            ).format(choices=_choices())
        )
    match = _CODE_RE.fullmatch(text)
    if match:
        code = _code_for_number(match.group(1))
        if code is not None:
            return code
        raise DataCenterError(_not_a_dc(text))
    label_code = _LABELS.get(text.casefold()) or _display_label_code(text)
    if label_code is not None:
        return label_code
    if _looks_like_address(text):
        code, why = _host_code(text)
        if code is not None:
            return code
        raise DataCenterError(why)
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        raise DataCenterError(
            _(
                "{value} uses digits other than 0–9. Type the data center with ordinary "
                "digits: one of {choices} (you can find it in your dashboard's web address)."
            ).format(value=_shown(text), choices=_choices())
        )
    raise DataCenterError(_not_a_dc(text))


def _not_a_dc(text: str) -> str:
    return _(
        "{value} is not a MoEngage data center. Use one of {choices} (you can find it in "
        "your dashboard's web address)."
    ).format(value=_shown(text), choices=_choices())


def _display_label_code(text: str) -> str | None:
    """The DC whose label in the user's language is ``text`` (copied from the window), if any."""
    wanted = text.casefold()
    for dc in DATA_CENTERS:
        if dc.region and any(
            dc.display_label.replace("—", dash).casefold() == wanted for dash in "—–-"
        ):
            return dc.code
    return None


def dc_from_url(text: str) -> str | None:
    """The DC of a pasted MoEngage dashboard/API URL or host, else None; never raises.

    Why separate from :func:`parse_dc`: the window calls this on whatever lands in
    the workspace field, where ``5`` or ``DC05`` is far more likely a workspace ID
    than a DC. Only something that reads as an address counts here.
    """
    try:
        if not isinstance(text, str) or len(text) > MAX_DC_INPUT:
            return None
        stripped = text.strip().strip(_INVISIBLE).strip()
        if not stripped or not _looks_like_address(stripped):
            return None
        return _host_code(stripped)[0]
    except Exception:  # noqa: BLE001 - a paste handler must never crash the window
        return None
