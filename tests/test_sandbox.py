"""The sandbox behaves like MoEngage's endpoint, checks the wire format, and misbehaves on cue.

Everything here talks to a real sandbox on 127.0.0.1 with the standard
library's http.client / raw sockets only (never the project's client, so a
client bug cannot hide a sandbox bug and vice versa).
"""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import logging
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from moecheck_gui.sandbox import (
    DC_CODES,
    DEMO_WORKSPACES,
    MAX_BODY,
    Sandbox,
    describe,
)

ENDPOINT = "/v1/integrations/authentication"
AUTH_MISMATCH = "App Secret key mismatch. Please login to the dashboard to verify key"
REQUEST_ID = re.compile(r"sbx-[0-9a-f]{16}")
NORMAL_DEMOS = [w for w in DEMO_WORKSPACES if w.note.startswith("works on")]


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, Any]:
        data = self.json()
        assert data["status"] == "fail"
        return data["error"]


def wire(
    workspace_id: str = "DEMO_US",
    key: str = "demo-key-us-0001",
    dc: str = "01",
    **body_changes: Any,
) -> tuple[dict[str, Any], dict[str, str]]:
    """A correct request as the documentation describes it: (body dict, headers)."""
    body: dict[str, Any] = {
        "app_id": workspace_id,
        "app_secret": key,
        "source": "moecheck-tests",
        "region": dc,
    }
    body.update(body_changes)
    token = base64.b64encode(f"{workspace_id}:{key}".encode()).decode()
    headers = {
        "Content-Type": "application/json",
        "MOE-APPKEY": workspace_id,
        "Authorization": f"Basic {token}",
    }
    return body, headers


def send(
    sb: Sandbox,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    *,
    method: str = "POST",
    timeout: float = 5.0,
    context: ssl.SSLContext | None = None,
) -> Reply:
    conn: http.client.HTTPConnection
    if context is not None:
        conn = http.client.HTTPSConnection("127.0.0.1", sb.port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


def check(
    sb: Sandbox,
    workspace_id: str = "DEMO_US",
    key: str = "demo-key-us-0001",
    dc: str = "01",
    *,
    timeout: float = 5.0,
    context: ssl.SSLContext | None = None,
) -> Reply:
    """One well-formed Test Connection request, like MoeCheck sends."""
    body, headers = wire(workspace_id, key, dc)
    return send(
        sb,
        f"/dc-{dc}{ENDPOINT}",
        json.dumps(body).encode(),
        headers,
        timeout=timeout,
        context=context,
    )


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


# -- credentials ---------------------------------------------------------------


@pytest.mark.parametrize("demo", NORMAL_DEMOS, ids=lambda w: w.workspace_id)
def test_demo_workspace_succeeds_on_its_dc(sb: Sandbox, demo: Any) -> None:
    reply = check(sb, demo.workspace_id, demo.api_key, demo.dc)
    assert reply.status == 200
    assert reply.headers.get_content_type() == "application/json"
    assert reply.json() == {"status": "success", "app_name": demo.app_name}


def test_demo_set_covers_us_eu_and_dc101() -> None:
    by_dc = {w.dc: w for w in NORMAL_DEMOS}
    assert by_dc["01"].app_name == "MoeCheck Demo (US)"
    assert {"01", "02", "101"} <= set(by_dc)
    assert all(w.note for w in DEMO_WORKSPACES)


def test_wrong_key_gets_documented_401(sb: Sandbox) -> None:
    reply = check(sb, "DEMO_US", "demo-key-us-9999")
    assert reply.status == 401
    assert reply.error["message"] == AUTH_MISMATCH
    assert reply.error["type"] == "Authentication Failed"
    assert REQUEST_ID.fullmatch(reply.error["request_id"])


def test_workspace_on_another_dc_gets_401(sb: Sandbox) -> None:
    reply = check(sb, "DEMO_EU", "demo-key-eu-0001", "01")
    assert reply.status == 401
    assert reply.error["message"] == AUTH_MISMATCH


def test_unknown_workspace_gets_401(sb: Sandbox) -> None:
    reply = check(sb, "NOSUCHWORKSPACE", "demo-key-us-0001")
    assert reply.status == 401
    assert reply.error["message"] == AUTH_MISMATCH


def test_every_response_has_a_fresh_request_id(sb: Sandbox) -> None:
    first = check(sb, key="wrong-1")
    second = check(sb, key="wrong-2")
    ok = check(sb)
    ids = [first.error["request_id"], second.error["request_id"]]
    assert ids[0] != ids[1]
    assert first.headers["X-Request-Id"] == ids[0]
    assert REQUEST_ID.fullmatch(ok.headers["X-Request-Id"])
    assert ok.headers["X-Request-Id"] not in ids


def test_added_workspace_is_accepted_only_on_its_dc(sb: Sandbox) -> None:
    sb.add_workspace("ACME_PROD", "acme-secret-key-1", "05", "Acme Prod")
    assert check(sb, "ACME_PROD", "acme-secret-key-1", "05").json()["app_name"] == "Acme Prod"
    assert check(sb, "ACME_PROD", "acme-secret-key-1", "01").status == 401
    with pytest.raises(ValueError, match="07"):
        sb.add_workspace("X", "y", "07", "Nope")


def test_keep_alive_connection_serves_several_checks(sb: Sandbox) -> None:
    body, headers = wire()
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=5)
    try:
        for _ in range(3):
            conn.request("POST", f"/dc-01{ENDPOINT}", json.dumps(body).encode(), headers)
            response = conn.getresponse()
            assert response.status == 200
            response.read()
    finally:
        conn.close()
    assert len(sb.requests) == 3


