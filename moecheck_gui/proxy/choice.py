"""Choose the way to the MoEngage API the way the user's browser would (PRODUCT.md 3.5).

Order: the proxy environment variables; ``MOECHECK_PAC_URL`` (or the PAC URL
saved in the window's network settings); the operating system's setting
(automatic detection, its PAC URL, its manual proxy); then direct.

Why a list of routes and not one proxy: a PAC answer such as
``PROXY a:8080; PROXY b:8080; DIRECT`` is an ordered set of fallbacks, which
the client tries in turn within its deadline. Every route says, in ``why``,
where it came from, so the outcome, ``-v``, the window and the report can say
"through a:8080, chosen by the PAC file at http://wpad/wpad.dat".

Why errors and not fallbacks: a PAC file that cannot be fetched or run raises
:class:`ProxyConfigError`. Going direct instead would end in a misleading
``dns``/``connect`` verdict on exactly the networks where the proxy is needed.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from moecheck_gui.i18n import _, format_list
from moecheck_gui.proxy import pac as pac_module
from moecheck_gui.proxy import wpad
from moecheck_gui.proxy.bypass import no_proxy_matches, os_bypass_matches
from moecheck_gui.proxy.model import (
    CancelLike,
    Deadline,
    ProxyConfigError,
    ProxyRoute,
    Source,
    SystemProxy,
    SystemProxyError,
    split_proxy_url,
)
from moecheck_gui.proxy.system import SystemReader, read_system_proxy

PAC_URL_ENV = "MOECHECK_PAC_URL"
DEFAULT_TIMEOUT = 15.0


def _env_value(env: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """``name`` from the environment, lower case first (as urllib and curl do); empty = unset."""
    for key in (name.lower(), name.upper()):
        if key == "HTTP_PROXY" and "REQUEST_METHOD" in env:
            continue  # CGI: HTTP_PROXY may come from a request header ("httpoxy")
        value = env.get(key, "").strip()
        if value:
            return key, value
    return None


def env_proxy_setting(scheme: str, env: Mapping[str, str]) -> tuple[str, str] | None:
    """(variable name, value) of the proxy variable that applies to ``scheme`` URLs, if any."""
    return _env_value(env, f"{scheme}_proxy") or _env_value(env, "all_proxy")


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def pac_query_url(target_url: str) -> str:
    """The URL handed to ``FindProxyForURL``: for https only ``scheme://host[:port]/``.

    Browsers strip path and query of https URLs before a PAC sees them, so a
    PAC script cannot leak them (through ``dnsResolve``) to a DNS server.
    """
    parts = urlsplit(target_url)
    if parts.scheme.lower() == "https":
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/"
    return target_url


def routes_from_pac(
    answer: str | None, *, pac_url: str, source: Source, origin: str
) -> list[ProxyRoute]:
    """Turn a PAC answer into routes; raises ProxyConfigError when no usable choice remains."""
    parsed = pac_module.parse_pac_answer(answer)
    if not parsed.choices:
        shown = " ".join(parsed.raw.split())[:200]
        raise ProxyConfigError(
            # Translators: {answer} is the PAC file's own answer (not translated).
            _(
                'The PAC file at {url} answered "{answer}", which names no proxy MoeCheck '
                "can use (MoeCheck speaks to HTTP and HTTPS proxies; SOCKS is not supported)."
            ).format(url=pac_url, answer=shown),
            source=source,
            pac_url=pac_url,
            reason="answer",
        )
    unique: list[str | None] = []
    for choice in parsed.choices:
        if choice.proxy_url not in unique:
            unique.append(choice.proxy_url)
    total = len(unique)
    routes = []
    for number, proxy_url in enumerate(unique, start=1):
        if proxy_url is None:
            # Translators: DIRECT is the PAC file's keyword: keep it as it is.
            why = _("the PAC file at {url} ({origin}) says DIRECT").format(
                url=pac_url, origin=origin
            )
        else:
            why = _("chosen by the PAC file at {url} ({origin})").format(url=pac_url, origin=origin)
        if total > 1:
            why = _("{why}, choice {number} of {total}").format(why=why, number=number, total=total)
        if parsed.skipped:
            # Translators: {skipped} lists the PAC file's own entries, e.g. "SOCKS a:1080".
            why = _("{why}; skipped {skipped} (not supported)").format(
                why=why, skipped=format_list(parsed.skipped)
            )
        routes.append(ProxyRoute(proxy_url, source, pac_url, why))
    return routes


class _Planner:
    """One planning run: the shared deadline, cancel token, runner and fetch settings."""

    def __init__(
        self,
        target_url: str,
        deadline: Deadline,
        cancel: CancelLike | None,
        runner: pac_module.PacRunner,
        ssl_context: Callable[[], ssl.SSLContext] | None,
    ) -> None:
        self.target_url = target_url
        parts = urlsplit(target_url)
        self.scheme = parts.scheme.lower() or "https"
        self.host = (parts.hostname or "").lower()
        self.port = parts.port
        self.deadline = deadline
        self.cancel = cancel
        self.runner = runner
        self.ssl_context = ssl_context

    def fetch(self, pac_url: str, source: Source) -> str:
        return pac_module.fetch_pac(
            pac_url,
            source=source,
            deadline=self.deadline,
            cancel=self.cancel,
            ssl_context=self.ssl_context,
        )

    def run_pac(self, text: str, pac_url: str, source: Source, origin: str) -> list[ProxyRoute]:
        answer = self.runner.find_proxy(
            text,
            pac_query_url(self.target_url),
            self.host,
            pac_url=pac_url,
            source=source,
            deadline=self.deadline,
            cancel=self.cancel,
        )
        return routes_from_pac(answer, pac_url=pac_url, source=source, origin=origin)

    def from_env(self, env: Mapping[str, str]) -> list[ProxyRoute] | None:
        setting = env_proxy_setting(self.scheme, env)
        if setting is None:
            return None
        name, value = setting
        exempt = _env_value(env, "no_proxy")
        if exempt is not None and no_proxy_matches(self.host, self.port, exempt[1]):
            # Translators: {variable} is NO_PROXY or no_proxy; {setting} e.g. HTTPS_PROXY.
            why = _("{variable} exempts {host} from the proxy in {setting}").format(
                variable=exempt[0], host=self.host, setting=name
            )
            return [ProxyRoute(None, "env", None, why)]
        try:
            url, user, password = split_proxy_url(value)
        except ValueError as exc:
            raise ProxyConfigError(
                _("The proxy in {setting} cannot be used: {problem}.").format(
                    setting=name, problem=exc
                ),
                source="env",
                setting=name,
                reason="setting",
            ) from exc
        why = _("{variable} is set in the environment").format(variable=name)
        route = ProxyRoute(url, "env", None, why)
        return [route.with_credentials(user, password) if user is not None else route]

    def from_pac_setting(self, pac_url: str, origin: str) -> list[ProxyRoute]:
        text = self.fetch(pac_url, "pac")
        return self.run_pac(text, pac_url, "pac", origin)

    def from_system(self, setting: SystemProxy) -> tuple[list[ProxyRoute] | None, str]:
        """Routes from the OS setting, or None and a note on what was found instead."""
        # Translators: {platform} is GNOME, macOS or Windows.
        where = _("{platform} proxy setting").format(platform=setting.platform)
        notes: list[str] = []
        if setting.auto_detect:
            found = wpad.discover(
                self.deadline,
                cancel=self.cancel,
                candidates=self.wpad_candidates,
                fetch=lambda url: self.fetch(url, "system"),
            )
            if found.pac_url is not None and found.pac_text is not None:
                origin = _("found by automatic proxy detection, {setting}").format(setting=where)
                return self.run_pac(found.pac_text, found.pac_url, "system", origin), ""
            notes.append(_("automatic proxy detection found no PAC file"))
            self.check_deadline(None)
        if setting.pac_url:
            text = self.fetch(setting.pac_url, "system")
            return self.run_pac(text, setting.pac_url, "system", where), ""
        manual = setting.https_proxy if self.scheme == "https" else setting.http_proxy
        if manual:
            if _is_loopback(self.host):
                return [
                    ProxyRoute(
                        None,
                        "system",
                        None,
                        _("{host} is this computer: no proxy").format(host=self.host),
                    )
                ], ""
            if os_bypass_matches(
                self.host, setting.bypass, simple_hosts=setting.bypass_simple_hosts
            ):
                why = _("the {setting} lists {host} as an exception").format(
                    setting=where, host=self.host
                )
                return [ProxyRoute(None, "system", None, why)], ""
            try:
                url, user, password = split_proxy_url(manual)
            except ValueError as exc:
                raise ProxyConfigError(
                    _(
                        "The manual proxy in the {setting} ({proxy}) cannot be used: {problem}."
                    ).format(setting=where, proxy=manual, problem=exc),
                    source="system",
                    setting=where,
                    reason="setting",
                ) from exc
            why = _("the manual proxy in the {setting}").format(setting=where)
            route = ProxyRoute(url, "system", None, why)
            return [route.with_credentials(user, password) if user is not None else route], ""
        return None, "; ".join(notes)

    wpad_candidates: list[str] | None = None

    def check_deadline(self, pac_url: str | None) -> None:
        if self.deadline.passed:
            raise ProxyConfigError(
                _("The proxy could not be chosen before the deadline."),
                source="system",
                pac_url=pac_url,
                timed_out=True,
            )


def plan_routes(
    target_url: str,
    *,
    env: Mapping[str, str] | None = None,
    pac_url_override: str | None = None,
    system: SystemReader | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    deadline: Deadline | None = None,
    cancel: CancelLike | None = None,
    runner: pac_module.PacRunner | None = None,
    ssl_context: Callable[[], ssl.SSLContext] | None = None,
    wpad_candidates: list[str] | None = None,
) -> list[ProxyRoute]:
    """The routes to try for ``target_url``, in order (never empty).

    ``env``: the environment (default ``os.environ``). ``pac_url_override``:
    the PAC URL saved in the window's settings; when given (non-empty) it
    replaces ``MOECHECK_PAC_URL``. ``system``: reads the OS setting (default:
    this platform's reader; pass :func:`~moecheck_gui.proxy.system.no_system_proxy`
    to ignore it). ``deadline`` (or ``timeout`` seconds from now) bounds every
    download, DNS lookup and PAC run. ``runner`` runs PAC JavaScript (default:
    the process-wide one). ``ssl_context`` builds the TLS context for https PAC
    URLs (default: the check's trust roots). ``wpad_candidates`` replaces the
    WPAD URLs derived from this machine's domain (tests).

    Raises :class:`ProxyConfigError` (PAC unreachable, too big, broken, never
    returns, useless answer; bad proxy URL; unreadable OS setting; deadline)
    and :class:`~moecheck_gui.proxy.model.ProxyCancelled`.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    planner = _Planner(
        target_url,
        deadline or Deadline.after(timeout),
        cancel,
        runner or pac_module.default_runner(),
        ssl_context,
    )
    planner.wpad_candidates = wpad_candidates

    routes = planner.from_env(environ)
    if routes is not None:
        return routes

    override = (pac_url_override or "").strip()
    if override:
        return planner.from_pac_setting(override, _("MoeCheck's network settings"))
    env_pac = environ.get(PAC_URL_ENV, "").strip()
    if env_pac:
        return planner.from_pac_setting(env_pac, PAC_URL_ENV)

    reader = system or read_system_proxy
    try:
        setting = reader()
    except SystemProxyError as exc:
        raise ProxyConfigError(
            # Translators: {problem} is a technical reason (e.g. from gsettings or scutil).
            _("The system proxy setting could not be read: {problem}.").format(problem=exc),
            source="system",
            setting="system",
            reason="setting",
        ) from exc
    note = ""
    if setting is not None and not setting.is_empty:
        routes, note = planner.from_system(setting)
        if routes is not None:
            return routes
    if setting is not None:
        place = _("the {platform} settings").format(platform=setting.platform)
    else:
        place = _("the system settings")
    # Translators: {variable} is MOECHECK_PAC_URL; {place} e.g. "the GNOME settings".
    why = _("no proxy is set in the environment, {variable} or {place}").format(
        variable=PAC_URL_ENV, place=place
    )
    if note:
        why = _("{why} ({note})").format(why=why, note=note)
    return [ProxyRoute(None, None, None, why)]
