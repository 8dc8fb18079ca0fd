"""Real proxy-side servers for tests: a forward proxy and a PAC file server, on 127.0.0.1.

``ForwardProxy`` is a real HTTP proxy: CONNECT tunnels for https (bytes are
relayed untouched, so TLS is end to end between client and server) and
absolute-URI forwarding for plain http. It counts what passes through it and
can demand sign-in (Basic, Negotiate, NTLM), refuse (403) or fail (502).
``PacServer`` serves PAC files over http and counts the downloads.
Everything stops by itself when the test ends (use them as context managers).
"""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from tests.servers import Request, _read_request, http_response, pipe


@dataclass
class ProxyTraffic:
    """What reached a :class:`ForwardProxy`."""

    tunnels: list[str] = field(default_factory=list)
    """CONNECT targets (``host:port``) that were tunnelled."""
    forwarded: list[str] = field(default_factory=list)
    """Absolute URIs forwarded for plain http."""
    requests: list[Request] = field(default_factory=list)
    """Every request head the proxy read (tunnelled or not, refused or not)."""
    auth_headers: list[str | None] = field(default_factory=list)


class ForwardProxy:
    """A threaded forward proxy on loopback.

    ``mode``: ``"ok"`` relays; ``"refuse"`` answers 403; ``"bad_gateway"``
    answers 502; ``"basic"`` answers 407 with ``Proxy-Authenticate: Basic
    realm=...`` unless ``credentials`` (``user:password``) are sent;
    ``"negotiate"`` / ``"ntlm"`` always answer 407 asking for that scheme
    (MoeCheck does not sign in with them, so the test only sees the demand).
    """

    def __init__(
        self,
        mode: str = "ok",
        credentials: str | None = None,
        hosts: dict[str, str] | None = None,
    ) -> None:
        self.mode = mode
        self.credentials = credentials
        self.hosts = dict(hosts or {})
        """Name -> address the proxy connects to instead (its own "DNS"), e.g.
        ``{"api-01.moengage.com": "127.0.0.1"}``: clients keep using the real name."""
        self.traffic = ProxyTraffic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._clients: list[socket.socket] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> ForwardProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self._clients.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _refusal(self, request: Request) -> bytes | None:
        """The answer that stops this request at the proxy, or None to let it through."""
        if self.mode == "refuse":
            return http_response(403, "Forbidden by proxy policy", reason="Forbidden")
        if self.mode == "bad_gateway":
            return http_response(502, "Bad gateway", reason="Bad Gateway")
        if self.mode in ("negotiate", "ntlm"):
            scheme = "Negotiate" if self.mode == "negotiate" else "NTLM"
            return http_response(
                407,
                "Proxy sign-in required",
                {"Proxy-Authenticate": scheme},
                reason="Proxy Authentication Required",
            )
        if self.mode == "basic":
            expected = "Basic " + base64.b64encode((self.credentials or "").encode()).decode()
            if request.header("proxy-authorization") != expected:
                return http_response(
                    407,
                    "Proxy sign-in required",
                    {"Proxy-Authenticate": 'Basic realm="test-proxy"'},
                    reason="Proxy Authentication Required",
                )
        return None

    def _handle(self, conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
            if request is None:
                return
            with self._lock:
                self.traffic.requests.append(request)
                self.traffic.auth_headers.append(request.header("proxy-authorization"))
            refusal = self._refusal(request)
            if refusal is not None:
                conn.sendall(refusal)
                return
            if request.method == "CONNECT":
                self._tunnel(conn, request)
            else:
                self._forward(conn, request)
        except (OSError, ValueError):
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _tunnel(self, conn: socket.socket, request: Request) -> None:
        host, _, port = request.target.rpartition(":")
        try:
            address = self.hosts.get(host.strip("[]"), host.strip("[]"))
            upstream = socket.create_connection((address, int(port)), timeout=5)
        except (OSError, ValueError):
            conn.sendall(http_response(502, "upstream unreachable", reason="Bad Gateway"))
            return
        with self._lock:
            self.traffic.tunnels.append(request.target)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self._pipe(conn, upstream)

    def _forward(self, conn: socket.socket, request: Request) -> None:
        parts = urlsplit(request.target)
        if parts.scheme != "http" or not parts.hostname:
            conn.sendall(http_response(400, "absolute http:// URI expected"))
            return
        try:
            address = self.hosts.get(parts.hostname, parts.hostname)
            upstream = socket.create_connection((address, parts.port or 80), timeout=5)
        except OSError:
            conn.sendall(http_response(502, "upstream unreachable", reason="Bad Gateway"))
            return
        with self._lock:
            self.traffic.forwarded.append(request.target)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = [
            (k, v)
            for k, v in request.headers
            if k.lower() not in ("proxy-authorization", "proxy-connection", "connection")
        ]
        head = f"{request.method} {path} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers
        )
        head += "Connection: close\r\n\r\n"
        upstream.sendall(head.encode("latin-1") + request.body)
        self._pipe(conn, upstream)

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        pipe(a, b, self._stop)

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


PAC_CONTENT_TYPE = "application/x-ns-proxy-autoconfig"


class PacServer:
    """Serves PAC files over http: ``files`` maps a path (``/proxy.pac``) to bytes.

    ``downloads`` counts GETs per path. Paths not in ``files`` get 404. A path
    in ``streamed`` (path -> size) is served as that many bytes of padding with
    no Content-Length (read until close): for the "5 MB PAC" tests.
    """

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files: dict[str, bytes] = dict(files or {})
        self.streamed: dict[str, int] = {}
        """Paths served as ``size`` bytes with no Content-Length (read until close)."""
        self.downloads: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> PacServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = _read_request(conn)
                if request is None:
                    return
                path = urlsplit(request.target).path
                with self._lock:
                    self.downloads[path] = self.downloads.get(path, 0) + 1
                if path in self.streamed:
                    self._stream(conn, self.streamed[path])
                    return
                body = self.files.get(path)
                if body is None:
                    conn.sendall(http_response(404, "no such PAC", reason="Not Found"))
                    return
                conn.sendall(
                    http_response(
                        200, body, {"Content-Type": PAC_CONTENT_TYPE, "Connection": "close"}
                    )
                )
            except OSError:
                return

    def _stream(self, conn: socket.socket, size: int) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {PAC_CONTENT_TYPE}\r\nConnection: close\r\n\r\n"
        conn.sendall(head.encode())
        line = b"// padding padding padding padding padding padding padding padding\n"
        sent = 0
        while sent < size and not self._stop.is_set():
            conn.sendall(line)
            sent += len(line)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(2)


def pac_file(directory: Path, name: str, script: str) -> str:
    """Write a PAC script to ``directory/name``; returns its ``file://`` URL."""
    path = directory / name
    path.write_text(script, encoding="utf-8")
    return path.resolve().as_uri()


def pac_returning(answer: str) -> str:
    """A PAC script whose FindProxyForURL always answers ``answer``."""
    escaped = answer.replace("\\", "\\\\").replace('"', '\\"')
    return f'function FindProxyForURL(url, host) {{ return "{escaped}"; }}\n'
