"""Property tests: whatever a user types, it is refused locally or sent exactly as normalised."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moecheck_gui.client import Checker
from moecheck_gui.datacenters import DataCenterError, parse_dc
from moecheck_gui.inputs import InputError, normalise_credentials
from moecheck_gui.outcome import Kind
from tests.servers import ScriptedServer, success

PASTE_NOISE = st.sampled_from(["", " ", "\n", "\r\n", "\t", "\u00a0", "\u200b", "\ufeff"])
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=300
)
PRINTABLE = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=270)
FIELD = st.one_of(
    TEXT, PRINTABLE, st.builds(lambda a, b, c: a + b + c, PASTE_NOISE, PRINTABLE, PASTE_NOISE)
)
DC = st.one_of(
    st.sampled_from(["1", "01", "DC-05", "dc101", "07", "0", "app-eu.moengage.com", "x"]), TEXT
)


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer(success("Prop"))
    yield srv
    srv.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ws=FIELD, key=FIELD, dc=DC)
def test_refused_or_sent_exactly_as_normalised(
    server: ScriptedServer, ws: str, key: str, dc: str
) -> None:
    checker = Checker(api_base=server.url() + "/dc-{dc}")
    before = len(server.requests)
    outcome = checker.check(ws, key, dc, timeout=5)
    checker.close()
    try:
        creds, _ = normalise_credentials(ws, key)
        code = parse_dc(dc)
    except (InputError, DataCenterError):
        assert outcome.kind == Kind.INVALID_INPUT
        assert outcome.message
        assert len(server.requests) == before, "refused input reached the network"
        return
    assert outcome.ok, outcome
    request = server.requests[-1]
    assert len(server.requests) == before + 1
    body = request.json()
    assert body == {
        "app_id": creds.workspace_id,
        "app_secret": creds.api_key,
        "source": "moecheck",
        "region": code,
    }
    token = base64.b64encode(f"{creds.workspace_id}:{creds.api_key}".encode()).decode()
    assert request.header("Authorization") == f"Basic {token}"
    assert request.header("MOE-APPKEY") == creds.workspace_id
    # No header injection: the request head holds exactly the headers we set.
    names = [k.lower() for k, _ in request.headers]
    assert names.count("moe-appkey") == 1 and names.count("authorization") == 1
    shown = outcome.to_json()
    shown.pop("workspace_id")  # a key may legitimately equal the workspace ID here
    if len(creds.api_key) >= 12:  # short keys collide with ordinary words and numbers
        assert creds.api_key not in str(shown)
