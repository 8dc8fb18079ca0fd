"""Check-all in a child process (moecheck_gui.batch.process), as the window runs it.

Real parts: a real child process (spawn) checks against the sandbox, a scripted
loopback server, or a Basic proxy on 127.0.0.1; the history is a real file; the
keychain test uses the real Secret Service (run under scripts/with-keyring).
The child's failure report is tested by calling its entry point in this process
with real pipes, because making a real child fail on purpose would need a fault
injected into shipped code.
"""

from __future__ import annotations

import base64
import logging
import multiprocessing
import os
import pickle
import signal
import ssl
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from moecheck_gui import i18n
from moecheck_gui.batch import BatchEvent, BatchResult, BatchRow, BatchRunner
from moecheck_gui.batch import child as batch_child
from moecheck_gui.batch.process import BatchProcess, BatchRecipe
from moecheck_gui.client import Checker
from moecheck_gui.history import HistoryStore
from moecheck_gui.outcome import Outcome
from moecheck_gui.sandbox import Sandbox
from tests import servers
from tests.proxy_servers import ForwardProxy

IN_KEYRING_SESSION = os.environ.get("MOECHECK_IN_KEYRING_SESSION") == "1"
EARLIER = "2024-11-12T10:02:00+00:00"


def _canary() -> str:
    return f"CANARY-{uuid.uuid4().hex}"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as box:
        yield box


