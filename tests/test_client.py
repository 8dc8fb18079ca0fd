"""The client against real HTTP(S) servers on 127.0.0.1: every outcome kind of PRODUCT.md 3.1."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from moecheck_gui.cancel import CancelToken
from moecheck_gui.client import USER_AGENT, Checker
from moecheck_gui.limits import MAX_ANSWER_BYTES
from moecheck_gui.outcome import Kind, Outcome
from tests import servers
from tests.servers import Request, ScriptedServer, http_response, reply, scripted

WS = "WS123ABC"
KEY = "CANARY-KEY-7f3a9c"


def run(server: ScriptedServer, **kwargs: object) -> Outcome:
    checker = Checker(api_base=server.url() + "/dc-{dc}")
    try:
        return checker.check(WS, KEY, kwargs.pop("dc", "01"), **kwargs)  # type: ignore[arg-type]
    finally:
        checker.close()


def assert_no_key(outcome: Outcome) -> None:
    assert KEY not in json.dumps(outcome.to_json())
    assert KEY not in repr(outcome)


# ----------------------------------------------------------------------------- success and wire


def test_success_reports_workspace_name_and_sends_exact_wire_format() -> None:
    with scripted(servers.success("Acme Prod")) as server:
        outcome = run(server, dc="101")
    assert outcome.ok and outcome.kind is None
    assert outcome.app_name == "Acme Prod"
    assert outcome.dc == "101" and outcome.http_status == 200
    assert "Acme Prod" in outcome.message
    [request] = server.requests
    assert request.method == "POST"
    assert request.target == "/dc-101/v1/integrations/authentication"
    expected_auth = "Basic " + base64.b64encode(f"{WS}:{KEY}".encode()).decode()
    assert request.header("Authorization") == expected_auth
    assert request.header("MOE-APPKEY") == WS
    assert request.header("Content-Type") == "application/json"
    assert request.header("User-Agent") == USER_AGENT
    assert request.json() == {
        "app_id": WS,
        "app_secret": KEY,
        "source": "moecheck",
        "region": "101",
    }
    assert_no_key(outcome)


def test_default_host_is_api_dash_dc_never_api_zero_dc() -> None:
    """Without MOECHECK_API_BASE the URL is https://api-101..., the bug PRODUCT.md warns about."""
    from moecheck_gui.inputs import endpoint_url

    assert endpoint_url("101").startswith("https://api-101.moengage.com/")
    assert endpoint_url("01").startswith("https://api-01.moengage.com/")


def test_trimmed_key_is_sent_trimmed_and_the_user_is_told() -> None:
    with scripted(servers.success()) as server:
        checker = Checker(api_base=server.url() + "/dc-{dc}")
        outcome = checker.check(f"  {WS}", KEY + "\r\n", "DC-01")
    assert outcome.ok
    assert server.requests[0].json()["app_secret"] == KEY
    assert any("newline" in n and "Data API key" in n for n in outcome.notices)
    assert any("Workspace ID" in n for n in outcome.notices)


def test_connection_is_reused_between_checks() -> None:
    with scripted(servers.success()) as server:
        checker = Checker(api_base=server.url() + "/dc-{dc}")
        for _ in range(3):
            assert checker.check(WS, KEY, "01").ok
        checker.close()
    assert len(server.requests) == 3
    assert server.connections == 1


# ----------------------------------------------------------------------------- refused locally


