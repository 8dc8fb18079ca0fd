"""The one table of hostile network situations, shared by the core, the command and the window.

Each :class:`Case` builds a real misbehaving peer on 127.0.0.1 (a scripted
HTTP(S) server from :mod:`tests.servers`, a CONNECT proxy, a closed port) and
says which outcome kind it must end in. ``test_hostile_servers.py`` drives every
case through :class:`moecheck_gui.client.Checker` and through the ``moecheck``
command in a child process; ``test_hostile_window.py`` drives the cases marked
``window=True`` through the real window. ``docs/reliability.md`` lists them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import json
import ssl
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme

from moecheck_gui.outcome import NOT_JUDGED_TITLE
from tests import servers
from tests.servers import ConnectProxy, ScriptedServer, StreamStats, reply, scripted

WS = "RELWS01"
"""Workspace ID used by every hostile-server case."""
KEY = "CANARY-rel-5b9e2d7c41"
"""The canary key: it must never show up in any output of any case."""

MB = 1024 * 1024
BIG_BODY = 60 * MB
HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><h1>Bad Gateway</h1><p>nginx</p></body></html>"
)


@dataclass
class Kit:
    """Certificates and a scratch folder that the builders share."""

    ca: trustme.CA
    other_ca: trustme.CA
    tmp: Path

    @property
    def bundle(self) -> str:
        """A PEM file with the CA that signed the test servers' certificates."""
        path = self.tmp / "trusted-ca.pem"
        if not path.exists():
            self.ca.cert_pem.write_to_path(str(path))
        return str(path)

    @property
    def other_bundle(self) -> str:
        """A PEM file with a CA that signed nothing we serve (so nothing verifies)."""
        path = self.tmp / "other-ca.pem"
        if not path.exists():
            self.other_ca.cert_pem.write_to_path(str(path))
        return str(path)

    def server_context(self, *names: str, expired: bool = False) -> ssl.SSLContext:
        """A server TLS context with a certificate for ``names`` (default 127.0.0.1/localhost)."""
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        kwargs: dict[str, Any] = {}
        if expired:
            past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
            kwargs = {"not_before": past, "not_after": past + dt.timedelta(days=30)}
        self.ca.issue_cert(*(names or ("127.0.0.1", "localhost")), **kwargs).configure_cert(ctx)
        return ctx


@dataclass
class Scene:
    """A running hostile setup: where the client must point and what to check afterwards.

    ``env`` is applied on top of the test's environment (``None`` values are
    removed). ``after`` gets the outcome as its JSON dict (the same for every
    front end) and asserts what the peer saw.
    """

    api_base: str
    env: dict[str, str | None] = field(default_factory=dict)
    after: Callable[[dict[str, Any]], None] = lambda outcome: None


Builder = Callable[[Kit], contextlib.AbstractContextManager[Scene]]


@dataclass(frozen=True)
class Case:
    """One hostile situation and the outcome it must end in."""

    id: str
    what: str
    """One line for docs/reliability.md."""
    kind: str | None
    """Expected outcome kind; None means the check must succeed."""
    build: Builder
    http_status: int | None = None
    words: tuple[str, ...] = ()
    """Substrings that must appear in message + hint + detail (the 'clear message')."""
    timeout: float = 5.0
    window: bool = False
    """Also run through the window (a representative subset)."""
    extra: Callable[[dict[str, Any]], None] | None = None
    """Assertions on the outcome beyond kind/status/words."""
    title: str | None = None
    """The expected headline when it is not the kind's own (TITLES)."""


# ----------------------------------------------------------------------------- helpers

NO_TRUST_OVERRIDE: dict[str, str | None] = {"REQUESTS_CA_BUNDLE": None, "SSL_CERT_FILE": None}


def _base(server: ScriptedServer, host: str = "127.0.0.1") -> str:
    return server.url(host=host) + "/dc-{dc}"


