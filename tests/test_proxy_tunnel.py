"""Through a real forward proxy: the tunnel keeps TLS verification, sign-in demands are named.

These use ``requests`` directly (no mocks) against the loopback proxy of
tests/proxy_servers.py and the trustme HTTPS server of tests/servers.py. They
prove the rule "the proxy chosen never decides trust": a certificate the
client does not trust fails through the tunnel exactly as it does direct.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from moecheck_gui.proxy import (
    PacRunner,
    ProxyRoute,
    challenge_schemes,
    no_system_proxy,
    plan_routes,
    preferred_scheme,
    probe_proxy_challenge,
    sign_in_advice,
)
from tests import servers
from tests.proxy_servers import ForwardProxy, PacServer, pac_returning


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """A session that ignores the machine's REQUESTS_CA_BUNDLE and proxy variables."""
    with requests.Session() as s:
        s.trust_env = False
        yield s


@pytest.fixture
def tls_server(server_context: ssl.SSLContext) -> Iterator[servers.ScriptedServer]:
    with servers.scripted(servers.success("Tunnel Works"), tls=server_context) as server:
        yield server


def route_to(proxy: ForwardProxy) -> ProxyRoute:
    return ProxyRoute(proxy.url, "env", None, "test")


def test_untrusted_certificate_still_fails_through_the_tunnel(
    session: requests.Session, tls_server: servers.ScriptedServer, ca_bundle: Path
) -> None:
    with ForwardProxy() as proxy:
        proxies = route_to(proxy).requests_proxies()
        with pytest.raises(requests.exceptions.SSLError):
            session.get(tls_server.url() + "/x", proxies=proxies, timeout=10)
        assert proxy.traffic.tunnels == [f"127.0.0.1:{tls_server.port}"], "it did go through"
        answer = session.get(
            tls_server.url() + "/x", proxies=proxies, timeout=10, verify=str(ca_bundle)
        )
        assert answer.json()["app_name"] == "Tunnel Works"
        assert len(proxy.traffic.tunnels) == 2
    assert len(tls_server.requests) == 1, "only the verified connection sent a request"


def test_wrong_host_name_fails_through_the_tunnel(
    session: requests.Session, tls_server: servers.ScriptedServer, ca_bundle: Path
) -> None:
    """The certificate names 127.0.0.1/localhost; reached as api-01.moengage.com, it must fail."""
    with ForwardProxy(hosts={"api-01.moengage.com": "127.0.0.1"}) as proxy:
        url = f"https://api-01.moengage.com:{tls_server.port}/x"
        with pytest.raises(requests.exceptions.SSLError):
            session.get(
                url, proxies=route_to(proxy).requests_proxies(), timeout=10, verify=str(ca_bundle)
            )
        assert proxy.traffic.tunnels == [f"api-01.moengage.com:{tls_server.port}"]
    assert tls_server.requests == []


def test_plain_http_is_forwarded_by_absolute_uri(session: requests.Session) -> None:
    with servers.scripted(servers.success("Plain")) as server, ForwardProxy() as proxy:
        url = server.url() + "/v1/integrations/authentication"
        answer = session.post(url, json={}, proxies=route_to(proxy).requests_proxies(), timeout=10)
        assert answer.json()["app_name"] == "Plain"
        assert proxy.traffic.forwarded == [url]
        assert proxy.traffic.tunnels == []
        assert server.requests[0].target == "/v1/integrations/authentication"


def test_basic_sign_in(
    session: requests.Session, tls_server: servers.ScriptedServer, ca_bundle: Path
) -> None:
    with ForwardProxy("basic", credentials="ann:p@ss word") as proxy:
        route = route_to(proxy)
        with pytest.raises(requests.exceptions.ProxyError, match="407"):
            session.get(tls_server.url(), proxies=route.requests_proxies(), timeout=10)
        signed = route.with_credentials("ann", "p@ss word")
        answer = session.get(
            tls_server.url(), proxies=signed.requests_proxies(), timeout=10, verify=str(ca_bundle)
        )
        assert answer.status_code == 200
        assert proxy.traffic.tunnels == [f"127.0.0.1:{tls_server.port}"]
        assert proxy.traffic.auth_headers[0] is None
        assert proxy.traffic.auth_headers[-1] is not None
        assert "p@ss" not in repr(signed)


