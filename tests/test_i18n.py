"""Translations: the language chosen, catalogues complete and safe, nothing left unmarked.

- Which language: the saved choice, else the environment (gettext's order),
  else the OS, else English.
- Catalogues: every message the code marks is in every ``po/<lang>.po`` and
  translated (not fuzzy); every translation keeps the placeholders of its
  message; every committed ``.mo`` is the compiled form of its ``.po`` (so
  wheels, sdists and frozen bundles, which ship the committed files, are
  current). Babel extracts the messages from the source here, as ``make po``
  does, so a string marked in code but missing from a catalogue fails.
- Marked: the modules in :data:`CHECKED` hold no user-looking string literal
  outside ``_()``/``N_()``/``ngettext()``/``pgettext()`` (an ``ast`` scan);
  :data:`TO_CONVERT` lists what step 2 converts (docs/translations.md).
- The command end to end: ``LANG=ja_JP.UTF-8 moecheck check`` against the
  sandbox says it in Japanese, and ``--json`` keeps its keys and ``kind`` in
  English while ``message``/``hint`` are translated; MoEngage's own words stay
  as MoEngage wrote them.
"""

from __future__ import annotations

import ast
import gettext
import io
import json
import os
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from moecheck_gui import i18n, messages
from moecheck_gui.outcome import TITLES, Kind, Outcome
from moecheck_gui.sandbox.workspaces import DEMO_WORKSPACES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "moecheck_gui"
PO = ROOT / "po"


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """Each test starts in English and may switch; the rest of the suite runs in English."""
    i18n.install("en")
    yield
    i18n.install("en")


# ------------------------------------------------------- choosing the language


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("ja_JP.UTF-8", "ja"),
        ("ja", "ja"),
        ("pt-BR", "pt_BR"),
        ("pt_PT", "pt_BR"),
        ("es_MX@euro", "es"),
        ("ar-SA", "ar"),
        ("in_ID", "id"),
        ("id_ID.UTF-8", "id"),
        ("en_GB", "en"),
        ("C", "en"),
        ("POSIX", "en"),
        ("C.UTF-8", "en"),
        ("de_DE.UTF-8", None),
        ("", None),
        (None, None),
    ],
)
def test_locale_names_and_tags_map_to_shipped_languages(tag: str | None, code: str | None) -> None:
    assert i18n.normalise(tag) == code


def test_the_saved_choice_wins_over_environment_and_os() -> None:
    env = {"LANG": "ja_JP.UTF-8"}
    assert i18n.choose_language("ar", env, ["es-ES"]) == "ar"


def test_without_a_choice_the_environment_wins_over_the_os() -> None:
    assert i18n.choose_language(None, {"LANG": "ja_JP.UTF-8"}, ["es-ES"]) == "ja"
    assert i18n.choose_language("", {"LC_MESSAGES": "id_ID"}, ["es-ES"]) == "id"


def test_gettext_order_in_the_environment() -> None:
    # LANGUAGE (a list) first, then LC_ALL, LC_MESSAGES, LANG.
    env = {"LANGUAGE": "de:pt_BR", "LC_ALL": "es_ES", "LANG": "ja_JP"}
    assert i18n.env_languages(env) == ["pt_BR", "es"]
    assert i18n.choose_language(None, {"LC_ALL": "es_ES", "LANG": "ja_JP"}, []) == "es"
    assert i18n.choose_language(None, {"LC_MESSAGES": "ar_EG", "LANG": "ja_JP"}, []) == "ar"
    # The C locale means "no translation", whatever LANGUAGE says (as gettext does).
    assert i18n.choose_language(None, {"LANGUAGE": "ja", "LC_ALL": "C"}, ["es"]) == "en"


def test_a_locale_we_do_not_ship_means_english_not_the_os() -> None:
    assert i18n.choose_language(None, {"LANG": "de_DE.UTF-8"}, ["ja-JP"]) == "en"


def test_without_environment_the_os_language_decides() -> None:
    assert i18n.choose_language(None, {}, ["de-DE", "ja-JP", "en-US"]) == "ja"
    assert i18n.choose_language(None, {}, ["de-DE"]) == "en"
    assert i18n.choose_language(None, {}, []) == "en"