@pytest.mark.parametrize(
    ("ws", "key", "dc", "field"),
    [
        ("", KEY, "01", "workspace_id"),
        (WS, "   \n", "01", "api_key"),
        (WS, "a" * 257, "01", "api_key"),
        (WS, "has space", "01", "api_key"),
        ("wsé", KEY, "01", "workspace_id"),
        (WS, KEY, "07", "dc"),
        (WS, KEY, "dashboard-01.moengage.com.evil.example", "dc"),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_sent(
    ws: str, key: str, dc: str, field: str
) -> None:
    with scripted(servers.success()) as server:
        checker = Checker(api_base=server.url() + "/dc-{dc}")
        outcome = checker.check(ws, key, dc)
    assert outcome.kind == Kind.INVALID_INPUT
    assert outcome.field == field
    assert outcome.exit_code == 2
    assert outcome.message
    assert server.requests == []
    assert server.connections == 0


def test_plain_http_to_a_remote_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOECHECK_API_BASE", "http://api.example.com/{dc}")
    outcome = Checker().check(WS, KEY, "01")
    assert outcome.kind == Kind.INVALID_INPUT
    assert outcome.field == "api_base"
    assert outcome.host is None


# ----------------------------------------------------------------------------- network kinds


def test_dns_failure() -> None:
    outcome = Checker(api_base="https://moecheck-no-such-host.invalid/{dc}").check(WS, KEY, "01")
    assert outcome.kind == Kind.DNS
    assert "moecheck-no-such-host.invalid" in outcome.message
    assert outcome.exit_code == 3


def test_connection_refused() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    outcome = Checker(api_base=f"http://127.0.0.1:{port}/{{dc}}").check(WS, KEY, "01")
    assert outcome.kind == Kind.CONNECT
    assert outcome.exit_code == 3


def test_connection_reset_before_answer_is_connect() -> None:
    def reset(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()

    with scripted(reset) as server:
        outcome = run(server)
    assert outcome.kind == Kind.CONNECT


def test_dropped_in_the_middle_of_an_answer_is_connect() -> None:
    def half(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"status": "succ')
        conn.shutdown(socket.SHUT_RDWR)

    with scripted(half) as server:
        outcome = run(server)
    assert outcome.kind == Kind.CONNECT


def test_hanging_server_times_out_at_the_deadline() -> None:
    with scripted(servers.hang()) as server:
        started = time.monotonic()
        outcome = run(server, timeout=1.0)
        took = time.monotonic() - started
    assert outcome.kind == Kind.TIMEOUT
    assert took < 2.0, "a check must never outlive its deadline by more than a second"
    assert "1 seconds" in outcome.message or "1 second" in outcome.message


def test_trickling_server_cannot_outlive_the_deadline() -> None:
    """A byte every 0.2 s resets any per-read timeout; only an overall deadline stops it."""
    with scripted(servers.trickle(0.2, length=2000)) as server:
        started = time.monotonic()
        outcome = run(server, timeout=1.0)
        took = time.monotonic() - started
    assert outcome.kind == Kind.TIMEOUT
    assert took < 2.0


def test_cancel_from_another_thread_ends_promptly() -> None:
    token = CancelToken()
    with scripted(servers.hang()) as server:
        threading.Timer(0.3, token.cancel).start()
        started = time.monotonic()
        outcome = run(server, timeout=10.0, cancel=token)
        took = time.monotonic() - started
    assert outcome.kind == Kind.CANCELLED
    assert took < 2.0
    assert outcome.exit_code == 130


def test_already_cancelled_token_sends_nothing() -> None:
    token = CancelToken()
    token.cancel()
    with scripted(servers.success()) as server:
        outcome = run(server, cancel=token)
    assert outcome.kind == Kind.CANCELLED
    assert server.requests == []


# ----------------------------------------------------------------------------- TLS


def test_https_with_trusted_test_ca_succeeds(
    server_context: ssl.SSLContext, trust_test_ca: Path
) -> None:
    with scripted(servers.success("Secure Co"), tls=server_context) as server:
        outcome = run(server)
    assert outcome.ok and outcome.app_name == "Secure Co"


def test_untrusted_certificate_is_tls(
    server_context: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system bundle does not know trustme's CA: verification must fail, never be skipped."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with scripted(servers.success(), tls=server_context) as server:
        outcome = run(server)
    assert outcome.kind == Kind.TLS
    assert server.requests == [], "the key must not be sent over an unverified connection"
    assert "IT" in outcome.hint and "root certificate" in outcome.hint
    assert "verification off" in outcome.hint  # ...as a warning: "Do not switch verification off"


def test_ssl_cert_file_alone_also_replaces_trust_roots(
    server_context: ssl.SSLContext, ca_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_bundle))
    with scripted(servers.success(), tls=server_context) as server:
        assert run(server).ok


def test_wrong_host_name_is_tls(ca: trustme.CA, trust_test_ca: Path) -> None:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("api-01.moengage.com").configure_cert(ctx)
    with scripted(servers.success(), tls=ctx) as server:
        outcome = run(server)
    assert outcome.kind == Kind.TLS
    assert server.requests == []


def test_expired_certificate_is_tls(ca: trustme.CA, trust_test_ca: Path) -> None:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    ca.issue_cert(
        "127.0.0.1", not_before=past, not_after=past + dt.timedelta(days=30)
    ).configure_cert(ctx)
    with scripted(servers.success(), tls=ctx) as server:
        outcome = run(server)
    assert outcome.kind == Kind.TLS


def test_server_closing_during_handshake_is_tls_or_connect(trust_test_ca: Path) -> None:
    def slam(conn: socket.socket) -> None:
        conn.recv(100)
        conn.close()

    with scripted(servers.success(), tls=ssl.create_default_context(), handshake=slam) as server:
        outcome = run(server)
    assert outcome.kind in (Kind.TLS, Kind.CONNECT)
    assert not outcome.ok


def test_unreadable_ca_bundle_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with scripted(servers.success()) as server:
        outcome = Checker(api_base=server.url(scheme="https") + "/{dc}").check(WS, KEY, "01")
    assert outcome.kind == Kind.TLS
    assert "REQUESTS_CA_BUNDLE" in (outcome.detail or "")


# ----------------------------------------------------------------------------- HTTP answers


FAIL_401 = {
    "status": "fail",
    "error": {
        "message": "App Secret key mismatch. Please login to the dashboard to verify key",
        "type": "Authentication Failed",
        "request_id": "req-abc-123",
    },
}


def test_401_key_mismatch_is_auth_with_rotation_hint_and_detection() -> None:
    with scripted(reply(401, FAIL_401)) as server:
        outcome = run(server)
    assert outcome.kind == Kind.AUTH and outcome.exit_code == 1
    assert outcome.http_status == 401
    assert outcome.server_message == FAIL_401["error"]["message"]  # type: ignore[index]
    assert outcome.server_error_type == "Authentication Failed"
    assert outcome.request_id == "req-abc-123"
    assert "regenerated" in outcome.hint
    assert "try all data centers" in outcome.hint
    assert_no_key(outcome)


def test_200_with_status_fail_is_auth() -> None:
    with scripted(reply(200, FAIL_401)) as server:
        outcome = run(server)
    assert outcome.kind == Kind.AUTH


def test_401_header_required() -> None:
    body = {"status": "fail", "error": {"message": "Authentication Header Required"}}
    with scripted(reply(401, body)) as server:
        outcome = run(server)
    assert outcome.kind == Kind.AUTH
    assert outcome.server_message == "Authentication Header Required"


@pytest.mark.parametrize(
    ("error_type", "words"),
    [
        ("Account Suspended", "suspended"),
        ("Suspended due to payment issues", "payment"),
        ("Blocked Client", "blocked"),
    ],
)
def test_403_is_forbidden_with_specific_reason(error_type: str, words: str) -> None:
    body = {
        "status": "fail",
        "error": {"message": error_type, "type": error_type, "request_id": "r1"},
    }
    with scripted(reply(403, body)) as server:
        outcome = run(server)
    assert outcome.kind == Kind.FORBIDDEN and outcome.exit_code == 1
    assert words in outcome.message.lower()
    assert "admin" in outcome.hint


def test_404_is_not_found() -> None:
    with scripted(reply(404, {"status": "fail"})) as server:
        outcome = run(server)
    assert outcome.kind == Kind.NOT_FOUND and outcome.exit_code == 4


def test_429_with_retry_after_seconds() -> None:
    with scripted(reply(429, {"status": "fail"}, {"Retry-After": "42"})) as server:
        outcome = run(server)
    assert outcome.kind == Kind.RATE_LIMITED and outcome.exit_code == 4
    assert outcome.retry_after_s == 42
    assert "42 seconds" in outcome.hint


def test_429_with_retry_after_http_date() -> None:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)
    header = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    with scripted(reply(429, "slow down", {"Retry-After": header})) as server:
        outcome = run(server)
    assert outcome.kind == Kind.RATE_LIMITED
    assert outcome.retry_after_s is not None and 100 <= outcome.retry_after_s <= 121


def test_429_without_retry_after() -> None:
    with scripted(reply(429, "")) as server:
        outcome = run(server)
    assert outcome.kind == Kind.RATE_LIMITED and outcome.retry_after_s is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_server_error(status: int) -> None:
    with scripted(
        reply(status, b"<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"})
    ) as server:
        outcome = run(server)
    assert outcome.kind == Kind.SERVER_ERROR and outcome.exit_code == 4
    assert outcome.http_status == status


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_is_never_followed(status: int) -> None:
    with scripted(servers.success()) as target:
        location = target.url() + "/steal"
        with scripted(reply(status, b"", {"Location": location})) as server:
            outcome = run(server)
    assert outcome.kind == Kind.BAD_RESPONSE and outcome.http_status == status
    assert target.requests == [] and target.connections == 0
    assert "redirect" in outcome.message.lower()


def test_html_page_with_200_is_captive_portal() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head><body>Sign in</body></html>"
    )
    with scripted(reply(200, page, {"Content-Type": "text/html"})) as server:
        outcome = run(server)
    assert outcome.kind == Kind.BAD_RESPONSE
    assert "Wi-Fi" in outcome.hint or "sign-in" in outcome.hint


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"\xff\xfe\xfa invalid utf-8",
        b"[1, 2, 3]",
        b"null",
        b'{"status": "success"}',
        b'{"status": "success", "app_name": ""}',
        b'{"status": "success", "app_name": 42}',
        b'{"app_name": "No status"}',
    ],
)
def test_unexpected_2xx_bodies_are_bad_response(body: bytes) -> None:
    with scripted(reply(200, body)) as server:
        outcome = run(server)
    assert outcome.kind == Kind.BAD_RESPONSE and not outcome.ok
    assert outcome.exit_code == 4


