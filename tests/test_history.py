"""The history of checks per saved workspace (moecheck_gui.history).

Real parts: a real file in a temporary folder, real OS file locks, real second
processes (multiprocessing with the portable "spawn" start method, as on
Windows and macOS), and real checks against loopback servers where an outcome
from the client matters.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from moecheck_gui import history
from moecheck_gui.client import Checker
from moecheck_gui.history import (
    HistoryEntry,
    HistoryStore,
    annotate,
    annotate_and_record,
    format_when,
)
from moecheck_gui.outcome import Outcome
from moecheck_gui.sandbox import Sandbox
from tests import servers


def _ok(ws: str = "WS1", app_name: str = "Acme Prod", request_id: str = "req-1") -> Outcome:
    return Outcome(
        ok=True,
        kind=None,
        dc="01",
        workspace_id=ws,
        app_name=app_name,
        http_status=200,
        request_id=request_id,
        message=f'These credentials work: they belong to the workspace "{app_name}".',
        hint="Check that this is the workspace you meant.",
    )


def _failed(ws: str = "WS1", kind: str = "auth", status: int = 401) -> Outcome:
    return Outcome(
        ok=False,
        kind=kind,
        dc="01",
        workspace_id=ws,
        http_status=status,
        request_id="req-2",
        message="MoEngage rejected this workspace ID and Data API key.",
        hint="Copy the key again.",
    )


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    return HistoryStore(tmp_path / "data" / "history.json")


# --------------------------------------------------------------------------- basics


def test_default_path_is_in_the_platform_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = Path(platformdirs.user_data_dir("moecheck", appauthor=False)) / "history.json"
    assert HistoryStore().path == expected


def test_record_and_read_back(store: HistoryStore) -> None:
    assert store.entries("WS1") == []
    assert store.last_success("WS1") is None
    assert store.record("WS1", _ok(), at="2024-11-12T10:02:00+00:00") is None
    assert store.record("WS1", _failed(), at="2024-11-13T09:00:00+00:00") is None
    entries = store.entries("WS1")
    assert [e.ok for e in entries] == [True, False]
    assert entries[0] == HistoryEntry(
        "2024-11-12T10:02:00+00:00", True, None, "Acme Prod", 200, "req-1", "01"
    )
    assert entries[1].kind == "auth" and entries[1].http_status == 401
    last = store.last_success("WS1")
    assert last is not None and last.at == "2024-11-12T10:02:00+00:00"
    assert store.entries("OTHER") == []
    assert store.problem is None
    # A fresh store (another process) reads the same file.
    assert HistoryStore(store.path).entries("WS1") == entries


def test_time_is_utc_iso_8601(store: HistoryStore) -> None:
    store.record("WS1", _ok())
    at = store.entries("WS1")[0].at
    moment = datetime.fromisoformat(at)
    assert moment.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=5)


def test_history_is_short(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.json", max_entries=5)
    for n in range(8):
        store.record("WS1", _ok(request_id=f"req-{n}"))
    assert [e.request_id for e in store.entries("WS1")] == [f"req-{n}" for n in range(3, 8)]
    assert history.MAX_ENTRIES == 50


def test_cancelled_and_refused_input_are_not_checks(store: HistoryStore) -> None:
    store.record("WS1", _failed(kind="cancelled", status=0))
    store.record("WS1", _failed(kind="invalid_input", status=0))
    assert store.entries("WS1") == []
    assert not store.path.exists()


def test_forget_removes_one_workspace(store: HistoryStore) -> None:
    store.record("WS1", _ok())
    store.record("WS2", _ok("WS2"))
    assert store.forget("WS1") is None
    assert store.entries("WS1") == []
    assert len(store.entries("WS2")) == 1


def test_last_successes_for_a_table(store: HistoryStore) -> None:
    store.record("WS1", _ok(request_id="a"))
    store.record("WS1", _failed())
    store.record("WS2", _failed("WS2"))
    found = store.last_successes(["WS1", "WS2", "WS3"])
    assert set(found) == {"WS1"} and found["WS1"].request_id == "a"


# --------------------------------------------------------------------------- secrets


def test_canary_key_never_reaches_the_history_file(store: HistoryStore) -> None:
    """A server that echoes the request into every text field; the file holds no key."""
    canary = f"CANARY-{uuid.uuid4().hex}"

    def echo(conn: object, request: servers.Request, server: servers.ScriptedServer) -> None:
        text = request.body.decode()
        body = {
            "status": "fail",
            "error": {"message": text, "type": text, "request_id": "rid-" + text[:20]},
        }
        conn.sendall(servers.http_response(401, body))  # type: ignore[attr-defined]

    with servers.scripted(echo) as server:
        checker = Checker(api_base=server.url() + "/dc-{dc}")
        outcome = checker.check("WS1", canary, "01", timeout=5)
        checker.close()
    assert outcome.kind == "auth"
    store.record("WS1", outcome)
    # Even an outcome whose server text still held the key (a scrubbing bug) is safe:
    # free server text is never stored.
    leaky = _failed().replace(server_message=canary, message=canary, hint=canary, detail=canary)
    store.record("WS1", leaky)
    raw = store.path.read_bytes()
    assert len(store.entries("WS1")) == 2
    assert canary.encode() not in raw
    for path in store.path.parent.iterdir():
        assert canary.encode() not in path.read_bytes(), path


def test_server_text_is_cleaned_before_it_is_stored(store: HistoryStore) -> None:
    outcome = _ok(app_name="Acme\x1b[31m\u202eProd" + "x" * 500, request_id="r\x00id")
    store.record("WS1", outcome)
    entry = store.entries("WS1")[0]
    assert entry.app_name is not None and "\x1b" not in entry.app_name
    assert "\u202e" not in entry.app_name and len(entry.app_name) <= 200
    assert entry.request_id == "r id"


# --------------------------------------------------------------------------- corrupt files


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b'{"version": 99, "workspaces": {}}',
        b'{"version": 1, "workspaces": {"WS1": [{"at": 5}]}}',
        b"[1, 2, 3]",
    ],
    ids=["bad-json", "not-utf8", "unknown-version", "bad-entry", "wrong-shape"],
)
def test_corrupt_history_starts_anew_and_says_so(store: HistoryStore, content: bytes) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)
    assert store.entries("WS1") == []  # reading never raises
    assert store.problem is not None and "new history" in store.problem
    notice = store.record("WS1", _ok())
    assert notice is not None
    assert "started a new history" in notice and str(store.path) in notice
    kept = list(store.path.parent.glob("history.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert len(store.entries("WS1")) == 1
    assert json.loads(store.path.read_text())["version"] == 1
    assert store.problem is None
    # The next write is quiet again.
    assert store.record("WS1", _ok()) is None


def test_unwritable_folder_keeps_checking_and_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    store = HistoryStore(blocker / "history.json")
    notice = store.record("WS1", _ok())
    assert notice is not None and "not added" in notice
    assert store.entries("WS1") == []
    assert store.problem is not None


def test_a_held_lock_skips_the_entry_instead_of_hanging(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "LOCK_TIMEOUT_S", 0.2)
    store.path.parent.mkdir(parents=True)
    with history._file_lock(store.lock_path, 1.0):
        outcome: list[str | None] = []
        # From another thread with its own file handle, as another process would.
        worker = threading.Thread(target=lambda: outcome.append(store.record("WS1", _ok())))
        worker.start()
        worker.join(10)
    assert outcome and outcome[0] is not None and "not added" in outcome[0]
    assert store.record("WS1", _ok()) is None


# --------------------------------------------------------------------------- concurrency


def _write_many(path: str, tag: str, count: int) -> None:
    """Child process body: record ``count`` checks of one workspace."""
    store = HistoryStore(Path(path), max_entries=1000)
    for n in range(count):
        notice = store.record("SHARED", _ok(request_id=f"{tag}-{n}"))
        assert notice is None, notice
        store.record(f"{tag}-own", _ok(f"{tag}-own", request_id=f"{tag}-{n}"))


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    ctx = multiprocessing.get_context("spawn")  # what Windows and macOS use
    procs = [ctx.Process(target=_write_many, args=(str(path), tag, 50)) for tag in ("a", "b")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    data = json.loads(path.read_text())  # valid JSON
    store = HistoryStore(path, max_entries=1000)
    ids = [e.request_id for e in store.entries("SHARED")]
    assert sorted(ids) == sorted([f"a-{n}" for n in range(50)] + [f"b-{n}" for n in range(50)])
    # Each process's own entries are in its own order.
    assert [i for i in ids if i and i.startswith("a-")] == [f"a-{n}" for n in range(50)]
    assert len(data["workspaces"]["a-own"]) == 50 and len(data["workspaces"]["b-own"]) == 50
    assert not list(tmp_path.glob(".history-*.tmp")), "a temporary file was left behind"


def test_threads_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.json", max_entries=1000)
    threads = [
        threading.Thread(
            target=lambda t=t: [store.record("WS", _ok(request_id=f"{t}-{n}")) for n in range(20)]
        )
        for t in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(store.entries("WS")) == 120


# --------------------------------------------------------------------------- annotate


def test_rejected_key_that_worked_before_says_when(store: HistoryStore) -> None:
    store.record("WS1", _ok(), at="2024-11-12T10:02:00+00:00")
    rejected = _failed()
    annotated = annotate(rejected, store)
    assert annotated.previously_worked_at == "2024-11-12T10:02:00+00:00"
    when = format_when("2024-11-12T10:02:00+00:00")
    assert annotated.message.startswith(f"This key worked on {when}; MoEngage now rejects it")
    assert "most likely regenerated or revoked" in annotated.message
    assert annotated.message.endswith(rejected.message)
    # Rotation is not presented as certain: a new key can take minutes, keys can coexist.
    assert "few minutes" in annotated.hint and "several keys" in annotated.hint
    assert annotated.to_json()["previously_worked_at"] == "2024-11-12T10:02:00+00:00"
    assert annotated.kind == "auth" and annotated.exit_code == 1


def test_refused_access_after_success_is_dated_too(store: HistoryStore) -> None:
    store.record("WS1", _ok(), at="2024-11-12T10:02:00+00:00")
    annotated = annotate(_failed(kind="forbidden", status=403), store)
    assert annotated.previously_worked_at == "2024-11-12T10:02:00+00:00"
    assert "refusing access" in annotated.message
    assert "regenerated" not in annotated.message


@pytest.mark.parametrize("kind", ["timeout", "server_error", "rate_limited", "tls"])
def test_other_failures_are_not_annotated(store: HistoryStore, kind: str) -> None:
    store.record("WS1", _ok())
    outcome = _failed(kind=kind, status=500)
    assert annotate(outcome, store) == outcome


def test_no_history_no_annotation(store: HistoryStore) -> None:
    rejected = _failed()
    assert annotate(rejected, store) == rejected
    store.record("WS1", _failed())  # only failures so far
    assert annotate(rejected, store).previously_worked_at is None


def test_renamed_workspace_is_pointed_out(store: HistoryStore) -> None:
    store.record("WS1", _ok(app_name="Acme Prod"))
    same = annotate(_ok(app_name="Acme Prod"), store)
    assert same == _ok(app_name="Acme Prod")
    other = annotate(_ok(app_name="Acme Test"), store)
    assert other.ok
    assert '"Acme Prod"' in other.message and '"Acme Test"' in other.message
    assert "another workspace" in other.hint


def test_annotate_and_record_judges_against_the_previous_success(store: HistoryStore) -> None:
    annotate_and_record(_ok(app_name="Acme Prod"), store)
    annotated, notice = annotate_and_record(_ok(app_name="Acme Test"), store)
    assert notice is None
    assert '"Acme Prod"' in annotated.message
    assert [e.app_name for e in store.entries("WS1")] == ["Acme Prod", "Acme Test"]


def test_real_rejection_after_real_success(store: HistoryStore) -> None:
    """End to end with the sandbox: the key works, is rotated, then is rejected."""
    with Sandbox() as box:
        box.add_workspace("ROT1", "first-key-0001", "01", "Rotating Co")
        checker = Checker(api_base=box.api_base)
        worked, _ = annotate_and_record(checker.check("ROT1", "first-key-0001", "01"), store)
        assert worked.ok and worked.previously_worked_at is None
        box.add_workspace("ROT1", "second-key-0002", "01", "Rotating Co")  # regenerated
        rejected, _ = annotate_and_record(checker.check("ROT1", "first-key-0001", "01"), store)
        checker.close()
    assert rejected.kind == "auth"
    assert rejected.previously_worked_at == store.entries("ROT1")[0].at
    assert rejected.message.startswith("This key worked on")


def test_format_when_is_local_time_for_people() -> None:
    now = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)
    moment = datetime(2024, 11, 12, 10, 2, tzinfo=UTC)
    local = moment.astimezone()
    text = format_when(moment.isoformat(), now=now)
    assert text == f"{local.day} {local:%b} at {local:%H:%M}"
    older = format_when("2022-03-01T08:00:00+00:00", now=now)
    assert "2022" in older
    assert format_when("not a time") == "not a time"