def test_chunked_body_is_accepted(sb: Sandbox) -> None:
    body, headers = wire()
    raw = json.dumps(body).encode()
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=5)
    try:
        conn.request(
            "POST",
            f"/dc-01{ENDPOINT}",
            body=iter([raw[:10], raw[10:]]),
            headers=headers,
            encode_chunked=True,
        )
        response = conn.getresponse()
        assert response.status == 200, response.read()
    finally:
        conn.close()
    assert sb.requests[-1].body == raw


# -- wire format -----------------------------------------------------------------

Mutation = Callable[[dict[str, Any], dict[str, str]], bytes | None]


def _drop_header(name: str) -> Mutation:
    def mutate(body: dict[str, Any], headers: dict[str, str]) -> None:
        del headers[name]

    return mutate


def _set_header(name: str, value: str) -> Mutation:
    def mutate(body: dict[str, Any], headers: dict[str, str]) -> None:
        headers[name] = value

    return mutate


def _drop_field(name: str) -> Mutation:
    def mutate(body: dict[str, Any], headers: dict[str, str]) -> None:
        del body[name]

    return mutate


def _set_field(name: str, value: Any) -> Mutation:
    def mutate(body: dict[str, Any], headers: dict[str, str]) -> None:
        body[name] = value

    return mutate


def _raw(data: bytes) -> Mutation:
    def mutate(body: dict[str, Any], headers: dict[str, str]) -> bytes:
        return data

    return mutate


def _basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


