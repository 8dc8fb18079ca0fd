"""How a check reaches MoEngage: environment proxy, PAC file, OS setting, or direct.

Qt-free core. The client calls :func:`plan_routes` once per check and tries
the routes in order; see docs/proxies.md for the rules and the engine choice.

Public API::

    plan_routes(target_url, *, env=None, pac_url_override=None, system=None,
                timeout=15.0, deadline=None, cancel=None, runner=None) -> list[ProxyRoute]
    ProxyRoute(proxy_url, source, pac_url, why)   # + connect_url(), requests_proxies()
    ProxyConfigError, ProxyCancelled, Deadline, SystemProxy
    challenge_schemes(headers), preferred_scheme(schemes), sign_in_advice(scheme),
    probe_proxy_challenge(proxy_url, host, port, timeout=...) -> (status, schemes)
"""

from __future__ import annotations

from moecheck_gui.proxy.choice import PAC_URL_ENV, env_proxy_setting, plan_routes
from moecheck_gui.proxy.model import (
    Deadline,
    ProxyCancelled,
    ProxyConfigError,
    ProxyRoute,
    SystemProxy,
    SystemProxyError,
)
from moecheck_gui.proxy.pac import MAX_PAC_BYTES, PacRunner, default_runner
from moecheck_gui.proxy.signin import (
    challenge_schemes,
    preferred_scheme,
    probe_proxy_challenge,
    scheme_label,
    sign_in_advice,
)
from moecheck_gui.proxy.system import no_system_proxy, read_system_proxy

__all__ = [
    "MAX_PAC_BYTES",
    "PAC_URL_ENV",
    "Deadline",
    "PacRunner",
    "ProxyCancelled",
    "ProxyConfigError",
    "ProxyRoute",
    "SystemProxy",
    "SystemProxyError",
    "challenge_schemes",
    "default_runner",
    "env_proxy_setting",
    "no_system_proxy",
    "plan_routes",
    "preferred_scheme",
    "probe_proxy_challenge",
    "read_system_proxy",
    "scheme_label",
    "sign_in_advice",
]