class Events:
    """Collects events (called on the thread that iterates the run)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[BatchEvent] = []
        self.threads: set[str] = set()

    def __call__(self, event: BatchEvent) -> None:
        with self.lock:
            self.events.append(event)
            self.threads.update(
                t.name for t in threading.enumerate() if t.name.startswith("moecheck-batch-")
            )

    def kinds(self) -> list[str]:
        with self.lock:
            return [e.kind for e in self.events]


def _mixed_rows(sandbox: Sandbox, canary: str) -> list[BatchRow]:
    for n, dc in enumerate(["01", "02", "101"]):
        sandbox.add_workspace(f"GOOD{n}", f"good-key-{n:04d}", dc, f"Client {n}")
    sandbox.add_workspace("ROTATED", "the-new-key-0001", "02", "Rotated Ltd")
    return [
        BatchRow("GOOD0", "01", "Prod", api_key="good-key-0000", saved=True),
        BatchRow("GOOD1", "02", "EU", api_key="good-key-0001"),
        BatchRow("ROTATED", "02", "Old key", api_key=canary, saved=True),
        BatchRow("DEMO_SUSPENDED", "01", "Suspended", api_key="whatever-key-1"),
        BatchRow("GOOD2", "auto", "Detected", api_key="good-key-0002"),
        BatchRow(
            "BADDC", "", "Typo", line=7, problem="'07' is not a data center.", problem_field="dc"
        ),
    ]


def _shape(results: list[BatchResult]) -> list[tuple[object, ...]]:
    return [
        (
            r.index,
            r.label,
            r.row,
            r.outcome.kind,
            r.outcome.dc,
            r.outcome.app_name,
            r.outcome.message,
            r.outcome.hint,
            r.outcome.previously_worked_at,
        )
        for r in results
    ]


# --------------------------------------------------------------------------- a whole run


def test_same_verdicts_as_the_threaded_runner_from_another_process(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    canary = _canary()
    rows = _mixed_rows(sandbox, canary)
    ok = Outcome(ok=True, kind=None, dc="02", workspace_id="ROTATED", app_name="Rotated Ltd")
    here = HistoryStore(tmp_path / "here" / "history.json")
    there = HistoryStore(tmp_path / "there" / "history.json")
    for store in (here, there):
        store.record("ROTATED", ok, at=EARLIER)

    checker = Checker(api_base=sandbox.api_base)
    expected = BatchRunner(checker, history=here, timeout=10).run_all(rows)
    checker.close()
    events = Events()
    process = BatchProcess(
        BatchRecipe(api_base=sandbox.api_base, use_keychain=False, history_path=there.path),
        timeout=10,
        on_event=events,
    )
    got = process.run_all(rows)

    assert _shape(got) == _shape(expected)
    assert [r.outcome.ok for r in got] == [True, True, False, False, True, False]
    rotated = got[2].outcome
    assert rotated.kind == "auth" and rotated.previously_worked_at == EARLIER
    assert rotated.message.startswith("This key worked on")
    assert process.pid is not None and process.pid != os.getpid()
    # The checks ran there: no batch thread ever ran in this process.
    assert events.threads == set()
    assert events.kinds().count("checking") == 5  # every row but the one that was refused
    assert _no_child_left()
    # The child recorded the saved workspaces in the history file it was given.
    assert [e.ok for e in there.entries("ROTATED")] == [True, False]
    assert len(there.entries("GOOD0")) == 1 and there.entries("GOOD1") == []
    # The key rejected by the server (the canary) is in no result, event or history file.
    shown = pickle.dumps((got, events.events, process.notices)) + there.path.read_bytes()
    assert canary.encode() not in shown
    assert process.notices == []


def test_messages_are_in_the_language_it_is_given(sandbox: Sandbox) -> None:
    rows = [BatchRow("W1", "01", "Saved", saved=True)]  # no key anywhere: refused
    (result,) = BatchProcess(
        BatchRecipe(api_base=sandbox.api_base, use_keychain=False, language="es")
    ).run_all(rows)
    english = "No Data API key is saved in the keychain for this workspace."
    spanish = i18n.load("es").gettext(english)
    assert spanish != english
    assert result.outcome.kind == "invalid_input"
    assert spanish in result.outcome.message
    assert i18n.current_language() == "en"  # this process's language is untouched


def test_no_rows_start_no_process() -> None:
    process = BatchProcess(BatchRecipe(use_keychain=False))
    assert process.run_all([]) == []
    assert process.pid is None


def test_a_process_runs_once(sandbox: Sandbox) -> None:
    process = BatchProcess(BatchRecipe(api_base=sandbox.api_base, use_keychain=False))
    process.run_all([BatchRow("W1", "", problem="bad", problem_field="dc")])
    with pytest.raises(RuntimeError):
        list(process.run([]))


def test_the_recipe_never_shows_a_proxy_password() -> None:
    secret = _canary()
    recipe = BatchRecipe(proxy_credentials={"proxy:3128": ("user", secret)})
    assert secret not in repr(recipe) and secret not in str(recipe)


# --------------------------------------------------------------------------- rate limits


def test_a_429_pause_is_reported_from_the_child() -> None:
    lock = threading.Lock()
    answered: list[str] = []

    def respond(conn: object, request: servers.Request, server: servers.ScriptedServer) -> None:
        workspace = request.header("authorization") or ""
        with lock:
            first = not answered
            answered.append(workspace)
        if first:
            servers.reply(429, {"message": "slow down"}, {"Retry-After": "1"})(
                conn, request, server
            )
        else:
            servers.success("After The Pause")(conn, request, server)

    events = Events()
    rows = [BatchRow(f"R{n}", "01", api_key=f"rate-key-{n:04d}") for n in range(3)]
    with servers.scripted(respond) as server:
        results = BatchProcess(
            BatchRecipe(api_base=server.url() + "/dc-{dc}", use_keychain=False),
            concurrency=1,
            timeout=10,
            on_event=events,
        ).run_all(rows)
    assert [r.outcome.kind for r in results] == ["rate_limited", None, None]
    kinds = events.kinds()
    assert "paused" in kinds and "resumed" in kinds
    assert kinds.index("paused") < kinds.index("resumed")
    paused = next(e for e in events.events if e.kind == "paused")
    assert paused.dc == "01" and paused.wait_s == 1
    assert "DC-01" in paused.message and "1 s" in paused.message


# --------------------------------------------------------------------------- stopping


def _children() -> list[str]:
    return [p.name for p in multiprocessing.active_children() if p.name == "moecheck-check-all"]


def _no_child_left() -> bool:
    """True once every check-all child has exited (a clean finish reaps it in the background)."""
    import time

    deadline = time.monotonic() + 10
    while _children() and time.monotonic() < deadline:
        time.sleep(0.02)
    return _children() == []


def _hanging_rows(count: int) -> list[BatchRow]:
    return [BatchRow(f"H{n}", "01", api_key=f"hang-key-{n:04d}") for n in range(count)]


def _hanging_run(
    sandbox: Sandbox, count: int, *, checking: int
) -> tuple[BatchProcess, threading.Thread, list[BatchResult], Events]:
    """``count`` rows against a server that never answers, two at a time, run on a thread.

    Returns once ``checking`` of them have been sent (the process, the thread
    iterating it, the results it has collected so far, the events).
    """
    sandbox.set_mode("hang")
    events = Events()
    started = threading.Event()

    def on_event(event: BatchEvent) -> None:
        events(event)
        if events.kinds().count("checking") >= checking:
            started.set()

    process = BatchProcess(
        BatchRecipe(api_base=sandbox.api_base, use_keychain=False),
        concurrency=2,
        timeout=60,
        on_event=on_event,
    )
    results: list[BatchResult] = []
    rows = _hanging_rows(count)
    thread = threading.Thread(target=lambda: results.extend(process.run(rows)), daemon=True)
    thread.start()
    assert started.wait(30)
    return process, thread, results, events


def test_cancel_stops_the_child_and_marks_unchecked_rows(sandbox: Sandbox) -> None:
    process, thread, results, _events = _hanging_run(sandbox, 8, checking=2)
    process.cancel()
    thread.join(30)
    assert not thread.is_alive()
    assert sorted(r.index for r in results) == list(range(8))
    assert {r.outcome.kind for r in results} == {"cancelled"}
    assert sum(r.outcome.message.startswith("Not checked") for r in results) == 6
    assert len(sandbox.requests) <= 2
    assert process.notices == []  # a cancel is not a problem
    assert _no_child_left()


def test_cancel_before_the_child_has_started(sandbox: Sandbox) -> None:
    process = BatchProcess(BatchRecipe(api_base=sandbox.api_base, use_keychain=False))
    process.cancel()
    results = process.run_all(_hanging_rows(3))
    assert [r.index for r in results] == [0, 1, 2]
    assert {r.outcome.kind for r in results} == {"cancelled"}
    assert sandbox.requests == []
    assert process.pid is None  # no process was started for nothing


def test_closing_the_iteration_early_stops_the_child(sandbox: Sandbox) -> None:
    rows = [BatchRow("BAD", "", problem="bad", problem_field="dc"), *_hanging_rows(4)]
    sandbox.set_mode("hang")
    process = BatchProcess(
        BatchRecipe(api_base=sandbox.api_base, use_keychain=False), concurrency=2, timeout=60
    )
    stream = process.run(rows)
    first = next(stream)
    assert first.outcome.kind == "invalid_input"
    stream.close()
    assert _children() == []
    assert process.pid is not None
    if sys.platform != "win32":
        with pytest.raises(ProcessLookupError):
            os.kill(process.pid, 0)  # exited and reaped


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_child_that_dies_leaves_no_row_waiting(sandbox: Sandbox) -> None:
    process, thread, results, events = _hanging_run(sandbox, 5, checking=1)
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    thread.join(30)
    assert not thread.is_alive()
    assert sorted(r.index for r in results) == list(range(5))
    assert {r.outcome.kind for r in results} == {"cancelled"}
    (notice,) = process.notices
    assert notice.startswith("Checking stopped because of an unexpected problem")
    assert [e.message for e in events.events if e.kind == "notice"] == [notice]


def test_a_run_that_cannot_even_be_sent_still_answers_every_row(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whatever goes wrong on this side (here: a value that cannot cross the pipe)."""
    unpicklable: Any = {"proxy:3128": ("someone", threading.Lock())}
    process = BatchProcess(BatchRecipe(proxy_credentials=unpicklable, use_keychain=False))
    results = process.run_all(_hanging_rows(3))
    assert [r.index for r in results] == [0, 1, 2]
    assert {r.outcome.kind for r in results} == {"cancelled"}
    (notice,) = process.notices
    assert notice.startswith("Checking stopped because of an unexpected problem")
    assert "could not be used: TypeError" in caplog.text
    assert _no_child_left()