VIOLATIONS: list[tuple[str, Mutation, int, str]] = [
    ("no content type", _drop_header("Content-Type"), 400, "Content-Type header is missing"),
    (
        "text/plain",
        _set_header("Content-Type", "text/plain"),
        400,
        "Content-Type must be application/json, not 'text/plain'",
    ),
    ("form", _set_header("Content-Type", "application/x-www-form-urlencoded"), 400, "form"),
    ("no authorization", _drop_header("Authorization"), 401, "Authentication Header Required"),
    ("bearer", _set_header("Authorization", "Bearer abc"), 400, "must be 'Basic '"),
    ("bad base64", _set_header("Authorization", "Basic !!!notbase64"), 400, "not valid base64"),
    ("no colon", _set_header("Authorization", _basic("DEMO_US")), 400, "with a colon"),
    (
        "auth user differs",
        _set_header("Authorization", _basic("OTHER:demo-key-us-0001")),
        400,
        "Authorization username (workspace ID) does not match app_id",
    ),
    (
        "auth password differs",
        _set_header("Authorization", _basic("DEMO_US:another-key")),
        400,
        "Authorization password (API key) does not match app_secret",
    ),
    ("no appkey", _drop_header("MOE-APPKEY"), 400, "MOE-APPKEY header is missing"),
    (
        "appkey differs",
        _set_header("MOE-APPKEY", "OTHER"),
        400,
        "MOE-APPKEY header does not match app_id",
    ),
    ("not utf-8", _raw(b'{"app_id": "\xff"}'), 400, "not valid UTF-8"),
    ("not json", _raw(b"app_id=DEMO_US"), 400, "not valid JSON"),
    ("json array", _raw(b"[]"), 400, "must be a JSON object, not an array"),
    ("empty body", _raw(b""), 400, "not valid JSON"),
    ("no app_id", _drop_field("app_id"), 400, "Field 'app_id' is missing"),
    ("no app_secret", _drop_field("app_secret"), 400, "Field 'app_secret' is missing"),
    ("no source", _drop_field("source"), 400, "Field 'source' is missing"),
    ("no region", _drop_field("region"), 400, "Field 'region' is missing"),
    ("region number", _set_field("region", 1), 400, "Field 'region' must be a string"),
    ("app_id null", _set_field("app_id", None), 400, "Field 'app_id' must be a string, not null"),
    ("empty source", _set_field("source", "  "), 400, "Field 'source' must not be empty"),
    (
        "region of another dc",
        _set_field("region", "02"),
        400,
        "region '02' does not match the data center of this endpoint (01)",
    ),
    (
        "region without zero",
        _set_field("region", "1"),
        400,
        "region '1' does not match the data center of this endpoint (01)",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "status", "phrase"),
    [v[1:] for v in VIOLATIONS],
    ids=[v[0] for v in VIOLATIONS],
)
def test_wire_violation_is_refused_naming_the_problem(
    sb: Sandbox, mutate: Mutation, status: int, phrase: str
) -> None:
    body, headers = wire()
    raw = mutate(body, headers)
    payload = raw if raw is not None else json.dumps(body).encode()
    reply = send(sb, f"/dc-01{ENDPOINT}", payload, headers)
    assert reply.status == status
    assert phrase in reply.error["message"]
    assert REQUEST_ID.fullmatch(reply.error["request_id"])
    # The key is never echoed back in an error message.
    assert "demo-key-us-0001" not in reply.body.decode()


def test_content_type_with_charset_is_allowed(sb: Sandbox) -> None:
    body, headers = wire()
    headers["Content-Type"] = "application/json; charset=utf-8"
    reply = send(sb, f"/dc-01{ENDPOINT}", json.dumps(body).encode(), headers)
    assert reply.status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/v1/integrations/authentication",
        "/dc-07/v1/integrations/authentication",
        "/dc-1/v1/integrations/authentication",
        "/dc-01/v1/integrations/authentication/",
        "/dc-01/v2/integrations/authentication",
        "/",
    ],
)
def test_other_paths_get_404_envelope(sb: Sandbox, path: str) -> None:
    body, headers = wire()
    reply = send(sb, path, json.dumps(body).encode(), headers)
    assert reply.status == 404
    assert reply.error["message"] == "Not Found"
    assert reply.error["type"] == "Not Found"
    assert sb.requests[-1].dc is None


def test_other_methods_get_405(sb: Sandbox) -> None:
    reply = send(sb, f"/dc-01{ENDPOINT}", None, {}, method="GET")
    assert reply.status == 405
    assert reply.headers["Allow"] == "POST"
    assert reply.error["type"] == "Method Not Allowed"


