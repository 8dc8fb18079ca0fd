"""Detection asks every data center at once and reports every attempt."""

from __future__ import annotations

import socket
import threading
import time

from moecheck_gui.cancel import CancelToken
from moecheck_gui.client import Checker
from moecheck_gui.datacenters import DC_CODES
from moecheck_gui.outcome import Kind
from tests.servers import Request, ScriptedServer, http_response, scripted

WS = "WSDETECT1"
KEY = "CANARY-KEY-detect"
REJECT = {"status": "fail", "error": {"message": "App Secret key mismatch", "request_id": "r"}}


def dc_of(request: Request) -> str:
    return request.target.split("/")[1].removeprefix("dc-")


def test_all_data_centers_are_asked_at_the_same_time() -> None:
    """Every DC's request must be in flight before any is answered.

    The server holds each request at a barrier for seven parties: a client that
    asked one DC after another would never fill it, and every check would fail.
    """
    barrier = threading.Barrier(len(DC_CODES), timeout=5)

    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        barrier.wait()
        if dc_of(request) == "04":
            conn.sendall(http_response(200, {"status": "success", "app_name": "Found on 04"}))
        else:
            conn.sendall(http_response(401, REJECT))

    with scripted(respond) as server:
        checker = Checker(api_base=server.url() + "/dc-{dc}")
        outcome = checker.detect(WS, KEY, timeout=10)
    assert outcome.ok
    assert outcome.dc == "04" and outcome.app_name == "Found on 04"
    assert outcome.attempts is not None
    assert set(outcome.attempts) == set(DC_CODES)
    assert outcome.attempts["04"].ok
    # The others answered 401 at the same moment; whether each was judged before
    # the winner cancelled it is a race, but none of them may claim success.
    others = {a.kind for dc, a in outcome.attempts.items() if dc != "04"}
    assert others <= {"auth", "cancelled"}
    assert sorted(dc_of(r) for r in server.requests) == sorted(DC_CODES)
    data = outcome.to_json()
    assert data["attempts"]["04"] == {
        "ok": True,
        "kind": None,
        "http_status": 200,
        "elapsed_ms": data["attempts"]["04"]["elapsed_ms"],
    }


def test_first_success_cancels_the_slow_rest() -> None:
    """A hanging DC must not hold up the answer once another DC accepted."""

    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        if dc_of(request) == "02":
            conn.sendall(http_response(200, {"status": "success", "app_name": "EU"}))
        else:
            server.stopping.wait(30)

    with scripted(respond) as server:
        started = time.monotonic()
        outcome = Checker(api_base=server.url() + "/dc-{dc}").detect(WS, KEY, timeout=20)
        took = time.monotonic() - started
    assert outcome.ok and outcome.dc == "02"
    assert took < 5, "the hanging data centers were waited for"
    assert outcome.attempts is not None
    assert outcome.attempts["05"].kind == Kind.CANCELLED


def test_rejected_everywhere_is_auth_without_suggesting_detection_again() -> None:
    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        conn.sendall(http_response(401, REJECT))

    with scripted(respond) as server:
        outcome = Checker(api_base=server.url() + "/dc-{dc}").detect(WS, KEY, timeout=10)
    assert outcome.kind == Kind.AUTH and outcome.exit_code == 1
    assert "No MoEngage data center accepted" in outcome.message
    assert "try all data centers" not in outcome.hint
    assert outcome.attempts is not None and len(outcome.attempts) == len(DC_CODES)


def test_blocked_on_one_dc_beats_rejected_elsewhere() -> None:
    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        if dc_of(request) == "03":
            body = {
                "status": "fail",
                "error": {"message": "Account Suspended", "type": "Account Suspended"},
            }
            conn.sendall(http_response(403, body))
        else:
            conn.sendall(http_response(401, REJECT))

    with scripted(respond) as server:
        outcome = Checker(api_base=server.url() + "/dc-{dc}").detect(WS, KEY, timeout=10)
    assert outcome.kind == Kind.FORBIDDEN
    assert outcome.dc == "03"


def test_invalid_input_sends_nothing() -> None:
    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        conn.sendall(http_response(401, REJECT))

    with scripted(respond) as server:
        outcome = Checker(api_base=server.url() + "/dc-{dc}").detect(WS, "bad key", timeout=10)
    assert outcome.kind == Kind.INVALID_INPUT and outcome.field == "api_key"
    assert server.connections == 0


def test_cancel_stops_detection() -> None:
    def respond(conn: socket.socket, request: Request, server: ScriptedServer) -> None:
        server.stopping.wait(30)

    token = CancelToken()
    with scripted(respond) as server:
        threading.Timer(0.3, token.cancel).start()
        started = time.monotonic()
        outcome = Checker(api_base=server.url() + "/dc-{dc}").detect(
            WS, KEY, timeout=20, cancel=token
        )
        took = time.monotonic() - started
    assert outcome.kind == Kind.CANCELLED
    assert took < 3
    assert outcome.attempts is not None and len(outcome.attempts) == len(DC_CODES)
