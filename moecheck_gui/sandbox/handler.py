"""One connection to the sandbox: TLS, reading the request, answering it (or not).

Why a module of its own: the plumbing (TLS in the connection's thread, stop()
waking blocked readers, a TCP reset on purpose, a trickle) is what keeps the
sandbox stoppable while a client hangs, and it is easier to trust read alone.
What to answer lives in :mod:`.answers`; the wire format in :mod:`.wire`.
"""

from __future__ import annotations

import json
import logging
import select
import socket
import ssl
import struct
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from moecheck_gui.sandbox import answers
from moecheck_gui.sandbox.modes import PRE_VALIDATION_MODES, number
from moecheck_gui.sandbox.wire import (
    MAX_BODY,
    ROUTE,
    Problem,
    RecordedRequest,
    fail,
    new_request_id,
    validate,
)
from moecheck_gui.sandbox.workspaces import DC_CODES

if TYPE_CHECKING:
    from moecheck_gui.sandbox.server import Sandbox

_logger = logging.getLogger("moecheck_gui.sandbox")

READ_TIMEOUT = 30.0
"""Seconds a client may take to send its request; stop() wakes waiting readers anyway."""


class Stopped(Exception):
    """Raised inside a handler when the sandbox is stopping: drop the connection."""


class SandboxServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its Sandbox and stays quiet about client errors."""

    daemon_threads = True
    allow_reuse_address = True
    sandbox: Sandbox

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log to DEBUG instead of printing a traceback to stderr: clients misbehave on purpose."""
        _logger.debug("sandbox: error while serving %s", client_address, exc_info=True)