def _no_request(server: ScriptedServer) -> Callable[[dict[str, Any]], None]:
    def after(outcome: dict[str, Any]) -> None:
        assert server.requests == [], "a request (with the key) went over an unverified channel"

    return after


@contextlib.contextmanager
def _plain(responder: servers.Responder, **kw: Any) -> Iterator[Scene]:
    with scripted(responder, **kw) as server:
        yield Scene(_base(server), dict(NO_TRUST_OVERRIDE))


def plain(responder_factory: Callable[[], servers.Responder], **kw: Any) -> Builder:
    """A builder for a plain-HTTP scripted server."""
    return lambda kit: _plain(responder_factory(), **kw)


@contextlib.contextmanager
def _refused(kit: Kit) -> Iterator[Scene]:
    with servers.refused_port() as port:
        yield Scene(f"http://127.0.0.1:{port}/dc-{{dc}}", dict(NO_TRUST_OVERRIDE))


@contextlib.contextmanager
def _accept_silently(kit: Kit) -> Iterator[Scene]:
    with scripted(servers.success(), handshake=servers.accept_silently()) as server:
        yield Scene(_base(server), dict(NO_TRUST_OVERRIDE))


def _stream(total: int, declare: bool) -> Builder:
    @contextlib.contextmanager
    def build(kit: Kit) -> Iterator[Scene]:
        stats = StreamStats()
        with scripted(servers.stream_body(total, declare_length=declare, stats=stats)) as server:

            def after(outcome: dict[str, Any]) -> None:
                # The client hung up long before 60 MB: what was sent fits in socket
                # buffers plus the 64 KiB the client read.
                assert not stats.finished, "the client read the whole 60 MB answer"
                assert stats.sent < 16 * MB, stats.sent

            yield Scene(_base(server), dict(NO_TRUST_OVERRIDE), after)

    return build


def _gzip_bomb() -> bytes:
    """~50 MB of JSON-looking zeros, gzip-compressed to well under the 64 KiB wire cap."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [comp.compress(b'{"status": "success", "app_name": "')]
    zeros = b"0" * MB
    out += [comp.compress(zeros) for _ in range(50)]
    out.append(comp.compress(b'"}') + comp.flush())
    data = b"".join(out)
    assert len(data) < 64 * 1024, len(data)
    return data


def _redirect(status: int) -> Builder:
    @contextlib.contextmanager
    def build(kit: Kit) -> Iterator[Scene]:
        with scripted(servers.success("Elsewhere")) as target:
            location = target.url() + "/v1/integrations/authentication"
            with scripted(reply(status, b"", {"Location": location})) as server:

                def after(outcome: dict[str, Any]) -> None:
                    assert target.connections == 0, "the redirect was followed (with the key)"
                    assert target.requests == []

                yield Scene(_base(server), dict(NO_TRUST_OVERRIDE), after)

    return build


def _tls(kind: str) -> Builder:
    @contextlib.contextmanager
    def build(kit: Kit) -> Iterator[Scene]:
        env: dict[str, str | None] = {"REQUESTS_CA_BUNDLE": kit.bundle, "SSL_CERT_FILE": None}
        handshake = None
        if kind == "untrusted":
            ctx = kit.server_context()
            env["REQUESTS_CA_BUNDLE"] = kit.other_bundle
        elif kind == "wrong_host":
            ctx = kit.server_context("api-01.moengage.com")
        elif kind == "expired":
            ctx = kit.server_context(expired=True)
        elif kind == "handshake_reset":
            ctx = kit.server_context()
            handshake = servers.close_during_handshake()
        elif kind == "handshake_eof":
            ctx = kit.server_context()
            handshake = servers.eof_during_handshake()
        else:  # "ok"
            ctx = kit.server_context()
        with scripted(servers.success("Secure Co"), tls=ctx, handshake=handshake) as server:
            after = (lambda o: None) if kind == "ok" else _no_request(server)
            yield Scene(_base(server), env, after)

    return build


@contextlib.contextmanager
def _https_to_plain(kit: Kit) -> Iterator[Scene]:
    """An https:// API base whose port speaks plain HTTP (a misconfigured gateway)."""
    with scripted(servers.success(), handshake=servers.plain_http_to_tls()) as server:
        env: dict[str, str | None] = {"REQUESTS_CA_BUNDLE": kit.bundle, "SSL_CERT_FILE": None}
        yield Scene(server.url(scheme="https") + "/dc-{dc}", env, _no_request(server))


