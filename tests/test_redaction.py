"""Secrets and redaction: one placeholder, one minimum length, one set of forms, one registry."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading

from moecheck_gui import applog, client, report
from moecheck_gui.redaction import (
    MIN_SECRET_LENGTH,
    REDACTED,
    SecretSet,
    redact,
    redact_credential_fields,
    redact_url,
    secret_forms,
)

CANARY = "CANARY-KEY-7f3a9c"
WS = "WS_CANARY"

# --- redact (moved here from tests/test_report.py) -------------------------------------


def test_redact_replaces_every_occurrence() -> None:
    assert redact(f"a {CANARY} b {CANARY}", [CANARY]) == f"a {REDACTED} b {REDACTED}"


def test_redact_longest_first_and_regex_characters_are_literal() -> None:
    assert redact("x abc+def y abc", ["abc", "abc+def"]) == f"x {REDACTED} y {REDACTED}"
    assert redact("a.b axb", ["a.b"]) == f"{REDACTED} axb"


def test_redact_ignores_empty_secrets_and_keeps_other_text() -> None:
    assert redact("nothing secret here", ["", "zzz"]) == "nothing secret here"
    assert redact("", [CANARY]) == ""


def test_redact_url() -> None:
    assert redact_url("http://u:p@host:1/x") == f"http://{REDACTED}@host:1/x"
    assert redact_url("https://api-01.moengage.com/v1") == "https://api-01.moengage.com/v1"


# --- one definition ------------------------------------------------------------------


def test_one_placeholder_everywhere() -> None:
    assert REDACTED == "[redacted]"
    assert client.REDACTED is REDACTED
    assert report.redact_url is redact_url


def test_redact_url_keeps_host_and_port_and_replaces_unparsable_urls_whole() -> None:
    assert redact_url("http://alice:pw@proxy.example:3128") == (
        f"http://{REDACTED}@proxy.example:3128"
    )
    assert redact_url("http://only-user@proxy.example") == f"http://{REDACTED}@proxy.example"
    assert redact_url("http://[::1") == REDACTED  # urlsplit refuses it: replaced whole


def test_secret_forms_cover_raw_trimmed_json_and_basic_auth() -> None:
    key = f" {CANARY}\n"
    forms = secret_forms(key, f"{WS} ")
    assert key in forms and CANARY in forms
    assert json.dumps(key)[1:-1] in forms  # "\n" escaped, as in a JSON dump
    assert base64.b64encode(f"{WS}:{CANARY}".encode()).decode() in forms
    assert base64.b64encode(CANARY.encode()).decode() in forms
    assert list(forms) == sorted(forms, key=len, reverse=True)


def test_secret_forms_trim_invisible_characters_like_the_check_does() -> None:
    forms = secret_forms(f"\ufeff{CANARY}\u200b", WS)
    assert CANARY in forms
    assert base64.b64encode(f"{WS}:{CANARY}".encode()).decode() in forms


def test_secret_forms_skip_what_is_too_short_to_look_for() -> None:
    short = "k" * (MIN_SECRET_LENGTH - 1)
    assert short not in secret_forms(short)
    assert "k" * MIN_SECRET_LENGTH in secret_forms("k" * MIN_SECRET_LENGTH)
    assert all(len(form) >= MIN_SECRET_LENGTH for form in secret_forms(" ab ", "W"))


def test_credential_fields_are_redacted_whoever_wrote_them() -> None:
    text = redact_credential_fields(
        'Authorization: Basic V1M6c2VjcmV0 {"app_secret": "other-secret-99"} '
        "MOECHECK_API_KEY=abc123xyz and some basic information"
    )
    assert "V1M6c2VjcmV0" not in text and "other-secret-99" not in text
    assert "abc123xyz" not in text
    assert "basic information" in text
    assert text.count(REDACTED) == 3


# --- SecretSet -----------------------------------------------------------------------


def test_secret_set_redacts_every_form_until_discarded() -> None:
    secrets = SecretSet()
    token = base64.b64encode(f"{WS}:{CANARY}".encode()).decode()
    text = f"key {CANARY} header Basic {token}"
    assert secrets.redact(text) == text
    secrets.add(CANARY, WS)
    assert secrets.redact(text) == f"key {REDACTED} header Basic {REDACTED}"
    assert CANARY in secrets.values()
    secrets.discard(CANARY, WS)
    assert secrets.redact(text) == text
    assert secrets.values() == ()


def test_secret_set_ignores_secrets_too_short_to_look_for() -> None:
    secrets = SecretSet()
    secrets.add("abc")
    assert secrets.redact("abc abc") == "abc abc"


def test_secret_set_is_safe_across_threads() -> None:
    secrets = SecretSet()
    keys = [f"secret-key-{i:03d}" for i in range(40)]
    threads = [threading.Thread(target=secrets.add, args=(k,)) for k in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    text = " ".join(keys)
    assert secrets.redact(text) == " ".join([REDACTED] * len(keys))


def test_the_log_uses_the_same_forms() -> None:
    applog.register_secret(f"{CANARY}\n")
    try:
        b64 = base64.b64encode(CANARY.encode()).decode()
        assert applog.redact(f"{CANARY} {b64}") == f"{REDACTED} {REDACTED}"
    finally:
        applog.unregister_secret(f"{CANARY}\n")
    assert applog.redact(CANARY) == CANARY


def test_redaction_module_is_light_at_import() -> None:
    """The window imports it (via applog) before its first frame: no json, no network."""
    script = "import moecheck_gui.redaction, sys; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert "json" not in out and "requests" not in out
    assert sorted(m for m in out if m.startswith("moecheck_gui.")) == ["moecheck_gui.redaction"]