def test_oversized_body_gets_413(sb: Sandbox) -> None:
    body, headers = wire(padding="x" * (MAX_BODY + 10))
    reply = send(sb, f"/dc-01{ENDPOINT}", json.dumps(body).encode(), headers)
    assert reply.status == 413
    assert str(MAX_BODY) in reply.error["message"]
    # A body exactly at the limit is still read and judged on its content.
    filler = MAX_BODY - len(json.dumps(wire(padding="")[0]).encode())
    body, headers = wire(padding="x" * filler)
    assert len(json.dumps(body).encode()) == MAX_BODY
    assert send(sb, f"/dc-01{ENDPOINT}", json.dumps(body).encode(), headers).status == 200


def test_every_dc_route_is_served(sb: Sandbox) -> None:
    for dc in DC_CODES:
        reply = check(sb, "DEMO_US", "demo-key-us-0001", dc)
        assert reply.status == (200 if dc == "01" else 401), dc


# -- recording and addresses -------------------------------------------------------


def test_records_requests_exactly_as_sent(sb: Sandbox) -> None:
    body, headers = wire("DEMO_EU", "demo-key-eu-0001", "02")
    raw = json.dumps(body).encode()
    send(sb, f"/dc-02{ENDPOINT}?trace=1", raw, headers)
    (recorded,) = sb.requests
    assert recorded.method == "POST"
    assert recorded.path == f"/dc-02{ENDPOINT}?trace=1"
    assert recorded.dc == "02"
    assert recorded.body == raw
    assert recorded.json() == body
    assert recorded.headers["MOE-APPKEY"] == "DEMO_EU"  # name case as sent
    assert recorded.headers["Authorization"] == headers["Authorization"]
    assert recorded.header("moe-appkey") == "DEMO_EU"
    # The repr is safe to print in a failing test's output.
    assert "demo-key-eu-0001" not in repr(recorded)
    assert headers["Authorization"] not in repr(recorded)
    sb.clear_requests()
    assert sb.requests == []


def test_requests_property_is_a_copy(sb: Sandbox) -> None:
    check(sb)
    snapshot = sb.requests
    snapshot.clear()
    assert len(sb.requests) == 1


def test_api_base_and_url_for(sb: Sandbox) -> None:
    assert sb.api_base == f"http://127.0.0.1:{sb.port}/dc-{{dc}}"
    assert sb.url_for("101") == f"http://127.0.0.1:{sb.port}/dc-101{ENDPOINT}"
    assert sb.api_base.replace("{dc}", "05") + ENDPOINT == sb.url_for("05")


def test_cannot_start_twice() -> None:
    sandbox = Sandbox().start()
    try:
        with pytest.raises(RuntimeError):
            sandbox.start()
    finally:
        sandbox.stop()
    sandbox.stop()  # a second stop is harmless


# -- scenario workspaces -----------------------------------------------------------


@pytest.mark.parametrize("dc", ["01", "02"])
@pytest.mark.parametrize(
    ("workspace_id", "status", "content_type", "check_body"),
    [
        ("DEMO_SUSPENDED", 403, "application/json", "Account Suspended"),
        ("DEMO_BLOCKED", 403, "application/json", "Blocked Client"),
        ("DEMO_RATELIMIT", 429, "application/json", "Rate Limit Exceeded"),
        ("DEMO_DOWN", 503, "text/html", "503 Service Temporarily Unavailable"),
        ("DEMO_CAPTIVE", 200, "text/html", "<form"),
    ],
)
def test_scenario_workspaces_misbehave(
    sb: Sandbox, workspace_id: str, status: int, content_type: str, check_body: str, dc: str
) -> None:
    demo = next(w for w in DEMO_WORKSPACES if w.workspace_id == workspace_id)
    reply = check(sb, workspace_id, demo.api_key, dc)
    assert reply.status == status
    assert reply.headers.get_content_type() == content_type
    if content_type == "application/json":
        assert reply.error["type"] == check_body
    else:
        assert check_body in reply.body.decode()
    if workspace_id == "DEMO_RATELIMIT":
        assert reply.headers["Retry-After"] == "30"