def _proxy(mode: str) -> Builder:
    @contextlib.contextmanager
    def build(kit: Kit) -> Iterator[Scene]:
        ctx = kit.server_context()
        with scripted(servers.success("Via Proxy"), tls=ctx) as server:
            env: dict[str, str | None] = {"REQUESTS_CA_BUNDLE": kit.bundle, "SSL_CERT_FILE": None}
            if mode == "dead":
                with servers.refused_port() as port:
                    env["HTTPS_PROXY"] = f"http://127.0.0.1:{port}"
                    yield Scene(_base(server, "localhost"), env, _no_request(server))
                return
            proxy = ConnectProxy(mode, credentials="alice:s3cret-proxy")
            try:
                env["HTTPS_PROXY"] = proxy.url
                after: Callable[[dict[str, Any]], None] = _no_request(server)
                if mode == "ok":

                    def tunnelled(outcome: dict[str, Any]) -> None:
                        assert proxy.log.connects == [f"localhost:{server.port}"]
                        assert len(server.requests) == 1

                    after = tunnelled
                yield Scene(_base(server, "localhost"), env, after)
            finally:
                proxy.close()

    return build


def _status(status: int, body: Any = b"", headers: dict[str, str] | None = None) -> Builder:
    return plain(lambda: reply(status, body, headers))


def _fail(message: str, etype: str = "Error", request_id: str = "req-rel-1") -> dict[str, Any]:
    return {
        "status": "fail",
        "error": {"message": message, "type": etype, "request_id": request_id},
    }


def _http_date(seconds_ahead: int) -> str:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_ahead)
    return email.utils.format_datetime(when, usegmt=True)


def _retry_between(low: int, high: int) -> Callable[[dict[str, Any]], None]:
    def check(outcome: dict[str, Any]) -> None:
        value = outcome["retry_after_s"]
        assert isinstance(value, int) and low <= value <= high, value

    return check


def _app_name(expected: str, absent: tuple[str, ...] = ()) -> Callable[[dict[str, Any]], None]:
    def check(outcome: dict[str, Any]) -> None:
        assert outcome["app_name"] == expected, outcome["app_name"]
        for bad in absent:
            for value in (outcome["message"], outcome["app_name"]):
                assert bad not in value

    return check


def _server_message_short(outcome: dict[str, Any]) -> None:
    text = outcome["server_message"] or ""
    assert 0 < len(text) <= 2000, len(text)


def _retry_none(outcome: dict[str, Any]) -> None:
    assert outcome["retry_after_s"] is None


def _page(status: int, title: str, server: str, headers: dict[str, str] | None = None) -> Builder:
    """A web page (HTML) answering in MoEngage's place: a web filter, proxy or edge."""
    body = (
        f"<!DOCTYPE html><html><head><title>{title}</title></head>"
        "<body><h1>Blocked</h1><p>This site is blocked by your organization.</p></body></html>"
    )
    extra = {"Content-Type": "text/html; charset=utf-8", "Server": server, **(headers or {})}
    return plain(lambda: reply(status, body.encode("utf-8"), extra))


def _page_title(expected: str | None) -> Callable[[dict[str, Any]], None]:
    def check(outcome: dict[str, Any]) -> None:
        title = outcome["page_title"]
        if expected is not None:
            assert title == expected, title
        assert title and len(title) <= 120, title
        assert "<" not in title, "markup in the title is shown as text, never kept as markup"
        assert outcome["failed_stage"] is None, "an HTTP answer arrived"
        assert outcome["retry_after_s"] is None, "a web page's Retry-After is not MoEngage's"

    return check