def test_install_makes_the_language_active_for_core_messages() -> None:
    assert i18n.install("ja") == "ja"
    assert i18n.current_language() == "ja"
    rejected = Outcome(ok=False, kind="auth", dc="01", workspace_id="W")
    assert rejected.title == "MoEngage がこの認証情報を拒否しました"
    assert i18n.install("en") == "en"
    assert rejected.title == "MoEngage rejected these credentials"


def test_english_loads_no_catalogue_and_no_gettext() -> None:
    """The source language costs nothing at start-up (tests/gui/test_startup_imports.py too)."""
    code = (
        "import sys; from moecheck_gui import i18n; i18n.install('en'); "
        "print(i18n._('Check stopped'), 'gettext' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["Check", "stopped", "False"]


def test_a_language_without_a_catalogue_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(i18n, "locale_dirs", lambda: [tmp_path])
    monkeypatch.setattr(i18n, "find_catalogue", lambda language: None)
    i18n.install("ja")
    assert i18n._("Check stopped") == "Check stopped"


def test_frozen_bundles_look_in_meipass_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert i18n.locale_dirs()[0] == tmp_path / "moecheck_gui" / "locale"
    assert i18n.locale_dirs()[1] == PACKAGE / "locale"


# --------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("language", "value", "decimals", "text"),
    [
        ("en", 1234, 0, "1,234"),
        ("en", 1234567.25, 1, "1,234,567.2"),
        ("id", 1234, 0, "1.234"),
        ("pt_BR", 2.5, 1, "2,5"),
        ("es", 1234, 0, "1234"),  # Spanish groups only from five digits
        ("es", 12345, 0, "12.345"),
        ("ja", 1234, 0, "1,234"),
        ("ar", 1234, 0, "1,234"),
        ("en", -1234, 0, "-1,234"),
        ("en", 999, 0, "999"),
    ],
)
def test_numbers_per_language(language: str, value: float, decimals: int, text: str) -> None:
    assert i18n.format_number(value, decimals, language) == text


def test_durations_and_dates_are_localised() -> None:
    moment = datetime(2025, 11, 12, 10, 2, tzinfo=UTC).astimezone()
    same_year = moment.replace(month=1)
    i18n.install("en")
    assert i18n.format_ms(1234.4) == "1,234 ms"
    assert i18n.format_seconds(1) == "1 second"
    assert i18n.format_seconds(2.5) == "2.5 seconds"
    assert i18n.format_duration(600) == "10 minutes"
    assert i18n.format_when(moment, now=same_year) == f"{moment.day} Nov at {moment:%H:%M}"
    assert i18n.format_when(moment, now=same_year.replace(year=2026)).endswith(
        f"Nov 2025 at {moment:%H:%M}"
    )
    i18n.install("id")
    assert i18n.format_ms(1234) == "1.234 md"
    assert i18n.format_when(moment, now=same_year) == f"{moment.day} Nov pukul {moment:%H.%M}"
    i18n.install("ja")
    assert i18n.format_when(moment, now=same_year) == f"11月{moment.day}日 {moment:%H:%M}"
    assert i18n.format_seconds(15) == "15 秒"
    i18n.install("ar")
    assert i18n.format_seconds(2) == "2 ثانيتان"
    assert i18n.format_seconds(5) == "5 ثوانٍ"
    assert i18n.format_list(["a", "b"]) == "a، b"
    i18n.install("es")
    assert i18n.format_seconds(1) == "1 segundo"
    assert i18n.format_seconds(30) == "30 segundos"


def test_japanese_sentences_are_joined_without_spaces() -> None:
    assert i18n.join_sentences("一。", "二。", language="ja") == "一。二。"
    assert i18n.join_sentences("One.", "", "Two.", language="en") == "One. Two."


# ------------------------------------------------------------- catalogues


