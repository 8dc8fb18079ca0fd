"""Check-all (moecheck_gui.batch): rows from files and saved workspaces, checked concurrently.

Real parts: the sandbox and scripted loopback servers answer every check, the
history is a real file, the keychain test uses the real Secret Service (run
under scripts/with-keyring). The only fake is the instant checker of the
10,000-row streaming test, said there.
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import tracemalloc
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from moecheck_gui.batch import (
    CSV_COLUMNS,
    KEY_FILE_HINT,
    KEY_FILE_WARNING,
    BatchEvent,
    BatchResult,
    BatchRow,
    BatchRunner,
    BatchUsageError,
    CsvRows,
    check_concurrency,
    csv_cells,
    csv_text,
    exit_code,
    rows_from_profiles,
    summarize,
    to_json_document,
    verdict,
)
from moecheck_gui.cancel import CancelToken
from moecheck_gui.client import Checker, LogFn
from moecheck_gui.history import HistoryStore
from moecheck_gui.outcome import Outcome
from moecheck_gui.profiles import ProfileStore
from moecheck_gui.sandbox import Sandbox
from tests import servers

IN_KEYRING_SESSION = os.environ.get("MOECHECK_IN_KEYRING_SESSION") == "1"


def _canary() -> str:
    return f"CANARY-{uuid.uuid4().hex}"


def _write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as box:
        box.slow_scenario_delay = 0.2
        yield box


class EventLog:
    """Collects runner events (called from worker threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[BatchEvent] = []

    def __call__(self, event: BatchEvent) -> None:
        with self.lock:
            self.events.append(event)

    def kinds(self) -> list[str]:
        with self.lock:
            return [e.kind for e in self.events]


# --------------------------------------------------------------------------- a whole run


def test_mixed_verdicts_from_a_csv_against_the_sandbox(sandbox: Sandbox, tmp_path: Path) -> None:
    canary = _canary()
    for n, dc in enumerate(["01", "02", "03", "04", "05", "06", "101", "01"]):
        sandbox.add_workspace(f"GOOD{n}", f"good-key-{n:04d}", dc, f"Client {n}")
    sandbox.add_workspace("ROTATED", "new-key-0001", "02", "Rotated Ltd")
    path = _write_csv(
        tmp_path / "workspaces.csv",
        "\ufeffWorkspace ID,DC,Label,API-Key\r\n"
        + "".join(
            f"GOOD{n},{dc},Client {n},good-key-{n:04d}\r\n"
            for n, dc in enumerate(["1", "DC-02", "03", "dc04", "5", "06", "101"])
        )
        + "GOOD7,https://dashboard-01.moengage.com/v4/#/dashboard,Client 7,good-key-0007\r\n"
        + f"ROTATED,02,Rotated,{canary}\r\n"  # line 10: rejected, the canary is its key
        + "DEMO_SUSPENDED,01,Suspended,any-key-01\r\n"
        + "DEMO_DOWN,01,Down,any-key-02\r\n"
        + "\r\n"  # blank lines are skipped but counted
        + "BADDC,07,Bad DC,k-1\r\n"  # line 14
        + "bad id,01,Bad ID,k-2\r\n"  # line 15
        + "NOKEY,01,No key,\r\n"  # line 16
        + "DEMO_EU,auto,Detected,demo-key-eu-0001\r\n",  # line 17
    )
    source = CsvRows(path, saved_ids={"GOOD0", "ROTATED"})
    assert source.warnings == [KEY_FILE_WARNING] and source.hints == [KEY_FILE_HINT]
    assert source.count() == 15
    history = HistoryStore(tmp_path / "data" / "history.json")
    history.record("ROTATED", _ok_outcome("ROTATED", "Rotated Ltd"), at="2024-11-12T10:02:00Z")
    events = EventLog()
    checker = Checker(api_base=sandbox.api_base)
    runner = BatchRunner(checker, history=history, on_event=events, concurrency=4, timeout=10)
    results = runner.run_all(source)
    checker.close()

    assert [r.index for r in results] == list(range(15))
    by_id = {r.outcome.workspace_id: r for r in results}
    for n in range(8):
        good = by_id[f"GOOD{n}"]
        assert good.outcome.ok, good.outcome
        assert good.outcome.app_name == f"Client {n}" and good.label == f"Client {n}"
        assert good.row == n + 2 and good.last_worked_at is not None
    assert by_id["GOOD4"].outcome.dc == "05" and by_id["GOOD7"].outcome.dc == "01"
    rotated = by_id["ROTATED"]
    assert rotated.outcome.kind == "auth" and rotated.row == 10
    assert rotated.outcome.previously_worked_at == "2024-11-12T10:02:00Z"
    assert rotated.outcome.message.startswith("This key worked on")
    assert rotated.last_worked_at == "2024-11-12T10:02:00Z"
    assert by_id["DEMO_SUSPENDED"].outcome.kind == "forbidden"
    assert by_id["DEMO_DOWN"].outcome.kind == "server_error"
    bad_dc = by_id["BADDC"]
    assert (bad_dc.outcome.kind, bad_dc.outcome.field, bad_dc.row) == ("invalid_input", "dc", 14)
    assert "07" in bad_dc.outcome.message and "line 14" in bad_dc.outcome.hint
    bad_id = by_id["bad id"]
    assert (bad_id.outcome.kind, bad_id.outcome.field, bad_id.row) == (
        "invalid_input",
        "workspace_id",
        15,
    )
    no_key = by_id["NOKEY"]
    assert (no_key.outcome.kind, no_key.outcome.field, no_key.row) == (
        "invalid_input",
        "api_key",
        16,
    )
    detected = by_id["DEMO_EU"]
    assert detected.outcome.ok and detected.outcome.dc == "02" and detected.row == 17
    # Nothing was sent for the refused rows.
    sent = {r.json()["app_id"] for r in sandbox.requests if r.json()}
    assert not sent & {"BADDC", "bad id", "NOKEY"}

    summary = summarize(results)
    assert summary.to_json() == {"total": 15, "ok": 9, "failed": 6}
    assert exit_code(results) == 4  # server trouble (4) beats invalid input (2) and auth (1)

    # History: only the saved workspaces; the failure is recorded after the success.
    assert [e.ok for e in history.entries("ROTATED")] == [True, False]
    assert [e.ok for e in history.entries("GOOD0")] == [True]
    assert history.entries("GOOD1") == []

    # Exports read back, and the canary key is nowhere.
    document = json.loads(json.dumps(to_json_document(results)))
    assert document["summary"] == {"total": 15, "ok": 9, "failed": 6}
    first = document["results"][0]
    for name in ("ok", "kind", "dc", "workspace_id", "app_name", "http_status", "server_message"):
        assert name in first
    assert first["label"] == "Client 0" and first["row"] == 2
    assert document["results"][8]["previously_worked_at"] == "2024-11-12T10:02:00Z"
    table = list(csv.DictReader(io.StringIO(csv_text(results))))
    assert list(table[0])[:9] == [
        "workspace_id",
        "label",
        "dc",
        "ok",
        "kind",
        "app_name",
        "http_status",
        "request_id",
        "message",
    ]
    assert [row["workspace_id"] for row in table] == [r.outcome.workspace_id for r in results]
    assert table[0]["ok"] == "true" and table[8]["kind"] == "auth" and table[8]["row"] == "10"
    assert table[8]["request_id"] == rotated.outcome.request_id
    everything = (
        json.dumps(document)
        + csv_text(results)
        + history.path.read_text()
        + repr(results)
        + repr(list(CsvRows(path)))
        + "".join(e.message for e in events.events)
    )
    assert canary not in everything
    assert "good-key-" not in everything


def _ok_outcome(ws: str, app_name: str) -> Outcome:
    return Outcome(ok=True, kind=None, dc="02", workspace_id=ws, app_name=app_name)


def test_rows_are_checked_at_most_concurrency_at_once(tmp_path: Path) -> None:
    """Three checks must be in flight together (a barrier), and never a fourth."""
    lock = threading.Lock()
    state = {"now": 0, "most": 0}
    barrier = threading.Barrier(3, timeout=10)

    def respond(conn: Any, request: servers.Request, server: servers.ScriptedServer) -> None:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            first_three = request.json()["app_id"] in ("W0", "W1", "W2")
        try:
            if first_three:
                barrier.wait()  # breaks (and fails the test) unless 3 run at once
            servers.success(request.json()["app_id"])(conn, request, server)
        finally:
            with lock:
                state["now"] -= 1

    path = _write_csv(
        tmp_path / "w.csv",
        "workspace_id,dc,api_key\n" + "".join(f"W{n},01,key-{n:04d}\n" for n in range(12)),
    )
    with servers.scripted(respond) as server:
        checker = Checker(api_base=server.url() + "/dc-{dc}")
        results = BatchRunner(checker, concurrency=3, timeout=10).run_all(CsvRows(path))
        checker.close()
    assert all(r.outcome.ok for r in results), [r.outcome.kind for r in results]
    assert state["most"] == 3
    assert exit_code(results) == 0


# --------------------------------------------------------------------------- rate limits


def _limited_server(order: list[tuple[str, ...]], lock: threading.Lock, delay: float = 0.0) -> Any:
    """Answers 429 (Retry-After: 1) for workspace LIMITED once, success for everyone else."""
    seen: set[str] = set()

    def respond(conn: Any, request: servers.Request, server: servers.ScriptedServer) -> None:
        ws = request.json()["app_id"]
        dc = request.target.split("/")[1].removeprefix("dc-")
        with lock:
            order.append(("request", ws, dc))
            first = ws == "LIMITED" and ws not in seen
            seen.add(ws)
        if first:
            body = {
                "status": "fail",
                "error": {"message": "Too many requests", "type": "rate", "request_id": "r-429"},
            }
            conn.sendall(servers.http_response(429, body, {"Retry-After": "1"}))
            return
        if delay:
            server.stopping.wait(delay)
        servers.success(f"App {ws}")(conn, request, server)

    return respond


def test_a_429_pauses_that_data_center_until_retry_after(tmp_path: Path) -> None:
    order: list[tuple[str, ...]] = []
    lock = threading.Lock()

    def on_event(event: BatchEvent) -> None:
        with lock:
            order.append(("event", event.kind, event.dc or "", event.workspace_id or ""))

    path = _write_csv(
        tmp_path / "w.csv", "workspace_id,dc,api_key\nLIMITED,01,k-0001\nA,01,k-0002\nB,01,k-3\n"
    )
    with servers.scripted(_limited_server(order, lock)) as server:
        checker = Checker(api_base=server.url() + "/dc-{dc}")
        runner = BatchRunner(checker, concurrency=1, timeout=10, on_event=on_event)
        results = runner.run_all(CsvRows(path))
        checker.close()
    limited = results[0].outcome
    assert limited.kind == "rate_limited" and limited.retry_after_s == 1
    assert [r.outcome.ok for r in results] == [False, True, True]
    paused = order.index(("event", "paused", "01", "LIMITED"))
    resumed = order.index(("event", "resumed", "01", ""))
    request_a = order.index(("request", "A", "01"))
    assert order.index(("request", "LIMITED", "01")) < paused < resumed < request_a
    assert exit_code(results) == 4


def test_a_429_holds_back_later_checks_on_that_dc_only_while_others_run(tmp_path: Path) -> None:
    """Concurrency 4: every DC-01 check started after the pause waited for its end."""
    order: list[tuple[str, ...]] = []
    lock = threading.Lock()
    events = EventLog()
    rows = ["LIMITED,01"] + [f"A{n},01" for n in range(6)] + [f"B{n},02" for n in range(4)]
    path = _write_csv(
        tmp_path / "w.csv",
        "workspace_id,dc,api_key\n" + "".join(f"{r},key-{n:04d}\n" for n, r in enumerate(rows)),
    )
    with servers.scripted(_limited_server(order, lock, delay=0.3)) as server:
        checker = Checker(api_base=server.url() + "/dc-{dc}")
        runner = BatchRunner(checker, concurrency=4, timeout=10, on_event=events)
        results = runner.run_all(CsvRows(path))
        checker.close()
    assert sum(r.outcome.ok for r in results) == 10
    log = [(e.kind, e.dc) for e in events.events]
    paused = log.index(("paused", "01"))
    resumed = log.index(("resumed", "01"))
    assert paused < resumed
    dc01_checks = [i for i, (kind, dc) in enumerate(log) if kind == "checking" and dc == "01"]
    assert not [i for i in dc01_checks if paused < i < resumed], "a DC-01 check ran in the pause"
    assert [i for i in dc01_checks if i > resumed], "no DC-01 check was held back at all"
    message = events.events[paused].message
    assert "DC-01" in message and "1 s" in message


# --------------------------------------------------------------------------- cancel


def test_cancel_stops_everything_and_marks_unchecked_rows(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set_mode("hang")
    path = _write_csv(
        tmp_path / "w.csv",
        "workspace_id,dc,api_key\n" + "".join(f"H{n},01,key-{n:04d}\n" for n in range(10)),
    )
    started = threading.Event()
    events = EventLog()

    def on_event(event: BatchEvent) -> None:
        events(event)
        if events.kinds().count("checking") >= 2:
            started.set()

    checker = Checker(api_base=sandbox.api_base)
    runner = BatchRunner(checker, concurrency=2, timeout=60, on_event=on_event)
    results: list[BatchResult] = []
    thread = threading.Thread(target=lambda: results.extend(runner.run(CsvRows(path))))
    thread.start()
    assert started.wait(30)
    runner.cancel()
    thread.join(30)
    checker.close()
    assert not thread.is_alive()
    assert len(results) == 10
    assert {r.outcome.kind for r in results} == {"cancelled"}
    not_checked = [r for r in results if r.outcome.message.startswith("Not checked")]
    assert len(not_checked) == 8
    assert events.kinds().count("checking") == 2
    assert len(sandbox.requests) <= 2
    assert exit_code(results) == 130


def test_closing_the_iteration_early_cancels_the_rest(sandbox: Sandbox, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "w.csv",
        "workspace_id,dc,label\n" + "".join(f"N{n},07,x\n" for n in range(200)),
    )
    pulled = 0

    def counting() -> Iterator[BatchRow]:
        nonlocal pulled
        for row in CsvRows(path):
            pulled += 1
            yield row

    runner = BatchRunner(Checker(api_base=sandbox.api_base), concurrency=2)
    stream = runner.run(counting())
    first = next(stream)
    assert first.outcome.kind == "invalid_input"
    stream.close()
    assert runner.cancel_token.cancelled
    assert pulled < 200


# --------------------------------------------------------------------------- files


def test_unreadable_or_headerless_files_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(BatchUsageError) as missing:
        CsvRows(tmp_path / "nope.csv")
    assert "Cannot read" in missing.value.message

    empty = _write_csv(tmp_path / "empty.csv", "")
    with pytest.raises(BatchUsageError) as err:
        CsvRows(empty)
    assert err.value.line == 1 and "line 1" in err.value.message

    no_column = _write_csv(tmp_path / "cols.csv", "id,dc\nW1,01\n")
    with pytest.raises(BatchUsageError) as err:
        CsvRows(no_column)
    assert err.value.line == 1 and "workspace_id" in err.value.message
    assert "found: id, dc" in err.value.message

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"workspace_id,dc,label\nW1,01,ok\nW2,01,Caf\xe9\n")
    source = CsvRows(latin1)
    with pytest.raises(BatchUsageError) as err:
        source.count()
    assert err.value.line == 3 and "UTF-8" in err.value.message

    nul = tmp_path / "nul.csv"  # Python's csv reads NUL; the ID is then refused, on its line
    nul.write_bytes(b"workspace_id,dc\nW1,01\nW2\x00,01\n")
    assert [(r.line, r.problem_field) for r in CsvRows(nul)] == [(2, None), (3, "workspace_id")]

    unterminated = _write_csv(tmp_path / "quote.csv", 'workspace_id,dc\nW1,01\n"W2,01\n')
    with pytest.raises(BatchUsageError) as err:
        CsvRows(unterminated).count()
    assert err.value.line == 3

    folder = tmp_path / "a-folder.csv"
    folder.mkdir()
    with pytest.raises(BatchUsageError):
        CsvRows(folder)


def test_line_numbers_follow_the_file(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "w.csv",
        'workspace_id,label,dc\n\nW1,"two\nlines",01\nW2,plain,auto\n  ,,\nW3,x,https://app-eu.moengage.com\n',
    )
    rows = list(CsvRows(path))
    assert [(r.workspace_id, r.line, r.dc, r.label) for r in rows] == [
        ("W1", 3, "01", "two lines"),
        ("W2", 5, "auto", "plain"),
        ("W3", 7, "02", "x"),
    ]
    no_dc = _write_csv(tmp_path / "nodc.csv", "workspace_id\nW1\n")
    (row,) = list(CsvRows(no_dc))
    assert row.problem is not None and row.problem_field == "dc" and row.line == 2


def test_a_row_never_shows_its_key(tmp_path: Path) -> None:
    canary = _canary()
    path = _write_csv(tmp_path / "w.csv", f"workspace_id,dc,api_key\nW1,01,{canary}\n")
    (row,) = list(CsvRows(path))
    assert row.api_key == canary
    assert canary not in repr(row) and canary not in str(row)


def test_spreadsheet_formulas_are_neutralised_in_csv() -> None:
    outcome = Outcome(
        ok=True, kind=None, dc="01", workspace_id="W1", app_name='=HYPERLINK("http://x")'
    )
    cells = csv_cells(BatchResult(outcome, "+label", None, 0))
    header = list(CSV_COLUMNS)
    assert cells[header.index("app_name")].startswith("'=")
    assert cells[header.index("label")] == "'+label"
    assert cells[header.index("row")] == ""


# --------------------------------------------------------------------------- rules


def _result(kind: str | None, index: int = 0) -> BatchResult:
    return BatchResult(Outcome(ok=kind is None, kind=kind, dc="01", workspace_id="W"), "", 2, index)


def test_exit_code_rule() -> None:
    assert exit_code([]) == 0
    assert exit_code([_result(None), _result(None)]) == 0
    assert exit_code([_result(None), _result("auth")]) == 1
    assert exit_code([_result("auth"), _result("invalid_input")]) == 2
    assert exit_code([_result("timeout"), _result("auth")]) == 3
    assert exit_code([_result("server_error"), _result("dns")]) == 4
    assert exit_code([_result("cancelled"), _result("server_error")]) == 130
    assert summarize([_result(None), _result("auth")]).to_json() == {
        "total": 2,
        "ok": 1,
        "failed": 1,
    }
    assert verdict(_result(None).outcome) == "works"
    assert verdict(_result("auth").outcome) == "key rejected"


@pytest.mark.parametrize("value", [0, 17, -1, True])
def test_concurrency_is_bounded(value: int) -> None:
    with pytest.raises(BatchUsageError) as err:
        check_concurrency(value)
    assert "1 to 16" in err.value.message
    assert check_concurrency(16) == 16


# --------------------------------------------------------------------------- 10,000 rows


class InstantChecker:
    """A fake checker that answers at once, without a network.

    A fake on purpose: 10,000 real HTTP checks take minutes on the shared
    2-core test machine; this test is about the runner's memory and laziness,
    and every other test here checks through real servers.
    """

    def check(
        self,
        workspace_id: str,
        api_key: str,
        dc: str,
        *,
        timeout: float = 15.0,
        cancel: CancelToken | None = None,
        log: LogFn | None = None,
    ) -> Outcome:
        return Outcome(ok=True, kind=None, dc=dc, workspace_id=workspace_id, app_name="A")

    def detect(
        self,
        workspace_id: str,
        api_key: str,
        *,
        timeout: float = 15.0,
        cancel: CancelToken | None = None,
        log: LogFn | None = None,
    ) -> Outcome:
        return self.check(workspace_id, api_key, "01")


def _big_csv(path: Path, rows: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("workspace_id,dc,label,api_key\n")
        for n in range(rows):
            handle.write(f"WS{n:06d},01,Client {n},key-{n:08d}\n")
    return path


def test_ten_thousand_rows_are_read_lazily(tmp_path: Path) -> None:
    path = _big_csv(tmp_path / "big.csv", 10_000)
    source = CsvRows(path)
    assert source.count() == 10_000
    pulled = 0

    def counting() -> Iterator[BatchRow]:
        nonlocal pulled
        for row in source:
            pulled += 1
            yield row

    concurrency = 8
    runner = BatchRunner(InstantChecker(), concurrency=concurrency)
    taken = 0
    most_ahead = 0
    for _ in runner.run(counting()):
        taken += 1
        most_ahead = max(most_ahead, pulled - taken)
    assert taken == pulled == 10_000
    # In flight (one per worker) plus the bounded hand-over queue, never the file.
    assert most_ahead <= 3 * concurrency + 1


def _peak_while_streaming(path: Path) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        count = sum(1 for _ in BatchRunner(InstantChecker(), concurrency=8).run(CsvRows(path)))
        assert count > 0
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_completed_rows(tmp_path: Path) -> None:
    _peak_while_streaming(_big_csv(tmp_path / "warm.csv", 100))  # one-time imports and caches
    small = _peak_while_streaming(_big_csv(tmp_path / "small.csv", 1_000))
    large = _peak_while_streaming(_big_csv(tmp_path / "large.csv", 10_000))
    # Ten times the rows; if results or rows were kept, the peak would be ~10x.
    assert large < 2.5 * small, (small, large)


# --------------------------------------------------------------------------- saved workspaces


@pytest.mark.skipif(
    not IN_KEYRING_SESSION,
    reason="needs the private Secret Service: run under scripts/with-keyring",
)
def test_saved_workspaces_with_keys_from_the_real_keychain(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    from moecheck_gui.keychain import KeychainStore

    suffix = uuid.uuid4().hex[:8].upper()
    good, rotated, keyless = f"KC{suffix}A", f"KC{suffix}B", f"KC{suffix}C"
    canary = _canary()
    sandbox.add_workspace(good, "kc-good-key-0001", "01", "Keychain Good")
    sandbox.add_workspace(rotated, canary, "02", "Keychain Rotated")
    profiles = ProfileStore(tmp_path / "config" / "profiles.json")
    profiles.upsert(good, "01", "Prod")
    profiles.upsert(rotated, "auto", "Staging")
    profiles.upsert(keyless, "03", "Nobody saved a key")
    keychain = KeychainStore()
    keychain.save(good, "kc-good-key-0001")
    keychain.save(rotated, canary)
    history = HistoryStore(tmp_path / "data" / "history.json")
    checker = Checker(api_base=sandbox.api_base)
    try:
        rows = rows_from_profiles(profiles)
        assert all(r.saved and r.line is None for r in rows)
        first = BatchRunner(checker, keychain=keychain, history=history).run_all(rows)
        by_id = {r.outcome.workspace_id: r for r in first}
        assert by_id[good].outcome.ok and by_id[good].label == "Prod"
        assert by_id[rotated].outcome.ok and by_id[rotated].outcome.dc == "02"
        missing = by_id[keyless]
        assert (missing.outcome.kind, missing.outcome.field, missing.row) == (
            "invalid_input",
            "api_key",
            None,
        )
        assert "Remember the key" in missing.outcome.hint
        # The key of one workspace is regenerated on the server: the next run says since when.
        sandbox.add_workspace(rotated, "a-brand-new-key-02", "02", "Keychain Rotated")
        second = BatchRunner(checker, keychain=keychain, history=history).run_all(
            rows_from_profiles(profiles)
        )
        again = {r.outcome.workspace_id: r for r in second}[rotated]
        assert again.outcome.kind == "auth"
        assert again.outcome.previously_worked_at == history.entries(rotated)[0].at
        assert again.last_worked_at == again.outcome.previously_worked_at
        assert again.to_json()["previously_worked_at"] is not None
        for text in (
            json.dumps(to_json_document(first + second)),
            csv_text(first + second),
            history.path.read_text(),
        ):
            assert canary not in text and "kc-good-key-0001" not in text
    finally:
        checker.close()
        for ws in (good, rotated):
            keychain.delete(ws)


def test_saved_workspace_without_any_keychain_is_an_invalid_row(tmp_path: Path) -> None:
    profiles = ProfileStore(tmp_path / "profiles.json")
    profiles.upsert("W1", "01", "Prod")
    (result,) = BatchRunner(InstantChecker()).run_all(rows_from_profiles(profiles))
    assert result.outcome.kind == "invalid_input" and result.outcome.field == "api_key"
    assert result.label == "Prod" and result.row is None


def test_a_runner_runs_once() -> None:
    runner = BatchRunner(InstantChecker())
    assert list(runner.run([])) == []
    with pytest.raises(RuntimeError):
        list(runner.run([]))