def _hostile_title(outcome: dict[str, Any]) -> None:
    _page_title(None)(outcome)
    assert outcome["page_title"].startswith("Blocked"), outcome["page_title"]


@contextlib.contextmanager
def _tls_stall(kit: Kit) -> Iterator[Scene]:
    """An https:// API base whose server accepts TCP and never answers the TLS handshake."""
    with scripted(servers.success(), handshake=servers.accept_silently()) as server:
        env: dict[str, str | None] = {"REQUESTS_CA_BUNDLE": kit.bundle, "SSL_CERT_FILE": None}
        yield Scene(server.url(scheme="https") + "/dc-{dc}", env, _no_request(server))


def _failed_stage(stage: str) -> Callable[[dict[str, Any]], None]:
    def check(outcome: dict[str, Any]) -> None:
        assert outcome["failed_stage"] == stage, outcome["failed_stage"]

    return check


HOSTILE_TITLE = "<b>Blocked</b>\x1b[31m\u202e\x07 &amp; <script>x</script>" + "A" * 10_000


CONTROL_NAME = "Acme\x00\x07\x1b[2J\x1b]0;owned\x07\x1b[31m Prod\x1b[0m\r\nX"
BIDI_NAME = "\u202eenilno\u202c Shop \u2066iso\u2069\u200b\ufeff"
HTML_NAME = "<script>alert(1)</script><b>Bold</b> & <a href='x'>co</a>"