def _extracted() -> dict[object, set[str]]:
    """Every message marked in the source, as ``make po`` extracts it: key -> placeholders."""
    found: dict[object, set[str]] = {}
    method_map = [("**.py", "python")]  # babel.cfg's, from inside the package
    for _file, _line, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=method_map
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if not msgid:
            continue
        key = (context, msgid) if context else msgid
        found[key] = set()
    return found


def _catalogue(language: str) -> Catalog:
    with (PO / f"{language}.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _key(message: Message) -> object:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return (message.context, msgid) if message.context else msgid


@pytest.mark.parametrize("language", i18n.TRANSLATED_LANGUAGES)
def test_every_marked_message_is_translated(language: str) -> None:
    catalogue = _catalogue(language)
    translated = {
        _key(m)
        for m in catalogue
        if m.id
        and "fuzzy" not in m.flags
        and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(str(key) for key in _extracted() if key not in translated)
    assert not missing, (
        f"po/{language}.po lacks {len(missing)} translation(s) (run make po, translate, "
        f"make mo): {missing[:10]}"
    )


def test_the_template_is_current() -> None:
    with (PO / "moecheck.pot").open("rb") as handle:
        template = {_key(m) for m in read_po(handle) if m.id}
    assert set(_extracted()) == template, "po/moecheck.pot is stale: run make po"


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")


def placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """``{name}`` fields and ``%`` conversions of ``text`` (what a translation must keep)."""
    fields = frozenset(
        name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None
    )
    percents = tuple(sorted(p for p in _PERCENT.findall(text) if p != "%%"))
    return fields, percents


def test_the_placeholder_check_notices_a_broken_one() -> None:
    # The check itself: a dropped, renamed or mistyped placeholder differs.
    assert placeholders("Wait {duration}.") != placeholders("Tunggu {durasi}.")
    assert placeholders("Wait {duration}.") != placeholders("Tunggu.")
    assert placeholders("%(n)s left, %s") != placeholders("%(n)d left, %s")
    assert placeholders("%s of %s") != placeholders("%s")
    assert placeholders("{a} and {b}") == placeholders("{b} と {a}")


FLEXIBLE_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # Date patterns (i18n.format_when) offer more fields than English uses: a
    # language may write the month as a number ({month_number}) instead of a name.
    "{day} {month} at {time}": (
        frozenset({"day", "time"}),
        frozenset({"day", "month", "month_number", "time"}),
    ),
    "{day} {month} {year} at {time}": (
        frozenset({"day", "year", "time"}),
        frozenset({"day", "month", "month_number", "year", "time"}),
    ),
}
"""msgid -> (fields a translation must keep, fields it may use)."""


@pytest.mark.parametrize("language", i18n.TRANSLATED_LANGUAGES)
def test_translations_keep_every_placeholder(language: str) -> None:
    broken = []
    for message in _catalogue(language):
        if not message.id or not message.string or "fuzzy" in message.flags:
            continue  # (a fuzzy entry is never used, and the test above fails on it)
        if isinstance(message.id, str) and message.id in FLEXIBLE_FIELDS:
            required, offered = FLEXIBLE_FIELDS[message.id]
            fields = placeholders(message.string)[0]
            if not required <= fields <= offered:
                broken.append((message.id, message.string))
            continue
        if isinstance(message.id, tuple):
            allowed = {placeholders(message.id[0]), placeholders(message.id[1])}
            forms = message.string
        else:
            allowed = {placeholders(message.id)}
            forms = (message.string,)
        for form in forms:
            if form and placeholders(form) not in allowed:
                broken.append((message.id, form))
        # And every translation still formats (a stray "{" would raise here).
        for form in forms:
            if form and "{" in form:
                names = placeholders(form)[0]
                try:
                    form.format(**dict.fromkeys(names, "x"))
                except (KeyError, ValueError, IndexError) as exc:
                    broken.append((message.id, f"{form!r}: {exc}"))
    assert not broken, f"po/{language}.po: {broken[:5]}"


@pytest.mark.parametrize("language", i18n.TRANSLATED_LANGUAGES)
def test_committed_catalogues_are_compiled_from_the_po_files(language: str) -> None:
    """The .mo in moecheck_gui/locale is what `make mo` makes from po/<lang>.po today."""
    committed = PACKAGE / "locale" / language / "LC_MESSAGES" / "moecheck.mo"
    assert committed.is_file(), f"{committed} is missing: run make mo"
    fresh = io.BytesIO()
    write_mo(fresh, _catalogue(language))
    fresh.seek(0)
    expected = gettext.GNUTranslations(fresh)
    with committed.open("rb") as handle:
        actual = gettext.GNUTranslations(handle)
    assert actual._catalog == expected._catalog, f"{committed} is stale: run make mo"  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", i18n.TRANSLATED_LANGUAGES)
def test_every_outcome_reads_in_every_language(language: str) -> None:
    """Each title, message and hint formats in the language (no stray placeholder)."""
    i18n.install(language)
    ctx = messages.Context(
        dc_label="DC-01 — US", host="api-01.moengage.com", http_status=503, retry_after_s=30,
        timeout_s=15, proxy="http://proxy:8080", proxy_why="HTTPS_PROXY is set",
        skipped_proxies=("a:1", "b:2"),
    )  # fmt: skip
    for kind in Kind:
        message, hint = messages.for_kind(kind, ctx)
        title = Outcome(ok=False, kind=kind.value, dc="01", workspace_id="W").title
        for text in (message, hint, title):
            assert text and "{" not in text and "}" not in text, (kind, text)
    assert set(TITLES) == {None, *Kind}


# ---------------------------------------------------------- nothing unmarked

SINKS = {"_", "N_", "ngettext", "pgettext"}
"""Calls whose string arguments are marked for translation."""
LOG_CALLS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
"""Log lines stay English: they are for support, not for the marketer."""
_WORDS = re.compile(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}")
_ONE_WORD = re.compile(r"&?[A-Z][a-z]{2,}[.…]*")


def _looks_like_user_text(text: str) -> bool:
    if "://" in text or text.startswith(("/", "-")):
        return False
    return bool(" " in text and _WORDS.search(text)) or bool(_ONE_WORD.fullmatch(text))


def unmarked_strings(source: str) -> list[tuple[int, str]]:
    """String literals that look like words for people and are not marked for translation.

    Not counted: docstrings (and attribute docstrings), the arguments of
    ``_``/``N_``/``ngettext``/``pgettext`` and of log calls, annotations.
    An f-string with words in it always counts: it cannot be translated.
    """
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # docstrings and attribute docstrings
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else None
            )
            if name in SINKS or name in LOG_CALLS:
                skip.update(id(sub) for sub in ast.walk(node))
        for annotation in (getattr(node, "annotation", None), getattr(node, "returns", None)):
            if isinstance(annotation, ast.AST):
                skip.update(id(sub) for sub in ast.walk(annotation))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            skip.update(id(sub) for sub in ast.walk(node))
            if _looks_like_user_text(text) or re.search(r"[A-Za-z]{3,} ", text):
                found.append((node.lineno, f"f-string: {text}"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _looks_like_user_text(node.value)
        ):
            found.append((node.lineno, node.value))
    return found


CHECKED: dict[str, frozenset[str]] = {
    # module -> strings that look like words but are not for translation (and why)
    "moecheck_gui/i18n.py": frozenset(
        {
            "English",  # LANGUAGES: each language in its own name, the same in every language
            "Bahasa Indonesia",
            "Preferences",  # parts of the macOS preferences file path
            "Library",
        }
    ),
    "moecheck_gui/messages.py": frozenset(
        {"verify failed", "ip address mismatch"}  # matched in the TLS library's English error
    ),
    "moecheck_gui/outcome.py": frozenset(),
    # The check-all core (moecheck_gui/batch/); runner.py is still on TO_CONVERT.
    "moecheck_gui/batch/__init__.py": frozenset({"Summary"}),  # __all__: a class name
    "moecheck_gui/batch/child.py": frozenset(),
    "moecheck_gui/batch/events.py": frozenset(),
    "moecheck_gui/batch/process.py": frozenset(
        {"A BatchProcess runs once"}  # a programming error, like the runner's, never shown
    ),
    "moecheck_gui/batch/protocols.py": frozenset(),
    "moecheck_gui/batch/recipe.py": frozenset(),
    "moecheck_gui/batch/results.py": frozenset(),
    "moecheck_gui/batch/rows.py": frozenset(),
    "moecheck_gui/batch/unsent.py": frozenset(),
    "moecheck_gui/gui/i18n_qt.py": frozenset(),
    "moecheck_gui/gui/language_dialog.py": frozenset(),
    # The window (moecheck_gui/gui): every label, button, tooltip, accessible name and
    # description, dialog and status line is translated. Not: objectNames, settings keys,
    # log lines, reprs, style sheets, icons, product names, the report (English for support).
    "moecheck_gui/gui/__init__.py": frozenset(
        {"f-string: module  has no attribute "}  # AttributeError, Python's own wording
    ),
    "moecheck_gui/gui/about.py": frozenset(
        {
            "MIT License",  # the license's name
            "f-string:  · Qt  · Python ",  # product names and versions
            '<a href="{url}">{text}</a> {source}',  # markup around translated words
        }
    ),
    "moecheck_gui/gui/app.py": frozenset(
        {"f-string: READY  "}  # read by scripts/bench.py, not by people
    ),
    "moecheck_gui/gui/check_all_export.py": frozenset(),
    "moecheck_gui/gui/check_all_job.py": frozenset(),
    "moecheck_gui/gui/check_all_model.py": frozenset(),
    "moecheck_gui/gui/check_all_status.py": frozenset(),
    "moecheck_gui/gui/check_all_view.py": frozenset(),
    "moecheck_gui/gui/check_buttons.py": frozenset({"Esc"}),  # a key's name for Qt (shortcut)
    "moecheck_gui/gui/check_flow.py": frozenset({"f-string: CheckRun(task , , )"}),  # repr
    "moecheck_gui/gui/credentials_form.py": frozenset(
        {"f-string: TypedCredentials(, dc=)"}  # repr, for logs and tests
    ),
    "moecheck_gui/gui/demo.py": frozenset(),
    "moecheck_gui/gui/demo_banner.py": frozenset(
        {  # a style sheet
            "f-string: QFrame#demoBanner { background: ; border: 1px solid ; "
            "border-radius: 8px; } QLabel#demoBannerTitle { color: ; }"
        }
    ),
    "moecheck_gui/gui/desktop.py": frozenset(
        {"Mode", "demo (practice server, not MoEngage)"}  # a field of the English report
    ),
    "moecheck_gui/gui/error_dialog.py": frozenset(),
    "moecheck_gui/gui/errors.py": frozenset({"f-string: module  has no attribute "}),
    "moecheck_gui/gui/first_paint.py": frozenset(),
    "moecheck_gui/gui/header.py": frozenset(),
    "moecheck_gui/gui/keep_checking.py": frozenset(),
    "moecheck_gui/gui/keychain_flow.py": frozenset(),
    "moecheck_gui/gui/main_window.py": frozenset({"f-string: module  has no attribute "}),
    "moecheck_gui/gui/menus.py": frozenset(),
    "moecheck_gui/gui/network_settings.py": frozenset(),
    "moecheck_gui/gui/password_edit.py": frozenset(),
    "moecheck_gui/gui/profiles_box.py": frozenset(),
    "moecheck_gui/gui/providers.py": frozenset(),
    "moecheck_gui/gui/proxy_sign_in.py": frozenset(),
    "moecheck_gui/gui/qtvalues.py": frozenset(
        {"f-string:  has no Qt property "}  # a programming error, for developers
    ),
    "moecheck_gui/gui/result_actions.py": frozenset(),
    "moecheck_gui/gui/result_details.py": frozenset(),
    "moecheck_gui/gui/result_panel.py": frozenset(
        {  # a style sheet
            "f-string: QFrame#resultPanel { background: ; border: 1px solid ; "
            "border-radius: 10px; } QLabel#resultTitle { color: ; }"
        }
    ),
    "moecheck_gui/gui/saved_workspaces.py": frozenset(),
    "moecheck_gui/gui/tasks.py": frozenset(
        {  # programming errors, for developers and the log
            "TaskRunner has been shut down",
            "f-string: task  failed with a non-exception: ",
        }
    ),
    "moecheck_gui/gui/theme.py": frozenset(
        {  # SVG icons
            '<circle cx="12" cy="12" r="10"/><path d="M7.5 12.5l3 3 6-6.5"/>',
            '<circle cx="12" cy="12" r="10"/><path d="M15 9l-6 6M9 9l6 6"/>',
            '<circle cx="12" cy="12" r="10"/><path d="M9 9h6v6H9z"/>',
            '<circle cx="12" cy="12" r="10"/><path d="M12 16v-4M12 8h.01"/>',
            '<path d="M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z"/>'
            '<circle cx="12" cy="12" r="3"/>',
            '<circle cx="11" cy="11" r="8"/><path d="M21 21l-4.35-4.35"/>',
            'f-string: <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
            'stroke="" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"></svg>',
        }
    ),
    "moecheck_gui/gui/timeline_view.py": frozenset(),
    "moecheck_gui/gui/window_settings.py": frozenset(),
    "moecheck_gui/gui/window_startup.py": frozenset(),
    # The sandbox: our own words (the demo notes, `moecheck sandbox`'s text) are translated;
    # what it answers in MoEngage's place is not (see KEPT_ENGLISH).
    "moecheck_gui/sandbox/__init__.py": frozenset({"Sandbox"}),  # __all__: a class name
    "moecheck_gui/sandbox/certs.py": frozenset(),
    "moecheck_gui/sandbox/server.py": frozenset(
        {
            # commands under `moecheck sandbox`, typed as written
            "f-string:   export MOECHECK_API_BASE=",
            'f-string:   (Windows PowerShell: $env:MOECHECK_API_BASE = "")',
            # the sandbox's own log notes (Sandbox.log), for tests and support
            "f-string: listening on ",
            "f-string: mode ",
            "added by add_workspace",  # the note of a workspace tests add (never shown)
            # programming errors, for developers
            "A Sandbox can be started only once",
            "The sandbox is not running; call start() first",
            "f-string: Unknown TLS scenario ; known: ",
            "f-string: Unknown data center ; known: ",
        }
    ),
    # The workspace names it answers in MoEngage's place (MoEngage's words: never translated).
    "moecheck_gui/sandbox/workspaces.py": frozenset(w.app_name for w in DEMO_WORKSPACES),
    # The command (moecheck_gui/cli): its help, messages and table are translated; what is
    # typed or parsed is not.
    "moecheck_gui/cli/__init__.py": frozenset(),
    "moecheck_gui/cli/__main__.py": frozenset(),
    "moecheck_gui/cli/app.py": frozenset(),
    "moecheck_gui/cli/check_all_cmd.py": frozenset(
        {
            "moecheck check-all",  # PROG: the command's name before its messages
            '{"results", "summary"}',  # the --json object's keys (the contract)
            # EXAMPLES: command lines under --help, typed as written
            "  moecheck check-all\n  moecheck check-all --json\n"
            "  moecheck check-all --from workspaces.csv --csv > results.csv",
        }
    ),
    "moecheck_gui/cli/check_all_output.py": frozenset(),
    "moecheck_gui/cli/check_cmds.py": frozenset(),
    "moecheck_gui/cli/commands.py": frozenset(),
    "moecheck_gui/cli/dc_cmd.py": frozenset({"moecheck dc"}),  # PROG, the command's name
    "moecheck_gui/cli/forget_cmd.py": frozenset({"moecheck forget"}),  # PROG
    "moecheck_gui/cli/keys.py": frozenset(
        {"printf '%s\\n' \"$KEY\" | moecheck check ..."}  # PIPE_EXAMPLE: a command line
    ),
    "moecheck_gui/cli/output.py": frozenset(),
    "moecheck_gui/cli/parser.py": frozenset(
        {"unrecognized arguments: "}  # argparse's own (English) message, matched to hide values
    ),
    "moecheck_gui/cli/render.py": frozenset(
        {"f-string:  (HTTP )"}  # " (HTTP 401)": the protocol and status code, never translated
    ),
    "moecheck_gui/cli/run.py": frozenset(),
    "moecheck_gui/cli/sandbox_cmd.py": frozenset({"moecheck sandbox"}),  # PROG
    "moecheck_gui/cli/until_ok.py": frozenset({"f-string:  (HTTP )"}),  # as in render.py
    "moecheck_gui/cli/workspaces.py": frozenset(),
}
"""Converted: a new unmarked user string here fails."""

TO_CONVERT: dict[str, int] = {
    # module -> unmarked strings counted when step 1 ended (docs/translations.md, "Step 2")
    "moecheck_gui/applog.py": 1,
    "moecheck_gui/batch/runner.py": 1,
    "moecheck_gui/certificates.py": 55,
    "moecheck_gui/client.py": 9,
    "moecheck_gui/inputs.py": 15,
    "moecheck_gui/keychain.py": 5,
    "moecheck_gui/proxy/__init__.py": 1,
    "moecheck_gui/proxy/pac.py": 2,
    "moecheck_gui/proxy/pac_worker.py": 5,
    "moecheck_gui/proxy/signin.py": 1,
    "moecheck_gui/proxy/system_gnome.py": 4,
    "moecheck_gui/proxy/system_macos.py": 8,
    "moecheck_gui/proxy/system_windows.py": 5,
    "moecheck_gui/publisher.py": 1,
    "moecheck_gui/report.py": 27,
    "moecheck_gui/stopped.py": 1,
    "moecheck_gui/transport.py": 3,
    "moecheck_gui/trust.py": 2,
    "moecheck_gui/webpage.py": 3,
}
"""Not converted yet (step 2 of issue 14): skipped by the scan below until moved to CHECKED.

Some hold strings that are not ours to translate (the sandbox imitates
MoEngage's own server words; OS proxy readers match English system output):
step 2 moves those to an allowlist with the reason, like CHECKED's.
"""

KEPT_ENGLISH: dict[str, str] = {
    # module -> why all of its text stays English (not scanned)
    "moecheck_gui/gui/selftest.py": "the self-test report is for IT and support tickets: "
    "English like the report Copy details makes (it installs English first)",
    "moecheck_gui/sandbox/answers.py": "MoEngage's own answers, imitated: never translated",
    "moecheck_gui/sandbox/handler.py": "HTTP answers and reasons the sandbox's server sends",
    "moecheck_gui/sandbox/pages.py": "web pages of filters, proxies and portals, imitated",
    "moecheck_gui/sandbox/wire.py": "MoEngage's own answers to malformed requests, imitated",
    "moecheck_gui/sandbox/modes.py": "errors for code and tests that set a sandbox mode",
    "moecheck_gui/sandbox/tls.py": "notes on TLS scenarios, for tests (never shown)",
}
"""Deliberately English as a whole, with the reason (docs/translations.md)."""


def _modules() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "__pycache__" not in path.parts
    )