def test_scenario_still_requires_a_valid_request(sb: Sandbox) -> None:
    body, headers = wire("DEMO_DOWN", "demo-key-down-0001")
    del headers["MOE-APPKEY"]
    assert send(sb, f"/dc-01{ENDPOINT}", json.dumps(body).encode(), headers).status == 400


def test_slow_scenario_answers_late_then_normally(sb: Sandbox) -> None:
    sb.slow_scenario_delay = 1.0
    with pytest.raises(TimeoutError):
        check(sb, "DEMO_SLOW", "demo-key-slow-0001", timeout=0.2)
    sb.slow_scenario_delay = 0.0
    assert check(sb, "DEMO_SLOW", "demo-key-slow-0001").json()["app_name"] == (
        "MoeCheck Demo (Slow)"
    )
    assert check(sb, "DEMO_SLOW", "demo-key-slow-0001", "02").status == 401
    assert check(sb, "DEMO_SLOW", "wrong", "01").status == 401


def test_slow_scenario_defaults_to_three_seconds() -> None:
    assert Sandbox().slow_scenario_delay == 3.0


# -- modes -------------------------------------------------------------------------


def test_mode_status_generic(sb: Sandbox) -> None:
    sb.set_mode("status", status=418, body="I'm a teapot", headers={"X-Thing": "yes"})
    reply = check(sb)
    assert reply.status == 418
    assert reply.body == b"I'm a teapot"
    assert reply.headers["X-Thing"] == "yes"
    assert reply.headers.get_content_type() == "text/plain"


def test_mode_status_default_body_is_fail_envelope(sb: Sandbox) -> None:
    sb.set_mode("status", status=502)
    reply = check(sb)
    assert reply.status == 502
    assert reply.error["message"] == "Bad Gateway"
    assert REQUEST_ID.fullmatch(reply.error["request_id"])


def test_mode_status_dict_and_bytes_bodies(sb: Sandbox) -> None:
    sb.set_mode("status", status=200, body={"status": "success"})
    assert check(sb).json() == {"status": "success"}
    sb.set_mode("status", status=200, body=b"\x00\x01", headers={"Content-Type": "image/png"})
    reply = check(sb)
    assert reply.body == b"\x00\x01"
    assert reply.headers.get_all("Content-Type") == ["image/png"]


def test_mode_unauthorized_even_with_right_key(sb: Sandbox) -> None:
    sb.set_mode("unauthorized")
    reply = check(sb)
    assert reply.status == 401
    assert reply.error["message"] == AUTH_MISMATCH


def test_mode_forbidden(sb: Sandbox) -> None:
    sb.set_mode("forbidden")
    reply = check(sb)
    assert reply.status == 403
    assert reply.error["type"] == "Account Suspended"
    sb.set_mode("forbidden", error_type="Blocked Client", message="IP not whitelisted")
    reply = check(sb)
    assert reply.error == {
        "type": "Blocked Client",
        "message": "IP not whitelisted",
        "request_id": reply.error["request_id"],
    }


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [(30, "30"), ("Wed, 21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 07:28:00 GMT"), (None, None)],
)
def test_mode_rate_limited(sb: Sandbox, retry_after: object, header: str | None) -> None:
    sb.set_mode("rate_limited", retry_after=retry_after)
    reply = check(sb)
    assert reply.status == 429
    assert reply.headers.get("Retry-After") == header


def test_mode_rate_limited_default_retry_after(sb: Sandbox) -> None:
    sb.set_mode("rate_limited")
    assert check(sb).headers["Retry-After"] == "30"


def test_mode_server_error(sb: Sandbox) -> None:
    sb.set_mode("server_error")
    reply = check(sb)
    assert reply.status == 500
    assert reply.error["type"] == "Internal Server Error"
    sb.set_mode("server_error", status=503, html=True)
    reply = check(sb)
    assert reply.status == 503
    assert reply.headers.get_content_type() == "text/html"
    assert reply.body.lstrip().startswith(b"<!DOCTYPE html>")