class Handler(BaseHTTPRequestHandler):
    """Answers one connection: validates like MoEngage, then obeys the current mode."""

    server: SandboxServer
    protocol_version = "HTTP/1.1"
    server_version = "MoeCheckSandbox/1.0"
    timeout = READ_TIMEOUT
    server_header: str | None = None
    """A ``Server`` header to send instead of the sandbox's own (a web filter's page)."""
    _conn: socket.socket | None = None
    _raw_conn: socket.socket | None = None

    # -- connection plumbing ---------------------------------------------------

    def version_string(self) -> str:
        """The Server header: says plainly this is the sandbox, unless a scenario imitates one."""
        return self.server_header or self.server_version

    def setup(self) -> None:
        """Wrap TLS here (in the connection's thread) so a stalled handshake blocks no one."""
        sandbox = self.server.sandbox
        conn: socket.socket = self.request
        sandbox._track(conn)
        self._conn = self._raw_conn = conn
        if sandbox._stall_handshake:
            sandbox._note("TLS handshake stalled on purpose")
            self._hold(conn)
            sandbox._untrack(conn)
            raise Stopped("handshake stalled on purpose")
        if sandbox._ssl_context is not None:
            conn.settimeout(10.0)
            try:
                tls_conn = sandbox._ssl_context.wrap_socket(conn, server_side=True)
            except (OSError, ValueError):
                sandbox._untrack(conn)
                sandbox._note("TLS handshake failed")
                raise
            sandbox._untrack(conn)
            sandbox._track(tls_conn)
            self._conn = tls_conn
            self.request = tls_conn
            self.connection = tls_conn
        super().setup()

    def finish(self) -> None:
        """Flush and close, ignoring errors: the peer or stop() may have closed already."""
        try:
            super().finish()
        except (OSError, ValueError):
            pass
        conn = self._conn
        if conn is not None:
            self.server.sandbox._untrack(conn)
            if conn is not self._raw_conn:
                # The server closes only the raw socket it accepted, which the
                # TLS wrapper detached from; the wrapper is ours to close.
                try:
                    conn.close()
                except OSError:
                    pass

    def handle(self) -> None:
        """Serve requests on this connection until it closes or the sandbox stops."""
        try:
            super().handle()
        except (Stopped, OSError, ValueError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep stderr quiet; the request line holds no secret, so DEBUG may have it."""
        _logger.debug("sandbox: " + format, *args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Silenced: :meth:`_dispatch` logs one line per request itself."""

    # -- methods ---------------------------------------------------------------

    def do_POST(self) -> None:
        """The endpoint's one method."""
        self._dispatch()

    def do_GET(self) -> None:
        """Answered with 405 on the endpoint, 404 elsewhere."""
        self._dispatch()

    do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    # -- request handling ------------------------------------------------------

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        request_id = new_request_id()
        path = urlsplit(self.path).path
        match = ROUTE.fullmatch(path)
        dc = match.group(1) if match and match.group(1) in DC_CODES else None
        body, body_problem = self._read_body()
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        sandbox._record(RecordedRequest(self.command, self.path, headers, body, dc))
        mode, params = sandbox._mode_snapshot()

        if mode in PRE_VALIDATION_MODES:
            if mode == "hang":
                sandbox._note(f"{self.command} {path} -> hang")
                self.hang()
                return
            if mode == "reset":
                sandbox._note(f"{self.command} {path} -> reset")
                self.reset()
                return
            self.wait(number(params, "delay", 3.0))  # slow

        try:
            if match is None or dc is None:
                raise Problem(404, "Not Found", "Not Found")
            if self.command != "POST":
                raise Problem(405, "Method Not Allowed: use POST", "Method Not Allowed")
            if body_problem is not None:
                raise body_problem
            workspace_id, api_key = validate(self.headers, dc, body)
        except Problem as problem:
            extra = {"Allow": "POST"} if problem.status == 405 else {}
            if problem.status == 401:
                extra["WWW-Authenticate"] = 'Basic realm="MoEngage"'
            self.send_json(
                problem.status,
                fail(problem.message, problem.error_type, request_id),
                request_id,
                extra,
            )
            return
        answers.answer(self, workspace_id, api_key, dc, mode, params, request_id)

    def _read_body(self) -> tuple[bytes, Problem | None]:
        """Read the body within MAX_BODY; a problem with it is reported after mode checks."""
        length_text = self.headers.get("Content-Length")
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        if chunked and length_text is not None:
            self.close_connection = True
            return b"", Problem(400, "Send either Content-Length or chunked encoding, not both")
        if chunked:
            return self._read_chunked()
        if length_text is None:
            if self.command == "POST":
                self.close_connection = True
                return b"", Problem(411, "Content-Length header is required", "Length Required")
            return b"", None
        try:
            length = int(length_text.strip())
            if length < 0:
                raise ValueError(length_text)
        except ValueError:
            self.close_connection = True
            return b"", Problem(400, "Content-Length header is not a valid number")
        if length > MAX_BODY:
            self.close_connection = True
            if length <= 16 * MAX_BODY:
                # Drain it so the client reads our 413 rather than a reset.
                self._read_exact(length)
            return b"", Problem(
                413,
                f"Request body is {length} bytes; the limit is {MAX_BODY} bytes",
                "Payload Too Large",
            )
        return self._read_exact(length), None

    def _read_exact(self, length: int) -> bytes:
        data = self.rfile.read(length)
        if len(data) < length:
            raise Stopped("client closed before sending the whole body")
        return data

    def _read_chunked(self) -> tuple[bytes, Problem | None]:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise Stopped("client closed inside a chunked body")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                return b"", Problem(400, "Chunked request body is malformed")
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts), None
            total += size
            if total > MAX_BODY:
                self.close_connection = True
                return b"", Problem(
                    413,
                    f"Request body is larger than the limit of {MAX_BODY} bytes",
                    "Payload Too Large",
                )
            parts.append(self._read_exact(size))
            self.rfile.readline(1024)

    # -- sending ---------------------------------------------------------------

    def send_any(self, status: int, body: object, request_id: str, headers: dict[str, str]) -> None:
        """Send a mode's body: bytes/str as given, anything else as JSON."""
        lowered = {k.lower() for k in headers}
        if isinstance(body, bytes):
            payload, content_type = body, "application/octet-stream"
        elif isinstance(body, str):
            payload, content_type = body.encode(), "text/plain; charset=utf-8"
        else:
            payload, content_type = json.dumps(body).encode(), "application/json"
        if "content-type" in lowered:
            content_type = ""
        self.send(status, payload, content_type, request_id, headers)

    def send_json(
        self,
        status: int,
        data: object,
        request_id: str,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        """Send ``data`` as a JSON answer."""
        self.send(status, json.dumps(data).encode(), "application/json", request_id, extra)

    def send(
        self,
        status: int,
        payload: bytes,
        content_type: str,
        request_id: str,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        """Write one complete response; ``content_type`` "" means the extras carry it."""
        extra = dict(extra or {})
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if not any(k.lower() == "content-length" for k in extra):
            self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Request-Id", request_id)
        for name, value in extra.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()
        self.server.sandbox._note(
            f"{self.command} {urlsplit(self.path).path} -> {status} ({request_id})"
        )

    # -- misbehaviour ----------------------------------------------------------

    def wait(self, seconds: float) -> None:
        """Sleep, but end at once (dropping the connection) when the sandbox stops."""
        if self.server.sandbox._stopping.wait(max(0.0, seconds)):
            raise Stopped

    def hang(self) -> None:
        """Never answer; return when the client gives up or the sandbox stops."""
        self.close_connection = True
        conn = self.connection
        stopping = self.server.sandbox._stopping
        while not stopping.wait(0.1):
            if _peer_closed(conn):
                return

    def _hold(self, conn: socket.socket) -> None:
        """Keep a raw connection open, reading and dropping what arrives, until the peer or we stop.

        A stalled TLS handshake: the client's hello is read but never answered.
        """
        stopping = self.server.sandbox._stopping
        while not stopping.wait(0.1):
            try:
                readable, _, _ = select.select([conn], [], [], 0)
                if readable and not conn.recv(4096):
                    return
            except (OSError, ValueError):
                return

    def reset(self) -> None:
        """Close with SO_LINGER 0 so the client sees a TCP reset, not a clean close."""
        self.close_connection = True
        conn = self.connection
        try:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        if self._conn is not None:
            self.server.sandbox._untrack(self._conn)
        try:
            socket.socket.close(conn)
        except OSError:
            pass
        raise Stopped

    def trickle(self, interval: float, length: int, request_id: str) -> None:
        """Promise ``length`` bytes, then send one per ``interval`` until done or stopped.

        With the default 100000 bytes that is "forever"; a small ``length``
        (under the client's 64 KiB cap) exercises the client's overall deadline.
        """
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        self.send_header("X-Request-Id", request_id)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        self.server.sandbox._note(f"POST -> 200 trickle of {length} bytes ({request_id})")
        prefix = b'{"status":"success","app_name":"MoeCheck Demo (Trickle)","padding":"'
        for sent in range(length):
            self.wfile.write(prefix[sent : sent + 1] or b" ")
            self.wfile.flush()
            self.wait(interval)


def _peer_closed(conn: socket.socket) -> bool:
    """True when the client has closed its side (readable with nothing to read)."""
    try:
        readable, _, _ = select.select([conn], [], [], 0)
        if not readable:
            return False
        if isinstance(conn, ssl.SSLSocket):
            # Peek at the raw TLS records: EOF, or an alert record (0x15, e.g.
            # close_notify) - a client waiting for our answer sends nothing else.
            peeked = socket.socket.recv(conn, 1, socket.MSG_PEEK)
            return peeked in (b"", b"\x15")
        return conn.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True