@pytest.mark.parametrize("module", sorted(CHECKED))
def test_converted_modules_mark_every_user_string(module: str) -> None:
    found = [
        (line, text)
        for line, text in unmarked_strings((ROOT / module).read_text(encoding="utf-8"))
        if text not in CHECKED[module]
    ]
    assert not found, (
        f"{module}: wrap these in _() or N_() (or allowlist them with a reason): {found}"
    )


def test_every_other_module_is_clean_or_listed_to_convert() -> None:
    """A module with user strings is either converted (CHECKED) or on the step-2 list."""
    problems = []
    for module in _modules():
        if module in CHECKED or module in KEPT_ENGLISH:
            continue
        found = unmarked_strings((ROOT / module).read_text(encoding="utf-8"))
        if module in TO_CONVERT:
            if not found:
                problems.append(f"{module} is converted: move it from TO_CONVERT to CHECKED")
        elif found:
            problems.append(f"{module} has unmarked user strings: {found[:3]}")
    assert not problems, "\n".join(problems)


def test_modules_kept_in_english_exist_and_are_not_also_checked() -> None:
    modules = set(_modules())
    assert not [m for m in KEPT_ENGLISH if m not in modules or m in CHECKED or m in TO_CONVERT]


def test_the_scan_finds_unmarked_words_and_passes_marked_ones() -> None:
    source = '''
"""Docstring: never counted."""
from moecheck_gui.i18n import N_, _
TITLE = N_("Check stopped")
label = _("Try again later.")
log.info("Started the check %s", name)
button = "Cancel"
hint = "Try another network."
line = f"Connected to {host} in time"
key = "workspace_id"
'''
    found = [text for _line, text in unmarked_strings(source)]
    assert found == ["Cancel", "Try another network.", "f-string: Connected to  in time"]


