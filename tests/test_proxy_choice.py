"""The order of precedence (PRODUCT.md 3.5): environment, MOECHECK_PAC_URL, OS setting, direct."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from moecheck_gui.proxy import (
    PacRunner,
    ProxyConfigError,
    ProxyRoute,
    SystemProxy,
    SystemProxyError,
    env_proxy_setting,
    no_system_proxy,
    plan_routes,
)
from moecheck_gui.proxy.bypass import no_proxy_matches, os_bypass_matches
from tests.proxy_servers import PacServer, pac_file, pac_returning

TARGET = "https://api-01.moengage.com/v1/integrations/authentication"


@pytest.fixture(scope="module")
def runner() -> Iterator[PacRunner]:
    pac_runner = PacRunner(run_limit=2.0)
    yield pac_runner
    pac_runner.close()


def manual(**kwargs: object) -> SystemProxy:
    return SystemProxy(platform="Windows", **kwargs)  # type: ignore[arg-type]


def test_nothing_set_means_direct_and_says_why(runner: PacRunner) -> None:
    routes = plan_routes(TARGET, env={}, system=no_system_proxy, runner=runner)
    assert routes == [ProxyRoute(None, None, None, routes[0].why)]
    assert "no proxy is set in the environment, MOECHECK_PAC_URL" in routes[0].why
    assert routes[0].describe().startswith("direct (no proxy): ")


def test_https_proxy_from_the_environment(runner: PacRunner) -> None:
    routes = plan_routes(
        TARGET, env={"HTTPS_PROXY": "proxy.corp:3128"}, system=no_system_proxy, runner=runner
    )
    assert [(r.proxy_url, r.source) for r in routes] == [("http://proxy.corp:3128", "env")]
    assert routes[0].why == "HTTPS_PROXY is set in the environment"


def test_lower_case_variable_wins_and_all_proxy_is_the_fallback() -> None:
    env = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"}
    assert env_proxy_setting("https", env) == ("https_proxy", "http://lower:2")
    assert env_proxy_setting("https", {"ALL_PROXY": "http://all:3"}) == (
        "ALL_PROXY",
        "http://all:3",
    )
    assert env_proxy_setting("https", {"HTTP_PROXY": "http://only-http:4"}) is None
    assert env_proxy_setting("http", {"HTTP_PROXY": "http://h:4"}) == ("HTTP_PROXY", "http://h:4")
    assert env_proxy_setting("http", {"HTTP_PROXY": "http://h:4", "REQUEST_METHOD": "GET"}) is None
    assert env_proxy_setting("https", {"HTTPS_PROXY": "  "}) is None


def test_credentials_in_the_proxy_url_are_kept_apart(runner: PacRunner) -> None:
    env = {"HTTPS_PROXY": "http://ann%40corp:s3cr%3At@proxy.corp:8080"}
    [route] = plan_routes(TARGET, env=env, system=no_system_proxy, runner=runner)
    assert route.proxy_url == "http://proxy.corp:8080"
    assert (route.username, route.password) == ("ann@corp", "s3cr:t")
    for shown in (repr(route), str(route), route.describe(), route.why):
        assert "s3cr" not in shown
        assert "ann" not in shown
    assert route.connect_url() == "http://ann%40corp:s3cr%3At@proxy.corp:8080"
    assert route.requests_proxies() == {
        "http": route.connect_url(),
        "https": route.connect_url(),
    }
    assert route.with_credentials("bob", "pw").connect_url() == "http://bob:pw@proxy.corp:8080"


def test_no_proxy_exempts_the_host(runner: PacRunner) -> None:
    env = {"HTTPS_PROXY": "http://proxy.corp:3128", "NO_PROXY": "localhost, .moengage.com"}
    [route] = plan_routes(TARGET, env=env, system=no_system_proxy, runner=runner)
    assert route.is_direct
    assert route.source == "env"
    assert route.why == "NO_PROXY exempts api-01.moengage.com from the proxy in HTTPS_PROXY"


def test_bad_proxy_variable_is_an_error_naming_it(runner: PacRunner) -> None:
    env = {"HTTPS_PROXY": "socks5://user:hunter22@proxy.corp:1080"}
    with pytest.raises(ProxyConfigError) as caught:
        plan_routes(TARGET, env=env, system=no_system_proxy, runner=runner)
    assert caught.value.setting == "HTTPS_PROXY"
    assert "socks5" in str(caught.value)
    assert "hunter22" not in str(caught.value)


def test_environment_beats_the_pac_url(runner: PacRunner, tmp_path: Path) -> None:
    with PacServer({"/p.pac": pac_returning("PROXY pac.corp:1").encode()}) as server:
        env = {"HTTPS_PROXY": "http://env.corp:2", "MOECHECK_PAC_URL": server.url("/p.pac")}
        routes = plan_routes(TARGET, env=env, system=no_system_proxy, runner=runner)
        assert server.downloads == {}, "the PAC file is not even fetched"
    assert [r.proxy_url for r in routes] == ["http://env.corp:2"]


def test_pac_url_beats_the_system_setting(runner: PacRunner, tmp_path: Path) -> None:
    url = pac_file(tmp_path, "p.pac", pac_returning("PROXY pac.corp:1"))
    read = []

    def system() -> SystemProxy:
        read.append(True)
        return manual(https_proxy="system.corp:9")

    routes = plan_routes(TARGET, env={"MOECHECK_PAC_URL": url}, system=system, runner=runner)
    assert [(r.proxy_url, r.source) for r in routes] == [("http://pac.corp:1", "pac")]
    assert read == [], "the OS setting is not consulted once a PAC URL is given"


def test_settings_override_replaces_the_pac_variable(runner: PacRunner, tmp_path: Path) -> None:
    env_url = pac_file(tmp_path, "env.pac", pac_returning("PROXY from-env:1"))
    saved_url = pac_file(tmp_path, "saved.pac", pac_returning("PROXY from-settings:2"))
    routes = plan_routes(
        TARGET,
        env={"MOECHECK_PAC_URL": env_url},
        pac_url_override=saved_url,
        system=no_system_proxy,
        runner=runner,
    )
    assert [r.proxy_url for r in routes] == ["http://from-settings:2"]
    assert "MoeCheck's network settings" in routes[0].why


def test_system_manual_proxy(runner: PacRunner) -> None:
    setting = manual(https_proxy="system.corp:8080", http_proxy="plain.corp:80")
    [route] = plan_routes(TARGET, env={}, system=lambda: setting, runner=runner)
    assert (route.proxy_url, route.source) == ("http://system.corp:8080", "system")
    assert route.why == "the manual proxy in the Windows proxy setting"


def test_system_exceptions_and_loopback(runner: PacRunner) -> None:
    setting = manual(https_proxy="system.corp:8080", bypass=("*.moengage.com",))
    [route] = plan_routes(TARGET, env={}, system=lambda: setting, runner=runner)
    assert route.is_direct
    assert "lists api-01.moengage.com as an exception" in route.why
    plain = manual(https_proxy="system.corp:8080")
    [local] = plan_routes("https://127.0.0.1:8443/x", env={}, system=lambda: plain, runner=runner)
    assert local.is_direct
    assert "this computer" in local.why


def test_system_pac_url(runner: PacRunner, tmp_path: Path) -> None:
    url = pac_file(tmp_path, "sys.pac", pac_returning("PROXY a.corp:1; DIRECT"))
    setting = manual(pac_url=url, https_proxy="ignored.corp:9")
    routes = plan_routes(TARGET, env={}, system=lambda: setting, runner=runner)
    assert [(r.proxy_url, r.source, r.pac_url) for r in routes] == [
        ("http://a.corp:1", "system", url),
        (None, "system", url),
    ]
    assert "(Windows proxy setting)" in routes[0].why


def test_broken_system_pac_is_an_error_not_the_manual_proxy(runner: PacRunner) -> None:
    with PacServer() as server:
        setting = manual(pac_url=server.url("/gone.pac"), https_proxy="manual.corp:9")
        with pytest.raises(ProxyConfigError) as caught:
            plan_routes(TARGET, env={}, system=lambda: setting, runner=runner)
    assert caught.value.source == "system"
    assert "HTTP 404" in str(caught.value)


def test_wpad_found_first(runner: PacRunner) -> None:
    with PacServer({"/wpad.dat": pac_returning("PROXY wpad.corp:3128").encode()}) as server:
        setting = manual(auto_detect=True, https_proxy="manual.corp:9")
        routes = plan_routes(
            TARGET,
            env={},
            system=lambda: setting,
            runner=runner,
            wpad_candidates=[server.url("/missing.dat"), server.url("/wpad.dat")],
        )
        assert server.downloads == {"/missing.dat": 1, "/wpad.dat": 1}
    assert [(r.proxy_url, r.source, r.pac_url) for r in routes] == [
        ("http://wpad.corp:3128", "system", server.url("/wpad.dat"))
    ]
    assert "found by automatic proxy detection" in routes[0].why


def test_wpad_not_found_falls_to_the_manual_proxy_and_says_so(runner: PacRunner) -> None:
    with PacServer() as server:
        setting = manual(auto_detect=True)
        [route] = plan_routes(
            TARGET,
            env={},
            system=lambda: setting,
            runner=runner,
            wpad_candidates=[server.url("/wpad.dat")],
        )
    assert route.is_direct
    assert "automatic proxy detection found no PAC file" in route.why
    with PacServer() as server:
        setting = manual(auto_detect=True, https_proxy="manual.corp:9")
        [route] = plan_routes(
            TARGET,
            env={},
            system=lambda: setting,
            runner=runner,
            wpad_candidates=[server.url("/wpad.dat")],
        )
    assert route.proxy_url == "http://manual.corp:9"


def test_unreadable_system_setting_is_an_error(runner: PacRunner) -> None:
    def broken() -> SystemProxy:
        raise SystemProxyError("gsettings did not answer in time")

    with pytest.raises(ProxyConfigError, match="could not be read: gsettings did not answer"):
        plan_routes(TARGET, env={}, system=broken, runner=runner)


@pytest.mark.parametrize(
    ("host", "port", "no_proxy", "exempt"),
    [
        ("api-01.moengage.com", 443, "moengage.com", True),
        ("api-01.moengage.com", 443, ".moengage.com", True),
        ("api-01.moengage.com", 443, "*.moengage.com", True),
        ("moengage.com", 443, ".moengage.com", True),
        ("api-01.moengage.com", 443, "example.com,other.org", False),
        ("api-01.moengage.com", 443, "*", True),
        ("api-01.moengage.com", 443, "api-01.moengage.com:443", True),
        ("api-01.moengage.com", 443, "api-01.moengage.com:8443", False),
        ("10.1.2.3", None, "10.0.0.0/8", True),
        ("10.1.2.3", None, "192.168.0.0/16", False),
        ("127.0.0.1", 8080, "127.0.0.1", True),
        ("::1", None, "::1", True),
    ],
)
def test_no_proxy_rules(host: str, port: int | None, no_proxy: str, exempt: bool) -> None:
    assert no_proxy_matches(host, port, no_proxy) is exempt


@pytest.mark.parametrize(
    ("host", "patterns", "simple", "exempt"),
    [
        ("intranet", (), True, True),
        ("intranet", ("<local>",), False, True),
        ("api-01.moengage.com", ("<local>",), False, False),
        ("api-01.moengage.com", ("*.MoEngage.com",), False, True),
        ("api-01.moengage.com", ("moengage.com",), False, True),
        ("api-01.moengage.com", (".moengage.com",), False, True),
        ("notmoengage.com", ("moengage.com",), False, False),
        ("10.2.3.4", ("10.*",), False, True),
        ("169.254.10.1", ("169.254/16",), False, True),
        ("192.168.1.9", ("192.168.1.0/24",), False, True),
        ("192.168.2.9", ("192.168.1.0/24",), False, False),
        ("api-01.moengage.com", ("https://*.moengage.com",), False, True),
    ],
)
def test_os_exception_rules(
    host: str, patterns: tuple[str, ...], simple: bool, exempt: bool
) -> None:
    assert os_bypass_matches(host, patterns, simple_hosts=simple) is exempt
