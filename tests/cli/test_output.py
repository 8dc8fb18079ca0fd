"""The output guard: registered keys never reach stdout/stderr, and JSON stays JSON."""

from __future__ import annotations

import base64
import io
import json

from moecheck_gui.cli.output import GuardedStream
from moecheck_gui.redaction import SecretSet


def test_a_key_registered_after_the_guard_started_is_redacted_in_every_form() -> None:
    secrets = SecretSet()
    inner = io.StringIO()
    stream = GuardedStream(inner, secrets)
    stream.write("before\n")
    key = 'LATE"KEY-3b9f'  # a quote: JSON writes it escaped
    secrets.add(key, "WS1")
    basic = base64.b64encode(f"WS1:{key}".encode()).decode()
    stream.write(f"raw {key} basic {basic} json {json.dumps(key)}\n")
    text = inner.getvalue()
    assert key not in text
    assert json.dumps(key) not in text
    assert basic not in text
    assert text == 'before\nraw [redacted] basic [redacted] json "[redacted]"\n'


def test_a_very_short_key_does_not_garble_the_json_object() -> None:
    # A 4-character "key" matches the JSON around it; the guard leaves such forms alone
    # (the core refuses nothing this short, so scripts must still get valid JSON).
    secrets = SecretSet()
    secrets.add('000"', "000")
    inner = io.StringIO()
    obj = {"workspace_id": "000", "ok": False}
    GuardedStream(inner, secrets).write(json.dumps(obj) + "\n")
    assert json.loads(inner.getvalue()) == obj


def test_unencodable_text_is_replaced_not_raised() -> None:
    inner = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    stream = GuardedStream(inner, SecretSet())
    stream.write("✓ Connected — DC-02\n")
    stream.flush()
    assert inner.buffer.getvalue() == b"? Connected ? DC-02\n"
