"""Real loopback servers for tests: a scripted HTTP(S) server and a small CONNECT proxy.

These are deliberately raw (sockets, not http.server) so a test can make the
server misbehave in ways a well-behaved framework never would: trickle bytes,
reset mid-answer, close during the TLS handshake, send a redirect, a gzip bomb.
Everything listens on 127.0.0.1 only and stops by itself when the test ends.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    """One request as it arrived on the wire."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    raw_head: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)


Responder = Callable[[socket.socket, Request, "ScriptedServer"], None]


def http_response(
    status: int,
    body: bytes | str | dict[str, Any] | list[Any] | None = b"",
    headers: dict[str, str] | None = None,
    reason: str = "Status",
) -> bytes:
    """Bytes of a complete HTTP/1.1 answer with a Content-Length."""
    if isinstance(body, dict | list) or body is None:
        payload = json.dumps(body).encode()
        ctype = "application/json"
    elif isinstance(body, str):
        payload = body.encode()
        ctype = "text/plain; charset=utf-8"
    else:
        payload = body
        ctype = "application/json"
    all_headers = {"Content-Type": ctype, "Content-Length": str(len(payload))}
    all_headers.update(headers or {})
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in all_headers.items()
    )
    return head.encode("latin-1") + b"\r\n" + payload


def reply(status: int, body: Any = b"", headers: dict[str, str] | None = None) -> Responder:
    """A responder that sends one fixed answer."""

    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        conn.sendall(http_response(status, body, headers))

    return respond


def success(app_name: str = "Acme Prod") -> Responder:
    return reply(200, {"status": "success", "app_name": app_name})


def _read_request(conn: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1_000_000:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers.append((key.strip(), value.strip()))
    length = 0
    for key, value in headers:
        if key.lower() == "content-length":
            length = int(value)
    body = rest
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(method, target, headers, body[:length], head)


class ScriptedServer:
    """A loopback HTTP(S) server whose every answer is a Python function.

    ``responder`` gets the raw socket, so it may write anything, slowly, or
    nothing at all. ``requests`` records everything that arrived.
    """

    def __init__(
        self,
        responder: Responder,
        *,
        tls: ssl.SSLContext | None = None,
        handshake: Callable[[socket.socket], None] | None = None,
    ) -> None:
        self.responder = responder
        self.requests: list[Request] = []
        self.connections = 0
        self._tls = tls
        self._handshake = handshake
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def stopping(self) -> threading.Event:
        """Set when the test ends: responders that stall should wait on it."""
        return self._stop

    def url(self, host: str = "127.0.0.1", scheme: str | None = None) -> str:
        scheme = scheme or ("https" if self._tls else "http")
        return f"{scheme}://{host}:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self._clients.append(conn)
                self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            if self._handshake is not None:
                self._handshake(conn)
                return
            if self._tls is not None:
                conn = self._tls.wrap_socket(conn, server_side=True)
                with self._lock:
                    self._clients.append(conn)
            while not self._stop.is_set():
                request = _read_request(conn)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                self.responder(conn, request, self)
                if (request.header("connection") or "").lower() == "close":
                    return
        except (OSError, ssl.SSLError, ValueError):
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                client.close()
        self._sock.close()
        self._thread.join(2)


@dataclass
class ProxyLog:
    """What a proxy saw."""

    connects: list[str] = field(default_factory=list)
    auth_headers: list[str | None] = field(default_factory=list)


class ConnectProxy:
    """A small forward proxy on loopback supporting CONNECT (HTTPS) and plain absolute-URI HTTP.

    ``mode``: ``"ok"`` tunnels, ``"refuse"`` answers 403, ``"auth"`` answers 407
    unless the expected ``Proxy-Authorization`` is sent, ``"close"`` hangs up.
    """

    def __init__(self, mode: str = "ok", credentials: str | None = None) -> None:
        self.mode = mode
        self.credentials = credentials
        self.log = ProxyLog()
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if request is None:
                return
            self.log.connects.append(request.target)
            self.log.auth_headers.append(request.header("proxy-authorization"))
            if self.mode == "close":
                return
            if self.mode == "refuse":
                conn.sendall(http_response(403, "Forbidden by proxy policy"))
                return
            if self.mode == "auth":
                import base64

                expected = "Basic " + base64.b64encode((self.credentials or "").encode()).decode()
                if request.header("proxy-authorization") != expected:
                    conn.sendall(
                        http_response(
                            407, "auth needed", {"Proxy-Authenticate": 'Basic realm="corp"'}
                        )
                    )
                    return
            if request.method != "CONNECT":
                conn.sendall(http_response(502, "this test proxy only tunnels"))
                return
            host, _, port = request.target.rpartition(":")
            try:
                upstream = socket.create_connection((host, int(port)), timeout=5)
            except OSError:
                conn.sendall(http_response(502, "upstream unreachable"))
                return
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self._pipe(conn, upstream)

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        pipe(a, b, self._stop)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(2)


def pipe(a: socket.socket, b: socket.socket, stop: threading.Event) -> None:
    """Relay bytes both ways between two sockets until one closes or ``stop`` is set (closes b)."""
    with b:
        while not stop.is_set():
            ready, _, _ = select.select([a, b], [], [], 0.2)
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                (b if sock is a else a).sendall(data)


@contextlib.contextmanager
def scripted(responder: Responder, **kwargs: Any) -> Iterator[ScriptedServer]:
    server = ScriptedServer(responder, **kwargs)
    try:
        yield server
    finally:
        server.close()


def trickle(interval: float = 0.2, length: int = 2000) -> Responder:
    """Headers, then one byte every ``interval`` seconds until the test ends."""

    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        conn.sendall(
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        while not server.stopping.wait(interval):
            conn.sendall(b" ")

    return respond


def hang() -> Responder:
    """Read the request, then never answer."""

    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        server.stopping.wait(60)

    return respond


def delayed(seconds: float, then: Responder) -> Responder:
    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        time.sleep(seconds)
        then(conn, request, server)

    return respond


# --------------------------------------------------------------------------- hostile helpers
# Added for tests/reliability: more ways for a server to misbehave. Nothing above changed.


def _rst_close(conn: socket.socket) -> None:
    """Close with SO_LINGER 0, so the peer gets a TCP reset instead of a clean FIN."""
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    with contextlib.suppress(OSError):
        conn.close()


def reset_now() -> Responder:
    """Read the request, then reset the connection without a byte of answer."""

    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        _rst_close(conn)

    return respond


def reset_mid_answer(prefix: bytes | None = None) -> Responder:
    """Send the status line, headers and part of the body, then reset the connection."""
    data = prefix or (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
        b'{"status": "success", "app_na'
    )

    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        conn.sendall(data)
        time.sleep(0.05)
        _rst_close(conn)

    return respond


def raw(data: bytes, *, close: bool = True) -> Responder:
    """Send exactly ``data`` (a hand-made answer, possibly malformed), then hang up."""

    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        conn.sendall(data)
        if close:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    return respond


@dataclass
class StreamStats:
    """What :func:`stream_body` managed to push before the client hung up."""

    sent: int = 0
    finished: bool = False


def stream_body(
    total: int,
    *,
    declare_length: bool,
    stats: StreamStats | None = None,
    chunk: int = 64 * 1024,
) -> Responder:
    """Headers, then ``total`` bytes of JSON-looking body, streamed chunk by chunk.

    The body is generated on the fly (never held in memory). With
    ``declare_length=False`` there is no Content-Length and the answer ends at
    connection close (HTTP/1.1 "read until close"), so only the client's own cap
    can stop it. ``stats.sent`` tells how much the client let through.
    """
    stats = stats if stats is not None else StreamStats()
    block = b'{"status": "success", "app_name": "' + b"A" * chunk

    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        head += f"Content-Length: {total}\r\n" if declare_length else "Connection: close\r\n"
        conn.sendall(head.encode() + b"\r\n")
        sent = 0  # per request: the responder may serve many
        while sent < total and not server.stopping.is_set():
            piece = block[: min(chunk, total - sent)]
            try:
                conn.sendall(piece)
            except OSError:
                return
            sent += len(piece)
            stats.sent += len(piece)
        stats.finished = True
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)

    return respond


def accept_silently() -> Callable[[socket.socket], None]:
    """A ``handshake`` hook: accept the TCP connection, never read, never answer."""

    def hook(conn: socket.socket) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.1)
            try:
                conn.getpeername()
            except OSError:
                return

    return hook