@pytest.mark.parametrize("status", [400, 413, 415, 418])
def test_other_statuses_are_bad_response_with_server_message(status: int) -> None:
    body = {"status": "fail", "error": {"message": "region mismatch", "request_id": "r9"}}
    with scripted(reply(status, body)) as server:
        outcome = run(server)
    assert outcome.kind == Kind.BAD_RESPONSE
    assert outcome.server_message == "region mismatch" and outcome.request_id == "r9"


def test_answer_over_64_kib_is_refused() -> None:
    big = json.dumps({"status": "success", "app_name": "x" * (MAX_ANSWER_BYTES + 10)}).encode()
    with scripted(reply(200, big)) as server:
        outcome = run(server)
    assert outcome.kind == Kind.BAD_RESPONSE
    assert "64 KiB" in (outcome.detail or "")


def test_chunked_answer_over_64_kib_without_length_is_refused() -> None:
    def chunked(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/json\r\n\r\n"
        )
        chunk = b"x" * 8192
        for _ in range(20):
            conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.sendall(b"0\r\n\r\n")

    with scripted(chunked) as server:
        outcome = run(server)
    assert outcome.kind == Kind.BAD_RESPONSE
    assert "64 KiB" in (outcome.detail or "")


def test_gzip_bomb_is_refused_without_decompressing_it() -> None:
    """10 MB of zeros compress to ~10 KB: under the wire cap, far over the decoded cap."""
    bomb = gzip.compress(b'{"status": "success", "app_name": "' + b"0" * 10_000_000 + b'"}')
    assert len(bomb) < MAX_ANSWER_BYTES
    with scripted(reply(200, bomb, {"Content-Encoding": "gzip"})) as server:
        outcome = run(server)
    assert outcome.kind == Kind.BAD_RESPONSE
    assert "64 KiB" in (outcome.detail or "")