CASES: tuple[Case, ...] = (
    # --- baseline -------------------------------------------------------------------
    Case("success", "a well-behaved server", None, plain(lambda: servers.success("Acme Prod")),
         200, ("Acme Prod",), window=True),
    # --- connections ----------------------------------------------------------------
    Case("refused", "nothing listens on the port (connection refused)", "connect", _refused,
         None, ("refused or dropped",), window=True),
    Case("reset_before_answer", "TCP reset right after the request, before any answer",
         "connect", plain(servers.reset_now), None, ("refused or dropped",)),
    Case("reset_mid_answer", "status line, headers and half a body, then a TCP reset",
         "connect", plain(servers.reset_mid_answer), None, ("refused or dropped",),
         window=True),
    Case("closed_mid_answer", "half an answer, then a clean close (short body)", "connect",
         plain(lambda: servers.raw(
             b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"status\": \"succ")),
         None, ("refused or dropped",)),
    Case("accept_never_read", "accepts the connection, never reads or answers", "timeout",
         _accept_silently, None, ("No complete answer",), timeout=2.0, window=True),
    Case("read_never_answer", "reads the request, never answers", "timeout",
         plain(servers.hang), None, ("No complete answer",), timeout=2.0),
    Case("headers_then_trickle", "headers, then one byte every 0.2 s for ever", "timeout",
         plain(lambda: servers.trickle(0.2, length=5000)), None, ("No complete answer",),
         timeout=2.0, window=True),
    Case("garbage_status_line", "answers with something that is not HTTP", "connect",
         plain(lambda: servers.raw(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")), None),
    # --- size -----------------------------------------------------------------------
    Case("body_60mb_declared", "60 MB body with Content-Length", "bad_response",
         _stream(BIG_BODY, True), 200, ("64 KiB",)),
    Case("body_60mb_until_close", "60 MB body without a length, until close", "bad_response",
         _stream(BIG_BODY, False), 200, ("64 KiB",), window=True),
    Case("gzip_bomb", "~50 KB of gzip that inflates to 50 MB", "bad_response",
         plain(lambda: reply(200, _gzip_bomb(), {"Content-Encoding": "gzip"})), 200,
         ("64 KiB",), window=True),
    Case("gzip_corrupt", "Content-Encoding: gzip over bytes that are not gzip", "bad_response",
         plain(lambda: reply(200, b"definitely not gzip", {"Content-Encoding": "gzip"})), 200,
         ("could not be read",)),
    Case("unknown_encoding", "Content-Encoding: br (never asked for)", "bad_response",
         plain(lambda: reply(200, b"\x0b\x02\x80", {"Content-Encoding": "br"})), 200),
    Case("header_flood", "200 with 500 header lines", "connect",
         plain(lambda: servers.raw(
             b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Junk-%d: y\r\n" % i for i in range(500))
             + b"Content-Length: 2\r\n\r\n{}")), None),
    # --- body shapes ----------------------------------------------------------------
    Case("invalid_utf8", "200 whose body is not UTF-8", "bad_response",
         _status(200, b'{"status": "success", "app_name": "\xff\xfe\xc3("}'), 200,
         ("not JSON",)),
    Case("json_array", "200 with a JSON array", "bad_response", _status(200, [1, 2]), 200,
         ("not an object",)),
    Case("json_null", "200 with JSON null", "bad_response", _status(200, None), 200,
         ("not an object",)),
    Case("json_no_app_name", '200 {"status": "success"} without app_name', "bad_response",
         _status(200, {"status": "success"}), 200, ("app_name",), window=True),
    Case("json_no_status", '200 {"app_name": ...} without status', "bad_response",
         _status(200, {"app_name": "Acme"}), 200, ("status",)),
    Case("json_app_name_not_string", "200 with app_name an object", "bad_response",
         _status(200, {"status": "success", "app_name": {"x": 1}}), 200),
    Case("empty_body", "200 with an empty body", "bad_response", _status(200, b""), 200),
    Case("status_fail_in_200", '200 {"status": "fail"}: credentials rejected', "auth",
         _status(200, _fail("App Secret key mismatch")), 200),
    Case("html_200", "200 with an HTML page (captive portal)", "bad_response",
         _status(200, HTML_PAGE.encode(), {"Content-Type": "text/html"}), 200, ("web page",),
         window=True),
    # --- app_name -------------------------------------------------------------------
    Case("app_name_empty", 'app_name ""', "bad_response",
         plain(lambda: servers.success("")), 200, ("app_name",)),
    Case("app_name_only_invisible", "app_name made only of controls and bidi marks",
         "bad_response", plain(lambda: servers.success("\x1b\u202e\x00\u200b ")), 200),
    Case("app_name_100kb", "app_name of 100 KB", "bad_response",
         plain(lambda: servers.success("N" * 100_000)), 200, ("64 KiB",)),
    Case("app_name_html", "app_name full of HTML", None,
         plain(lambda: servers.success(HTML_NAME)), 200, window=True,
         extra=_app_name(HTML_NAME)),
    Case("app_name_controls_ansi", "app_name with NUL, BEL, ANSI escapes, CR/LF", None,
         plain(lambda: servers.success(CONTROL_NAME)), 200, window=True,
         extra=_app_name("Acme [2J ]0;owned [31m Prod [0m X", ("\x1b", "\x00", "\x07"))),
    Case("app_name_bidi", "app_name with bidi overrides and zero-width characters", None,
         plain(lambda: servers.success(BIDI_NAME)), 200, window=True,
         extra=_app_name("enilno Shop iso", ("\u202e", "\u2066", "\u200b", "\ufeff"))),
    # --- status classes -------------------------------------------------------------
    Case("status_100_then_200", "100 Continue, then a normal 200", None,
         plain(lambda: servers.raw(
             b"HTTP/1.1 100 Continue\r\n\r\n"
             + servers.http_response(200, {"status": "success", "app_name": "After 100"}))),
         200, ("After 100",)),
    Case("status_204", "204 No Content", "bad_response", _status(204), 204),
    Case("status_301", "301 redirect to a second server", "bad_response", _redirect(301), 301,
         ("redirect", "never follows"), window=True),
    Case("status_302", "302 redirect to a second server", "bad_response", _redirect(302), 302,
         ("redirect",)),
    Case("status_307", "307 redirect (would resend the body) to a second server",
         "bad_response", _redirect(307), 307, ("redirect",)),
    Case("status_308", "308 redirect (would resend the body) to a second server",
         "bad_response", _redirect(308), 308, ("redirect",)),
    Case("status_400", "400 with a JSON error", "bad_response",
         _status(400, _fail("Bad request body")), 400),
    Case("status_401", "401 key mismatch", "auth",
         _status(401, _fail("App Secret key mismatch. Please login to the dashboard to verify key",
                            "Authentication Failed")), 401, ("does not match",)),
    Case("status_403", "403 account suspended", "forbidden",
         _status(403, _fail("Account suspended", "AccountSuspended")), 403, ("suspended",)),
    Case("status_404", "404", "not_found", _status(404, "not here"), 404, ("404",)),
    Case("status_407_origin", "407 from the API host itself", "proxy", _status(407, b""), 407),
    Case("status_413", "413 Payload Too Large", "bad_response", _status(413, "too large"), 413,
         ("413",)),
    Case("status_415", "415 Unsupported Media Type", "bad_response",
         _status(415, "unsupported"), 415, ("415",)),
    Case("status_429_no_retry_after", "429 without Retry-After", "rate_limited",
         _status(429, _fail("Rate limit exceeded")), 429, ("Wait a minute",),
         extra=_retry_none),
    Case("status_429_retry_seconds", "429 Retry-After: 120", "rate_limited",
         _status(429, _fail("Slow down"), {"Retry-After": "120"}), 429, ("120 seconds",),
         window=True, extra=_retry_between(120, 120)),
    Case("status_429_retry_date", "429 Retry-After as an HTTP date ~90 s ahead",
         "rate_limited", plain(lambda: reply(429, b"", {"Retry-After": _http_date(90)})), 429,
         extra=_retry_between(80, 91)),
    Case("status_429_retry_garbage", "429 Retry-After: soon-ish (unusable)", "rate_limited",
         _status(429, b"", {"Retry-After": "soon-ish"}), 429, extra=_retry_none),
    Case("status_500_html", "500 with an HTML page", "server_error",
         _status(500, HTML_PAGE.encode(), {"Content-Type": "text/html"}), 500,
         ("problem on its side",)),
    Case("status_502_html", "502 with an nginx HTML page", "server_error",
         _status(502, HTML_PAGE.encode(), {"Content-Type": "text/html"}), 502, window=True),
    Case("status_503_json", "503 with a JSON error and request id", "server_error",
         _status(503, _fail("Service unavailable", "Unavailable", "req-503")), 503),
    Case("status_504_empty", "504 with no body", "server_error", _status(504), 504),
    Case("status_5xx_huge_ansi_message", "500 whose error message is ~48 KB of ANSI-laced text",
         "server_error", _status(500, _fail("\x1b[31mboom\x1b[0m " * 2000)), 500,
         extra=_server_message_short),
    Case("status_999", "a status code no one defined (999)", "bad_response", _status(999, b"?"),
         999),
    # --- web pages in MoEngage's place: the credentials were not judged (issue 10) ---
    Case("page_403_web_filter", "403 'Access Denied' web page, Server: Zscaler", "proxy",
         _page(403, "Access Denied", "Zscaler/6.2"), 403,
         ("not judged", "Access Denied", "Zscaler", "Do not regenerate your key"), window=True,
         extra=_page_title("Access Denied"), title=NOT_JUDGED_TITLE),
    Case("page_401_edge", "401 web page from an nginx edge", "proxy",
         _page(401, "401 Authorization Required", "nginx",
               {"WWW-Authenticate": 'Basic realm="x"'}), 401, ("not judged",),
         extra=_page_title("401 Authorization Required"), title=NOT_JUDGED_TITLE),
    Case("page_407_proxy", "407 web page from a Squid proxy", "proxy",
         _page(407, "ERROR: Cache Access Denied", "squid/5.7",
               {"Proxy-Authenticate": 'Basic realm="proxy"'}), 407, ("Squid",),
         extra=_page_title("ERROR: Cache Access Denied"), title=NOT_JUDGED_TITLE),
    Case("page_429_edge", "429 web page from an edge, Retry-After: 60", "proxy",
         _page(429, "Error 1015 | You are being rate limited", "cloudflare",
               {"Retry-After": "60"}), 429, ("not judged", "Cloudflare"),
         extra=_page_title("Error 1015 | You are being rate limited"), title=NOT_JUDGED_TITLE),
    Case("page_451_legal", "451 'Unavailable For Legal Reasons' web page", "proxy",
         _page(451, "Unavailable For Legal Reasons", "FortiGate"), 451, ("not judged",),
         extra=_page_title("Unavailable For Legal Reasons"), title=NOT_JUDGED_TITLE),
    Case("page_hostile_title", "403 web page whose title is 10 KB of markup, ANSI and bidi",
         "proxy", _page(403, HOSTILE_TITLE, "Zscaler/6.2"), 403, ("not judged",),
         window=True, extra=_hostile_title, title=NOT_JUDGED_TITLE),
    Case("tls_stall_in_handshake", "accepts TCP, never answers the TLS handshake", "timeout",
         _tls_stall, None, ("TLS handshake",), timeout=2.0, extra=_failed_stage("tls")),
    # --- TLS ------------------------------------------------------------------------
    Case("tls_ok", "HTTPS with a trusted certificate", None, _tls("ok"), 200, ("Secure Co",)),
    Case("tls_untrusted_ca", "certificate from a CA the client does not trust", "tls",
         _tls("untrusted"), None, ("not trusted",), window=True),
    Case("tls_wrong_host", "certificate for another host name", "tls", _tls("wrong_host"),
         None, ("another name",)),
    Case("tls_expired", "expired certificate", "tls", _tls("expired"), None, ("expired",)),
    Case("tls_eof_in_handshake", "server closes (FIN) in the middle of the TLS handshake",
         "tls", _tls("handshake_eof"), None),
    Case("tls_reset_in_handshake", "server resets (RST) in the middle of the TLS handshake",
         "connect", _tls("handshake_reset"), None, ("refused or dropped",)),
    Case("tls_to_plain_http", "https:// to a port that speaks plain HTTP", "tls",
         _https_to_plain, None),
    # --- proxies --------------------------------------------------------------------
    Case("proxy_ok", "HTTPS through a working CONNECT proxy", None, _proxy("ok"), 200,
         ("Via Proxy",), window=True),
    Case("proxy_refuses", "proxy answers CONNECT with 403", "proxy", _proxy("refuse"), None,
         ("proxy",)),
    Case("proxy_hangs_up", "proxy closes the connection on CONNECT", "proxy", _proxy("close"),
         None, ("proxy",)),
    Case("proxy_auth_407", "proxy demands authentication (407)", "proxy", _proxy("auth"), 407,
         ("sign-in",), window=True),
    Case("proxy_unreachable", "HTTPS_PROXY points at a closed port", "proxy", _proxy("dead"),
         None, ("proxy",)),
)  # fmt: skip

WINDOW_CASES = tuple(c for c in CASES if c.window)


def by_id(case_id: str) -> Case:
    """The case with this id (for ad-hoc runs and docs)."""
    return next(c for c in CASES if c.id == case_id)


def dump(outcome: dict[str, Any]) -> str:
    """A compact outcome for assertion messages (no key in it, by construction)."""
    keep = ("ok", "kind", "http_status", "message", "detail")
    return json.dumps({k: outcome.get(k) for k in keep})