def close_during_handshake() -> Callable[[socket.socket], None]:
    """A ``handshake`` hook: read the TLS ClientHello, then hang up mid-handshake."""

    def hook(conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.recv(100)
        _rst_close(conn)

    return hook


def recorded_heads(server: ScriptedServer) -> list[bytes]:
    """The raw request heads (request line + headers) that reached ``server``."""
    return [r.raw_head for r in server.requests]


def eof_during_handshake() -> Callable[[socket.socket], None]:
    """A ``handshake`` hook: read the TLS ClientHello, then close cleanly (FIN, no reset)."""

    def hook(conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.recv(100)
            conn.shutdown(socket.SHUT_RDWR)

    return hook


def plain_http_to_tls() -> Callable[[socket.socket], None]:
    """A ``handshake`` hook: a plain-HTTP server receiving a TLS ClientHello answers 400."""

    def hook(conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.recv(4096)
            conn.sendall(http_response(400, "Bad Request: this port speaks plain HTTP"))
            conn.shutdown(socket.SHUT_RDWR)

    return hook


def hang_until_client_leaves() -> Responder:
    """Read the request, never answer, and let go as soon as the client hangs up.

    Unlike :func:`hang`, the server's thread and socket do not outlive the
    client's interest, so a long run can count the client's resources alone.
    """

    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        while not server.stopping.is_set():
            ready, _, _ = select.select([conn], [], [], 0.1)
            if ready:
                try:
                    if not conn.recv(1024):
                        raise OSError("client closed")
                except OSError:
                    raise OSError("client left") from None

    return respond


@contextlib.contextmanager
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections, held for the block's duration.

    Bound but not listening: a connection gets "refused" at once, and no other
    server can take the port meanwhile. (A port bound and closed again could be
    given to the next test server that asks for a free one; a run once reached
    an authenticating proxy there and got a 407 instead of "refused".)
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])
