"""``moecheck check-all``: every saved workspace or every row of a CSV, against the real sandbox.

In-process runs of ``moecheck_gui.cli.main`` (private HOME from conftest; the
sandbox through ``MOECHECK_API_BASE``). Keys come from the file's ``api_key``
column, or from the real Secret Service for saved workspaces (those tests run
under scripts/with-keyring and are skipped elsewhere). Ctrl-C is sent to a real
child process.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from moecheck_gui.history import HistoryStore
from moecheck_gui.profiles import ProfileStore
from moecheck_gui.sandbox import Sandbox
from tests.cli.conftest import CANARY, Moecheck, assert_contract_fields, needs_keychain
from tests.platform_support import needs_ctrl_c

CONTRACT_CSV = "workspace_id,label,dc,ok,kind,app_name,http_status,request_id,message"


def _file(tmp_path: Path, text: str, name: str = "ws.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


@pytest.fixture
def mixed(sandbox: Sandbox, tmp_path: Path) -> str:
    """A file with a working row, a rejected key, a bad ID and a row without a key."""
    sandbox.add_workspace("ALLGOOD", CANARY, "02", "All Good")
    sandbox.add_workspace("ALLBAD", "OTHER-KEY-000000", "03", "All Bad")
    return _file(
        tmp_path,
        "workspace_id,dc,label,api_key\n"
        f"ALLGOOD,02,Prod,{CANARY}\n"
        f"ALLBAD,https://dashboard-03.moengage.com/,Test,{CANARY}\n"
        "\n"
        f"bad id,01,Broken,{CANARY}\n"
        "NOKEYWS,01,Keyless,\n",
    )


def test_json_has_every_row_in_file_order_with_label_row_and_summary(
    moecheck: Moecheck, mixed: str
) -> None:
    r = moecheck("check-all", "--from", mixed, "--json")
    data = r.json()
    rows = data["results"]
    assert [(x["workspace_id"], x["label"], x["row"]) for x in rows] == [
        ("ALLGOOD", "Prod", 2),
        ("ALLBAD", "Test", 3),
        ("bad id", "Broken", 5),
        ("NOKEYWS", "Keyless", 6),
    ]
    assert [x["kind"] for x in rows] == [None, "auth", "invalid_input", "invalid_input"]
    assert rows[0]["ok"] is True and rows[0]["app_name"] == "All Good"
    assert data["summary"] == {"total": 4, "ok": 1, "failed": 3}
    for row in rows:
        assert_contract_fields(row)
    assert r.rc == 2  # the highest row code: invalid_input (2) beats auth (1)
    assert "api_key column" in r.err  # the warning about keys in files
    assert "--save" in r.err  # and the hint to save them instead


def test_csv_output_reads_back_with_the_contract_columns(moecheck: Moecheck, mixed: str) -> None:
    r = moecheck("check-all", "--from", mixed, "--csv")
    assert r.out.splitlines()[0].startswith(CONTRACT_CSV)
    table = list(csv.DictReader(io.StringIO(r.out)))
    assert [(x["workspace_id"], x["ok"], x["kind"]) for x in table] == [
        ("ALLGOOD", "true", ""),
        ("ALLBAD", "false", "auth"),
        ("bad id", "false", "invalid_input"),
        ("NOKEYWS", "false", "invalid_input"),
    ]
    assert table[0]["app_name"] == "All Good" and table[1]["http_status"] == "401"
    assert r.rc == 2


def test_human_table_has_a_header_and_one_line_per_row(moecheck: Moecheck, mixed: str) -> None:
    r = moecheck("check-all", "--from", mixed)
    lines = r.out.splitlines()
    header = lines[0].split()
    assert header[:3] == ["LABEL", "WORKSPACE", "ID"]
    for word in ("VERDICT", "NAME", "WORKED", "REQUEST"):
        assert word in header
    body = [line for line in lines[1:5]]
    by_label = {line.split()[0]: line for line in body}
    assert set(by_label) == {"Prod", "Test", "Broken", "Keyless"}
    assert "works" in by_label["Prod"] and "All Good" in by_label["Prod"]
    assert "DC-02" in by_label["Prod"]
    assert "key rejected (401)" in by_label["Test"]
    assert "not checked: fix the row" in by_label["Keyless"]
    assert "1 of 4 work" in r.out
    assert "\x1b[" not in r.err  # stderr is not a terminal: no progress line


def test_verbose_shows_each_checks_lines_after_its_workspace_and_never_a_key(
    moecheck: Moecheck, mixed: str
) -> None:
    quiet = moecheck("check-all", "--from", mixed)
    r = moecheck("check-all", "--from", mixed, "-v")
    assert r.rc == quiet.rc == 2
    # stdout is the same table, one line per workspace; everything -v adds is on stderr.
    assert len(r.out.splitlines()) == len(quiet.out.splitlines())
    logged = [line.strip() for line in r.err.splitlines() if line.startswith("  ")]
    by_workspace: dict[str, list[str]] = {}
    for line in logged:
        workspace, _, rest = line.partition(": ")
        by_workspace.setdefault(workspace, []).append(rest)
    # Only the two rows that were sent log anything, each line after its workspace ID.
    assert set(by_workspace) == {"ALLGOOD", "ALLBAD"}
    for workspace in ("ALLGOOD", "ALLBAD"):
        lines = by_workspace[workspace]
        assert any(x.startswith("POST ") and "/v1/integrations/authentication" in x for x in lines)
        assert "Authorization: Basic [redacted]" in lines
        assert any(x.startswith("via: ") for x in lines)
    assert any(x.startswith("HTTP 200") for x in by_workspace["ALLGOOD"])
    assert any(x.startswith("HTTP 401") for x in by_workspace["ALLBAD"])
    # The failure's details follow its own lines; a success has none.
    assert any(x.startswith("Proxy used: ") for x in by_workspace["ALLBAD"])
    assert not any(x.startswith("Proxy used: ") for x in by_workspace["ALLGOOD"])
    assert CANARY not in r.out + r.err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "line 1: the file is empty"),
        ("id,dc\nA,01\n", "line 1: the header row has no workspace_id column"),
        ('workspace_id,dc\nA,01\n"B,02\n', "line 3: this is not valid CSV"),
    ],
)
def test_a_file_that_cannot_be_used_is_a_usage_error_naming_the_line(
    moecheck: Moecheck, sandbox: Sandbox, tmp_path: Path, text: str, words: str
) -> None:
    path = _file(tmp_path, text)
    r = moecheck("check-all", "--from", path)
    assert r.rc == 2
    assert words in r.err
    assert sandbox.requests == []  # nothing is sent before the whole file was read


def test_a_file_that_is_not_utf8_names_its_line(
    moecheck: Moecheck, sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"workspace_id,dc\nA,01\nB\xe9,02\n")
    r = moecheck("check-all", "--from", str(path), "--json")
    assert r.rc == 2
    assert "line 3" in r.err
    assert r.json()["kind"] == "invalid_input" and r.json()["line"] == 3
    assert sandbox.requests == []


def test_a_missing_file_is_a_usage_error(moecheck: Moecheck, tmp_path: Path) -> None:
    r = moecheck("check-all", "--from", str(tmp_path / "nope.csv"))
    assert r.rc == 2
    assert "Cannot read" in r.err and "nope.csv" in r.err


@pytest.mark.parametrize("value", ["0", "17", "four", "2.5"])
def test_a_bad_concurrency_is_a_usage_error(moecheck: Moecheck, value: str) -> None:
    r = moecheck("check-all", "--concurrency", value)
    assert r.rc == 2
    assert "from 1 to 16" in r.err


def test_json_and_csv_together_are_refused(moecheck: Moecheck) -> None:
    r = moecheck("check-all", "--json", "--csv")
    assert r.rc == 2


def test_a_429_pauses_that_data_center_and_says_so(
    moecheck: Moecheck, sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.set_mode("rate_limited", retry_after=1)
    path = _file(
        tmp_path,
        f"workspace_id,dc,api_key\nRLONE,01,{CANARY}\nRLTWO,01,{CANARY}\n",
    )
    r = moecheck("check-all", "--from", path, "--concurrency", "1", "--json")
    assert [x["kind"] for x in r.json()["results"]] == ["rate_limited", "rate_limited"]
    assert "MoEngage asked to slow down on DC-01" in r.err
    assert "waiting 1 s" in r.err
    assert r.err.index("slow down") < r.err.index("go on")  # paused, then resumed
    assert r.rc == 4


def test_no_saved_workspaces_says_how_to_save_one(moecheck: Moecheck, sandbox: Sandbox) -> None:
    r = moecheck("check-all", "--json")
    assert r.rc == 0
    assert r.json() == {"results": [], "summary": {"total": 0, "ok": 0, "failed": 0}}
    assert "No saved workspaces yet" in r.err and "--save" in r.err


def test_a_saved_workspace_without_a_key_is_a_row_not_a_failure_of_the_command(
    moecheck: Moecheck, sandbox: Sandbox, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No keychain at all here (keyring's "fail" backend is refused): the row says why.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    ProfileStore().upsert("SAVEDNOKEY", "01", "Lonely")
    r = moecheck("check-all", "--json")
    (row,) = r.json()["results"]
    assert (row["workspace_id"], row["label"], row["row"]) == ("SAVEDNOKEY", "Lonely", None)
    assert row["kind"] == "invalid_input"
    assert r.rc == 2
    assert sandbox.requests == []


@pytest.mark.keychain
@needs_keychain
def test_saved_workspaces_with_history_say_when_a_rejected_key_last_worked(
    moecheck: Moecheck, sandbox: Sandbox, home: Path
) -> None:
    first, second = (f"CA{uuid.uuid4().hex[:10].upper()}" for _ in range(2))
    sandbox.add_workspace(first, CANARY, "04", "First Co")
    sandbox.add_workspace(second, CANARY, "05", "Second Co")
    try:
        saved = moecheck("check", "--workspace-id", first, "--dc", "04", "--save", key=CANARY)
        assert saved.rc == 0
        saved = moecheck(
            "check", "--workspace-id", second, "--dc", "05", "--save", "--label", "Two", key=CANARY
        )
        assert saved.rc == 0
        assert {p.workspace_id for p in ProfileStore().profiles()} == {first, second}

        r = moecheck("check-all", "--json")
        rows = {x["workspace_id"]: x for x in r.json()["results"]}
        assert r.rc == 0 and set(rows) == {first, second}
        assert rows[second]["label"] == "Two" and rows[second]["row"] is None
        assert all(x["ok"] for x in rows.values())

        sandbox.add_workspace(first, "ROTATED-KEY-1234", "04", "First Co")  # key regenerated
        r = moecheck("check-all")
        line = next(x for x in r.out.splitlines() if first in x)
        assert "key rejected (401)" in line
        assert " at " in line  # the last-worked column says when it last worked
        as_json = moecheck("check-all", "--json").json()
        rejected = next(x for x in as_json["results"] if x["workspace_id"] == first)
        assert rejected["kind"] == "auth"
        assert rejected["previously_worked_at"]
        assert rejected["last_worked_at"] == rejected["previously_worked_at"]
        assert [e.ok for e in HistoryStore().entries(first)] == [True, True, False, False]
    finally:
        moecheck("forget", "--workspace-id", first)
        moecheck("forget", "--workspace-id", second)
    assert ProfileStore().profiles() == []


CTRL_C_OPTIONS = ("--json", "--concurrency", "2", "--timeout", "60")


@needs_ctrl_c
def test_ctrl_c_stops_promptly_and_marks_unchecked_rows(
    sandbox: Sandbox, home: Path, tmp_path: Path
) -> None:
    sandbox.set_mode("hang")
    rows = "".join(f"HANG{n},01,row {n},{CANARY}\n" for n in range(6))
    path = _file(tmp_path, "workspace_id,dc,label,api_key\n" + rows)
    env = {k: v for k, v in os.environ.items() if k != "MOECHECK_API_KEY"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moecheck_gui.cli", "check-all", "--from", path, *CTRL_C_OPTIONS],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while len(sandbox.requests) < 2:
            assert time.monotonic() < deadline, "the checks never reached the sandbox"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err and "Interrupted." in err
    assert CANARY not in out + err
    results = json.loads(out)["results"]
    assert [x["label"] for x in results] == [f"row {n}" for n in range(6)]
    assert {x["kind"] for x in results} == {"cancelled"}
    assert sum("Not checked" in x["message"] for x in results) >= 4
    assert len(sandbox.requests) == 2  # the rows after Ctrl-C were never sent