def test_mode_slow_delays_then_answers(sb: Sandbox) -> None:
    sb.set_mode("slow", delay=1.0)
    with pytest.raises(TimeoutError):
        check(sb, timeout=0.2)
    sb.set_mode("slow", delay=0.05)
    assert check(sb).status == 200
    assert check(sb, key="wrong").status == 401


def test_mode_hang_never_answers(sb: Sandbox) -> None:
    sb.set_mode("hang")
    with pytest.raises(TimeoutError):
        check(sb, timeout=0.3)
    assert len(sb.requests) == 1
    assert sb.requests[0].json()["app_id"] == "DEMO_US"


def test_mode_hang_acts_before_validation(sb: Sandbox) -> None:
    sb.set_mode("hang")
    with pytest.raises(TimeoutError):
        send(sb, "/nowhere", None, {}, method="GET", timeout=0.3)


def test_mode_html_is_a_captive_page(sb: Sandbox) -> None:
    sb.set_mode("html")
    reply = check(sb)
    assert reply.status == 200
    assert reply.headers.get_content_type() == "text/html"
    assert b"<form" in reply.body


def test_mode_redirect(sb: Sandbox) -> None:
    sb.set_mode("redirect")
    reply = check(sb)
    assert reply.status == 302
    assert reply.headers["Location"].startswith(f"http://127.0.0.1:{sb.port}/")
    sb.set_mode("redirect", status=307, location="https://login.example.invalid/portal")
    reply = check(sb)
    assert reply.status == 307
    assert reply.headers["Location"] == "https://login.example.invalid/portal"


def test_mode_not_found(sb: Sandbox) -> None:
    sb.set_mode("not_found")
    reply = check(sb)
    assert reply.status == 404
    assert reply.error["type"] == "Not Found"


def _raw_request(workspace_id: str = "DEMO_US", key: str = "demo-key-us-0001") -> bytes:
    body, headers = wire(workspace_id, key)
    raw = json.dumps(body).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (
        f"POST /dc-01{ENDPOINT} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
        f"Content-Length: {len(raw)}\r\n\r\n"
    ).encode() + raw


def test_mode_trickle_sends_headers_then_bytes_slowly(sb: Sandbox) -> None:
    sb.set_mode("trickle", interval=0.05)
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as client:
        client.sendall(_raw_request())
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = client.recv(4096)
            assert chunk, "connection closed before the headers"
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ")
        assert b"\r\nContent-Length: 100000\r\n" in head
        while len(body) < 3:
            body += client.recv(1)
        assert body.startswith(b'{"s')
        # The promised 100000 bytes come at 20 per second: in half a second
        # only a handful arrive (generous bound: 100), and the connection stays open.
        window_end = time.monotonic() + 0.5
        while (left := window_end - time.monotonic()) > 0:
            client.settimeout(left)
            try:
                chunk = client.recv(1000)
            except TimeoutError:
                break
            assert chunk, "trickle ended early"
            body += chunk
        assert 3 < len(body) < 100


def test_mode_trickle_with_small_declared_length(sb: Sandbox) -> None:
    sb.set_mode("trickle", interval=0.01, length=5)
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as client:
        client.sendall(_raw_request())
        received = b""
        while chunk := client.recv(4096):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"\r\nContent-Length: 5\r\n" in head
    assert body == b'{"sta'


def test_mode_large(sb: Sandbox) -> None:
    sb.set_mode("large", size=200_000)
    reply = check(sb)
    assert reply.status == 200
    assert reply.headers["Content-Length"] == "200000"
    assert len(reply.body) == 200_000
    assert reply.json()["status"] == "success"


def test_mode_large_gzip_is_a_compression_bomb(sb: Sandbox) -> None:
    sb.set_mode("large", gzip=True)
    reply = check(sb)
    assert reply.headers["Content-Encoding"] == "gzip"
    assert int(reply.headers["Content-Length"]) == len(reply.body) < MAX_BODY
    decoded = gzip.decompress(reply.body)
    assert len(decoded) >= 10_000_000
    assert json.loads(decoded)["status"] == "success"


