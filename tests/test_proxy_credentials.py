"""Proxy sign-in given to the checker (the window's "Sign in to the proxy…"), against a real
Basic proxy on 127.0.0.1 and a real TLS server behind it.

The password is a canary: it must reach the proxy (as Proxy-Authorization) and
nothing else -- not the outcome, its JSON, or the ``-v`` log lines.
"""

from __future__ import annotations

import base64
import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from moecheck_gui.client import Checker
from moecheck_gui.outcome import Kind, Outcome
from moecheck_gui.proxy import no_system_proxy, sign_in_advice
from tests import servers
from tests.proxy_servers import ForwardProxy
from tests.servers import ScriptedServer, scripted

WS = "WS123ABC"
KEY = "canary-key-0123456789abcdef"
USER = "proxy-user"
PASSWORD = f"pw-{uuid.uuid4().hex}"


@pytest.fixture
def behind_basic_proxy(
    monkeypatch: pytest.MonkeyPatch, server_context: ssl.SSLContext, trust_test_ca: Path
) -> Iterator[tuple[ForwardProxy, ScriptedServer]]:
    """An https server reached only through a proxy that wants USER:PASSWORD (Basic)."""
    for name in ("NO_PROXY", "no_proxy", "https_proxy", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with (
        ForwardProxy(mode="basic", credentials=f"{USER}:{PASSWORD}") as proxy,
        scripted(servers.success("Behind The Proxy"), tls=server_context) as server,
    ):
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        yield proxy, server


def _checker(server: ScriptedServer, **kwargs: object) -> Checker:
    return Checker(
        api_base=server.url() + "/dc-{dc}",
        system_proxy=no_system_proxy,
        **kwargs,  # type: ignore[arg-type]
    )


def _check(checker: Checker, lines: list[str]) -> Outcome:
    return checker.check(WS, KEY, "01", timeout=10, log=lines.append)


def test_without_sign_in_the_verdict_names_basic(
    behind_basic_proxy: tuple[ForwardProxy, ScriptedServer],
) -> None:
    proxy, server = behind_basic_proxy
    outcome = _check(_checker(server), [])
    assert outcome.kind == Kind.PROXY and outcome.http_status == 407
    assert outcome.hint == sign_in_advice("basic")
    assert outcome.proxy == proxy.url
    assert server.requests == []


def test_credentials_for_the_proxy_are_applied_and_never_shown(
    behind_basic_proxy: tuple[ForwardProxy, ScriptedServer],
) -> None:
    proxy, server = behind_basic_proxy
    lines: list[str] = []
    checker = _checker(server, proxy_credentials={proxy.host_port: (USER, PASSWORD)})
    outcome = _check(checker, lines)
    assert outcome.ok and outcome.app_name == "Behind The Proxy", outcome
    assert outcome.proxy == proxy.url  # scheme://host:port, without the user
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert expected in proxy.traffic.auth_headers
    shown = "\n".join([str(outcome.to_json()), repr(outcome), *lines])
    assert any("via:" in line for line in lines)
    assert PASSWORD not in shown
    assert base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode() not in shown


def test_set_proxy_credentials_signs_in_from_the_next_check_and_can_forget(
    behind_basic_proxy: tuple[ForwardProxy, ScriptedServer],
) -> None:
    proxy, server = behind_basic_proxy
    checker = _checker(server)
    checker.set_proxy_credentials(proxy.host_port, USER, "wrong-password")
    refused = _check(checker, [])
    assert refused.kind == Kind.PROXY and refused.http_status == 407
    checker.set_proxy_credentials(proxy.host_port, USER, PASSWORD)
    assert _check(checker, []).ok
    checker.set_proxy_credentials(proxy.host_port, None)
    assert _check(checker, []).http_status == 407


def test_credentials_for_another_proxy_are_not_sent(
    behind_basic_proxy: tuple[ForwardProxy, ScriptedServer],
) -> None:
    proxy, server = behind_basic_proxy
    checker = _checker(server, proxy_credentials={"proxy.elsewhere:8080": (USER, PASSWORD)})
    outcome = _check(checker, [])
    assert outcome.kind == Kind.PROXY and outcome.http_status == 407
    assert all(header is None for header in proxy.traffic.auth_headers)
