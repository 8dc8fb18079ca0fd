"""The one function that talks to MoEngage: check a set of credentials against one data center.

Design, and why:

* **Never raises** for anything the network or server does: every path ends in an
  :class:`~moecheck_gui.outcome.Outcome`, so the CLI and the window need no
  exception handling of their own.
* **One overall deadline.** Per-read timeouts let a server that trickles a byte
  every half second keep a check alive for ever. The request therefore runs on a
  short-lived daemon thread while the caller waits for at most the deadline; at
  the deadline (or on cancel) the caller returns at once and the sockets of that
  request are shut down, so the abandoned thread ends promptly too. Even a
  blocked DNS lookup cannot hold the caller.
* **Never follows redirects.** The request body carries the API key.
* **Size cap.** At most 64 KiB are read from the wire, and at most 64 KiB after
  decompression (we decompress ourselves with a bound, so a gzip bomb cannot
  balloon memory).
* **TLS always verified**, against the OS trust store or the bundle named by
  ``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE`` (:mod:`moecheck_gui.trust`).
* **Reuse.** One ``requests.Session`` per :class:`Checker`: the connection pool
  and the TLS context survive between checks.
* The session ignores ``.netrc`` and cookies (``trust_env`` is off); proxies are
  still taken from the environment and the OS for each URL.
"""

from __future__ import annotations

import base64
import email.utils
import http.cookiejar
import json
import math
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import requests.utils
import urllib3
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions

from moecheck_gui import __version__, messages

# CancelToken lives in moecheck_gui.cancel; importing it from here still works for
# the front ends (and batch) that did so before it moved -- a compatibility re-export.
from moecheck_gui.cancel import CancelToken
from moecheck_gui.datacenters import DataCenterError, dc_label, parse_dc
from moecheck_gui.detect import detect
from moecheck_gui.inputs import Credentials, InputError, endpoint_url, normalise_credentials
from moecheck_gui.limits import (
    DEFAULT_TIMEOUT,
    MAX_ANSWER_BYTES,
    MAX_FIELD_LENGTH,
    MAX_RETRY_AFTER_S,
)
from moecheck_gui.outcome import Kind, Outcome, clean_server_text
from moecheck_gui.redaction import REDACTED, redact, redact_url, secret_forms
from moecheck_gui.trust import ContextCache, TrustConfig, TrustError, current_config

SOURCE = "moecheck"
USER_AGENT = f"MoeCheck/{__version__}"
_READ_CHUNK = 4096
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<title")

LogFn = Callable[[str], None]


# --------------------------------------------------------------------------- aborting sockets


class _Attempt:
    """The connections one request is using, so another thread can cut them.

    The request thread registers every connection it touches (through the
    connection classes below, which find the attempt in a thread-local); the
    waiting thread calls :meth:`abort` at the deadline or on cancel, which
    shuts the sockets down and makes any blocked read or handshake fail at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[urllib3.connection.HTTPConnection] = []
        self.aborted = False

    def register(self, conn: urllib3.connection.HTTPConnection) -> None:
        with self._lock:
            if conn not in self._connections:
                self._connections.append(conn)
            aborted = self.aborted
        if aborted:
            _shutdown(conn)

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            connections = list(self._connections)
        for conn in connections:
            _shutdown(conn)


def _shutdown(conn: urllib3.connection.HTTPConnection) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed or never connected: nothing left to cut


_current = threading.local()


def _register_current(conn: urllib3.connection.HTTPConnection) -> None:
    attempt: _Attempt | None = getattr(_current, "attempt", None)
    if attempt is not None:
        attempt.register(conn)


class _TrackedHTTPConnection(urllib3.connection.HTTPConnection):
    """An HTTP connection that makes itself abortable by the current check."""

    def connect(self) -> None:
        _register_current(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register_current(self)
        super().request(*args, **kwargs)


class _TrackedHTTPSConnection(_TrackedHTTPConnection, urllib3.connection.HTTPSConnection):
    """An HTTPS connection that makes itself abortable by the current check.

    The tracking methods come from :class:`_TrackedHTTPConnection`; their
    ``super()`` calls reach HTTPSConnection first in this class's MRO, so the
    TLS handshake still happens.
    """


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _TrackedHTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


_POOL_CLASSES = {"http": _HTTPPool, "https": _HTTPSPool}


class _Adapter(requests.adapters.HTTPAdapter):
    """Hands our TLS context and abortable connections to every pool, direct or proxied."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._ssl_context = ssl_context
        super().__init__(max_retries=0, pool_connections=8, pool_maxsize=8)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **kw: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, ssl_context=self._ssl_context, **kw)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.PoolManager:
        proxy_kwargs.setdefault("ssl_context", self._ssl_context)
        manager: urllib3.PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        # requests would load certifi's bundle into our context here; the roots
        # are already chosen in moecheck_gui.trust, and verification is never off.
        conn.cert_reqs = "CERT_REQUIRED"