def test_small_gzip_answer_is_decoded() -> None:
    body = gzip.compress(json.dumps({"status": "success", "app_name": "Zipped"}).encode())
    with scripted(reply(200, body, {"Content-Encoding": "gzip"})) as server:
        outcome = run(server)
    assert outcome.ok and outcome.app_name == "Zipped"


def test_hostile_app_name_is_cleaned() -> None:
    name = "\x1b[31mEvil\x1b[0m \u202eesrever\u202c <b>bold</b>\x07"
    with scripted(servers.success(name)) as server:
        outcome = run(server)
    assert outcome.ok
    assert outcome.app_name is not None
    assert "\x1b" not in outcome.app_name and "\u202e" not in outcome.app_name
    assert "\x07" not in outcome.app_name
    assert "<b>bold</b>" in outcome.app_name  # kept literally; the window shows it as plain text


def test_huge_app_name_is_refused_by_cap_but_long_one_is_shortened() -> None:
    with scripted(servers.success("N" * 10_000)) as server:
        outcome = run(server)
    assert outcome.ok
    assert outcome.app_name is not None and len(outcome.app_name) <= 2000


# ----------------------------------------------------------------------------- proxies


@pytest.fixture
def proxy_ok() -> Iterator[servers.ConnectProxy]:
    proxy = servers.ConnectProxy("ok")
    yield proxy
    proxy.close()


def test_https_through_a_working_connect_proxy(
    server_context: ssl.SSLContext,
    trust_test_ca: Path,
    proxy_ok: servers.ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy_ok.url)
    with scripted(servers.success("Via Proxy"), tls=server_context) as server:
        outcome = Checker(api_base=server.url(host="localhost") + "/{dc}").check(WS, KEY, "01")
    assert outcome.ok and outcome.app_name == "Via Proxy"
    assert proxy_ok.log.connects == [f"localhost:{server.port}"]


