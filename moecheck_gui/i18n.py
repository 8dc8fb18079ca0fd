"""The one translation mechanism: gettext catalogues for the core, the command and the window.

Why gettext (and not Qt's .ts/.qm for the window): the core's messages are
shared by the command and the window, so one set of catalogues
(``po/<lang>.po`` compiled to ``moecheck_gui/locale/<lang>/LC_MESSAGES/moecheck.mo``)
serves both; the window installs the same translations (``gui/i18n_qt.py``)
and only Qt's *own* strings (standard buttons and dialogs) come from the
``qtbase_<lang>.qm`` files PySide6 ships. MusicBrainz Picard works the same way.

How code uses it::

    from moecheck_gui.i18n import N_, _, ngettext

    TITLE = N_("Check stopped")          # module-level: marked, translated at use
    label = _(TITLE)
    text = _("Could not look up {host}.").format(host=host)
    text = ngettext("{n} workspace", "{n} workspaces", n).format(n=n)

Placeholders are ``str.format`` names (``{host}``), never f-strings (the
extractor cannot see inside those, and translators must be able to move
them). Server text (MoEngage's own ``message``) is never passed through here.

The language is chosen once per process (:func:`choose_language`): the
window's saved choice when there is one, else ``LANGUAGE``/``LC_ALL``/
``LC_MESSAGES``/``LANG``, else the operating system's UI language, else
English. The first call of :func:`_` installs it when nobody did
(:func:`install`), so the command needs no set-up call.

Start-up cost: English, the source language, loads nothing: no catalogue, not
even the ``gettext`` module (``_`` returns its argument). A translated language
parses one small ``.mo`` file on first use.

Numbers, dates and durations (:func:`format_number`, :func:`format_ms`,
:func:`format_seconds`, :func:`format_when`) use a small hand-written table
(:data:`NUMBER_SYMBOLS`) plus words and patterns from the catalogues, not
Babel: Babel's locale data is ~30 MB for hundreds of locales we do not ship,
and frozen bundles would have to carry it; six languages need a few symbols
each (docs/translations.md, "Formatting").
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, cast

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

# Start-up: the window imports this before its first paint, so only modules it
# has loaded anyway (no dataclasses, which pulls in inspect; no datetime).

DOMAIN = "moecheck"
"""The gettext domain: ``moecheck.mo``, ``po/moecheck.pot``."""

SOURCE_LANGUAGE = "en"

LANGUAGES: dict[str, str] = {
    "en": "English",
    "id": "Bahasa Indonesia",
    "ja": "日本語",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "ar": "العربية",
}
"""Every language MoeCheck ships, by gettext code, with its name in itself (for the chooser)."""

TRANSLATED_LANGUAGES: tuple[str, ...] = tuple(code for code in LANGUAGES if code != "en")
"""The languages with a catalogue (``po/<code>.po``)."""

RIGHT_TO_LEFT: frozenset[str] = frozenset({"ar"})
"""Languages whose window is laid out right to left."""

ENV_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
"""Where the command (and the window on Linux) reads the language, in gettext's order."""


class Translations(Protocol):
    """What :mod:`gettext` translations offer (and the English stand-in)."""

    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...
    def pgettext(self, context: str, message: str, /) -> str: ...


class _Source:
    """English: the text in the code is the text shown (no catalogue, no ``gettext`` import)."""

    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str, /) -> str:
        return message


class _State:
    """The active language and its translations (None until :func:`install`)."""

    def __init__(self) -> None:
        self.language: str | None = None
        self.translations: Translations | None = None


_state = _State()
_lock = threading.Lock()


