"""Check a set of credentials against one data center: the one place that talks to MoEngage.

Design, and why:

* **Never raises** for anything the network or server does: every path ends in an
  :class:`~moecheck_gui.outcome.Outcome`, so the CLI and the window need no
  exception handling of their own.
* **One overall deadline.** Per-read timeouts let a server that trickles a byte
  every half second keep a check alive for ever. Everything the check does --
  choosing the proxy (which may fetch and run a PAC file), the request, and the
  certificate probe after a TLS failure -- runs on a short-lived daemon thread
  while the caller waits for at most the deadline; at the deadline (or on
  cancel) the caller returns at once and the sockets are shut down, so the
  abandoned thread ends promptly too. Even a blocked DNS lookup cannot hold it.
* **The way there is chosen as the browser would** (:mod:`moecheck_gui.proxy`):
  environment, PAC file, OS setting, direct; a PAC answer with fallbacks is
  tried in order, moving on only when a proxy cannot be reached. The proxy
  never decides trust: TLS is verified end to end through every tunnel.
* **Stages are timed** (:mod:`moecheck_gui.stages`) so the verdict can say which
  one failed; **certificates are named** on TLS failures
  (:mod:`moecheck_gui.certificates`); **only MoEngage's own answer judges the
  credentials** (:mod:`moecheck_gui.verdict`).
* **Never follows redirects.** The request body carries the API key.
* **Size cap.** At most 64 KiB on the wire and after decompression (:mod:`moecheck_gui.transport`).
* **TLS always verified**, against the OS trust store or the bundle named by
  ``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE`` (:mod:`moecheck_gui.trust`).
* **Reuse.** One ``requests.Session`` per :class:`Checker`: the connection pool
  and the TLS context survive between checks. The session ignores ``.netrc``,
  cookies and requests' own proxy lookup (``trust_env`` is off): proxies are
  passed explicitly for every request.
* **Languages.** What people read comes from :mod:`moecheck_gui.messages` and the
  other core modules, translated there; the ``-v`` log lines written here
  (request, headers, timings) are for support and developers and stay English.
"""

from __future__ import annotations

import base64
import http.cookiejar
import json
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from moecheck_gui import __version__, messages, stages
from moecheck_gui.cancel import CancelToken
from moecheck_gui.certificates import certificate_info, fetch_presented_certificate, verify_code_of
from moecheck_gui.datacenters import DataCenterError, dc_label, parse_dc
from moecheck_gui.detect import detect
from moecheck_gui.exc_chain import chain
from moecheck_gui.i18n import _
from moecheck_gui.inputs import Credentials, InputError, endpoint_url, normalise_credentials
from moecheck_gui.limits import DEFAULT_TIMEOUT, MAX_FIELD_LENGTH
from moecheck_gui.outcome import CertificateInfo, Kind, Outcome, Timings, clean_server_text
from moecheck_gui.proxy import (
    Deadline,
    ProxyCancelled,
    ProxyConfigError,
    ProxyRoute,
    SystemProxy,
    challenge_schemes,
    plan_routes,
    preferred_scheme,
    probe_proxy_challenge,
    read_system_proxy,
)
from moecheck_gui.redaction import REDACTED, redact, secret_forms
from moecheck_gui.stages import StageClock
from moecheck_gui.transport import Adapter, Answer, Attempt, bind, send
from moecheck_gui.trust import ContextCache, TrustConfig, TrustError, current_config
from moecheck_gui.verdict import Verdict, classify_error, error_detail, judge

__all__ = ["SOURCE", "USER_AGENT", "Checker", "LogFn", "describe_proxy"]

SOURCE = "moecheck"
USER_AGENT = f"MoeCheck/{__version__}"
SYSTEM_PROXY_CACHE_S = 10.0
"""How long one reading of the OS proxy setting is reused (a check-all makes many checks)."""
CERT_PROBE_MAX_S = 5.0

LogFn = Callable[[str], None]
SystemReader = Callable[[], SystemProxy | None]


# --------------------------------------------------------------------------- one flight


