"""A local stand-in for MoEngage's Test Connection endpoint, served on 127.0.0.1.

Why it exists: MoeCheck must be tried, demonstrated and tested without real
MoEngage credentials and without the internet. The sandbox speaks the documented
wire format (PRODUCT.md section 2) and checks it *strictly*, so a client bug
(a missing ``MOE-APPKEY``, ``region`` not matching the host, a wrong
Content-Type) shows up as a 400 that names the problem instead of passing
silently. It can also misbehave on demand (:meth:`Sandbox.set_mode`, and the
"scenario" demo workspaces) so every outcome kind can be produced on purpose:
slow, hanging, trickling, resetting, gzip-bomb, captive-portal, redirect...

Only the standard library is used: the module is imported by ``moecheck
sandbox`` and by tests, must start fast, and must not drag in ``requests`` or
Qt. Nothing here logs an API key or an ``Authorization`` value.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import logging
import re
import secrets
import select
import socket
import ssl
import struct
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "DC_CODES",
    "DEMO_WORKSPACES",
    "MAX_BODY",
    "MODES",
    "DemoWorkspace",
    "RecordedRequest",
    "Sandbox",
    "describe",
]

_logger = logging.getLogger(__name__)

DC_CODES: tuple[str, ...] = ("01", "02", "03", "04", "05", "06", "101")
"""The data centers the sandbox answers for (PRODUCT.md section 2)."""

ENDPOINT_PATH = "/v1/integrations/authentication"
MAX_BODY = 64 * 1024
"""Request bodies above this are refused with 413: a credentials check is tiny."""

_ROUTE = re.compile(r"/dc-([^/]+)" + re.escape(ENDPOINT_PATH))
_AUTH_MISMATCH = "App Secret key mismatch. Please login to the dashboard to verify key"
_READ_TIMEOUT = 30.0
"""Seconds a client may take to send its request; stop() wakes waiting readers anyway."""


@dataclass(frozen=True)
class DemoWorkspace:
    """A public demo credential pair the sandbox accepts (or misbehaves for).

    ``note`` says in plain words what trying it demonstrates; ``describe()``
    prints it so a user can explore every outcome from the CLI or window.
    """

    workspace_id: str
    api_key: str
    dc: str
    app_name: str
    note: str


DEMO_WORKSPACES: tuple[DemoWorkspace, ...] = (
    DemoWorkspace("DEMO_US", "demo-key-us-0001", "01", "MoeCheck Demo (US)", "works on DC 01"),
    DemoWorkspace("DEMO_EU", "demo-key-eu-0001", "02", "MoeCheck Demo (EU)", "works on DC 02"),
    DemoWorkspace("DEMO_IN", "demo-key-in-0001", "03", "MoeCheck Demo (India)", "works on DC 03"),
    DemoWorkspace(
        "DEMO_101", "demo-key-101-0001", "101", "MoeCheck Demo (DC-101)", "works on DC 101"
    ),
    DemoWorkspace(
        "DEMO_SUSPENDED",
        "demo-key-suspended-0001",
        "01",
        "MoeCheck Demo (Suspended)",
        "403 account suspended (any DC, any key)",
    ),
    DemoWorkspace(
        "DEMO_BLOCKED",
        "demo-key-blocked-0001",
        "01",
        "MoeCheck Demo (Blocked)",
        "403 blocked client (any DC, any key)",
    ),
    DemoWorkspace(
        "DEMO_RATELIMIT",
        "demo-key-ratelimit-0001",
        "01",
        "MoeCheck Demo (Rate limited)",
        "429 too many requests, Retry-After: 30 (any DC, any key)",
    ),
    DemoWorkspace(
        "DEMO_DOWN",
        "demo-key-down-0001",
        "01",
        "MoeCheck Demo (Down)",
        "503 with an HTML error page (any DC, any key)",
    ),
    DemoWorkspace(
        "DEMO_SLOW",
        "demo-key-slow-0001",
        "01",
        "MoeCheck Demo (Slow)",
        "answers after 3 s, then works on DC 01",
    ),
    DemoWorkspace(
        "DEMO_CAPTIVE",
        "demo-key-captive-0001",
        "01",
        "MoeCheck Demo (Captive portal)",
        "200 with an HTML Wi-Fi login page (any DC, any key)",
    ),
)

_SCENARIO_IDS = frozenset(
    {"DEMO_SUSPENDED", "DEMO_BLOCKED", "DEMO_RATELIMIT", "DEMO_DOWN", "DEMO_CAPTIVE"}
)
"""Scenario workspaces answered by their scenario whatever the key or DC (DEMO_SLOW only waits)."""


@dataclass(frozen=True, repr=False)
class RecordedRequest:
    """One request exactly as it arrived, for tests that check the wire format.

    ``headers`` keeps the names as the client sent them; ``dc`` is the DC taken
    from the path, or None when the path was not the endpoint. The repr shows
    header names and the body size only, because ``Authorization`` and the
    body carry the key.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    dc: str | None

    def __repr__(self) -> str:
        names = ", ".join(self.headers)
        return (
            f"RecordedRequest(method={self.method!r}, path={self.path!r}, dc={self.dc!r}, "
            f"headers=[{names}], body=<{len(self.body)} bytes>)"
        )

    def header(self, name: str) -> str | None:
        """The value of header ``name`` compared case-insensitively, or None."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not valid JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


# Modes -----------------------------------------------------------------------

MODES: dict[str, frozenset[str]] = {
    "normal": frozenset(),
    "status": frozenset({"status", "body", "headers"}),
    "unauthorized": frozenset(),
    "forbidden": frozenset({"error_type", "message"}),
    "rate_limited": frozenset({"retry_after"}),
    "server_error": frozenset({"status", "html"}),
    "slow": frozenset({"delay"}),
    "hang": frozenset(),
    "html": frozenset(),
    "redirect": frozenset({"status", "location"}),
    "not_found": frozenset(),
    "trickle": frozenset({"interval", "length"}),
    "large": frozenset({"size", "gzip"}),
    "reset": frozenset(),
    "json": frozenset({"body", "status"}),
}
"""Every mode :meth:`Sandbox.set_mode` accepts, with the parameters it takes."""

_PRE_VALIDATION_MODES = frozenset({"hang", "reset", "slow"})
"""Modes that act on any request, even one that would get 400/404: they imitate the network."""

_CAPTIVE_HTML = (
    "<!DOCTYPE html>\n<html><head><title>Guest Wi-Fi - Sign in</title></head>\n"
    "<body><h1>Welcome to Guest Wi-Fi</h1>\n"
    "<p>Please accept the terms of use to continue to the internet.</p>\n"
    '<form method="post" action="/login"><input type="text" name="room">'
    '<button type="submit">Connect</button></form>\n</body></html>\n'
)
_DOWN_HTML = (
    "<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>\n"
    "<body><center><h1>503 Service Temporarily Unavailable</h1></center>\n"
    "<hr><center>nginx</center></body></html>\n"
)
_SERVER_ERROR_HTML = (
    "<!DOCTYPE html>\n<html><head><title>Internal Server Error</title></head>\n"
    "<body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p>"
    "</body></html>\n"
)


def _new_request_id() -> str:
    """A fresh, non-secret request id like MoEngage's, marked as the sandbox's own."""
    return "sbx-" + secrets.token_hex(8)


def _fail(message: str, error_type: str, request_id: str) -> dict[str, Any]:
    """MoEngage's failure envelope (PRODUCT.md section 2)."""
    return {
        "status": "fail",
        "error": {"message": message, "type": error_type, "request_id": request_id},
    }