# --------------------------------------------------------------------------- request and answer


@dataclass
class _Answer:
    """What came back over HTTP (or why nothing did)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    too_large: bool = False
    encoding_problem: str | None = None
    error: BaseException | None = None
    proxy: str | None = None


def _proxy_for(url: str) -> str | None:
    proxies = requests.utils.get_environ_proxies(url, no_proxy=None)
    scheme = urlsplit(url).scheme
    return proxies.get(scheme) or proxies.get("all")


def describe_proxy(url: str) -> str:
    """Which proxy a request to ``url`` would use, in words (credentials redacted)."""
    try:
        proxy = _proxy_for(url)
    except Exception:  # noqa: BLE001 - OS proxy lookup may fail in odd ways; report, don't crash
        return "unknown (the system proxy settings could not be read)"
    if not proxy:
        return "direct (no proxy)"
    return f"proxy {redact_url(proxy)}"


def _decoder(encoding: str) -> Any:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise ValueError(encoding)


def _read_capped(raw: urllib3.response.BaseHTTPResponse, answer: _Answer) -> None:
    """Read the body with both caps; sets ``too_large`` instead of reading on."""
    length = raw.headers.get("Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > MAX_ANSWER_BYTES:
        answer.too_large = True
        return
    try:
        decoder = _decoder(raw.headers.get("Content-Encoding", ""))
    except ValueError as exc:
        answer.encoding_problem = f"unsupported content encoding '{exc}'"
        return
    received = 0
    out = bytearray()
    while True:
        chunk = raw.read(_READ_CHUNK, decode_content=False)
        if not chunk:
            break
        received += len(chunk)
        if received > MAX_ANSWER_BYTES:
            answer.too_large = True
            return
        if decoder is None:
            out += chunk
        else:
            data = chunk
            while data:
                try:
                    piece = decoder.decompress(data, MAX_ANSWER_BYTES + 1 - len(out))
                except zlib.error:
                    answer.encoding_problem = "the compressed answer is corrupt"
                    return
                out += piece
                if len(out) > MAX_ANSWER_BYTES:
                    answer.too_large = True
                    return
                data = decoder.unconsumed_tail
                if not piece and data:
                    break  # pragma: no cover - zlib made no progress; avoid spinning
        if len(out) > MAX_ANSWER_BYTES:
            answer.too_large = True
            return
    if decoder is not None:
        try:
            out += decoder.flush()
        except zlib.error:
            answer.encoding_problem = "the compressed answer is corrupt"
            return
        if len(out) > MAX_ANSWER_BYTES:
            answer.too_large = True
            return
    answer.body = bytes(out)


# --------------------------------------------------------------------------- classification


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, its causes, and urllib3's wrapped ``reason``s, outermost first."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        reason = getattr(item, "reason", None)
        todo.append(reason if isinstance(reason, BaseException) else None)
        todo.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))
        todo.append(item.__cause__)
        todo.append(item.__context__)
    return seen


def _classify_error(exc: BaseException) -> tuple[Kind, int | None]:
    """Map a transport exception to an outcome kind (and a proxy's HTTP status, if any)."""
    chain = _chain(exc)
    text = " ".join(str(e) for e in chain)
    if any(
        isinstance(e, requests.exceptions.ProxyError | urllib3.exceptions.ProxyError) for e in chain
    ):
        status = 407 if "407" in text else None
        return Kind.PROXY, status
    if any(isinstance(e, urllib3.exceptions.NameResolutionError | socket.gaierror) for e in chain):
        return Kind.DNS, None
    if any(
        isinstance(e, ssl.SSLError | ssl.CertificateError | urllib3.exceptions.SSLError)
        for e in chain
    ):
        return Kind.TLS, None
    if any(isinstance(e, requests.exceptions.SSLError) for e in chain):
        return Kind.TLS, None
    # urllib3's NewConnectionError subclasses its ConnectTimeoutError, so refusals
    # must be recognised before anything that merely looks like a timeout.
    if any(isinstance(e, urllib3.exceptions.NewConnectionError | ConnectionError) for e in chain):
        return Kind.CONNECT, None
    if any(isinstance(e, TimeoutError | urllib3.exceptions.TimeoutError) for e in chain):
        return Kind.TIMEOUT, None
    return Kind.CONNECT, None


def _error_detail(exc: BaseException) -> str:
    """One line for the details area: the innermost useful exception, cleaned."""
    chain = _chain(exc)
    inner = next(
        (e for e in reversed(chain) if isinstance(e, OSError | ssl.SSLError) and str(e)), chain[0]
    )
    text = clean_server_text(f"{inner.__class__.__name__}: {inner}", limit=300)
    return text or inner.__class__.__name__


def _retry_after(value: str | None) -> int | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(int(value), MAX_RETRY_AFTER_S)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0, math.ceil(when.timestamp() - time.time()))