@dataclass
class _Flight:
    """Everything the request thread learned, handed to the waiting thread when it ends."""

    answer: Answer = field(default_factory=Answer)
    route: ProxyRoute | None = None
    proxy_error: ProxyConfigError | None = None
    proxy_cancelled: bool = False
    proxy_schemes: tuple[str, ...] = ()
    certificate: CertificateInfo | None = None
    skipped: list[str] = field(default_factory=list)
    """Proxies that could not be reached before the one (or direct) that was used."""


def _proxy_unreachable(exc: BaseException) -> bool:
    """True when the proxy itself could not be reached (as opposed to answering with a refusal)."""
    import urllib3.exceptions

    return any(
        isinstance(
            e,
            urllib3.exceptions.NewConnectionError
            | urllib3.exceptions.NameResolutionError
            | urllib3.exceptions.ConnectTimeoutError
            | ConnectionRefusedError,
        )
        for e in chain(exc)
    )


class _CachedSystemReader:
    """Reads the OS proxy setting at most every few seconds (it can cost a subprocess)."""

    def __init__(self, reader: SystemReader) -> None:
        self._reader = reader
        self._lock = threading.Lock()
        self._value: tuple[float, SystemProxy | None] | None = None

    def __call__(self) -> SystemProxy | None:
        with self._lock:
            now = time.monotonic()
            if self._value is not None and now - self._value[0] < SYSTEM_PROXY_CACHE_S:
                return self._value[1]
        value = self._reader()  # may raise SystemProxyError: the chooser reports it
        with self._lock:
            self._value = (time.monotonic(), value)
        return value


@dataclass(frozen=True)
class _Prepared:
    """A validated request, ready to send."""

    credentials: Credentials
    dc: str
    url: str
    host: str
    notices: tuple[str, ...]


