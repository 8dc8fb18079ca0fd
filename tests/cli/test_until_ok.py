"""``moecheck check --until-ok DURATION [--every SECONDS]``: keep checking until the key works.

Real loopback servers (tests/servers.py ScriptedServer) whose answer depends on
how many requests came before: rejected N times, then accepted. Assertions are
about counts and order, never durations; ``--every 1`` keeps the tests short.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from moecheck_gui.cli.until_ok import duration_value, every_value
from tests import servers
from tests.cli.conftest import CANARY, Moecheck, assert_contract_fields
from tests.platform_support import needs_ctrl_c

WS = "UNTILWS"
REJECTED = {
    "status": "fail",
    "error": {"message": "App Secret key mismatch", "type": "Unauthorized", "request_id": "r-1"},
}


def sequence(*answers: servers.Responder) -> servers.Responder:
    """Answer the nth request with ``answers[n]`` (the last one from then on)."""
    count = 0
    lock = threading.Lock()

    def respond(
        conn: socket.socket, request: servers.Request, server: servers.ScriptedServer
    ) -> None:
        nonlocal count
        with lock:
            n, count = count, count + 1
        answers[min(n, len(answers) - 1)](conn, request, server)

    return respond


REJECT = servers.reply(401, REJECTED)
ACCEPT = servers.success("Until Co")


Serve = Callable[..., servers.ScriptedServer]


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[Serve]:
    started: list[servers.ScriptedServer] = []

    def start(*answers: servers.Responder) -> servers.ScriptedServer:
        server = servers.ScriptedServer(sequence(*answers))
        started.append(server)
        monkeypatch.setenv("MOECHECK_API_BASE", server.url() + "/dc-{dc}")
        return server

    yield start
    for server in started:
        server.close()


CHECK = ("check", "--workspace-id", WS, "--dc", "01")


def test_rejected_twice_then_accepted_ends_at_the_first_success(
    moecheck: Moecheck, serve: Serve
) -> None:
    server = serve(REJECT, REJECT, ACCEPT)
    r = moecheck(*CHECK, "--until-ok", "60", "--every", "1", "--json", key=CANARY)
    data = r.json()
    assert r.rc == 0
    assert (data["ok"], data["app_name"], data["tries"]) == (True, "Until Co", 3)
    assert_contract_fields(data)
    assert len(server.requests) == 3
    tries = [line for line in r.err.splitlines() if " try " in line]
    assert [t.split(" try ", 1)[1] for t in tries] == [
        "1: key rejected (HTTP 401); next try in 1 s",
        "2: key rejected (HTTP 401); next try in 1 s",
        "3: works (HTTP 200): it works",
    ]


def test_human_output_has_one_line_per_try_then_the_answer(
    moecheck: Moecheck, serve: Serve
) -> None:
    serve(REJECT, ACCEPT)
    r = moecheck(*CHECK, "--until-ok", "1m", "--every", "1", key=CANARY)
    lines = r.out.splitlines()
    assert r.rc == 0
    assert " try 1: key rejected" in lines[0] and "next try in 1 s" in lines[0]
    assert " try 2: works" in lines[1]
    assert lines[0][:8].count(":") == 2  # the local time, HH:MM:SS
    assert 'Connected to "Until Co"' in lines[2]


def test_retry_after_makes_the_next_try_wait_longer(moecheck: Moecheck, serve: Serve) -> None:
    limited = servers.reply(429, {"status": "fail"}, {"Retry-After": "2"})
    server = serve(limited, ACCEPT)
    r = moecheck(*CHECK, "--until-ok", "60", "--every", "1", key=CANARY)
    assert r.rc == 0
    assert "try 1: rate limited (HTTP 429); next try in 2 s (MoEngage asked to wait)" in r.out
    assert len(server.requests) == 2


def test_an_outcome_that_waiting_cannot_change_stops_at_once(
    moecheck: Moecheck, serve: Serve
) -> None:
    blocked = servers.reply(403, {"status": "fail", "error": {"message": "Blocked"}})
    server = serve(blocked, ACCEPT)
    r = moecheck(*CHECK, "--until-ok", "60", "--every", "1", "--json", key=CANARY)
    assert r.rc == 1
    assert (r.json()["kind"], r.json()["tries"]) == ("forbidden", 1)
    assert "will not change by waiting" in r.err
    assert len(server.requests) == 1


def test_when_the_duration_has_passed_the_last_outcome_decides(
    moecheck: Moecheck, serve: Serve
) -> None:
    server = serve(REJECT)
    r = moecheck(*CHECK, "--until-ok", "1s", "--every", "1", "--json", key=CANARY)
    data = r.json()
    assert r.rc == 1
    assert (data["kind"], data["tries"]) == ("auth", len(server.requests))
    assert "stopping: 1 s passed" in r.err


def test_without_until_ok_there_is_no_tries_field(moecheck: Moecheck, serve: Serve) -> None:
    serve(ACCEPT)
    r = moecheck(*CHECK, "--json", key=CANARY)
    assert r.rc == 0 and "tries" not in r.json()


@pytest.mark.parametrize(
    "args",
    [
        ["--every", "5"],  # --every alone
        ["--until-ok", "10m", "--every", "0.5"],
        ["--until-ok", "soon"],
        ["--until-ok", "0"],
        ["--until-ok", "2d"],
    ],
)
def test_bad_until_ok_options_are_usage_errors_and_nothing_is_sent(
    moecheck: Moecheck, serve: Serve, args: list[str]
) -> None:
    server = serve(ACCEPT)
    r = moecheck(*CHECK, *args, key=CANARY)
    assert r.rc == 2
    assert server.requests == []


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("90s", 90.0), ("10m", 600.0), ("1h", 3600.0), ("2.5m", 150.0)],
)
def test_durations(text: str, seconds: float) -> None:
    assert duration_value(text) == seconds


def test_every_is_at_least_one_second() -> None:
    assert every_value("1") == 1.0
    with pytest.raises(argparse.ArgumentTypeError):
        every_value("0.9")


WAIT_A_MINUTE = ("--until-ok", "10m", "--every", "60")


@needs_ctrl_c
def test_ctrl_c_between_tries_exits_130_with_the_tries_so_far(serve: Serve, home: object) -> None:
    server = serve(REJECT)
    env = dict(os.environ, MOECHECK_API_KEY=CANARY)
    proc = subprocess.Popen(
        [sys.executable, "-m", "moecheck_gui.cli", *CHECK, "--json", *WAIT_A_MINUTE],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # the first try's line: now it waits 60 s
        assert "try 1: key rejected" in line
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "Interrupted." in err and "Traceback" not in err
    data = json.loads(out)
    assert (data["kind"], data["tries"]) == ("cancelled", 1)
    assert len(server.requests) == 1
    assert CANARY not in out + err