def test_the_child_reports_a_failure_in_words_not_a_traceback(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """``serve`` itself, on real pipes in this process: a message it cannot use."""
    control_read, control_write = multiprocessing.Pipe(duplex=False)
    results_read, results_write = multiprocessing.Pipe(duplex=False)
    control_write.send(("run", "not a recipe"))
    batch_child.serve(control_read, results_write)
    assert results_read.recv() == ("failed", "ValueError")
    with pytest.raises(EOFError):
        results_read.recv()
    assert "Traceback" not in "".join(capfd.readouterr())


# --------------------------------------------------------------------------- proxies and keys


@pytest.fixture
def behind_basic_proxy(
    monkeypatch: pytest.MonkeyPatch, server_context: ssl.SSLContext, trust_test_ca: Path
) -> Iterator[tuple[ForwardProxy, servers.ScriptedServer, str]]:
    """An https server reached only through a proxy that wants a password (Basic)."""
    password = _canary()
    for name in ("NO_PROXY", "no_proxy", "https_proxy", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with (
        ForwardProxy(mode="basic", credentials=f"someone:{password}") as proxy,
        servers.scripted(servers.success("Behind The Proxy"), tls=server_context) as server,
    ):
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        yield proxy, server, password


def test_a_proxy_sign_in_given_to_the_window_reaches_the_child(
    behind_basic_proxy: tuple[ForwardProxy, servers.ScriptedServer, str],
) -> None:
    proxy, server, password = behind_basic_proxy
    rows = [BatchRow("WSPROXY1", "01", api_key="proxy-key-0001")]
    api_base = server.url() + "/dc-{dc}"
    (refused,) = BatchProcess(BatchRecipe(api_base=api_base, use_keychain=False)).run_all(rows)
    assert refused.outcome.kind == "proxy" and refused.outcome.http_status == 407
    recipe = BatchRecipe(
        api_base=api_base,
        use_keychain=False,
        proxy_credentials={proxy.host_port: ("someone", password)},
    )
    (signed_in,) = BatchProcess(recipe).run_all(rows)
    assert signed_in.outcome.ok and signed_in.outcome.app_name == "Behind The Proxy"
    expected = "Basic " + base64.b64encode(f"someone:{password}".encode()).decode()
    assert expected in proxy.traffic.auth_headers
    assert password.encode() not in pickle.dumps((refused, signed_in))


def test_checks_behind_a_pac_file_start_the_pac_engine_from_the_child(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A company network's PAC file: the child runs it in a PAC engine process of its own.

    Regression: the child was a daemon process, which multiprocessing forbids to
    start children, so every row behind a PAC failed as a refused connection.
    """
    pac = tmp_path / "company.pac"
    pac.write_text('function FindProxyForURL(url, host) { return "DIRECT"; }\n', "utf-8")
    rows = [BatchRow("DEMO_US", "01", api_key="demo-key-us-0001")]
    rows.append(BatchRow("DEMO_EU", "02", api_key="demo-key-eu-0001"))
    process = BatchProcess(
        BatchRecipe(api_base=sandbox.api_base, use_keychain=False, pac_url=pac.as_uri())
    )
    results = process.run_all(rows)
    assert [(r.outcome.ok, r.outcome.proxy_source) for r in results] == [(True, "pac")] * 2
    assert "says DIRECT" in (results[0].outcome.proxy_why or "")
    assert process.notices == []
    assert _no_child_left()


@pytest.mark.skipif(
    not IN_KEYRING_SESSION,
    reason="needs the private Secret Service: run under scripts/with-keyring",
)
def test_saved_keys_are_read_from_the_keychain_by_the_child(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    from moecheck_gui.keychain import KeychainStore

    suffix = uuid.uuid4().hex[:8].upper()
    good, keyless = f"KP{suffix}A", f"KP{suffix}B"
    canary = _canary()
    sandbox.add_workspace(good, canary, "01", "Keychain In Child")
    keychain = KeychainStore()
    keychain.save(good, canary)
    try:
        rows = [BatchRow(good, "01", "Prod", saved=True), BatchRow(keyless, "03", saved=True)]
        events = Events()
        process = BatchProcess(
            BatchRecipe(api_base=sandbox.api_base, history_path=tmp_path / "h.json"),
            on_event=events,
        )
        results = process.run_all(rows)
    finally:
        keychain.delete(good)
    assert results[0].outcome.ok and results[0].outcome.app_name == "Keychain In Child"
    assert results[1].outcome.kind == "invalid_input" and results[1].outcome.field == "api_key"
    shown = pickle.dumps((results, events.events, process.notices))
    assert canary.encode() not in shown
    assert canary.encode() not in (tmp_path / "h.json").read_bytes()


def test_a_corrupt_history_is_said_and_logged_here_not_printed_by_the_child(
    sandbox: Sandbox,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The child's log records reach this process's log (the app's file and its redaction)."""
    history = tmp_path / "data" / "history.json"
    history.parent.mkdir()
    history.write_text("{ this is not json", encoding="utf-8")
    sandbox.add_workspace("HISTWS1", "hist-key-0001", "01", "History Kept")
    rows = [BatchRow("HISTWS1", "01", "Prod", api_key="hist-key-0001", saved=True)]
    events = Events()
    process = BatchProcess(
        BatchRecipe(api_base=sandbox.api_base, use_keychain=False, history_path=history),
        on_event=events,
    )
    with caplog.at_level(logging.INFO):
        (result,) = process.run_all(rows)
    assert result.outcome.ok
    (notice,) = process.notices
    assert "started a new history" in notice
    assert [e.message for e in events.events if e.kind == "notice"] == [notice]
    assert [e.ok for e in HistoryStore(history).entries("HISTWS1")] == [True]
    from_child = [
        r
        for r in caplog.records
        if r.name == "moecheck_gui.history" and "(in the check-all process)" in r.getMessage()
    ]
    assert from_child and from_child[0].levelno == logging.WARNING
    assert "History file unusable" in from_child[0].getMessage()
    assert capfd.readouterr().err == ""