class Checker:
    """Checks MoEngage credentials; one per process is plenty (each front end keeps one).

    Holds a ``requests.Session`` whose connection pool and TLS context are
    reused between checks; it is rebuilt only when the trust configuration in
    the environment changes. Safe to use from several threads at once.

    ``pac_url``: a PAC URL saved in the window's network settings (it replaces
    ``MOECHECK_PAC_URL``). ``system_proxy``: reads the OS proxy setting
    (default: this platform's reader; tests pass ``no_system_proxy``).
    ``proxy_credentials``: ``{"host:port": (user, password)}`` for proxies that
    ask for Basic sign-in (the window's proxy sign-in; see also
    :meth:`set_proxy_credentials`). Credentials in a proxy URL win.
    """

    def __init__(
        self,
        api_base: str | None = None,
        *,
        pac_url: str | None = None,
        system_proxy: SystemReader | None = None,
        proxy_credentials: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        self._api_base = api_base
        self._pac_url = pac_url
        self._system = _CachedSystemReader(system_proxy or read_system_proxy)
        self._proxy_credentials: dict[str, tuple[str, str]] = dict(proxy_credentials or {})
        self._contexts = ContextCache()
        self._lock = threading.Lock()
        self._session: requests.Session | None = None
        self._session_context: ssl.SSLContext | None = None

    # -- public API ------------------------------------------------------------------------

    def check(
        self,
        workspace_id: str,
        api_key: str,
        dc: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        cancel: CancelToken | None = None,
        log: LogFn | None = None,
        detected: bool = False,
    ) -> Outcome:
        """Check one set of credentials against one data center; never raises for I/O.

        ``workspace_id``, ``api_key`` and ``dc`` are raw user input: they are
        normalised here, and refused input becomes an ``invalid_input`` outcome
        with nothing sent. ``timeout`` is the deadline for the whole check.
        """
        started = time.monotonic()
        prepared = self._prepare(workspace_id, api_key, dc)
        if isinstance(prepared, Outcome):
            return prepared.replace(elapsed_ms=_ms(started))
        if cancel is not None and cancel.cancelled:
            return self._finish(prepared, Kind.CANCELLED, started, host=None)
        return self._run(prepared, started, timeout, cancel, log, detected)

    def detect(
        self,
        workspace_id: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        cancel: CancelToken | None = None,
        log: LogFn | None = None,
    ) -> Outcome:
        """Try every data center at once; see :mod:`moecheck_gui.detect`."""
        return detect(self, workspace_id, api_key, timeout=timeout, cancel=cancel, log=log)

    def refusal(self, workspace_id: str, api_key: str, dc: str) -> Outcome | None:
        """The ``invalid_input`` outcome this input would get, or None if it is acceptable."""
        prepared = self._prepare(workspace_id, api_key, dc)
        return prepared if isinstance(prepared, Outcome) else None

    def routes(self, dc: str = "01", *, timeout: float = 5.0) -> list[ProxyRoute]:
        """The ways a check to ``dc`` would go right now (for -v and Network settings).

        Raises :class:`~moecheck_gui.proxy.ProxyConfigError` like a check would
        report it. Runs a PAC file when one applies, so call it off the GUI thread.
        """
        url = endpoint_url(parse_dc(dc), self._api_base)
        return plan_routes(
            url,
            pac_url_override=self._pac_url,
            system=self._system,
            timeout=timeout,
            ssl_context=self._pac_context,
        )

    def set_proxy_credentials(
        self, host_port: str, username: str | None, password: str | None = None
    ) -> None:
        """Sign in to the proxy at ``host_port`` with these from the next check on.

        ``username`` None forgets them. Never logged or shown: only the route's
        :meth:`~moecheck_gui.proxy.ProxyRoute.connect_url` carries them.
        """
        with self._lock:
            if username is None:
                self._proxy_credentials.pop(host_port, None)
            else:
                self._proxy_credentials[host_port] = (username, password or "")

    def _signed_in(self, routes: list[ProxyRoute]) -> list[ProxyRoute]:
        """The routes, with the proxy sign-in given for their ``host:port`` applied."""
        with self._lock:
            known = dict(self._proxy_credentials)
        if not known:
            return routes
        signed: list[ProxyRoute] = []
        for route in routes:
            pair = known.get(route.host_port or "")
            if pair is not None and not route.has_credentials:
                route = route.with_credentials(*pair)
            signed.append(route)
        return signed

    def close(self) -> None:
        """Close pooled connections (the checker stays usable)."""
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()

    # -- preparation -----------------------------------------------------------------------

    def _prepare(self, workspace_id: str, api_key: str, dc: str) -> _Prepared | Outcome:
        ws_display = workspace_id.strip() if isinstance(workspace_id, str) else ""
        notices: tuple[str, ...] = ()
        try:
            credentials, notices = normalise_credentials(workspace_id, api_key)
            code = parse_dc(dc)
            url = endpoint_url(code, self._api_base)
        except (InputError, DataCenterError) as exc:
            field_name = getattr(exc, "field", "dc")
            text = getattr(exc, "message", None) or str(exc)
            return _invalid(ws_display, _dc_or_none(dc), text, field_name, notices)
        return _Prepared(credentials, code, url, urlsplit(url).netloc, notices)

    def _session_for(self) -> tuple[requests.Session, TrustConfig]:
        config, context = self._contexts.get()
        with self._lock:
            if self._session is None or self._session_context is not context:
                if self._session is not None:
                    self._session.close()
                session = requests.Session()
                session.trust_env = False  # no .netrc, no second proxy lookup
                session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
                adapter = Adapter(context)
                session.mount("https://", adapter)
                session.mount("http://", adapter)
                self._session = session
                self._session_context = context
            return self._session, config

    def _pac_context(self) -> ssl.SSLContext:
        """An https PAC file is fetched with the same trust roots as the check."""
        return self._contexts.get()[1]

    # -- running ---------------------------------------------------------------------------

    def _run(
        self,
        prep: _Prepared,
        started: float,
        timeout: float,
        cancel: CancelToken | None,
        log: LogFn | None,
        detected: bool,
    ) -> Outcome:
        deadline = started + max(0.05, float(timeout))
        try:
            session, config = self._session_for()
        except TrustError as exc:
            return self._finish(
                prep, Kind.TLS, started, detail=str(exc), trust=current_config(), detected=detected
            )
        body, headers = _wire(prep.credentials, prep.dc)
        clock = StageClock(started)
        attempt = Attempt(clock)
        flight = _Flight()
        done = threading.Event()
        wake = threading.Event()

        def work() -> None:
            bind(attempt)
            try:
                self._fly(flight, prep, session, config, body, headers, deadline, cancel, log)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                flight.answer.error = exc
            finally:
                bind(None)
                done.set()
                wake.set()

        remove = cancel.add_callback(wake.set) if cancel is not None else (lambda: None)
        thread = threading.Thread(target=work, name=f"moecheck-request-{prep.dc}", daemon=True)
        thread.start()
        try:
            while not done.is_set():
                remaining = deadline - time.monotonic()
                if cancel is not None and cancel.cancelled:
                    attempt.abort()
                    return self._finish(prep, Kind.CANCELLED, started, detected=detected)
                if remaining <= 0:
                    attempt.abort()
                    stage = clock.failed_stage() or "proxy"
                    if log:
                        log(f"No complete answer after {_ms(started):.0f} ms: deadline reached")
                    return self._finish(
                        prep,
                        Kind.TIMEOUT,
                        started,
                        timeout_s=timeout,
                        detected=detected,
                        route=flight.route,
                        clock=clock,
                        failed_stage=stage,
                    )
                wake.wait(remaining)
                wake.clear()
        finally:
            remove()
        if (cancel is not None and cancel.cancelled) or flight.proxy_cancelled:
            return self._finish(prep, Kind.CANCELLED, started, detected=detected)
        outcome = self._judge(prep, flight, clock, started, timeout, config, detected)
        if log:
            status = flight.answer.status
            shown = f"HTTP {status}" if status is not None else "no HTTP answer"
            log(
                f"{shown}, {len(flight.answer.body)} bytes in {outcome.elapsed_ms:.0f} ms -> "
                f"{'ok' if outcome.ok else outcome.kind}"
            )
            for line in stages.timeline_lines(outcome.timings, outcome.failed_stage):
                log(f"  {line}")
        return outcome

    def _fly(
        self,
        flight: _Flight,
        prep: _Prepared,
        session: requests.Session,
        config: TrustConfig,
        body: bytes,
        headers: dict[str, str],
        deadline: float,
        cancel: CancelToken | None,
        log: LogFn | None,
    ) -> None:
        """Choose the way, send, and gather what a diagnosis needs (on the request thread)."""
        clock = flight_clock()
        clock.begin("proxy")
        try:
            routes = plan_routes(
                prep.url,
                pac_url_override=self._pac_url,
                system=self._system,
                deadline=Deadline(deadline),
                cancel=cancel,
                ssl_context=self._pac_context,
            )
        except ProxyConfigError as exc:
            flight.proxy_error = exc
            return
        except ProxyCancelled:
            flight.proxy_cancelled = True
            return
        clock.end("proxy")
        routes = self._signed_in(routes)
        for number, route in enumerate(routes, start=1):
            flight.route = route
            flight.answer = Answer()
            if log:
                _log_request(log, prep, headers, route, config)
            try:
                send(
                    session,
                    prep.url,
                    body,
                    headers,
                    route.requests_proxies(),
                    deadline,
                    flight.answer,
                )
            except BaseException as exc:  # noqa: BLE001 - judged by the waiting thread
                flight.answer.error = exc
            error = flight.answer.error
            more = number < len(routes) and time.monotonic() < deadline
            if error is not None and not route.is_direct and _proxy_unreachable(error) and more:
                flight.skipped.append(route.host_port or "")
                if log:
                    log(f"  proxy {route.host_port} cannot be reached; trying the next choice")
                continue
            break
        error = flight.answer.error
        if error is None or flight.route is None:
            return
        kind, status = classify_error(error)
        remaining = deadline - time.monotonic()
        if kind == Kind.PROXY and status == 407 and flight.route.proxy_url and remaining > 0.05:
            target = urlsplit(prep.url)
            _status, schemes = probe_proxy_challenge(
                flight.route.connect_url() or flight.route.proxy_url,
                target.hostname or "",
                target.port or 443,
                timeout=min(remaining, CERT_PROBE_MAX_S),
            )
            flight.proxy_schemes = tuple(schemes)
        if kind == Kind.TLS and remaining > 0.05:
            flight.certificate = _probe_certificate(prep, flight.route, error, remaining)

    # -- judging ---------------------------------------------------------------------------

    def _judge(
        self,
        prep: _Prepared,
        flight: _Flight,
        clock: StageClock,
        started: float,
        timeout: float,
        config: TrustConfig,
        detected: bool,
    ) -> Outcome:
        common: dict[str, Any] = {
            "detected": detected,
            "route": flight.route,
            "trust": config,
            "clock": clock,
        }
        if flight.proxy_error is not None:
            exc = flight.proxy_error
            return self._finish(
                prep,
                Kind.TIMEOUT if exc.timed_out else Kind.PROXY,
                started,
                timeout_s=timeout,
                proxy_config_error=str(exc),
                proxy_source=exc.source,
                failed_stage="proxy",
                **common,
            )
        answer = flight.answer
        if answer.error is not None:
            kind, proxy_status = classify_error(answer.error)
            route = flight.route
            through_proxy = route is not None and not route.is_direct
            stage = clock.failed_stage()
            if kind in (Kind.CONNECT, Kind.DNS) and through_proxy:
                # Through a proxy, the connection that failed is the one to the
                # proxy (or its tunnel): the proxy is what the user must look at.
                kind = Kind.PROXY
            elif kind == Kind.PROXY and not _proxy_unreachable(answer.error):
                stage = "proxy"  # the proxy answered and refused the tunnel
            return self._finish(
                prep,
                kind,
                started,
                http_status=proxy_status,
                detail=error_detail(answer.error),
                timeout_s=timeout,
                certificate=flight.certificate,
                proxy_schemes=flight.proxy_schemes,
                skipped=tuple(flight.skipped),
                failed_stage=stage,
                **common,
            )
        verdict = judge(answer)
        if verdict.kind is None and verdict.app_name:
            return self._success(prep, verdict, started, clock=clock, route=flight.route)
        kind = verdict.kind or Kind.BAD_RESPONSE  # judge() gives a kind or a name
        schemes: tuple[str, ...] = ()
        if kind == Kind.PROXY and answer.status == 407 and not verdict.not_judged:
            # A plain-http proxy answers 407 itself: its challenge is in the headers.
            schemes = tuple(challenge_schemes([answer.headers.get("proxy-authenticate", "")]))
        return self._finish(
            prep,
            kind,
            started,
            proxy_schemes=schemes,
            html=verdict.html,
            not_judged=verdict.not_judged,
            redirect_to=verdict.redirect_to,
            detail=verdict.detail,
            skipped=tuple(flight.skipped),
            **verdict.fields,
            **common,
        )

    def _success(
        self,
        prep: _Prepared,
        verdict: Verdict,
        started: float,
        *,
        clock: StageClock,
        route: ProxyRoute | None,
    ) -> Outcome:
        app_name = verdict.app_name or ""
        ctx = messages.Context(dc_label=dc_label(prep.dc), host=prep.host)
        message, hint = messages.success(app_name, ctx)
        fields = dict(verdict.fields)
        outcome = Outcome(
            ok=True,
            kind=None,
            dc=prep.dc,
            workspace_id=prep.credentials.workspace_id,
            app_name=app_name,
            message=message,
            hint=hint,
            elapsed_ms=_ms(started),
            host=prep.host,
            notices=prep.notices,
            timings=clock.timings(),
            **_route_fields(route),
            **fields,
        )
        return _scrub(outcome, prep.credentials)

    def _finish(
        self,
        prep: _Prepared,
        kind: Kind,
        started: float,
        *,
        host: str | object | None = ...,
        http_status: int | None = None,
        server_message: str | None = None,
        server_error_type: str | None = None,
        request_id: str | None = None,
        retry_after_s: int | None = None,
        page_title: str | None = None,
        server_header: str | None = None,
        detail: str | None = None,
        detected: bool = False,
        html: bool = False,
        not_judged: bool = False,
        redirect_to: str | None = None,
        timeout_s: float | None = None,
        route: ProxyRoute | None = None,
        trust: TrustConfig | None = None,
        clock: StageClock | None = None,
        failed_stage: str | None = None,
        certificate: CertificateInfo | None = None,
        proxy_schemes: tuple[str, ...] = (),
        proxy_config_error: str | None = None,
        proxy_source: str | None = None,
        skipped: tuple[str, ...] = (),
    ) -> Outcome:
        shown_host = prep.host if host is ... else host
        stopped = kind in (Kind.CANCELLED, Kind.INVALID_INPUT)
        timings = clock.timings() if clock is not None and not stopped else None
        stage = None if stopped else failed_stage
        route_fields = _route_fields(route)
        if proxy_source is not None and route_fields["proxy_source"] is None:
            route_fields["proxy_source"] = proxy_source
        ctx = messages.Context(
            dc_label=dc_label(prep.dc),
            host=prep.host,
            http_status=http_status,
            server_message=server_message,
            server_error_type=server_error_type,
            retry_after_s=retry_after_s,
            detected=detected,
            html=html,
            redirect_to=redirect_to,
            detail=detail,
            timeout_s=timeout_s,
            proxy=route.host_port if route is not None and not route.is_direct else None,
            proxy_why=route.why if route is not None else None,
            trust_source=trust.source if trust else None,
            not_judged=not_judged,
            page_title=page_title,
            server_header=server_header,
            failed_stage=stage,
            timings=timings,
            certificate=certificate,
            proxy_scheme=preferred_scheme(list(proxy_schemes)) if proxy_schemes else None,
            proxy_config_error=proxy_config_error,
            skipped_proxies=skipped,
        )
        message, hint = messages.for_kind(kind, ctx)
        if not_judged:
            # A filter's or an edge's own request ID would send users to MoEngage
            # support with an ID MoEngage never issued.
            request_id = None
        outcome = Outcome(
            ok=False,
            kind=kind.value,
            dc=prep.dc,
            workspace_id=prep.credentials.workspace_id,
            http_status=http_status,
            server_message=server_message,
            request_id=request_id,
            retry_after_s=retry_after_s,
            message=message,
            hint=hint,
            elapsed_ms=_ms(started),
            server_error_type=server_error_type,
            host=shown_host if isinstance(shown_host, str) else None,
            detail=detail,
            notices=prep.notices,
            timings=timings if timings is not None else Timings(),
            failed_stage=stage,
            certificate=certificate,
            page_title=page_title,
            server_header=server_header,
            proxy_auth_scheme=ctx.proxy_scheme,
            not_judged=not_judged,
            **route_fields,
        )
        return _scrub(outcome, prep.credentials)


def flight_clock() -> StageClock:
    """The stage clock of the check running on this thread."""
    from moecheck_gui.transport import _attempt

    attempt = _attempt()
    return attempt.clock if attempt is not None else StageClock()


def _route_fields(route: ProxyRoute | None) -> dict[str, Any]:
    """``proxy``/``proxy_source`` for an outcome: the proxy used (never credentials), and why."""
    if route is None:
        return {"proxy": None, "proxy_source": None, "proxy_why": None}
    return {
        "proxy": route.proxy_url,
        "proxy_source": route.source,
        "proxy_why": route.why,
    }


def _probe_certificate(
    prep: _Prepared, route: ProxyRoute | None, error: BaseException, remaining: float
) -> CertificateInfo | None:
    """Read the certificate the server presented, with a handshake that sends nothing else."""
    target = urlsplit(prep.url)
    host = target.hostname or ""
    port = target.port or 443
    proxy: tuple[str, int] | None = None
    if route is not None and route.proxy_url and route.proxy_url.startswith("http://"):
        phost, _colon, pport = (route.host_port or "").rpartition(":")
        if phost and pport.isdigit():
            proxy = (phost.strip("[]"), int(pport))
    der = fetch_presented_certificate(
        host, port, timeout=min(remaining, CERT_PROBE_MAX_S), proxy=proxy
    )
    if der is None:
        return None
    return certificate_info(der, host, verify_code_of(error))


def describe_proxy(url: str) -> str:
    """Which way a request to ``url`` would go, in words (credentials never shown)."""
    try:
        routes = plan_routes(url, timeout=5.0)
    except ProxyConfigError as exc:
        # Translators: {problem} says why the proxy could not be chosen.
        return _("unknown: {problem}").format(problem=exc)
    except Exception:  # noqa: BLE001 - odd OS settings must not crash a description
        return _("unknown (the proxy settings could not be read)")
    words = [route.describe() for route in routes]
    text = words[0] if words else ""
    for later in words[1:]:
        # Translators: one way to the server, then the fallback tried after it.
        text = _("{before}; then {after}").format(before=text, after=later)
    return text


def _scrub(outcome: Outcome, credentials: Credentials) -> Outcome:
    """Remove the key from every text field of an outcome.

    Why: a hostile or buggy server (or proxy) can echo what it received in its
    error message, request id or workspace name, and an Outcome is shown,
    logged and copied everywhere. Scrubbing here, once, protects every front end.
    """
    forms = secret_forms(credentials.api_key, credentials.workspace_id)
    changes: dict[str, str] = {}
    for name in (
        "app_name",
        "server_message",
        "server_error_type",
        "request_id",
        "message",
        "hint",
        "detail",
        "page_title",
        "server_header",
        "proxy_why",
    ):
        value = getattr(outcome, name)
        if isinstance(value, str):
            cleaned = redact(value, forms)
            if cleaned != value:
                changes[name] = cleaned
    return outcome.replace(**changes) if changes else outcome


def _wire(credentials: Credentials, dc: str) -> tuple[bytes, dict[str, str]]:
    """The exact request of PRODUCT.md section 2: headers and JSON body."""
    token = base64.b64encode(
        f"{credentials.workspace_id}:{credentials.api_key}".encode("ascii")
    ).decode("ascii")
    headers = {
        "Authorization": f"Basic {token}",
        "MOE-APPKEY": credentials.workspace_id,
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
        "User-Agent": USER_AGENT,
    }
    body = json.dumps(
        {
            "app_id": credentials.workspace_id,
            "app_secret": credentials.api_key,
            "source": SOURCE,
            "region": dc,
        }
    ).encode("ascii")
    return body, headers


def _log_request(
    log: LogFn, prep: _Prepared, headers: dict[str, str], route: ProxyRoute, config: TrustConfig
) -> None:
    """Verbose lines with the secrets redacted (the key never reaches ``log``)."""
    log(f"POST {prep.url}")
    for name, value in headers.items():
        shown = f"Basic {REDACTED}" if name == "Authorization" else value
        log(f"  {name}: {shown}")
    shown_body = {
        "app_id": prep.credentials.workspace_id,
        "app_secret": REDACTED,
        "source": SOURCE,
        "region": prep.dc,
    }
    log(f"  body: {json.dumps(shown_body)}")
    log(f"  via: {route.describe()}")
    log(f"  trust: {config.describe(translate=False)}")


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000.0


def _dc_or_none(value: str) -> str | None:
    """The normalised DC for display in an outcome, or None if it does not parse."""
    try:
        return parse_dc(value) if isinstance(value, str) else None
    except DataCenterError:
        return None


def _invalid(
    workspace_id: str, dc: str | None, text: str, field_name: str, notices: tuple[str, ...]
) -> Outcome:
    context = messages.Context(detail=text, field=field_name)
    message, hint = messages.for_kind(Kind.INVALID_INPUT, context)
    return Outcome(
        ok=False,
        kind=Kind.INVALID_INPUT.value,
        dc=dc,
        workspace_id=clean_server_text(workspace_id, limit=MAX_FIELD_LENGTH) or "",
        message=message,
        hint=hint,
        field=field_name,
        notices=notices,
    )