@lru_cache(maxsize=8)
def _large_body(size: int, compress: bool) -> bytes:
    """A success-looking JSON document of ``size`` bytes, gzip-compressed if asked.

    Padding is zeros so that the gzip variant is a compression bomb: about
    10 KB on the wire for 10 MB decoded. Cached because building it is the
    slow part and tests ask for the same sizes repeatedly.
    """
    head = b'{"status":"success","app_name":"MoeCheck Demo (Large)","padding":"'
    tail = b'"}'
    padding = max(0, size - len(head) - len(tail))
    body = head + b"0" * padding + tail
    if compress:
        return gzip.compress(body, compresslevel=9, mtime=0)
    return body


class _Stopped(Exception):
    """Raised inside a handler when the sandbox is stopping: drop the connection."""


class _Problem(Exception):
    """A request that breaks the documented wire format: answered with a fail envelope."""

    def __init__(self, status: int, message: str, error_type: str = "Bad Request") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its Sandbox and stays quiet about client errors."""

    daemon_threads = True
    allow_reuse_address = True
    sandbox: Sandbox

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log to DEBUG instead of printing a traceback to stderr: clients misbehave on purpose."""
        _logger.debug("sandbox: error while serving %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    """Answers one connection: validates like MoEngage, then obeys the current mode."""

    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "MoeCheckSandbox/1.0"
    timeout = _READ_TIMEOUT
    _conn: socket.socket | None = None
    _raw_conn: socket.socket | None = None

    # -- connection plumbing ---------------------------------------------------

    def version_string(self) -> str:
        """The Server header: says plainly this is the sandbox, not MoEngage."""
        return self.server_version

    def setup(self) -> None:
        """Wrap TLS here (in the connection's thread) so a stalled handshake blocks no one."""
        sandbox = self.server.sandbox
        conn: socket.socket = self.request
        sandbox._track(conn)
        self._conn = self._raw_conn = conn
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
        except (_Stopped, OSError, ValueError):
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
        request_id = _new_request_id()
        path = urlsplit(self.path).path
        match = _ROUTE.fullmatch(path)
        dc = match.group(1) if match and match.group(1) in DC_CODES else None
        body, body_problem = self._read_body()
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        sandbox._record(RecordedRequest(self.command, self.path, headers, body, dc))
        mode, params = sandbox._mode_snapshot()

        if mode == "hang":
            sandbox._note(f"{self.command} {path} -> hang")
            self._hang()
            return
        if mode == "reset":
            sandbox._note(f"{self.command} {path} -> reset")
            self._reset()
            return
        if mode == "slow":
            self._wait(_number(params, "delay", 3.0))

        try:
            if match is None or dc is None:
                raise _Problem(404, "Not Found", "Not Found")
            if self.command != "POST":
                raise _Problem(405, "Method Not Allowed: use POST", "Method Not Allowed")
            if body_problem is not None:
                raise body_problem
            workspace_id, api_key = self._validate(dc, body)
        except _Problem as problem:
            extra = {"Allow": "POST"} if problem.status == 405 else {}
            if problem.status == 401:
                extra["WWW-Authenticate"] = 'Basic realm="MoEngage"'
            self._send_json(
                problem.status,
                _fail(problem.message, problem.error_type, request_id),
                request_id,
                extra,
            )
            return

        if workspace_id in _SCENARIO_IDS:
            self._scenario(workspace_id, request_id)
            return
        if workspace_id == "DEMO_SLOW":
            self._wait(sandbox.slow_scenario_delay)
        if mode not in ("normal", "slow"):
            self._mode_response(mode, params, request_id)
            return
        app_name = sandbox._authenticate(workspace_id, api_key, dc)
        if app_name is None:
            self._send_json(
                401, _fail(_AUTH_MISMATCH, "Authentication Failed", request_id), request_id
            )
        else:
            self._send_json(200, {"status": "success", "app_name": app_name}, request_id)

    def _read_body(self) -> tuple[bytes, _Problem | None]:
        """Read the body within MAX_BODY; a problem with it is reported after mode checks."""
        length_text = self.headers.get("Content-Length")
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        if chunked and length_text is not None:
            self.close_connection = True
            return b"", _Problem(400, "Send either Content-Length or chunked encoding, not both")
        if chunked:
            return self._read_chunked()
        if length_text is None:
            if self.command == "POST":
                self.close_connection = True
                return b"", _Problem(411, "Content-Length header is required", "Length Required")
            return b"", None
        try:
            length = int(length_text.strip())
            if length < 0:
                raise ValueError(length_text)
        except ValueError:
            self.close_connection = True
            return b"", _Problem(400, "Content-Length header is not a valid number")
        if length > MAX_BODY:
            self.close_connection = True
            if length <= 16 * MAX_BODY:
                # Drain it so the client reads our 413 rather than a reset.
                self._read_exact(length)
            return b"", _Problem(
                413,
                f"Request body is {length} bytes; the limit is {MAX_BODY} bytes",
                "Payload Too Large",
            )
        return self._read_exact(length), None

    def _read_exact(self, length: int) -> bytes:
        data = self.rfile.read(length)
        if len(data) < length:
            raise _Stopped("client closed before sending the whole body")
        return data

    def _read_chunked(self) -> tuple[bytes, _Problem | None]:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise _Stopped("client closed inside a chunked body")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                return b"", _Problem(400, "Chunked request body is malformed")
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts), None
            total += size
            if total > MAX_BODY:
                self.close_connection = True
                return b"", _Problem(
                    413,
                    f"Request body is larger than the limit of {MAX_BODY} bytes",
                    "Payload Too Large",
                )
            parts.append(self._read_exact(size))
            self.rfile.readline(1024)

    def _validate(self, dc: str, body: bytes) -> tuple[str, str]:
        """Check the documented wire format strictly; return (workspace_id, api_key).

        Messages name the problem but never echo a key or the Authorization value.
        """
        content_type = self.headers.get("Content-Type")
        if content_type is None:
            raise _Problem(400, "Content-Type header is missing; it must be application/json")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            shown = media_type[:60] or "empty"
            raise _Problem(400, f"Content-Type must be application/json, not '{shown}'")

        auth = self.headers.get("Authorization")
        if auth is None:
            raise _Problem(401, "Authentication Header Required", "Authentication Failed")
        scheme, _, token = auth.strip().partition(" ")
        if scheme.lower() != "basic" or not token.strip():
            raise _Problem(
                400,
                "Authorization header must be 'Basic ' followed by base64(workspace_id:api_key)",
            )
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise _Problem(400, "Authorization header is not valid base64 of UTF-8 text") from None
        auth_user, colon, auth_password = decoded.partition(":")
        if not colon:
            raise _Problem(
                400,
                "Authorization header must encode workspace_id:api_key with a colon between them",
            )

        appkey = self.headers.get("MOE-APPKEY")
        if appkey is None:
            raise _Problem(400, "MOE-APPKEY header is missing; it must carry the workspace ID")

        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise _Problem(400, "Request body is not valid UTF-8") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            # json's messages give a position, never the text itself.
            raise _Problem(400, f"Request body is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise _Problem(400, f"Request body must be a JSON object, not {_json_type(data)}")
        for field in ("app_id", "app_secret", "source", "region"):
            if field not in data:
                raise _Problem(400, f"Field '{field}' is missing from the request body")
            if not isinstance(data[field], str):
                raise _Problem(
                    400,
                    f"Field '{field}' must be a string, not {_json_type(data[field])}",
                )
        if not data["source"].strip():
            raise _Problem(400, "Field 'source' must not be empty")
        region = data["region"]
        if region != dc:
            raise _Problem(
                400,
                f"region '{region[:20]}' does not match the data center of this endpoint ({dc})",
            )
        if appkey != data["app_id"]:
            raise _Problem(400, "MOE-APPKEY header does not match app_id in the request body")
        if auth_user != data["app_id"]:
            raise _Problem(
                400,
                "Authorization username (workspace ID) does not match app_id in the request body",
            )
        if not secrets.compare_digest(auth_password.encode(), data["app_secret"].encode()):
            raise _Problem(
                400,
                "Authorization password (API key) does not match app_secret in the request body",
            )
        return data["app_id"], data["app_secret"]

    # -- answers ---------------------------------------------------------------

    def _scenario(self, workspace_id: str, request_id: str) -> None:
        if workspace_id == "DEMO_SUSPENDED":
            self._send_json(
                403,
                _fail(
                    "Your account has been suspended. Please contact your MoEngage "
                    "account manager.",
                    "Account Suspended",
                    request_id,
                ),
                request_id,
            )
        elif workspace_id == "DEMO_BLOCKED":
            self._send_json(
                403,
                _fail(
                    "This client has been blocked from accessing the API.",
                    "Blocked Client",
                    request_id,
                ),
                request_id,
            )
        elif workspace_id == "DEMO_RATELIMIT":
            self._send_json(
                429,
                _fail("Rate limit exceeded", "Rate Limit Exceeded", request_id),
                request_id,
                {"Retry-After": "30"},
            )
        elif workspace_id == "DEMO_DOWN":
            self._send(503, _DOWN_HTML.encode(), "text/html", request_id)
        else:  # DEMO_CAPTIVE
            self._send(200, _CAPTIVE_HTML.encode(), "text/html; charset=utf-8", request_id)

    def _mode_response(self, mode: str, params: Mapping[str, object], request_id: str) -> None:
        if mode == "status":
            status = int(_number(params, "status", 500))
            raw_headers = params.get("headers") or {}
            headers = (
                {str(k): str(v) for k, v in raw_headers.items()}
                if isinstance(raw_headers, Mapping)
                else {}
            )
            body = params.get("body")
            if body is None:
                reason = self.responses.get(status, ("Error",))[0]
                body = _fail(reason, reason, request_id)
            self._send_any(status, body, request_id, headers)
        elif mode == "unauthorized":
            self._send_json(
                401, _fail(_AUTH_MISMATCH, "Authentication Failed", request_id), request_id
            )
        elif mode == "forbidden":
            error_type = str(params.get("error_type", "Account Suspended"))
            message = str(
                params.get(
                    "message",
                    "Your account has been suspended. Please contact your MoEngage "
                    "account manager.",
                )
            )
            self._send_json(403, _fail(message, error_type, request_id), request_id)
        elif mode == "rate_limited":
            retry_after = params.get("retry_after", 30)
            extra = {} if retry_after is None else {"Retry-After": str(retry_after)}
            self._send_json(
                429,
                _fail("Rate limit exceeded", "Rate Limit Exceeded", request_id),
                request_id,
                extra,
            )
        elif mode == "server_error":
            status = int(_number(params, "status", 500))
            if params.get("html"):
                self._send(status, _SERVER_ERROR_HTML.encode(), "text/html", request_id)
            else:
                reason = self.responses.get(status, ("Server Error",))[0]
                self._send_json(
                    status,
                    _fail("Something went wrong. Please try again later.", reason, request_id),
                    request_id,
                )
        elif mode == "html":
            self._send(200, _CAPTIVE_HTML.encode(), "text/html; charset=utf-8", request_id)
        elif mode == "redirect":
            status = int(_number(params, "status", 302))
            location = str(params.get("location") or self.server.sandbox._origin() + "/login")
            self._send(
                status,
                b"<html><body>Redirecting to the login page</body></html>",
                "text/html",
                request_id,
                {"Location": location},
            )
        elif mode == "not_found":
            self._send_json(404, _fail("Not Found", "Not Found", request_id), request_id)
        elif mode == "trickle":
            self._trickle(
                _number(params, "interval", 0.5), int(_number(params, "length", 100000)), request_id
            )
        elif mode == "large":
            compress = bool(params.get("gzip", False))
            default_size = 10_000_000 if compress else 1_000_000
            size = int(_number(params, "size", default_size))
            extra = {"Content-Encoding": "gzip"} if compress else {}
            self._send(200, _large_body(size, compress), "application/json", request_id, extra)
        elif mode == "json":
            status = int(_number(params, "status", 200))
            self._send(
                status,
                json.dumps(params.get("body")).encode(),
                "application/json",
                request_id,
            )

    def _send_any(
        self, status: int, body: object, request_id: str, headers: dict[str, str]
    ) -> None:
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
        self._send(status, payload, content_type, request_id, headers)

    def _send_json(
        self,
        status: int,
        data: object,
        request_id: str,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", request_id, extra)

    def _send(
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

    def _wait(self, seconds: float) -> None:
        """Sleep, but end at once (dropping the connection) when the sandbox stops."""
        if self.server.sandbox._stopping.wait(max(0.0, seconds)):
            raise _Stopped

    def _hang(self) -> None:
        """Never answer; return when the client gives up or the sandbox stops."""
        self.close_connection = True
        conn = self.connection
        stopping = self.server.sandbox._stopping
        while not stopping.wait(0.1):
            if _peer_closed(conn):
                return

    def _reset(self) -> None:
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
        raise _Stopped

    def _trickle(self, interval: float, length: int, request_id: str) -> None:
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
            self._wait(interval)


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


def _number(params: Mapping[str, object], name: str, default: float) -> float:
    """A numeric mode parameter (set_mode has already checked its type)."""
    value = params.get(name, default)
    return float(value) if isinstance(value, int | float | str) else default


def _json_type(value: object) -> str:
    """JSON's name for a value's type, for error messages that never echo the value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class Sandbox:
    """MoEngage's Test Connection endpoint, locally, for demos and tests.

    Use as a context manager, or ``start()``/``stop()``. ``api_base`` is the
    value for ``MOECHECK_API_BASE``. ``stop()`` returns promptly even while a
    request is hanging or trickling: handlers wait on an Event, and in-flight
    client sockets are tracked and shut down.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, tls: tuple[str, str] | None = None
    ) -> None:
        self._host = host
        self._requested_port = port
        self._ssl_context: ssl.SSLContext | None = None
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls[0], tls[1])
            self._ssl_context = context
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: list[RecordedRequest] = []
        self._log: list[str] = []
        self._mode: tuple[str, dict[str, object]] = ("normal", {})
        self._workspaces: dict[str, DemoWorkspace] = {w.workspace_id: w for w in DEMO_WORKSPACES}
        self._added: set[str] = set()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._bound_port: int | None = None
        self.slow_scenario_delay: float = 3.0
        """Seconds DEMO_SLOW waits before answering (tests shorten it)."""

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind and serve in a background thread; returns self for chaining."""
        if self._server is not None or self._stopping.is_set():
            raise RuntimeError("A Sandbox can be started only once")
        server = _Server((self._host, self._requested_port), _Handler)
        server.sandbox = self
        self._server = server
        self._bound_port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"moecheck-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self._note(f"listening on {self._origin()}")
        return self

    def stop(self) -> None:
        """Stop serving and drop every open connection; safe to call twice."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            try:
                # Plain socket.shutdown, even for TLS sockets: it wakes a blocked
                # reader without touching the SSL object another thread is using.
                socket.socket.shutdown(conn, socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        self._note("stopped")

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port actually bound (useful with port=0); still known after stop()."""
        if self._bound_port is None:
            if self._requested_port:
                return self._requested_port
            raise RuntimeError("The sandbox is not running; call start() first")
        return self._bound_port

    def _origin(self) -> str:
        scheme = "https" if self._ssl_context is not None else "http"
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{scheme}://{host}:{self.port}"

    @property
    def api_base(self) -> str:
        """The ``MOECHECK_API_BASE`` template, e.g. ``http://127.0.0.1:PORT/dc-{dc}``."""
        return self._origin() + "/dc-{dc}"

    def url_for(self, dc: str) -> str:
        """The full endpoint URL for one DC."""
        return self.api_base.replace("{dc}", dc) + ENDPOINT_PATH

    # -- recording -------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    @property
    def log(self) -> list[str]:
        """One line per event (request line, status, request id); never a key."""
        with self._lock:
            return list(self._log)

    # -- behaviour -------------------------------------------------------------

    def set_mode(self, mode: str, **params: object) -> None:
        """Make all following requests misbehave (or ``"normal"`` again).

        Raises ValueError for an unknown mode or parameter, so a typo in a test
        fails loudly instead of silently testing the normal path.
        """
        if mode not in MODES:
            raise ValueError(f"Unknown sandbox mode {mode!r}; known: {', '.join(MODES)}")
        unknown = set(params) - MODES[mode]
        if unknown:
            allowed = ", ".join(sorted(MODES[mode])) or "none"
            raise ValueError(
                f"Mode {mode!r} does not take {', '.join(sorted(unknown))} (takes: {allowed})"
            )
        for name in ("status", "delay", "interval", "size", "length"):
            value = params.get(name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                raise ValueError(f"Mode {mode!r}: {name} must be a non-negative number")
        if mode == "large":
            # Build (and cache) the body now, so the first request is not slowed down.
            compress = bool(params.get("gzip", False))
            default_size = 10_000_000 if compress else 1_000_000
            _large_body(int(_number(params, "size", default_size)), compress)
        with self._lock:
            self._mode = (mode, dict(params))
        self._note(f"mode {mode}")

    def add_workspace(self, workspace_id: str, api_key: str, dc: str, app_name: str) -> None:
        """Accept another credential pair on one DC (replaces one with the same ID)."""
        if dc not in DC_CODES:
            raise ValueError(f"Unknown data center {dc!r}; known: {', '.join(DC_CODES)}")
        with self._lock:
            self._workspaces[workspace_id] = DemoWorkspace(
                workspace_id, api_key, dc, app_name, "added by add_workspace"
            )
            self._added.add(workspace_id)

    # -- internals used by the handler -----------------------------------------

    def _mode_snapshot(self) -> tuple[str, dict[str, object]]:
        with self._lock:
            return self._mode[0], dict(self._mode[1])

    def _authenticate(self, workspace_id: str, api_key: str, dc: str) -> str | None:
        with self._lock:
            workspace = self._workspaces.get(workspace_id)
        if workspace is None or workspace.dc != dc:
            return None
        if not secrets.compare_digest(workspace.api_key.encode(), api_key.encode()):
            return None
        return workspace.app_name

    def _added_workspaces(self) -> list[DemoWorkspace]:
        with self._lock:
            return [self._workspaces[w] for w in sorted(self._added)]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _note(self, line: str) -> None:
        with self._lock:
            self._log.append(line)
        _logger.debug("sandbox: %s", line)

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)
        if self._stopping.is_set():
            try:
                socket.socket.shutdown(conn, socket.SHUT_RDWR)
            except OSError:
                pass

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)


def describe(sandbox: Sandbox) -> str:
    """What ``moecheck sandbox`` prints: how to point MoeCheck at it, and the demo logins.

    Plain ASCII so it prints on any console. Keys of workspaces added with
    ``add_workspace`` are not shown: only the public demo keys are.
    """
    lines = [
        "MoeCheck sandbox: a local stand-in for MoEngage's Test Connection endpoint,",
        "running on this computer. It is not MoEngage; nothing is sent to MoEngage",
        "and the demo keys below are public, made-up values.",
        "",
        "Point MoeCheck at it (in the shell where you run moecheck or the app):",
        f"  export MOECHECK_API_BASE={sandbox.api_base}",
        f'  (Windows PowerShell: $env:MOECHECK_API_BASE = "{sandbox.api_base}")',
        "",
        "Demo workspaces:",
    ]
    rows = [("Workspace ID", "DC", "Data API key", "What it demonstrates")]
    rows += [(w.workspace_id, w.dc, w.api_key, w.note) for w in DEMO_WORKSPACES]
    rows += [(w.workspace_id, w.dc, "(not shown)", w.note) for w in sandbox._added_workspaces()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        lines.append("  " + "  ".join([*cells, row[3]]).rstrip())
    lines += [
        "",
        "Any other key gets 401 'App Secret key mismatch', as MoEngage answers;",
        "a workspace tried on another data center gets 401 too.",
    ]
    return "\n".join(lines)
