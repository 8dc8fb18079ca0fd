"""A loopback server for the soak test, run in its own process so only the window is measured.

The answer depends on the workspace ID (the ``MOE-APPKEY`` header), so one API
base serves every behaviour the soak mixes: ``OK…`` success, ``AUTH…`` 401,
``ERR…`` 503 with HTML, ``BOMB…`` a gzip bomb, ``RESET…`` a reset, ``BIG…`` a
60 MB body, ``HANG…`` no answer (cancelled or timed out by the client).
Prints its port on stdout, then serves until killed.
"""

from __future__ import annotations

import socket
import time

from tests import servers
from tests.reliability.cases import _gzip_bomb
from tests.servers import Request, ScriptedServer, reply

_BOMB = _gzip_bomb()
_ROUTES = {
    "OK": servers.success("Soak Co"),
    "AUTH": reply(401, {"status": "fail", "error": {"message": "App Secret key mismatch"}}),
    "ERR": reply(503, "<html><body>down</body></html>", {"Content-Type": "text/html"}),
    "BOMB": reply(200, _BOMB, {"Content-Encoding": "gzip"}),
    "RESET": servers.reset_now(),
    "BIG": servers.stream_body(60 * 1024 * 1024, declare_length=False),
    "HANG": servers.hang_until_client_leaves(),
}


def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
    workspace = request.header("MOE-APPKEY") or ""
    for prefix, responder in _ROUTES.items():
        if workspace.startswith(prefix):
            responder(conn, request, server)
            return
    conn.sendall(servers.http_response(404, "unknown soak route"))


def main() -> None:
    server = ScriptedServer(respond)
    print(server.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        server.close()


if __name__ == "__main__":
    main()
