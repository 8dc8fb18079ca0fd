"""PAC files, fetched from real loopback servers and files and run in the real engine.

Each failure mode has its own clear error naming the PAC URL, and none of them
falls back to a direct connection.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from moecheck_gui.proxy import (
    Deadline,
    PacRunner,
    ProxyCancelled,
    ProxyConfigError,
    no_system_proxy,
    plan_routes,
)
from moecheck_gui.proxy.pac import MAX_PAC_BYTES, fetch_pac, parse_pac_answer
from tests import servers
from tests.proxy_servers import PacServer, pac_file, pac_returning

TARGET = "https://api-01.moengage.com/v1/integrations/authentication"


@pytest.fixture(scope="module")
def runner() -> Iterator[PacRunner]:
    """One PAC child process for the module; a short run limit keeps "never returns" quick."""
    pac_runner = PacRunner(run_limit=2.0)
    yield pac_runner
    pac_runner.close()


def plan(pac_url: str, runner: PacRunner, target: str = TARGET, **kwargs: object) -> list:
    return plan_routes(
        target,
        env={"MOECHECK_PAC_URL": pac_url},
        system=no_system_proxy,
        runner=runner,
        **kwargs,  # type: ignore[arg-type]
    )


def test_pac_over_http_picks_the_proxy(runner: PacRunner) -> None:
    script = """
    function FindProxyForURL(url, host) {
        if (dnsDomainIs(host, ".moengage.com")) return "PROXY proxy.corp:8080";
        return "DIRECT";
    }"""
    with PacServer({"/proxy.pac": script.encode()}) as server:
        routes = plan(server.url("/proxy.pac"), runner)
        assert server.downloads == {"/proxy.pac": 1}
    assert [r.proxy_url for r in routes] == ["http://proxy.corp:8080"]
    route = routes[0]
    assert route.source == "pac"
    assert route.pac_url == server.url("/proxy.pac")
    assert "chosen by the PAC file at " + server.url("/proxy.pac") in route.why
    assert "MOECHECK_PAC_URL" in route.why


def test_pac_from_a_file_can_say_direct(runner: PacRunner, tmp_path: Path) -> None:
    url = pac_file(tmp_path, "direct.pac", pac_returning("DIRECT"))
    routes = plan(url, runner)
    assert len(routes) == 1
    assert routes[0].is_direct
    assert routes[0].source == "pac"
    assert "says DIRECT" in routes[0].why


def test_pac_fallback_list_is_kept_in_order(runner: PacRunner, tmp_path: Path) -> None:
    answer = "PROXY a.corp:8080; PROXY b.corp:8080; DIRECT"
    routes = plan(pac_file(tmp_path, "list.pac", pac_returning(answer)), runner)
    assert [r.proxy_url for r in routes] == ["http://a.corp:8080", "http://b.corp:8080", None]
    assert "choice 1 of 3" in routes[0].why
    assert "choice 3 of 3" in routes[2].why


def test_pac_https_and_socks_tokens(runner: PacRunner, tmp_path: Path) -> None:
    answer = "SOCKS5 s.corp:1080; HTTPS secure.corp:443; PROXY plain.corp"
    routes = plan(pac_file(tmp_path, "mixed.pac", pac_returning(answer)), runner)
    assert [r.proxy_url for r in routes] == ["https://secure.corp:443", "http://plain.corp:80"]
    assert "skipped SOCKS5 s.corp:1080" in routes[0].why


def test_pac_that_names_only_socks_is_an_error(runner: PacRunner, tmp_path: Path) -> None:
    url = pac_file(tmp_path, "socks.pac", pac_returning("SOCKS s.corp:1080"))
    with pytest.raises(ProxyConfigError) as caught:
        plan(url, runner)
    assert url in str(caught.value)
    assert "SOCKS is not supported" in str(caught.value)
    assert caught.value.reason == "answer"


def test_pac_that_throws_names_the_error(runner: PacRunner, tmp_path: Path) -> None:
    script = 'function FindProxyForURL(url, host) { throw new Error("no route for you"); }'
    url = pac_file(tmp_path, "throws.pac", script)
    with pytest.raises(ProxyConfigError) as caught:
        plan(url, runner)
    message = str(caught.value)
    assert message.startswith(f"The PAC file at {url} does not run:")
    assert "no route for you" in message
    assert caught.value.source == "pac"
    assert caught.value.pac_url == url


def test_pac_with_bad_syntax(runner: PacRunner, tmp_path: Path) -> None:
    url = pac_file(tmp_path, "syntax.pac", "function FindProxyForURL(url, host {")
    with pytest.raises(ProxyConfigError, match="SyntaxError"):
        plan(url, runner)


def test_pac_without_the_function(runner: PacRunner, tmp_path: Path) -> None:
    url = pac_file(tmp_path, "empty.pac", "var nothing = 1;")
    with pytest.raises(ProxyConfigError, match="defines no FindProxyForURL"):
        plan(url, runner)


def test_pac_that_never_returns_is_stopped_and_the_engine_recovers(
    runner: PacRunner, tmp_path: Path
) -> None:
    loop = pac_file(tmp_path, "loop.pac", "function FindProxyForURL(u, h) { while (true) {} }")
    with pytest.raises(ProxyConfigError) as caught:
        plan(loop, runner, timeout=30)
    assert "did not finish within 2 s" in str(caught.value)
    assert caught.value.reason == "run"
    assert not caught.value.timed_out
    started = runner.started
    fine = pac_file(tmp_path, "fine.pac", pac_returning("PROXY after.corp:3128"))
    assert [r.proxy_url for r in plan(fine, runner)] == ["http://after.corp:3128"]
    assert runner.started == started + 1, "a fresh PAC process replaced the stopped one"


def test_pac_loop_is_cut_by_the_overall_deadline(tmp_path: Path) -> None:
    slow_runner = PacRunner(run_limit=60.0)
    try:
        loop = pac_file(tmp_path, "loop.pac", "function FindProxyForURL(u, h) { for (;;) {} }")
        with pytest.raises(ProxyConfigError) as caught:
            plan(loop, slow_runner, timeout=3)
        assert caught.value.timed_out
        assert "before the deadline" in str(caught.value)
    finally:
        slow_runner.close()


def test_five_megabyte_pac_is_refused_by_its_declared_size(runner: PacRunner) -> None:
    big = b"// x\n" * (5_000_000 // 5)
    with PacServer({"/big.pac": big}) as server:
        with pytest.raises(ProxyConfigError) as caught:
            plan(server.url("/big.pac"), runner)
    message = str(caught.value)
    assert server.url("/big.pac") in message
    assert "larger than 1 MiB (4.8 MiB)" in message
    assert caught.value.reason == "too_large"


def test_five_megabyte_pac_without_length_is_cut_at_the_cap(runner: PacRunner) -> None:
    with PacServer() as server:
        server.streamed["/stream.pac"] = 5_000_000
        with pytest.raises(ProxyConfigError, match="larger than 1 MiB"):
            plan(server.url("/stream.pac"), runner)


def test_five_megabyte_pac_file_is_refused(runner: PacRunner, tmp_path: Path) -> None:
    path = tmp_path / "big.pac"
    path.write_bytes(b" " * (5 * 1024 * 1024))
    with pytest.raises(ProxyConfigError, match=r"larger than 1 MiB \(5.0 MiB\)"):
        plan(path.as_uri(), runner)


def test_pac_just_under_the_cap_runs(runner: PacRunner) -> None:
    script = pac_returning("PROXY big.corp:8080").encode()
    padded = script + b"\n//" + b"x" * (MAX_PAC_BYTES - len(script) - 10) + b"\n"
    assert len(padded) < MAX_PAC_BYTES
    with PacServer({"/near.pac": padded}) as server:
        assert [r.proxy_url for r in plan(server.url("/near.pac"), runner)] == [
            "http://big.corp:8080"
        ]


def test_missing_pac_is_an_error_naming_the_status(runner: PacRunner) -> None:
    with PacServer() as server:
        url = server.url("/nowhere.pac")
        with pytest.raises(ProxyConfigError) as caught:
            plan(url, runner)
    assert (
        str(caught.value)
        == f"The PAC file at {url} could not be fetched: the server answered HTTP 404."
    )


def test_unreachable_pac_server_is_an_error_not_direct(runner: PacRunner) -> None:
    with PacServer() as server:
        url = server.url("/proxy.pac")
    with pytest.raises(ProxyConfigError) as caught:
        plan(url, runner)
    assert url in str(caught.value)
    assert "refused" in str(caught.value)


def test_missing_pac_file(runner: PacRunner, tmp_path: Path) -> None:
    url = (tmp_path / "absent.pac").as_uri()
    with pytest.raises(ProxyConfigError, match="could not be read"):
        plan(url, runner)


def test_unsupported_pac_scheme(runner: PacRunner) -> None:
    with pytest.raises(ProxyConfigError, match="not an http://, https:// or file:// URL"):
        plan("ftp://pac.corp/proxy.pac", runner)


def test_silent_pac_server_is_cut_by_the_deadline() -> None:
    with servers.scripted(servers.hang()) as server:
        with pytest.raises(ProxyConfigError) as caught:
            fetch_pac(server.url() + "/proxy.pac", source="pac", deadline=Deadline.after(1.0))
    assert caught.value.timed_out
    assert "before the deadline" in str(caught.value)


def test_cancel_stops_a_pac_download() -> None:
    class Token:
        def __init__(self) -> None:
            self.event = threading.Event()

        @property
        def cancelled(self) -> bool:
            return self.event.is_set()

    token = Token()
    threading.Timer(0.3, token.event.set).start()
    with servers.scripted(servers.hang()) as server:
        with pytest.raises(ProxyCancelled):
            fetch_pac(
                server.url() + "/proxy.pac",
                source="pac",
                deadline=Deadline.after(20),
                cancel=token,
            )


def test_pac_over_https_verifies_the_certificate(
    runner: PacRunner, ca: trustme.CA, server_context: ssl.SSLContext, tmp_path: Path
) -> None:
    body = pac_returning("PROXY tls.corp:8080")
    respond = servers.reply(200, body, {"Content-Type": "application/x-ns-proxy-autoconfig"})
    with servers.scripted(respond, tls=server_context) as server:
        url = server.url() + "/proxy.pac"

        def trusting() -> ssl.SSLContext:
            ctx = ssl.create_default_context()
            ca.configure_trust(ctx)
            return ctx

        routes = plan(url, runner, ssl_context=trusting)
        assert [r.proxy_url for r in routes] == ["http://tls.corp:8080"]

        with pytest.raises(ProxyConfigError) as caught:
            plan(url, runner, ssl_context=ssl.create_default_context)
    assert "TLS failed" in str(caught.value)
    assert url in str(caught.value)


def test_standard_helper_functions(runner: PacRunner, tmp_path: Path) -> None:
    """isInNet, dnsResolve, shExpMatch, myIpAddress, dnsDomainIs, isPlainHostName, ... all run."""
    script = r"""
    function FindProxyForURL(url, host) {
        var checks = [
            isPlainHostName("intranet") && !isPlainHostName("a.b"),
            dnsDomainIs("api-01.moengage.com", ".moengage.com"),
            localHostOrDomainIs("www", "www.corp.example"),
            shExpMatch(url, "https://api-*.moengage.com/*"),
            shExpMatch(host, "*.moengage.com"),
            isInNet(dnsResolve("localhost"), "127.0.0.0", "255.0.0.0"),
            isResolvable("localhost"),
            dnsDomainLevels("a.b.c") == 2,
            /^\d+\.\d+\.\d+\.\d+$/.test(myIpAddress()),
            typeof weekdayRange("MON", "SUN") == "boolean",
            typeof timeRange(0, 23) == "boolean"
        ];
        for (var i = 0; i < checks.length; i++) {
            if (!checks[i]) return "PROXY failed-check-" + i + ":1";
        }
        return "PROXY all-helpers-ok:8080";
    }"""
    routes = plan(pac_file(tmp_path, "helpers.pac", script), runner)
    assert [r.proxy_url for r in routes] == ["http://all-helpers-ok:8080"]


def test_https_urls_reach_the_pac_without_path(runner: PacRunner, tmp_path: Path) -> None:
    """Like browsers, a PAC sees only scheme://host/ of an https URL (no path to leak)."""
    script = """
    function FindProxyForURL(url, host) {
        var seen = (url == "https://api-01.moengage.com/") ? "stripped" : "full";
        return "PROXY " + seen + ":1; PROXY " + host + ":2";
    }"""
    routes = plan(pac_file(tmp_path, "echo.pac", script), runner)
    assert [r.proxy_url for r in routes] == [
        "http://stripped:1",
        "http://api-01.moengage.com:2",
    ]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("DIRECT", [None]),
        ("", [None]),
        ("  PROXY a:1 ;;DIRECT ", ["http://a:1", None]),
        ("proxy lower:3128", ["http://lower:3128"]),
        ("HTTP chrome:80", ["http://chrome:80"]),
        ("HTTPS [::1]:8443", ["https://[::1]:8443"]),
        ("PROXY a:notaport; DIRECT", [None]),
        ("PROXY http://a:1", []),
    ],
)
def test_parse_pac_answer(answer: str, expected: list[str | None]) -> None:
    assert [c.proxy_url for c in parse_pac_answer(answer).choices] == expected
