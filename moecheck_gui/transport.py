"""The wire under the client: abortable, stage-timed connections and a capped answer.

Why a module of its own: the client decides *what* to send and *how to judge*
the answer; this module owns *how bytes move*, which has three duties of its own:

* **Abortable.** Every connection a request touches registers itself with the
  check's :class:`Attempt` (found through a thread-local), so the waiting thread
  can shut the sockets at the deadline or on cancel and any blocked read or
  handshake fails at once.
* **Timed by stage.** The connection classes mark DNS, TCP connect, the TLS
  handshake and the wait for the first byte on the attempt's
  :class:`~moecheck_gui.stages.StageClock` -- the name lookup is done here, apart
  from the connect, so the two can be told apart ("the name was found, then the
  connect stalled" is a firewall; "the lookup failed" is DNS).
* **Capped.** At most 64 KiB are read from the wire, and at most 64 KiB after
  decompression (we decompress ourselves with a bound: a gzip bomb cannot
  balloon memory).

TLS verification is never turned off here: the context comes from
:mod:`moecheck_gui.trust` and :meth:`Adapter.cert_verify` forces ``CERT_REQUIRED``.
"""

from __future__ import annotations

import socket
import ssl
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
import urllib3.util.connection

from moecheck_gui.i18n import _
from moecheck_gui.limits import MAX_ANSWER_BYTES
from moecheck_gui.stages import StageClock

_READ_CHUNK = 4096


# --------------------------------------------------------------------------- one attempt


class Attempt:
    """The connections one request is using, and the clock of its stages.

    The request thread registers every connection it touches (through the
    connection classes below, which find the attempt in a thread-local); the
    waiting thread calls :meth:`abort` at the deadline or on cancel, which
    shuts the sockets down and makes any blocked read or handshake fail at once.
    """

    def __init__(self, clock: StageClock | None = None) -> None:
        self._lock = threading.Lock()
        self._connections: list[urllib3.connection.HTTPConnection] = []
        self.aborted = False
        self.clock = clock or StageClock()

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


def bind(attempt: Attempt | None) -> None:
    """Make ``attempt`` the one the connections on this thread report to (None to unbind)."""
    _current.attempt = attempt


def _attempt() -> Attempt | None:
    return getattr(_current, "attempt", None)


def _register_current(conn: urllib3.connection.HTTPConnection) -> None:
    attempt = _attempt()
    if attempt is not None:
        attempt.register(conn)


def _mark(stage: str) -> None:
    attempt = _attempt()
    if attempt is not None:
        attempt.clock.begin(stage)


def _close_stage(stage: str) -> None:
    attempt = _attempt()
    if attempt is not None:
        attempt.clock.end(stage)


# --------------------------------------------------------------------------- connections


def _open_socket(conn: urllib3.connection.HTTPConnection, host: str, port: int) -> socket.socket:
    """Look ``host`` up, then connect, marking each stage (urllib3 does both in one call).

    Raises urllib3's own exceptions so requests classifies failures as it would.
    """
    if host.startswith("["):
        host = host.strip("[]")
    _mark("dns")
    try:
        host.encode("idna")
        infos = socket.getaddrinfo(
            host, port, urllib3.util.connection.allowed_gai_family(), socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise urllib3.exceptions.NameResolutionError(conn.host, conn, exc) from exc
    except UnicodeError as exc:
        raise urllib3.exceptions.LocationParseError(f"'{host}', label empty or too long") from exc
    _mark("connect")
    error: OSError | None = None
    for family, socktype, proto, _canon, address in infos:
        sock = None
        try:
            sock = socket.socket(family, socktype, proto)
            for option in conn.socket_options or ():
                sock.setsockopt(*option)
            if isinstance(conn.timeout, int | float):
                sock.settimeout(conn.timeout)
            if conn.source_address:
                sock.bind(conn.source_address)
            sock.connect(address)
            return sock
        except OSError as exc:
            error = exc
            if sock is not None:
                sock.close()
    if isinstance(error, TimeoutError):
        raise urllib3.exceptions.ConnectTimeoutError(
            conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
        ) from error
    raise urllib3.exceptions.NewConnectionError(
        conn, f"Failed to establish a new connection: {error or 'no address'}"
    ) from error


class _TrackedHTTPConnection(urllib3.connection.HTTPConnection):
    """An HTTP connection that makes itself abortable and times its stages."""

    def _new_conn(self) -> socket.socket:
        sock = _open_socket(self, self._dns_host, self.port)
        sys.audit("http.client.connect", self, self.host, self.port)
        if isinstance(self, urllib3.connection.HTTPSConnection) and not self._tunnel_host:
            _mark("tls")
        else:
            _close_stage("connect")
        return sock

    def _tunnel(self) -> None:
        # The CONNECT to a proxy belongs to "connect"; the handshake follows it.
        _mark("connect")
        super()._tunnel()
        if isinstance(self, urllib3.connection.HTTPSConnection):
            _mark("tls")
        else:
            _close_stage("connect")

    def connect(self) -> None:
        _register_current(self)
        super().connect()
        _close_stage("tls")

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register_current(self)
        if self.sock is None:
            # Plain http connects lazily inside request(): connect first, so the
            # stages read dns, connect, then response (not the other way round).
            self.connect()
        _mark("response")
        super().request(*args, **kwargs)

    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        response = super().getresponse()
        attempt = _attempt()
        if attempt is not None:
            attempt.clock.answered()
        return response


class _TrackedHTTPSConnection(_TrackedHTTPConnection, urllib3.connection.HTTPSConnection):
    """An HTTPS connection that makes itself abortable and times its stages.

    The tracking methods come from :class:`_TrackedHTTPConnection`; their
    ``super()`` calls reach HTTPSConnection first in this class's MRO, so the
    TLS handshake still happens.
    """


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _TrackedHTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


_POOL_CLASSES = {"http": _HTTPPool, "https": _HTTPSPool}


class Adapter(requests.adapters.HTTPAdapter):
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
class Answer:
    """What came back over HTTP (or why nothing did)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    too_large: bool = False
    encoding_problem: str | None = None
    error: BaseException | None = None


def _decoder(encoding: str) -> Any:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise ValueError(encoding)


def read_capped(raw: urllib3.response.BaseHTTPResponse, answer: Answer) -> None:
    """Read the body with both caps; sets ``too_large`` instead of reading on."""
    length = raw.headers.get("Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > MAX_ANSWER_BYTES:
        answer.too_large = True
        return
    try:
        decoder = _decoder(raw.headers.get("Content-Encoding", ""))
    except ValueError as exc:
        # Translators: {encoding} is an HTTP Content-Encoding such as "br".
        answer.encoding_problem = _("unsupported content encoding '{encoding}'").format(
            encoding=exc
        )
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
                    answer.encoding_problem = _("the compressed answer is corrupt")
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
            answer.encoding_problem = _("the compressed answer is corrupt")
            return
        if len(out) > MAX_ANSWER_BYTES:
            answer.too_large = True
            return
    answer.body = bytes(out)


def send(
    session: requests.Session,
    url: str,
    body: bytes,
    headers: dict[str, str],
    proxies: dict[str, str],
    deadline: float,
    answer: Answer,
) -> None:
    """Send the request and read the capped answer into ``answer`` (runs on the request thread)."""
    remaining = max(0.01, deadline - time.monotonic())
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
        read_capped(response.raw, answer)
    finally:
        if answer.too_large or answer.encoding_problem or 300 <= (answer.status or 0) < 400:
            response.raw.close()  # unread data left: the connection cannot be reused
        response.raw.release_conn()