# ----------------------------------------------------------------- marking


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (module-level constants).

    Translate it where it is shown, with ``_(CONSTANT)``: the language is not
    known when modules are imported.
    """
    return message


def _(message: str) -> str:
    """``message`` in the active language (the English text when it has no translation)."""
    return _active().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` by the active language's plural rules."""
    return _active().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` translated in ``context`` (a short word the same in English, e.g. "May")."""
    return _active().pgettext(context, message)


def _active() -> Translations:
    translations = _state.translations
    if translations is None:
        install()
        # install() always sets them.
        return cast(Translations, _state.translations)
    return translations


# ------------------------------------------------------- choosing a language


def normalise(tag: str | None) -> str | None:
    """The shipped language a locale name or language tag means, or None.

    Accepts what environments and operating systems say: ``ja_JP.UTF-8``,
    ``pt-BR``, ``es_MX@euro``, ``ar-SA``, ``in`` (an old code for Indonesian).
    Any Portuguese gets Brazilian Portuguese (closer than English for a reader
    in Portugal); ``C`` and ``POSIX`` mean English (no translation wanted).
    """
    if not tag:
        return None
    text = tag.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    if not text:
        return None
    if text.upper() in ("C", "POSIX"):
        return SOURCE_LANGUAGE
    parts = text.split("_")
    language = parts[0].lower()
    if language == "in":
        language = "id"
    if language == "pt":
        return "pt_BR"
    return language if language in LANGUAGES else None


def env_languages(environ: Mapping[str, str] | None = None) -> list[str] | None:
    """The languages the environment asks for, best first; None when it says nothing.

    gettext's order: ``LANGUAGE`` (a ``:``-separated list of preferences),
    then the first set one of ``LC_ALL``, ``LC_MESSAGES``, ``LANG``. A locale
    the environment names but MoeCheck does not ship ends in English: that is
    an answer (the user chose it), so the OS is not asked.
    """
    env = os.environ if environ is None else environ
    wanted: list[str] = []
    said = False
    for part in env.get("LANGUAGE", "").split(":"):
        if part.strip():
            said = True
            code = normalise(part)
            if code and code not in wanted:
                wanted.append(code)
    for name in ENV_VARIABLES[1:]:
        value = env.get(name, "").strip()
        if value:
            said = True
            code = normalise(value)
            # LANGUAGE is ignored by gettext when the locale is C: so is it here.
            if code == SOURCE_LANGUAGE and value.split(".")[0].upper() in ("C", "POSIX"):
                return [SOURCE_LANGUAGE]
            if code and code not in wanted:
                wanted.append(code)
            break
    if not said:
        return None
    return wanted or [SOURCE_LANGUAGE]


def os_ui_languages() -> list[str]:
    """The operating system's user-interface languages, best first (tags such as ``ja-JP``).

    Windows: ``GetUserDefaultUILanguage`` (kernel32, via ctypes). macOS: the
    ``AppleLanguages`` list of the global preferences file, read with plistlib
    (no ``defaults`` subprocess at start-up). Elsewhere the environment is the
    OS setting (see :func:`env_languages`), so: nothing. Never raises.
    """
    try:
        if sys.platform == "win32":
            return _windows_ui_languages()
        if sys.platform == "darwin":
            return _macos_ui_languages()
    except (OSError, ValueError, AttributeError):
        return []
    return []


def _windows_ui_languages() -> list[str]:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
    langid = kernel32.GetUserDefaultUILanguage()
    buffer = ctypes.create_unicode_buffer(85)  # LOCALE_NAME_MAX_LENGTH
    if kernel32.LCIDToLocaleName(langid, buffer, len(buffer), 0):
        return [buffer.value]
    return []


def _macos_ui_languages() -> list[str]:
    import plistlib

    path = Path.home() / "Library" / "Preferences" / ".GlobalPreferences.plist"
    with path.open("rb") as handle:
        prefs = plistlib.load(handle)
    languages = prefs.get("AppleLanguages") if isinstance(prefs, dict) else None
    if not isinstance(languages, list):
        return []
    return [str(tag) for tag in languages if isinstance(tag, str)]


def choose_language(
    setting: str | None = None,
    environ: Mapping[str, str] | None = None,
    os_languages: Iterable[str] | None = None,
) -> str:
    """The language to use: the saved ``setting``, else the environment, else the OS, else English.

    ``setting`` is the window's saved choice (None or ``""`` for "System
    default"); ``os_languages`` replaces :func:`os_ui_languages` (tests).
    """
    chosen = normalise(setting)
    if chosen:
        return chosen
    from_env = env_languages(environ)
    if from_env:
        return from_env[0]
    for tag in os_ui_languages() if os_languages is None else os_languages:
        code = normalise(tag)
        if code:
            return code
    return SOURCE_LANGUAGE


# ---------------------------------------------------------------- catalogues


def locale_dirs() -> list[Path]:
    """Where ``<lang>/LC_MESSAGES/moecheck.mo`` may be, in order, for the four ways MoeCheck runs.

    Frozen (``sys._MEIPASS/moecheck_gui/locale``, where packaging/moecheck.spec
    puts them); then the package's own folder, which is where a source
    checkout, an editable install and a wheel (package data) all have them.
    :func:`find_catalogue` falls back to ``importlib.resources`` for anything
    else (a zipped package): it costs ~40 ms to import, so only then.
    """
    dirs: list[Path] = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        dirs.append(Path(frozen) / "moecheck_gui" / "locale")
    dirs.append(Path(__file__).resolve().parent / "locale")
    return dirs


def _catalogue_name(language: str) -> tuple[str, str, str]:
    return (language, "LC_MESSAGES", f"{DOMAIN}.mo")


def find_catalogue(language: str) -> bytes | None:
    """The compiled catalogue of ``language`` (its bytes), or None when it is not shipped."""
    for folder in locale_dirs():
        path = folder.joinpath(*_catalogue_name(language))
        if path.is_file():
            return path.read_bytes()
    try:
        from importlib.resources import files

        resource = files("moecheck_gui").joinpath("locale", *_catalogue_name(language))
        if resource.is_file():
            return resource.read_bytes()
    except (ModuleNotFoundError, OSError, TypeError):
        pass
    return None


def load(language: str) -> Translations:
    """The translations for ``language``; English text for what it lacks (or when not shipped)."""
    if language == SOURCE_LANGUAGE:
        return _Source()
    data = find_catalogue(language)
    if data is None:
        return _Source()
    import gettext
    import io

    translations = gettext.GNUTranslations(io.BytesIO(data))
    translations.add_fallback(gettext.NullTranslations())
    return translations


def install(
    setting: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    os_languages: Iterable[str] | None = None,
) -> str:
    """Choose the language (:func:`choose_language`), make it active, and return its code.

    The window calls this before it builds anything (with its saved choice);
    the command does not need to: the first :func:`_` calls it.
    """
    language = choose_language(setting, environ, os_languages)
    translations = load(language)
    with _lock:
        _state.language = language
        _state.translations = translations
    return language


def current_language() -> str:
    """The active language's code (installing the default one if nobody did)."""
    _active()
    return _state.language or SOURCE_LANGUAGE


def is_right_to_left(language: str | None = None) -> bool:
    """True when ``language`` (default: the active one) is written right to left."""
    return (language or current_language()) in RIGHT_TO_LEFT


# ---------------------------------------------------------------- formatting

_NO_SPACE_BETWEEN_SENTENCES = frozenset({"ja"})


def join_sentences(*sentences: str, language: str | None = None) -> str:
    """Sentences as one paragraph: a space between them, none in Japanese; empty ones dropped.

    Why: messages are built from whole translated sentences (never from
    pieces of one), and Japanese does not put a space after "。".
    """
    joiner = "" if (language or current_language()) in _NO_SPACE_BETWEEN_SENTENCES else " "
    return joiner.join(text for text in sentences if text)


def format_list(items: Iterable[str]) -> str:
    """Items separated the language's way: ``"a, b"`` (``"a、b"`` in Japanese)."""
    # Translators: the separator between items of a list, e.g. two proxy addresses.
    return pgettext("list separator", ", ").join(items)


class NumberSymbols(NamedTuple):
    """How one language writes numbers (CLDR's ``latn`` symbols for it)."""

    group: str
    decimal: str
    min_grouping: int = 1
    """Group only numbers of at least this many groups plus one (Spanish: not 1234, but 12 345)."""


NUMBER_SYMBOLS: dict[str, NumberSymbols] = {
    "en": NumberSymbols(",", "."),
    "id": NumberSymbols(".", ","),
    "ja": NumberSymbols(",", "."),
    "es": NumberSymbols(".", ",", min_grouping=2),
    "pt_BR": NumberSymbols(".", ","),
    # Western digits in Arabic too: the numbers shown sit beside HTTP statuses,
    # request IDs and DC codes that are always in these digits (and CLDR's
    # ar-AE/ar-MA use them); docs/translations.md, "Formatting".
    "ar": NumberSymbols(",", "."),
}


def format_number(value: float, decimals: int = 0, language: str | None = None) -> str:
    """``value`` with the language's digit grouping and decimal sign (``1,234.5``, ``1.234,5``)."""
    symbols = NUMBER_SYMBOLS.get(language or current_language(), NUMBER_SYMBOLS["en"])
    text = f"{abs(value):.{max(decimals, 0)}f}"
    whole, _dot, fraction = text.partition(".")
    if len(whole) >= 3 + symbols.min_grouping:
        groups: list[str] = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = symbols.group.join([whole, *groups])
    sign = "-" if value < 0 and float(text) != 0 else ""
    return sign + whole + (symbols.decimal + fraction if fraction else "")


def format_ms(ms: float, language: str | None = None) -> str:
    """A duration in milliseconds: ``"1,234 ms"`` (``"1.234 ms"`` in Indonesian)."""
    # Translators: a duration in milliseconds, e.g. "1,234 ms".
    return _("{number} ms").format(number=format_number(round(ms), 0, language))


def format_seconds(seconds: float, language: str | None = None) -> str:
    """Seconds, one decimal when not whole: ``"15 seconds"``, ``"2.5 seconds"``."""
    whole = float(seconds).is_integer()
    number = format_number(seconds, 0 if whole else 1, language)
    count = int(seconds) if whole else 2  # plural forms are chosen by whole numbers
    return ngettext("{number} second", "{number} seconds", count).format(number=number)


def format_minutes(minutes: int, language: str | None = None) -> str:
    """A whole number of minutes: ``"1 minute"``, ``"10 minutes"``."""
    return ngettext("{number} minute", "{number} minutes", minutes).format(
        number=format_number(minutes, 0, language)
    )


def format_duration(seconds: float, language: str | None = None) -> str:
    """A wait or a deadline for people: seconds under two minutes, else whole minutes."""
    if seconds < 120:
        return format_seconds(seconds, language)
    return format_minutes(round(seconds / 60), language)


def month_abbreviation(month: int) -> str:
    """The short name of ``month`` (1–12) in the active language (context ``"month"``)."""
    # The literal calls below let the extractor see every month.
    names = (
        pgettext("month", "Jan"),
        pgettext("month", "Feb"),
        pgettext("month", "Mar"),
        pgettext("month", "Apr"),
        pgettext("month", "May"),
        pgettext("month", "Jun"),
        pgettext("month", "Jul"),
        pgettext("month", "Aug"),
        pgettext("month", "Sep"),
        pgettext("month", "Oct"),
        pgettext("month", "Nov"),
        pgettext("month", "Dec"),
    )
    return names[month - 1]


def format_time(moment: datetime) -> str:
    """A time of day, 24-hour: ``"10:02"`` (``"10.02"`` in Indonesian)."""
    # Translators: a time of day; keep {hour} and {minute} (both two digits).
    return _("{hour}:{minute}").format(hour=f"{moment.hour:02d}", minute=f"{moment.minute:02d}")


def format_when(moment: datetime, now: datetime | None = None) -> str:
    """A moment in local time for history lists: ``"12 Nov at 10:02"`` (a past year added).

    The word order and words come from the catalogue (``"{day} {month} at
    {time}"``; Japanese writes ``"11月12日 10:02"`` with ``{month_number}``).
    """
    from datetime import UTC
    from datetime import datetime as _datetime

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone()
    current = (now or _datetime.now(UTC)).astimezone()
    values = {
        "day": str(local.day),
        "month": month_abbreviation(local.month),
        "month_number": str(local.month),
        "year": str(local.year),
        "time": format_time(local),
    }
    if local.year == current.year:
        # Translators: a date and time in a history list, e.g. "12 Nov at 10:02". Placeholders:
        # {day}, {month} (short name), {month_number} (1-12), {time}.
        return _("{day} {month} at {time}").format(**values)
    # Translators: like "{day} {month} at {time}", for another year: "12 Nov 2023 at 10:02".
    return _("{day} {month} {year} at {time}").format(**values)