@pytest.mark.parametrize(
    ("mode", "scheme"), [("basic", "basic"), ("negotiate", "negotiate"), ("ntlm", "ntlm")]
)
def test_the_demanded_scheme_is_recovered_by_a_probe(
    session: requests.Session, mode: str, scheme: str
) -> None:
    with ForwardProxy(mode, credentials="u:p") as proxy:
        with pytest.raises(requests.exceptions.ProxyError, match="407"):
            session.get(
                "https://api-01.moengage.com/",
                proxies=route_to(proxy).requests_proxies(),
                timeout=10,
            )
        status, schemes = probe_proxy_challenge(proxy.url, "api-01.moengage.com", 443, timeout=5)
        assert proxy.traffic.tunnels == [], "nothing was tunnelled"
    assert status == 407
    assert schemes == [scheme]
    advice = sign_in_advice(preferred_scheme(schemes))
    if scheme == "basic":
        assert "HTTPS_PROXY=http://USER:PASSWORD@" in advice
    else:
        assert "Windows sign-in" in advice
        assert "Ask IT" in advice


def test_probe_of_a_dead_proxy() -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    assert probe_proxy_challenge(f"http://127.0.0.1:{port}", "h", 443, timeout=2) == (None, [])


def test_refusing_proxy(session: requests.Session) -> None:
    with ForwardProxy("refuse") as proxy:
        with pytest.raises(requests.exceptions.ProxyError, match="403"):
            session.get(
                "https://api-01.moengage.com/",
                proxies=route_to(proxy).requests_proxies(),
                timeout=10,
            )
        assert probe_proxy_challenge(proxy.url, "api-01.moengage.com", 443, timeout=5) == (403, [])


def test_pac_fallbacks_are_usable_in_order(
    session: requests.Session, tls_server: servers.ScriptedServer, ca_bundle: Path
) -> None:
    """The routes a PAC names work with requests as they are: a dead proxy, then a live one."""
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        dead = placeholder.getsockname()[1]
    runner = PacRunner()
    try:
        with ForwardProxy() as proxy:
            answer = f"PROXY 127.0.0.1:{dead}; PROXY {proxy.host_port}; DIRECT"
            with PacServer({"/p.pac": pac_returning(answer).encode()}) as pac:
                routes = plan_routes(
                    tls_server.url() + "/v1/integrations/authentication",
                    env={"MOECHECK_PAC_URL": pac.url("/p.pac")},
                    system=no_system_proxy,
                    runner=runner,
                )
            outcomes = []
            for route in routes:
                try:
                    session.get(
                        tls_server.url(),
                        proxies=route.requests_proxies(),
                        timeout=10,
                        verify=str(ca_bundle),
                    )
                except requests.exceptions.ProxyError:
                    outcomes.append("proxy failed")
                    continue
                outcomes.append(f"ok via {route.host_port}")
                break
            assert outcomes == ["proxy failed", f"ok via {proxy.host_port}"]
            assert proxy.traffic.tunnels == [f"127.0.0.1:{tls_server.port}"]
    finally:
        runner.close()


@pytest.mark.parametrize(
    ("headers", "schemes"),
    [
        (['Basic realm="corp"'], ["basic"]),
        (["Negotiate", "NTLM"], ["negotiate", "ntlm"]),
        (['Negotiate, NTLM, Basic realm="x", charset="UTF-8"'], ["negotiate", "ntlm", "basic"]),
        (["NTLM TlRMTVNTUAACAAAA"], ["ntlm"]),
        ([], []),
    ],
)
def test_challenge_schemes(headers: list[str], schemes: list[str]) -> None:
    assert challenge_schemes(headers) == schemes


def test_preferred_scheme_is_basic_when_offered() -> None:
    assert preferred_scheme(["negotiate", "basic"]) == "basic"
    assert preferred_scheme(["ntlm"]) == "ntlm"
    assert preferred_scheme([]) is None
    assert "does not support" in sign_in_advice("bearer")