@pytest.mark.parametrize("mode", ["refuse", "close"])
def test_refusing_proxy_is_proxy(
    mode: str, server_context: ssl.SSLContext, trust_test_ca: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = servers.ConnectProxy(mode)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    try:
        with scripted(servers.success(), tls=server_context) as server:
            outcome = Checker(api_base=server.url(host="localhost") + "/{dc}").check(WS, KEY, "01")
    finally:
        proxy.close()
    assert outcome.kind == Kind.PROXY and outcome.exit_code == 3
    assert server.requests == []


def test_proxy_demanding_authentication_is_proxy_407(
    server_context: ssl.SSLContext, trust_test_ca: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = servers.ConnectProxy("auth", credentials="alice:s3cret")
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    try:
        with scripted(servers.success(), tls=server_context) as server:
            outcome = Checker(api_base=server.url(host="localhost") + "/{dc}").check(WS, KEY, "01")
    finally:
        proxy.close()
    assert outcome.kind == Kind.PROXY
    assert outcome.http_status == 407
    assert "sign-in" in outcome.message


def test_proxy_credentials_from_url_are_used_and_never_shown(
    server_context: ssl.SSLContext, trust_test_ca: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = servers.ConnectProxy("auth", credentials="alice:s3cret")
    monkeypatch.setenv("HTTPS_PROXY", f"http://alice:s3cret@127.0.0.1:{proxy.port}")
    lines: list[str] = []
    try:
        with scripted(servers.success(), tls=server_context) as server:
            outcome = Checker(api_base=server.url(host="localhost") + "/{dc}").check(
                WS, KEY, "01", log=lines.append
            )
    finally:
        proxy.close()
    assert outcome.ok
    assert "s3cret" not in "\n".join(lines)


def test_no_proxy_bypasses_the_proxy(
    proxy_ok: servers.ConnectProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy_ok.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with scripted(servers.success()) as server:
        assert run(server).ok
    assert proxy_ok.log.connects == []


# ----------------------------------------------------------------------------- verbose log


def test_verbose_log_redacts_the_key() -> None:
    lines: list[str] = []
    with scripted(reply(401, FAIL_401)) as server:
        checker = Checker(api_base=server.url() + "/dc-{dc}")
        checker.check(WS, KEY, "01", log=lines.append)
    text = "\n".join(lines)
    assert "POST " in text and "HTTP 401" in text
    assert "Authorization: Basic [redacted]" in text
    assert '"app_secret": "[redacted]"' in text
    assert KEY not in text
    assert base64.b64encode(f"{WS}:{KEY}".encode()).decode() not in text


def test_http_response_helper_is_well_formed() -> None:
    """Guard the test server itself: a broken helper would make the suite vacuous."""
    raw = http_response(200, {"a": 1})
    assert raw.startswith(b"HTTP/1.1 200") and raw.endswith(b'{"a": 1}')


def test_a_server_echoing_the_key_never_gets_it_into_the_outcome() -> None:
    token = base64.b64encode(f"{WS}:{KEY}".encode()).decode()
    body = {
        "status": "fail",
        "error": {"message": f"mismatch for key {KEY} (Basic {token})", "request_id": f"r-{KEY}"},
    }
    with scripted(reply(401, body, {"X-Request-Id": KEY})) as server:
        outcome = run(server)
    assert outcome.kind == Kind.AUTH
    assert outcome.server_message == "mismatch for key [redacted] (Basic [redacted])"
    assert outcome.request_id == "r-[redacted]"
    assert_no_key(outcome)
    assert token not in json.dumps(outcome.to_json())


def test_handshake_failure_is_not_blamed_on_a_certificate(trust_test_ca: Path) -> None:
    """https:// to a plain-HTTP server: the handshake fails, no certificate is involved."""

    def plain_http(conn: socket.socket) -> None:
        conn.recv(1024)  # the TLS ClientHello, which a plain-HTTP server cannot parse
        conn.sendall(http_response(400, "Bad request"))
        conn.close()

    with scripted(servers.success(), handshake=plain_http) as server:
        outcome = Checker(api_base=server.url(scheme="https") + "/{dc}").check(WS, KEY, "01")
    assert outcome.kind == Kind.TLS
    assert "could not be set up" in outcome.message
    assert "certificate" not in outcome.message


@pytest.mark.parametrize("tls", [False, True])
def test_cancel_cuts_the_socket_so_the_request_thread_ends_too(
    tls: bool, server_context: ssl.SSLContext, trust_test_ca: Path
) -> None:
    """Returning early is not enough: the abandoned request must not linger until its deadline."""
    token = CancelToken()
    with scripted(servers.hang(), tls=server_context if tls else None) as server:
        threading.Timer(0.3, token.cancel).start()
        outcome = run(server, timeout=30.0, cancel=token)
        assert outcome.kind == Kind.CANCELLED

        def request_threads() -> list[str]:
            return [t.name for t in threading.enumerate() if t.name.startswith("moecheck-request")]

        deadline = time.monotonic() + 3
        while request_threads() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert request_threads() == []