# ---------------------------------------------------------- the command, for real


def _moecheck(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "moecheck_gui.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_speaks_japanese_and_json_keeps_english_keys(tmp_path: Path) -> None:
    from moecheck_gui.sandbox import Sandbox

    with Sandbox() as sandbox:
        env = {
            **os.environ,
            "MOECHECK_API_BASE": sandbox.api_base,
            "MOECHECK_API_KEY": "not-the-demo-key-0001",
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "LANG": "ja_JP.UTF-8",
            "PYTHONPATH": str(ROOT),
        }
        for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
            env.pop(name, None)
        args = ["check", "--workspace-id", "DEMO_US", "--dc", "01"]
        human = _moecheck(args, env)
        as_json = _moecheck([*args, "--json"], env)
        env["LANG"] = "C.UTF-8"
        english = _moecheck([*args, "--json"], env)

    assert human.returncode == 1, human.stderr
    assert "Data API key がこのワークスペースと一致しません" in human.stdout
    assert "MoEngage がこの認証情報を拒否しました" in human.stdout

    data = json.loads(as_json.stdout)
    reference = json.loads(english.stdout)
    assert sorted(data) == sorted(reference)  # the same keys, in English
    assert data["kind"] == reference["kind"] == "auth"
    assert data["ok"] is False and data["http_status"] == 401
    assert (
        data["message"]
        == "DC-01 — US の MoEngage によると、Data API key がこのワークスペースと一致しません。"
    )
    assert reference["message"] == (
        "MoEngage on DC-01 — US says the Data API key does not match this workspace."
    )
    assert data["hint"] != reference["hint"] and "Settings › Account › APIs" in data["hint"]
    # MoEngage's own words are never translated.
    assert data["server_message"] == reference["server_message"]
    assert "App Secret key mismatch" in data["server_message"]


# ------------------------------------------------------------ what ships them


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundle layout")
def test_the_frozen_bundle_carries_the_catalogues_and_qts_words() -> None:
    """packaging/moecheck.spec: every .mo where i18n looks, and qtbase_<lang>.qm of ours."""
    from tests.test_packaging import _qt_dir, _Recorder, _run_spec

    folder = _qt_dir() / "translations"
    datas = [
        (f"PySide6/Qt/translations/qtbase_{code}.qm", str(folder / f"qtbase_{code}.qm"), "DATA")
        for code in ("ja", "ar", "de")
    ]
    recorder = _Recorder([], datas)
    namespace = _run_spec(recorder)
    kept = {dest for dest, _src, _kind in namespace["a_gui"].datas}
    assert "PySide6/Qt/translations/qtbase_ja.qm" in kept
    assert "PySide6/Qt/translations/qtbase_ar.qm" in kept
    assert "PySide6/Qt/translations/qtbase_de.qm" not in kept  # not a MoeCheck language
    expected = {
        (
            f"moecheck_gui/locale/{code}/LC_MESSAGES/moecheck.mo",
            f"moecheck_gui/locale/{code}/LC_MESSAGES",
        )
        for code in i18n.TRANSLATED_LANGUAGES
    }
    for analysis in recorder.analyses:
        asked = {
            (Path(source).relative_to(ROOT).as_posix(), dest)
            for source, dest in analysis["datas"]
            if source.endswith(".mo")
        }
        assert asked == expected
