"""Diagnosis on real networks (issue 10/11): who answered, which stage failed, which certificate,
which proxy -- every case against real servers on 127.0.0.1.

Timings are asserted by presence and order, never by duration.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

from moecheck_gui.client import Checker
from moecheck_gui.outcome import Kind, Outcome
from moecheck_gui.proxy import no_system_proxy
from tests import servers
from tests.proxy_servers import ForwardProxy, PacServer, pac_file, pac_returning
from tests.servers import ScriptedServer, http_response, scripted

WS = "WS123ABC"
KEY = "canary-key-0123456789abcdef"


def _check(
    server: ScriptedServer, *, timeout: float = 10.0, checker: Checker | None = None
) -> Outcome:
    checker = checker or Checker(api_base=server.url() + "/dc-{dc}", system_proxy=no_system_proxy)
    return checker.check(WS, KEY, "01", timeout=timeout)


def _page(status: int, title: str, server_header: str = "Zscaler/6.2") -> servers.Responder:
    body = f"<!DOCTYPE html><html><head><title>{title}</title></head><body>Blocked</body></html>"
    return servers.reply(
        status, body.encode(), {"Content-Type": "text/html", "Server": server_header}
    )


# --------------------------------------------------------------------------- who answered


@pytest.mark.parametrize("status", [401, 403, 407, 429, 451])
def test_web_page_with_judging_status_is_not_a_verdict_on_the_key(status: int) -> None:
    with scripted(_page(status, "Access Denied")) as server:
        outcome = _check(server)
    assert outcome.kind == Kind.PROXY, outcome
    assert outcome.http_status == status
    assert outcome.page_title == "Access Denied"
    assert outcome.server_header == "Zscaler/6.2"
    assert outcome.failed_stage is None  # an HTTP answer arrived
    assert outcome.title == "A web page answered instead of MoEngage"  # not "the proxy blocked"
    assert "not judged" in outcome.message and "Access Denied" in outcome.message
    assert "Zscaler" in outcome.message
    assert "Do not regenerate your key" in outcome.hint
    assert "web filter or proxy" in outcome.hint and "in front of MoEngage" in outcome.hint


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, {"status": "fail", "error": {"message": "App Secret key mismatch"}}, Kind.AUTH),
        (401, b"", Kind.AUTH),
        (401, "Authentication Header Required", Kind.AUTH),
        (403, {"status": "fail", "error": {"message": "account suspended"}}, Kind.FORBIDDEN),
        (403, b"", Kind.FORBIDDEN),
        (429, {"status": "fail"}, Kind.RATE_LIMITED),
    ],
)
def test_json_empty_and_text_bodies_keep_their_verdicts(
    status: int, body: object, kind: Kind
) -> None:
    with scripted(servers.reply(status, body)) as server:
        outcome = _check(server)
    assert outcome.kind == kind
    assert outcome.page_title is None


def test_hostile_title_is_plain_short_and_clean() -> None:
    title = "<b>Blocked</b>\x1b[31m\u202e" + "A" * 10_000
    with scripted(_page(403, title)) as server:
        outcome = _check(server)
    assert outcome.kind == Kind.PROXY
    assert outcome.page_title is not None and len(outcome.page_title) <= 120
    for text in (outcome.page_title, outcome.message):
        assert "\x1b" not in text and "\u202e" not in text and "<b>" not in text


def test_key_echoed_in_the_page_title_is_scrubbed() -> None:
    with scripted(_page(403, f"Denied {KEY}", server_header=f"proxy {KEY}")) as server:
        outcome = _check(server)
    assert KEY not in str(outcome.to_json())


# --------------------------------------------------------------------------- stages


def test_success_over_https_times_every_stage_then_reuse_skips_them(
    server_context: ssl.SSLContext, trust_test_ca: Path
) -> None:
    with scripted(servers.success(), tls=server_context) as server:
        checker = Checker(api_base=server.url() + "/dc-{dc}", system_proxy=no_system_proxy)
        first = _check(server, checker=checker)
        second = _check(server, checker=checker)
    assert first.ok and first.failed_stage is None
    t = first.timings
    assert None not in (t.dns_ms, t.connect_ms, t.tls_ms, t.first_byte_ms, t.total_ms)
    assert second.ok
    assert (second.timings.dns_ms, second.timings.connect_ms, second.timings.tls_ms) == (
        None,
        None,
        None,
    ), "a kept-alive connection skips DNS, connect and TLS"
    assert second.timings.first_byte_ms is not None


def test_plain_http_has_no_tls_stage() -> None:
    with scripted(servers.success()) as server:
        outcome = _check(server)
    assert outcome.ok
    assert outcome.timings.tls_ms is None and outcome.timings.connect_ms is not None


def test_stall_in_tls_handshake_names_the_tls_stage(trust_test_ca: Path) -> None:
    with scripted(servers.success(), handshake=servers.accept_silently()) as server:
        checker = Checker(
            api_base=f"https://127.0.0.1:{server.port}/dc-{{dc}}", system_proxy=no_system_proxy
        )
        outcome = checker.check(WS, KEY, "01", timeout=1.0)
    assert outcome.kind == Kind.TIMEOUT
    assert outcome.failed_stage == "tls"
    assert outcome.timings.connect_ms is not None and outcome.timings.tls_ms is not None
    assert outcome.timings.first_byte_ms is None
    assert "secure connection (TLS handshake)" in outcome.message
    assert "inspects secure traffic" in outcome.hint


def test_tls_accepted_then_silence_names_the_response_stage(
    server_context: ssl.SSLContext, trust_test_ca: Path
) -> None:
    with scripted(servers.hang(), tls=server_context) as server:
        outcome = _check(server, timeout=1.0)
    assert outcome.kind == Kind.TIMEOUT
    assert outcome.failed_stage == "response"
    assert outcome.timings.tls_ms is not None
    assert "waiting for the answer" in outcome.message


def test_stall_after_tcp_accept_on_plain_http_is_the_response_stage() -> None:
    with scripted(servers.success(), handshake=servers.accept_silently()) as server:
        outcome = _check(server, timeout=1.0)
    assert outcome.kind == Kind.TIMEOUT and outcome.failed_stage == "response"


def test_refused_connection_is_the_connect_stage() -> None:
    with scripted(servers.success()) as server:
        base = server.url() + "/dc-{dc}"
    outcome = Checker(api_base=base, system_proxy=no_system_proxy).check(WS, KEY, "01", timeout=5)
    assert outcome.kind == Kind.CONNECT and outcome.failed_stage == "connect"
    assert outcome.timings.dns_ms is not None


def test_unknown_host_is_the_dns_stage() -> None:
    checker = Checker(api_base="https://no-such-host.invalid/dc-{dc}", system_proxy=no_system_proxy)
    outcome = checker.check(WS, KEY, "01", timeout=5)
    assert outcome.kind == Kind.DNS and outcome.failed_stage == "dns"
    assert outcome.timings.connect_ms is None


def test_refused_input_and_cancel_have_no_stage() -> None:
    outcome = Checker(system_proxy=no_system_proxy).check("", KEY, "01")
    assert outcome.kind == Kind.INVALID_INPUT and outcome.failed_stage is None


# --------------------------------------------------------------------------- certificates


@pytest.fixture
def tls_server() -> Iterator[list[ScriptedServer]]:
    made: list[ScriptedServer] = []
    yield made
    for server in made:
        server.close()


def _serve_cert(made: list[ScriptedServer], cert: trustme.LeafCert) -> ScriptedServer:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    server = ScriptedServer(servers.success(), tls=ctx)
    made.append(server)
    return server


def test_inspection_proxy_certificate_is_named(
    tls_server: list[ScriptedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    server = _serve_cert(
        tls_server, trustme.CA(organization_name="Zscaler Inc.").issue_cert("127.0.0.1")
    )
    outcome = _check(server)
    assert outcome.kind == Kind.TLS and outcome.failed_stage == "tls"
    assert outcome.certificate is not None
    assert outcome.certificate.problem == "untrusted_issuer"
    assert "Zscaler" in (outcome.certificate.issuer or "")
    assert "Zscaler" in outcome.message and "trust store" in outcome.hint
    assert server.requests == [], "the request is never sent over an unverified connection"
    assert outcome.to_json()["certificate"]["problem"] == "untrusted_issuer"


def test_expired_certificate_from_a_trusted_ca(
    tls_server: list[ScriptedServer], ca: trustme.CA, trust_test_ca: Path
) -> None:
    past = datetime.now(UTC) - timedelta(days=100)
    cert = ca.issue_cert("127.0.0.1", not_before=past, not_after=past + timedelta(days=10))
    outcome = _check(_serve_cert(tls_server, cert))
    assert outcome.kind == Kind.TLS
    assert outcome.certificate is not None and outcome.certificate.problem == "expired"
    assert "expired on" in outcome.message and "clock" in outcome.message


def test_not_yet_valid_certificate(
    tls_server: list[ScriptedServer], ca: trustme.CA, trust_test_ca: Path
) -> None:
    soon = datetime.now(UTC) + timedelta(days=10)
    cert = ca.issue_cert("127.0.0.1", not_before=soon, not_after=soon + timedelta(days=10))
    outcome = _check(_serve_cert(tls_server, cert))
    assert outcome.certificate is not None and outcome.certificate.problem == "not_yet_valid"


def test_certificate_for_other_names(
    tls_server: list[ScriptedServer], ca: trustme.CA, trust_test_ca: Path
) -> None:
    outcome = _check(_serve_cert(tls_server, ca.issue_cert("portal.example.net")))
    assert outcome.certificate is not None and outcome.certificate.problem == "name_mismatch"
    assert outcome.certificate.names == ("portal.example.net",)
    assert "portal.example.net" in outcome.message


# --------------------------------------------------------------------------- proxies


def _pac_checker(server: ScriptedServer, pac_url: str) -> Checker:
    return Checker(
        api_base=server.url() + "/dc-{dc}", pac_url=pac_url, system_proxy=no_system_proxy
    )


def test_pac_file_chooses_the_proxy_and_says_so(tmp_path: Path) -> None:
    with scripted(servers.success("Via PAC")) as server, ForwardProxy() as proxy:
        url = pac_file(tmp_path, "p.pac", pac_returning(f"PROXY {proxy.host_port}"))
        outcome = _pac_checker(server, url).check(WS, KEY, "01", timeout=10)
    assert outcome.ok, outcome
    assert outcome.proxy == proxy.url and outcome.proxy_source == "pac"
    assert outcome.proxy_why is not None and url in outcome.proxy_why
    assert proxy.traffic.forwarded, "the request went through the proxy the PAC named"
    assert outcome.to_json()["proxy"] == proxy.url


def test_pac_fallbacks_are_tried_in_order(tmp_path: Path) -> None:
    with ForwardProxy() as dead:
        dead_hostport = dead.host_port
    with scripted(servers.success("Second Choice")) as server, ForwardProxy() as proxy:
        answer = f"PROXY {dead_hostport}; PROXY {proxy.host_port}; DIRECT"
        url = pac_file(tmp_path, "p.pac", pac_returning(answer))
        outcome = _pac_checker(server, url).check(WS, KEY, "01", timeout=10)
    assert outcome.ok and outcome.app_name == "Second Choice"
    assert outcome.proxy == proxy.url


def test_unreachable_pac_file_is_a_proxy_verdict_not_a_silent_direct() -> None:
    with PacServer() as pacs:
        url = pacs.url("/missing.pac")
        with scripted(servers.success()) as server:
            outcome = _pac_checker(server, url).check(WS, KEY, "01", timeout=10)
            assert server.requests == []
    assert outcome.kind == Kind.PROXY and outcome.failed_stage == "proxy"
    assert url in outcome.message
    assert outcome.proxy_source == "pac"


def test_broken_pac_script_is_a_proxy_verdict(tmp_path: Path) -> None:
    url = pac_file(tmp_path, "bad.pac", "function FindProxyForURL(u, h) { throw 'boom'; }")
    with scripted(servers.success()) as server:
        outcome = _pac_checker(server, url).check(WS, KEY, "01", timeout=10)
    assert outcome.kind == Kind.PROXY and outcome.failed_stage == "proxy"


def test_proxy_sign_in_names_the_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    with ForwardProxy(mode="negotiate") as proxy, scripted(servers.success()) as server:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        outcome = _check(server)
    assert outcome.kind == Kind.PROXY
    assert outcome.http_status == 407
    assert outcome.proxy_source == "env"
    assert "sign-in" in outcome.message


def test_https_proxy_sign_in_names_the_scheme(
    monkeypatch: pytest.MonkeyPatch, server_context: ssl.SSLContext, trust_test_ca: Path
) -> None:
    with (
        ForwardProxy(mode="ntlm") as proxy,
        scripted(servers.success(), tls=server_context) as server,
    ):
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        outcome = _check(server)
    assert outcome.kind == Kind.PROXY and outcome.http_status == 407
    assert "NTLM" in outcome.message
    assert outcome.failed_stage == "proxy"


def test_proxy_credentials_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    with ForwardProxy(mode="refuse") as proxy, scripted(servers.success()) as server:
        monkeypatch.setenv("HTTP_PROXY", f"http://alice:s3cret-pass@{proxy.host_port}")
        outcome = _check(server)
    shown = str(outcome.to_json())
    assert "s3cret-pass" not in shown and "alice" not in shown
    assert outcome.proxy == proxy.url


def test_http_response_helper_still_builds_pages() -> None:
    assert http_response(403, b"<html></html>", {"Content-Type": "text/html"}).startswith(
        b"HTTP/1.1 403"
    )


def test_plain_http_proxy_sign_in_names_basic(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain-http proxy answers 407 itself: the scheme comes from its own challenge."""
    with (
        ForwardProxy(mode="basic", credentials="u:p") as proxy,
        scripted(servers.success()) as server,
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        outcome = _check(server)
    assert outcome.kind == Kind.PROXY and outcome.http_status == 407
    assert outcome.proxy_auth_scheme == "basic"
    assert outcome.to_json()["proxy_auth_scheme"] == "basic"
    assert "user name and password" in outcome.message


def test_web_page_verdict_is_flagged_and_carries_no_request_id() -> None:
    """The filter's own request ID is not MoEngage's: it is not offered to support."""
    responder = servers.reply(
        403,
        b"<html><title>Access Denied</title></html>",
        {"Content-Type": "text/html", "X-Request-Id": "filter-123"},
    )
    with scripted(responder) as server:
        outcome = _check(server)
    assert outcome.not_judged and outcome.to_json()["not_judged"] is True
    assert outcome.request_id is None
    from moecheck_gui.batch import verdict

    assert verdict(outcome) == "not judged: a web page answered"
    with scripted(servers.reply(403, {"status": "fail"}, {"X-Request-Id": "moe-1"})) as server:
        judged = _check(server)
    assert not judged.not_judged and judged.request_id == "moe-1"