def test_mode_reset_sends_tcp_reset(sb: Sandbox) -> None:
    sb.set_mode("reset")
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as client:
        client.sendall(_raw_request())
        with pytest.raises(ConnectionResetError):
            client.recv(1024)  # a clean close would return b"" instead
    assert len(sb.requests) == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([1, 2], b"[1, 2]"),
        (None, b"null"),
        ({"status": "success", "app_name": ""}, b'{"status": "success", "app_name": ""}'),
        ({"status": "success"}, b'{"status": "success"}'),
    ],
)
def test_mode_json_sends_arbitrary_json(sb: Sandbox, body: object, expected: bytes) -> None:
    sb.set_mode("json", body=body)
    reply = check(sb)
    assert reply.status == 200
    assert reply.body == expected


def test_mode_json_status_and_huge_app_name(sb: Sandbox) -> None:
    sb.set_mode("json", body={"status": "success", "app_name": "A" * 50_000}, status=201)
    reply = check(sb)
    assert reply.status == 201
    assert len(reply.json()["app_name"]) == 50_000


def test_modes_still_validate_the_request(sb: Sandbox) -> None:
    sb.set_mode("json", body={"status": "success", "app_name": "X"})
    body, headers = wire()
    headers["Content-Type"] = "text/plain"
    assert send(sb, f"/dc-01{ENDPOINT}", json.dumps(body).encode(), headers).status == 400


def test_back_to_normal(sb: Sandbox) -> None:
    sb.set_mode("unauthorized")
    assert check(sb).status == 401
    sb.set_mode("normal")
    assert check(sb).status == 200


def test_set_mode_refuses_typos(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="Unknown sandbox mode"):
        sb.set_mode("hangs")
    with pytest.raises(ValueError, match="does not take"):
        sb.set_mode("slow", seconds=1)
    with pytest.raises(ValueError, match="non-negative number"):
        sb.set_mode("status", status="500")


# -- TLS -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_sandbox(ca: trustme.CA, tmp_path: Path) -> Iterator[Sandbox]:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    chain = tmp_path / "chain.pem"
    key = tmp_path / "key.pem"
    chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    cert.private_key_pem.write_to_path(str(key))
    with Sandbox(tls=(str(chain), str(key))) as sandbox:
        yield sandbox


def test_tls_mode_serves_https_with_the_given_cert(tls_sandbox: Sandbox, ca: trustme.CA) -> None:
    assert tls_sandbox.api_base.startswith(f"https://127.0.0.1:{tls_sandbox.port}/")
    context = ssl.create_default_context()
    ca.configure_trust(context)
    reply = check(tls_sandbox, context=context)
    assert reply.status == 200
    assert reply.json()["app_name"] == "MoeCheck Demo (US)"


def test_tls_untrusted_client_fails_and_server_survives(
    tls_sandbox: Sandbox, ca: trustme.CA, capfd: pytest.CaptureFixture[str]
) -> None:
    untrusted = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    untrusted.load_default_certs()
    with pytest.raises(ssl.SSLCertVerificationError):
        check(tls_sandbox, context=untrusted)
    # Plain HTTP to the TLS port fails too, without killing the server.
    with pytest.raises((http.client.HTTPException, OSError)):
        check_plain = http.client.HTTPConnection("127.0.0.1", tls_sandbox.port, timeout=2)
        try:
            check_plain.request("GET", "/")
            check_plain.getresponse()
        finally:
            check_plain.close()
    trusted = ssl.create_default_context()
    ca.configure_trust(trusted)
    assert check(tls_sandbox, context=trusted).status == 200
    assert capfd.readouterr().err == ""


# -- stopping ----------------------------------------------------------------------