def _looks_html(headers: dict[str, str], body: bytes) -> bool:
    ctype = headers.get("content-type", "").lower()
    if "html" in ctype:
        return True
    head = body[:512].lstrip().lower()
    return any(head.startswith(marker) for marker in _HTML_MARKERS)


def _parse_json(body: bytes) -> tuple[Any, bool]:
    try:
        return json.loads(body.decode("utf-8")), True
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, False


def _server_fields(data: Any, headers: dict[str, str]) -> dict[str, str | None]:
    """MoEngage's own message, error type and request id, cleaned; whatever shape came back."""
    message = etype = request_id = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            message = clean_server_text(error.get("message"))
            etype = clean_server_text(error.get("type"))
            request_id = clean_server_text(error.get("request_id"), limit=200)
        elif isinstance(error, str):
            message = clean_server_text(error)
        message = message or clean_server_text(data.get("message"))
        request_id = request_id or clean_server_text(data.get("request_id"), limit=200)
    header_id = headers.get("x-request-id") or headers.get("x-moe-request-id")
    request_id = request_id or clean_server_text(header_id, limit=200)
    return {"server_message": message, "server_error_type": etype, "request_id": request_id}


# --------------------------------------------------------------------------- the checker


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
    """

    def __init__(self, api_base: str | None = None) -> None:
        self._api_base = api_base
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
                session.trust_env = False  # no .netrc (it would replace our Authorization)
                session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
                adapter = _Adapter(context)
                session.mount("https://", adapter)
                session.mount("http://", adapter)
                self._session = session
                self._session_context = context
            return self._session, config

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
        try:
            proxy = _proxy_for(prep.url)
        except Exception:  # noqa: BLE001 - a broken OS proxy config must not crash the check
            proxy = None
        body, headers = _wire(prep.credentials, prep.dc)
        if log:
            _log_request(log, prep, headers, proxy, config)

        attempt = _Attempt()
        answer = _Answer(proxy=proxy)
        done = threading.Event()
        wake = threading.Event()

        def work() -> None:
            _current.attempt = attempt
            try:
                _send(session, prep.url, body, headers, proxy, deadline, answer)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                answer.error = exc
            finally:
                _current.attempt = None
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
                    if log:
                        log(f"No complete answer after {_ms(started):.0f} ms: deadline reached")
                    return self._finish(
                        prep,
                        Kind.TIMEOUT,
                        started,
                        timeout_s=timeout,
                        proxy=proxy,
                        detected=detected,
                    )
                wake.wait(remaining)
                wake.clear()
        finally:
            remove()
        if cancel is not None and cancel.cancelled:
            return self._finish(prep, Kind.CANCELLED, started, detected=detected)
        outcome = self._judge(prep, answer, started, timeout, config, detected)
        if log:
            status = f"HTTP {answer.status}" if answer.status is not None else "no HTTP answer"
            log(
                f"{status}, {len(answer.body)} bytes in {outcome.elapsed_ms:.0f} ms -> "
                f"{'ok' if outcome.ok else outcome.kind}"
            )
        return outcome

    # -- judging ---------------------------------------------------------------------------

    def _judge(
        self,
        prep: _Prepared,
        answer: _Answer,
        started: float,
        timeout: float,
        config: TrustConfig,
        detected: bool,
    ) -> Outcome:
        common: dict[str, Any] = {"detected": detected, "proxy": answer.proxy, "trust": config}
        if answer.error is not None:
            kind, proxy_status = _classify_error(answer.error)
            if kind == Kind.CONNECT and answer.proxy:
                # Through a proxy, the connection that failed is the one to the
                # proxy (or its tunnel): the proxy is what the user must look at.
                kind = Kind.PROXY
            return self._finish(
                prep,
                kind,
                started,
                http_status=proxy_status,
                detail=_error_detail(answer.error),
                timeout_s=timeout,
                **common,
            )
        status = answer.status or 0
        headers = answer.headers
        fields: dict[str, Any] = {"http_status": status}
        if answer.too_large:
            return self._finish(
                prep,
                Kind.BAD_RESPONSE,
                started,
                detail=f"The answer was over {MAX_ANSWER_BYTES // 1024} KiB and was not read.",
                **fields,
                **common,
            )
        if answer.encoding_problem:
            return self._finish(
                prep,
                Kind.BAD_RESPONSE,
                started,
                detail=f"The answer could not be read: {answer.encoding_problem}.",
                **fields,
                **common,
            )
        data, is_json = _parse_json(answer.body)
        fields.update(_server_fields(data, headers))
        html = not is_json and _looks_html(headers, answer.body)
        if 300 <= status < 400:
            location = clean_server_text(headers.get("location"), limit=200)
            target = urlsplit(location).netloc if location else ""
            return self._finish(
                prep,
                Kind.BAD_RESPONSE,
                started,
                redirect_to=target or location or "",
                detail=f"HTTP {status} redirect (not followed).",
                **fields,
                **common,
            )
        if status == 401:
            return self._finish(prep, Kind.AUTH, started, **fields, **common)
        if status == 403:
            return self._finish(prep, Kind.FORBIDDEN, started, **fields, **common)
        if status == 404:
            return self._finish(prep, Kind.NOT_FOUND, started, **fields, **common)
        if status == 407:
            return self._finish(prep, Kind.PROXY, started, **fields, **common)
        if status == 429:
            fields["retry_after_s"] = _retry_after(headers.get("retry-after"))
            return self._finish(prep, Kind.RATE_LIMITED, started, **fields, **common)
        if 500 <= status < 600:
            return self._finish(prep, Kind.SERVER_ERROR, started, html=html, **fields, **common)
        if not 200 <= status < 300:
            return self._finish(
                prep,
                Kind.BAD_RESPONSE,
                started,
                html=html,
                detail=f"Unexpected HTTP status {status}.",
                **fields,
                **common,
            )
        if not is_json:
            detail = "The answer is a web page, not JSON." if html else "The answer is not JSON."
            return self._finish(
                prep, Kind.BAD_RESPONSE, started, html=html, detail=detail, **fields, **common
            )
        if not isinstance(data, dict):
            return self._finish(
                prep,
                Kind.BAD_RESPONSE,
                started,
                detail="The answer is JSON but not an object.",
                **fields,
                **common,
            )
        api_status = data.get("status")
        if isinstance(api_status, str) and api_status.strip().lower() in ("fail", "error"):
            return self._finish(prep, Kind.AUTH, started, **fields, **common)
        app_name = data.get("app_name")
        shown_name = clean_server_text(app_name)
        if (
            api_status == "success"
            and isinstance(app_name, str)
            and app_name.strip()
            and shown_name
        ):
            return self._success(prep, shown_name, started, **fields)
        if api_status != "success":
            detail = 'The answer has no "status": "success".'
        else:
            detail = "The answer has no workspace name (app_name)."
        return self._finish(prep, Kind.BAD_RESPONSE, started, detail=detail, **fields, **common)

    def _success(self, prep: _Prepared, app_name: str, started: float, **fields: Any) -> Outcome:
        ctx = messages.Context(dc_label=dc_label(prep.dc), host=prep.host)
        message, hint = messages.success(app_name, ctx)
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
        detail: str | None = None,
        detected: bool = False,
        html: bool = False,
        redirect_to: str | None = None,
        timeout_s: float | None = None,
        proxy: str | None = None,
        trust: TrustConfig | None = None,
    ) -> Outcome:
        shown_host = prep.host if host is ... else host
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
            proxy=redact_url(proxy) if proxy else None,
            trust_source=trust.source if trust else None,
        )
        message, hint = messages.for_kind(kind, ctx)
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
        )
        return _scrub(outcome, prep.credentials)


def _send(
    session: requests.Session,
    url: str,
    body: bytes,
    headers: dict[str, str],
    proxy: str | None,
    deadline: float,
    answer: _Answer,
) -> None:
    """Send the request and read the capped answer into ``answer`` (runs on the request thread)."""
    remaining = max(0.01, deadline - time.monotonic())
    proxies = {"http": proxy, "https": proxy} if proxy else {}
    response = session.post(
        url,
        data=body,
        headers=headers,
        timeout=(remaining, remaining),
        allow_redirects=False,
        stream=True,
        proxies=proxies,
        verify=True,
    )
    try:
        answer.status = response.status_code
        answer.headers = {k.lower(): v for k, v in response.headers.items()}
        if 300 <= response.status_code < 400:
            return  # a redirect's body is never needed; the Location header says enough
        _read_capped(response.raw, answer)
    finally:
        if answer.too_large or answer.encoding_problem or 300 <= (answer.status or 0) < 400:
            response.raw.close()  # unread data left: the connection cannot be reused
        response.raw.release_conn()


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
    log: LogFn, prep: _Prepared, headers: dict[str, str], proxy: str | None, config: TrustConfig
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
    log(f"  via: {'proxy ' + redact_url(proxy) if proxy else 'direct (no proxy)'}")
    log(f"  trust: {config.describe()}")


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
