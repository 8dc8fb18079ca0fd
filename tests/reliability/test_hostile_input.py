"""Hostile input: whatever is typed or pasted is refused locally (naming the field) or sent exactly.

The oracle here is written from PRODUCT.md 3.1, not from the code under test:
after trimming outer whitespace (and the zero-width marks copy-paste brings),
a workspace ID or key is usable iff it is 1..256 printable ASCII characters
without spaces. Everything else must be refused with ``invalid_input``, a
message naming the field, and *nothing* on the wire. What is accepted must
arrive byte for byte as normalised, and no input may add or split a header
(the raw request head is inspected at the server).

``tests/test_client_properties.py`` already checks "refused or sent" using the
product's own normaliser as the oracle; this file adds the independent oracle,
injection-shaped input, the raw wire, the command line and pasted addresses.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from moecheck_gui.client import Checker
from moecheck_gui.datacenters import dc_from_url, parse_dc
from moecheck_gui.outcome import Kind
from tests.reliability.conftest import run_cli
from tests.servers import Request, ScriptedServer, success

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
FIELD_WORDS = {
    "workspace_id": re.compile("Workspace ID"),
    "api_key": re.compile("Data API key"),
    # DC messages name the field or list the choices (DC-01, ...).
    "dc": re.compile("data center|DC-01", re.IGNORECASE),
}
EXPECTED_HEADERS = {
    "host",
    "user-agent",
    "accept-encoding",
    "accept",
    "connection",
    "authorization",
    "moe-appkey",
    "content-type",
    "content-length",
}
HEADER_LINE = re.compile(rb"[A-Za-z0-9-]+: [\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?")

# Our own table (PRODUCT.md section 2), deliberately not imported from the product.
KNOWN_HOSTS = {
    **{f"dashboard-{c}.moengage.com": c for c in ("01", "02", "03", "04", "05", "06", "101")},
    **{f"api-{c}.moengage.com": c for c in ("01", "02", "03", "04", "05", "06", "101")},
    "app.moengage.com": "01",
    "app-eu.moengage.com": "02",
    "app-serv3.moengage.com": "03",
    "api.moengage.com": "01",
    "api-eu.moengage.com": "02",
    "api-serv3.moengage.com": "03",
}


def oracle_clean(value: str) -> str | None:
    """The value as it must be sent, or None if it must be refused (PRODUCT.md 3.1)."""
    start, end = 0, len(value)
    while start < end and (value[start].isspace() or value[start] in INVISIBLE):
        start += 1
    while end > start and (value[end - 1].isspace() or value[end - 1] in INVISIBLE):
        end -= 1
    text = value[start:end]
    if 1 <= len(text) <= 256 and all("!" <= ch <= "~" for ch in text):
        return text
    return None


# Input shaped like attacks and paste accidents, mixed with arbitrary text.
INJECTION = st.sampled_from(
    [
        "\r\nX-Injected: 1",
        "\nX-Injected: 1",
        "\r",
        "\x00",
        "%0d%0aX-Injected:%201",
        ":",
        "\u2028",
        "\x85",
        '"',
        "\\",
        "\u0130",
        "é",
        "\u202e",
        " ",
        "\t",
        "\x7f",
    ]
)
NOISE = st.sampled_from(["", " ", "\n", "\r\n", "\t", "\u00a0", "\u200b", "\ufeff", "\u3000"])
ASCII = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40)
ANY = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
PASTED = st.builds(lambda a, b, c: a + b + c, NOISE, ASCII.filter(bool), NOISE)
FIELD = st.one_of(
    PASTED,
    PASTED,
    PASTED,
    st.builds(lambda a, b, c, d, e: a + b + c + d + e, NOISE, ASCII, INJECTION, ASCII, NOISE),
    ANY,
    st.sampled_from(["", " ", "x" * 256, "x" * 257, " " + "y" * 256 + "\n"]),
)
DC = st.one_of(
    st.sampled_from(["01", "5", "DC-06", "dc 101", " 02\n", "https://dashboard-03.moengage.com/"]),
    st.sampled_from(["07", "0", "1\r\n2", "01\x00", "٥", "01\r\nHost: evil.example"]),
    ANY,
)


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer(success("Prop"))
    yield srv
    srv.close()


def assert_clean_wire(request: Request, workspace_id: str, key: str, dc: str) -> None:
    """Only our headers, one per line, and the body exactly as normalised."""
    head = request.raw_head
    assert b"\x00" not in head
    lines = head.split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in lines), "bare CR/LF in head"
    assert lines[0].startswith(b"POST /dc-") and lines[0].endswith(b" HTTP/1.1")
    names = []
    for line in lines[1:]:
        assert HEADER_LINE.fullmatch(line), f"malformed header line {line!r}"
        names.append(line.split(b":", 1)[0].decode().lower())
    assert sorted(names) == sorted(EXPECTED_HEADERS), names
    token = base64.b64encode(f"{workspace_id}:{key}".encode()).decode()
    assert request.header("Authorization") == f"Basic {token}"
    assert request.header("MOE-APPKEY") == workspace_id
    assert request.json() == {
        "app_id": workspace_id,
        "app_secret": key,
        "source": "moecheck",
        "region": dc,
    }


def expected_refusal_field(ws: str, key: str, dc: str) -> str | None:
    """Which field must be refused (the first in on-screen order), or None if all are fine."""
    if oracle_clean(ws) is None:
        return "workspace_id"
    if oracle_clean(key) is None:
        return "api_key"
    try:
        parse_dc(dc)
    except ValueError:
        return "dc"
    return None


@settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ws=FIELD, key=FIELD, dc=DC)
@example(ws="WS1\r\nX-Injected: 1", key="k" * 20, dc="01")
@example(ws="WS1", key="key\r\nX-Injected: 1", dc="01")
@example(ws="WS1", key="key\x00tail", dc="01")
@example(ws="WS1", key="  key-with-paste-noise\r\n", dc=" dc-5 ")
@example(ws="WS1", key="key", dc="01\r\nHost: evil.example")
def test_core_refuses_or_sends_exactly(server: ScriptedServer, ws: str, key: str, dc: str) -> None:
    checker = Checker(api_base=server.url() + "/dc-{dc}")
    before = len(server.requests)
    try:
        outcome = checker.check(ws, key, dc, timeout=5)
    finally:
        checker.close()
    field = expected_refusal_field(ws, key, dc)
    event(f"refused: {field}" if field else "sent")
    if field is not None:
        assert outcome.kind == Kind.INVALID_INPUT, outcome
        assert outcome.field == field, (field, outcome.field, outcome.message)
        assert FIELD_WORDS[field].search(outcome.message), outcome.message
        assert len(server.requests) == before, "refused input reached the network"
        assert "\r" not in outcome.message and "\n" not in outcome.message
        return
    assert outcome.ok, outcome
    assert len(server.requests) == before + 1
    clean_ws, clean_key = oracle_clean(ws), oracle_clean(key)
    assert clean_ws is not None and clean_key is not None
    assert_clean_wire(server.requests[-1], clean_ws, clean_key, parse_dc(dc))


CLI_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=30,
)
CLI_FIELD = st.one_of(
    st.builds(lambda a, b, c: a + b + c, NOISE, ASCII, NOISE),
    st.builds(lambda a, b, c: a + b + c, ASCII, INJECTION.filter(lambda s: "\x00" not in s), ASCII),
    CLI_TEXT,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ws=CLI_FIELD, key=CLI_FIELD, dc=st.one_of(st.sampled_from(["01", "dc-5", "07"]), CLI_TEXT))
@example(ws="WS1", key="key-value\rX-Injected: 1", dc="01")
@example(ws="WS1\nX: y", key="key-value", dc="01")
@example(ws="00000000000\n", key="00000000000\\", dc="")  # key text inside the ID's JSON escape
def test_command_refuses_or_sends_exactly(
    server: ScriptedServer, tmp_path_factory: pytest.TempPathFactory, ws: str, key: str, dc: str
) -> None:
    """``moecheck check`` with the key from MOECHECK_API_KEY and the rest as arguments."""
    assume(key and "\x00" not in ws + key + dc)
    home = tmp_path_factory.mktemp("home")
    before = len(server.requests)
    result = run_cli(
        ["check", f"--workspace-id={ws}", f"--dc={dc}", "--json"],
        home=home,
        env={"MOECHECK_API_BASE": server.url() + "/dc-{dc}", "MOECHECK_API_KEY": key},
        # A generated key may equal the workspace ID or the DC -- or appear in their JSON
        # escapes (ws "0000\n" is printed as "0000\\n", which contains the key "0000\\");
        # only keys distinct from what is legitimately printed are secrets.
        secrets=[
            k
            for k in (key, key.strip())
            if len(k) >= 12 and k not in " ".join([ws, dc, json.dumps(ws), json.dumps(dc)])
        ],
    )
    data = result.json()
    # The command reads the DC before the key (so a typo is reported first).
    try:
        parse_dc(dc)
        field = expected_refusal_field(ws, key, dc)
    except ValueError:
        field = "dc"
    if field is not None:
        assert result.returncode == 2, result.stderr
        assert data["kind"] == "invalid_input" and data["field"] == field, data
        assert FIELD_WORDS[field].search(data["message"]), data["message"]
        assert len(server.requests) == before
        return
    assert result.returncode == 0, data
    clean_ws, clean_key = oracle_clean(ws), oracle_clean(key)
    assert clean_ws is not None and clean_key is not None
    assert_clean_wire(server.requests[-1], clean_ws, clean_key, parse_dc(dc))


@pytest.mark.parametrize(
    "base",
    [
        "http://127.0.0.1:1/dc-{dc}\r\nX-Injected: 1",
        "http://127.0.0.1:1/dc-{dc} HTTP/1.1\r\nHost: evil",
        "http://127.0.0.1:1/\x00{dc}",
        "http://evil.example/{dc}",
        "ftp://127.0.0.1/{dc}",
    ],
)
def test_hostile_api_base_is_refused_before_anything_is_sent(base: str) -> None:
    outcome = Checker(api_base=base).check("WS1", "key-value-123", "01", timeout=2)
    assert outcome.kind == Kind.INVALID_INPUT
    assert outcome.field == "api_base"
    assert "MOECHECK_API_BASE" in outcome.message
    assert outcome.host is None


# ----------------------------------------------------------------------------- pasted addresses

SCHEMES = st.sampled_from(
    ["", "https://", "http://", "HTTPS://", "//", "ftp://", "javascript:", "https:/", "file://"]
)
USERINFO = st.sampled_from(["", "user@", "dashboard-01.moengage.com@", "a:b@"])
HOSTS = st.one_of(
    st.sampled_from(sorted(KNOWN_HOSTS)),
    st.sampled_from(sorted(KNOWN_HOSTS)).map(str.upper),
    st.sampled_from(sorted(KNOWN_HOSTS)).map(lambda h: h + "."),
    st.sampled_from(sorted(KNOWN_HOSTS)).map(lambda h: h + ".evil.example"),
    st.sampled_from(sorted(KNOWN_HOSTS)).map(lambda h: "evil-" + h),
    st.sampled_from(sorted(KNOWN_HOSTS)).map(lambda h: "x." + h),
    st.sampled_from(sorted(KNOWN_HOSTS)).map(lambda h: h + ".."),
    st.sampled_from(
        [
            "dashboard-07.moengage.com",
            "dashboard-1.moengage.com",
            "dashboard-001.moengage.com",
            "dashboard-0l.moengage.com",
            "dashboard-01.moengage.co",
            "dashboard-01.rnoengage.com",
            "dashboard-01.moengаge.com",  # Cyrillic а
            "dashboard-01.moengage.com\\@evil.example",
            "dashboard-01%2emoengage.com",
            "dashboard-01.moengage.com\t.evil.example",
            "dashboard-01.moengage.com\u200b",
            "[::1]",
            "127.0.0.1",
            "",
        ]
    ),
)
PORTS = st.sampled_from(["", ":443", ":8443", ":99999", ":abc", ":"])
PATHS = st.sampled_from(
    ["", "/", "/v4/#/dashboard", "?next=https://dashboard-02.moengage.com", "#api-05.moengage.com"]
)


def oracle_dc(scheme: str, userinfo: str, host: str, port: str) -> str | None:
    """The DC a pasted address must resolve to, or None if it must be refused."""
    if scheme not in ("", "https://", "http://", "HTTPS://", "//") or userinfo:
        return None
    if port not in ("", ":", ":443", ":8443"):  # "host:" is the default port, as in browsers
        return None
    name = host.lower()
    if name.endswith(".") and not name.endswith(".."):
        name = name[:-1]
    return KNOWN_HOSTS.get(name)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scheme=SCHEMES, userinfo=USERINFO, host=HOSTS, port=PORTS, path=PATHS)
def test_pasted_addresses_resolve_only_for_exact_moengage_hosts(
    server: ScriptedServer, scheme: str, userinfo: str, host: str, port: str, path: str
) -> None:
    text = f"{scheme}{userinfo}{host}{port}{path}"
    expected = oracle_dc(scheme, userinfo, host, port)
    assert dc_from_url(text) == expected, text
    checker = Checker(api_base=server.url() + "/dc-{dc}")
    before = len(server.requests)
    try:
        outcome = checker.check("WS1", "key-value-123", text, timeout=5)
    finally:
        checker.close()
    if expected is None:
        assert outcome.kind == Kind.INVALID_INPUT and outcome.field == "dc", (text, outcome)
        assert FIELD_WORDS["dc"].search(outcome.message), outcome.message
        assert len(server.requests) == before, "a look-alike address reached the network"
    else:
        assert outcome.ok and outcome.dc == expected, (text, outcome)
        assert server.requests[-1].json()["region"] == expected
        assert server.requests[-1].target == f"/dc-{expected}/v1/integrations/authentication"


@pytest.mark.parametrize(
    "value",
    [
        "dashboard-01.moengage.com.evil.example",
        "https://dashboard-01.moengage.com@evil.example/",
        "https://evil.example/?u=dashboard-01.moengage.com",
        "https://dashboard-01.moengаge.com/",
        "https://dashboard-0１.moengage.com/",  # fullwidth digit
        "dc-٥",
    ],
)
def test_command_dc_refuses_look_alikes(value: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = run_cli(["dc", value, "--json"], home=home)
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert data["kind"] == "invalid_input" and data["dc"] is None
    assert FIELD_WORDS["dc"].search(data["message"]), data["message"]