def _wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def test_stop_is_prompt_with_hang_and_trickle_in_flight() -> None:
    sandbox = Sandbox().start()
    body, headers = wire()
    raw = json.dumps(body).encode()
    outcomes: dict[str, object] = {}

    def client(name: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
        try:
            conn.request("POST", f"/dc-01{ENDPOINT}", raw, headers)
            response = conn.getresponse()
            outcomes[name + "_status"] = response.status
            outcomes[name] = response.read()
        except Exception as exc:
            outcomes[name] = exc
        finally:
            conn.close()

    try:
        sandbox.set_mode("hang")
        hanging = threading.Thread(target=client, args=("hang",))
        hanging.start()
        _wait_for(lambda: len(sandbox.requests) == 1)
        sandbox.set_mode("trickle", interval=0.05)
        trickling = threading.Thread(target=client, args=("trickle",))
        trickling.start()
        _wait_for(lambda: "trickle_status" in outcomes)
    finally:
        started = time.monotonic()
        sandbox.stop()
        elapsed = time.monotonic() - started
    assert elapsed < 3.0  # the promise is < 1 s; generous for a loaded machine
    hanging.join(5)
    trickling.join(5)
    assert not hanging.is_alive() and not trickling.is_alive()
    # Both clients saw the connection end without a complete answer.
    assert isinstance(outcomes["hang"], (http.client.HTTPException, OSError))
    assert isinstance(outcomes["trickle"], (http.client.HTTPException, OSError))
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", sandbox.port), timeout=1).close()


def test_stop_drops_idle_keep_alive_connections() -> None:
    sandbox = Sandbox().start()
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as client:
        client.sendall(_raw_request())
        answer = b""
        while b'"success"' not in answer:
            answer += client.recv(4096)
        assert b"Connection: close" not in answer  # kept alive, server thread waiting
        started = time.monotonic()
        sandbox.stop()
        assert time.monotonic() - started < 3.0
        assert client.recv(1024) == b""  # closed by stop(), not left for 30 s


def test_stop_is_prompt_during_slow_answer() -> None:
    sandbox = Sandbox().start()
    sandbox.set_mode("slow", delay=60)
    outcome: list[object] = []

    def client() -> None:
        try:
            outcome.append(check(sandbox, timeout=10))
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    _wait_for(lambda: len(sandbox.requests) == 1)
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 3.0
    thread.join(5)
    assert not thread.is_alive()
    # The client saw the connection dropped, not a late answer.
    assert isinstance(outcome[0], (http.client.HTTPException, OSError))


# -- quiet and secret-free -----------------------------------------------------------


def test_quiet_and_never_logs_a_key(
    sb: Sandbox, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="moecheck_gui.sandbox")
    secret = "acme-Real-Secret-Key-42"
    sb.add_workspace("ACME_PROD", secret, "01", "Acme Prod")
    assert check(sb, "ACME_PROD", secret).status == 200
    assert check(sb, "ACME_PROD", secret, "02").status == 401
    body, headers = wire("ACME_PROD", secret)
    headers["Authorization"] = _basic("ACME_PROD:" + secret + "x")
    assert send(sb, f"/dc-01{ENDPOINT}", json.dumps(body).encode(), headers).status == 400
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as raw:
        raw.sendall(b"NONSENSE\r\n\r\n")
        raw.recv(1024)
    token = headers["Authorization"].split()[1]
    everything = "\n".join([*sb.log, caplog.text, repr(sb.requests), describe(sb)])
    assert secret not in everything
    assert token not in everything
    assert any("-> 200" in line for line in sb.log)
    captured = capfd.readouterr()
    assert captured.err == ""
    assert captured.out == ""


def test_describe_tells_how_to_use_it(sb: Sandbox) -> None:
    sb.add_workspace("ACME_PROD", "acme-hidden-key-7", "01", "Acme Prod")
    text = describe(sb)
    assert f"export MOECHECK_API_BASE={sb.api_base}" in text
    assert "not MoEngage" in text
    for demo in DEMO_WORKSPACES:
        line = next(line for line in text.splitlines() if demo.workspace_id + " " in line)
        assert demo.api_key in line
        assert demo.note in line
    assert "acme-hidden-key-7" not in text
    assert text.isascii()


def test_import_is_light() -> None:
    code = (
        "import sys, moecheck_gui.sandbox\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('requests', 'PySide6', 'urllib3')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
