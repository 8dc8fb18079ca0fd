"""End-to-end tests of the ``moecheck`` command, run as a real child process.

Every test starts ``python -m moecheck_gui.cli`` the way a user or script
would, against the real :class:`Sandbox` (a local HTTP server on 127.0.0.1)
through ``MOECHECK_API_BASE``. The child gets a throwaway HOME and XDG folders;
after every test all its output and every file it could have written there are
searched for the canary key. Keychain tests use the real Secret Service that
``scripts/with-keyring`` provides and are skipped outside it.
"""

from __future__ import annotations

import base64
import json
import os
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox
from tests import servers
from tests.platform_support import needs_ctrl_c, needs_pty

CANARY = "CANARY-KEY-7f3a9c"
"""The key used wherever a key is needed; it must never appear in any output or file."""
CANARY_WS = "CANARYWS"
CANARY_APP = "Canary Prod"
CANARY_DC = "02"
CANARY_BASIC = base64.b64encode(f"{CANARY_WS}:{CANARY}".encode()).decode()

CONTRACT_KEYS: dict[str, tuple[type, ...]] = {
    "ok": (bool,),
    "kind": (str, type(None)),
    "dc": (str, type(None)),
    "workspace_id": (str,),
    "app_name": (str, type(None)),
    "http_status": (int, type(None)),
    "server_message": (str, type(None)),
    "request_id": (str, type(None)),
    "retry_after_s": (int, type(None)),
    "message": (str,),
    "hint": (str,),
    "elapsed_ms": (int, float),
}
"""PRODUCT.md 3.4: every key of the ``--json`` object and the types it may have."""

ALL_DCS = {"01", "02", "03", "04", "05", "06", "101"}


@dataclass
class Result:
    """What one run of the command produced."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def json(self) -> dict[str, object]:
        """stdout as the one JSON object the contract promises (fails if anything else is there)."""
        data = json.loads(self.stdout)
        assert isinstance(data, dict)
        return data


def _assert_no_key(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text
        assert CANARY_BASIC not in text


class Cli:
    """Runs ``moecheck`` in a child process with a private HOME; checks every output for the key."""

    def __init__(self, home: Path, sandbox: Sandbox) -> None:
        self.home = home
        self.sandbox = sandbox

    def env(self, key: str | None = CANARY, **extra: str) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("MOECHECK_", "XDG_"))
            and name.lower() not in ("https_proxy", "http_proxy", "all_proxy", "no_proxy")
        }
        # Keep the Secret Service session of scripts/with-keyring, if any.
        if "MOECHECK_IN_KEYRING_SESSION" in os.environ:
            env["MOECHECK_IN_KEYRING_SESSION"] = os.environ["MOECHECK_IN_KEYRING_SESSION"]
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local/share"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            XDG_STATE_HOME=str(self.home / ".local/state"),
            MOECHECK_API_BASE=self.sandbox.api_base,
            PYTHONIOENCODING="utf-8",
        )
        env.pop("NO_COLOR", None)
        if key is not None:
            env["MOECHECK_API_KEY"] = key
        env.update(extra)
        return env

    def command(self, args: Sequence[str]) -> list[str]:
        return [sys.executable, "-m", "moecheck_gui.cli", *args]

    def run(
        self,
        *args: str,
        key: str | None = CANARY,
        stdin: str | None = None,
        timeout: float = 30,
        **env: str,
    ) -> Result:
        started = time.monotonic()
        proc = subprocess.run(
            self.command(args),
            env=self.env(key, **env),
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)
        _assert_no_key(result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return result

    def popen(self, *args: str, key: str | None = CANARY, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(args),
            env=self.env(key, **env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        sb.add_workspace(CANARY_WS, CANARY, CANARY_DC, CANARY_APP)
        yield sb


@pytest.fixture
def cli(tmp_path: Path, sandbox: Sandbox) -> Iterator[Cli]:
    home = tmp_path / "home"
    home.mkdir()
    yield Cli(home, sandbox)
    # Nothing the command wrote under its HOME may contain the key.
    for path in home.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            assert CANARY.encode() not in data, f"the key was written to {path}"
            assert CANARY_BASIC.encode() not in data, f"the key was written to {path}"


# --- success and the JSON contract ---------------------------------------------


def test_check_success_json_has_every_contract_key(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "DC-02", "--json")
    assert r.returncode == 0, r.stderr
    data = r.json()
    for key, types in CONTRACT_KEYS.items():
        assert key in data, key
        assert isinstance(data[key], types), (key, data[key])
    assert data["ok"] is True
    assert data["kind"] is None
    assert data["dc"] == "02"
    assert data["workspace_id"] == CANARY_WS
    assert data["app_name"] == CANARY_APP
    assert data["http_status"] == 200
    assert data["message"] and data["hint"]
    assert "attempts" not in data
    # The request really went to the DC-02 endpoint with the region in the body.
    (request,) = cli.sandbox.requests
    assert request.dc == "02"


def test_check_success_human_output(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "2")
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert f'Connected to "{CANARY_APP}"' in first
    assert "DC-02" in first and CANARY_WS in first
    assert "\x1b[" not in r.stdout + r.stderr  # not a terminal: no colour


def test_check_dashboard_url_as_dc(cli: Cli) -> None:
    r = cli.run(
        "check",
        "--workspace-id",
        CANARY_WS,
        "--dc",
        "https://dashboard-02.moengage.com/v4/#/dashboard",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    assert r.json()["dc"] == "02"


def test_verbose_shows_request_trust_and_proxy_but_never_the_key(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "02", "--json", "-v")
    assert r.returncode == 0
    assert r.json()["ok"] is True  # stdout is still exactly one JSON object
    assert "Trust:" in r.stderr
    assert "Proxy: direct" in r.stderr
    assert "/dc-02/v1/integrations/authentication" in r.stderr
    # (the Cli helper already asserted that neither the key nor its Basic form appear)


def test_verbose_on_failure_never_shows_the_key(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "01", "-v")
    assert r.returncode == 1
    assert "Authorization" in r.stderr


# --- rejected credentials -----------------------------------------------------


def test_auth_rejected_exit_1_with_server_message_and_request_id(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "01", "--json")
    assert r.returncode == 1
    data = r.json()
    assert data["ok"] is False
    assert data["kind"] == "auth"
    assert data["http_status"] == 401
    assert "App Secret key mismatch" in str(data["server_message"])
    assert data["request_id"]


def test_auth_rejected_human_output(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "01")
    assert r.returncode == 1
    assert "rejected" in r.stdout and "(HTTP 401)" in r.stdout
    assert "App Secret key mismatch" in r.stdout
    assert "What to do:" in r.stdout
    assert "Request ID:" in r.stdout


def test_forbidden_exit_1(cli: Cli) -> None:
    cli.sandbox.set_mode("forbidden")
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "02", "--json")
    assert r.returncode == 1
    assert r.json()["kind"] == "forbidden"
    assert r.json()["http_status"] == 403


# --- refused input and usage errors --------------------------------------------


def test_bad_workspace_id_is_refused_and_nothing_is_sent(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", "has space", "--dc", "02", "--json")
    assert r.returncode == 2
    data = r.json()
    assert data["kind"] == "invalid_input"
    assert data["ok"] is False
    assert cli.sandbox.requests == []


@pytest.mark.parametrize("dc", ["07", "dashboard-01.moengage.com.evil.example", "banana"])
def test_bad_dc_is_refused_with_a_friendly_message(cli: Cli, dc: str) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", dc, "--json")
    assert r.returncode == 2
    data = r.json()
    assert data["ok"] is False
    assert data["kind"] == "invalid_input"
    assert "DC-01" in str(data["message"])  # says which values would work
    assert cli.sandbox.requests == []


def test_bad_dc_human_message(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "07")
    assert r.returncode == 2
    assert "'07' is not a MoEngage data center" in r.stdout


def test_dc_auto_points_to_detect(cli: Cli) -> None:
    """`check --dc auto` is refused (one DC per check) but says how to try them all."""
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "auto", "--json")
    assert r.returncode == 2
    assert f"moecheck detect --workspace-id {CANARY_WS}" in r.json()["hint"]
    assert cli.sandbox.requests == []


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--workspace-id", CANARY_WS],  # no --dc
        ["check", "--dc", "01"],  # no --workspace-id
        ["frobnicate"],
        [],
        ["check", "--workspace-id", CANARY_WS, "--dc", "01", "--timeout", "0"],
        ["check", "--workspace-id", CANARY_WS, "--dc", "01", "--timeout", "soon"],
        ["check", "--workspace-id", CANARY_WS, "--dc", "01", "--api-key-stdin", "--keychain"],
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str]) -> None:
    r = cli.run(*args)
    assert r.returncode == 2
    assert "error" in r.stderr.lower()
    assert cli.sandbox.requests == []


def test_usage_error_with_json_still_prints_one_json_object(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--json")
    assert r.returncode == 2
    assert r.json()["kind"] == "invalid_input"


@pytest.mark.parametrize(
    "args",
    [
        ["--api-key", CANARY],
        [f"--api-key={CANARY}"],
        ["--key", CANARY],
        ["--secret", CANARY],
        ["--apikey", CANARY],
    ],
)
def test_key_as_argument_is_refused_without_echoing_it(cli: Cli, args: list[str]) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "02", *args, key=None)
    assert r.returncode == 2
    assert "shell history" in r.stderr
    assert "MOECHECK_API_KEY" in r.stderr and "--api-key-stdin" in r.stderr
    assert cli.sandbox.requests == []


def test_stray_value_is_not_echoed(cli: Cli) -> None:
    # A key pasted where no option expects it must not be repeated in the error.
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "02", CANARY, key=None)
    assert r.returncode == 2
    assert "not shown" in r.stderr


def test_no_key_anywhere_is_a_clear_usage_error(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "02", key=None)
    assert r.returncode == 2
    assert "No API key" in r.stdout + r.stderr
    assert "--api-key-stdin" in r.stdout + r.stderr
    assert cli.sandbox.requests == []


# --- key sources ----------------------------------------------------------------


def test_api_key_stdin(cli: Cli) -> None:
    r = cli.run(
        "check",
        "--workspace-id",
        CANARY_WS,
        "--dc",
        "02",
        "--api-key-stdin",
        "--json",
        key=None,
        stdin=CANARY + "\n",
    )
    assert r.returncode == 0, r.stderr
    assert r.json()["app_name"] == CANARY_APP


def test_api_key_stdin_wins_over_environment(cli: Cli) -> None:
    r = cli.run(
        "check",
        "--workspace-id",
        CANARY_WS,
        "--dc",
        "02",
        "--api-key-stdin",
        "--json",
        key="WRONG-KEY-000000",
        stdin=CANARY + "\n",
    )
    assert r.returncode == 0


def test_api_key_stdin_extra_whitespace_is_trimmed_and_reported(cli: Cli) -> None:
    r = cli.run(
        "check",
        "--workspace-id",
        CANARY_WS,
        "--dc",
        "02",
        "--api-key-stdin",
        key=None,
        stdin=f"  {CANARY}\t\r\n",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Note:" in r.stdout


def test_api_key_stdin_empty(cli: Cli) -> None:
    r = cli.run(
        "check", "--workspace-id", CANARY_WS, "--dc", "02", "--api-key-stdin", key=None, stdin=""
    )
    assert r.returncode == 2
    assert "standard input was empty" in r.stdout + r.stderr
    assert cli.sandbox.requests == []


# --- network and service problems -----------------------------------------------


def test_connection_refused_exit_3(cli: Cli) -> None:
    with servers.refused_port() as port:
        base = f"http://127.0.0.1:{port}/dc-{{dc}}"
        r = cli.run(
            "check", "--workspace-id", CANARY_WS, "--dc", "02", "--json", MOECHECK_API_BASE=base
        )
    assert r.returncode == 3
    assert r.json()["kind"] == "connect"


def test_timeout_ends_promptly_exit_3(cli: Cli) -> None:
    cli.sandbox.set_mode("hang")
    r = cli.run(
        "check", "--workspace-id", CANARY_WS, "--dc", "02", "--timeout", "1", "--json", timeout=10
    )
    assert r.returncode == 3
    assert r.json()["kind"] == "timeout"
    # 1 s deadline, plus interpreter start-up: generous upper bound.
    assert r.seconds < 3.0


@pytest.mark.parametrize(
    ("mode", "params", "kind"),
    [
        ("rate_limited", {"retry_after": 30}, "rate_limited"),
        ("server_error", {}, "server_error"),
        ("server_error", {"html": True, "status": 503}, "server_error"),
        ("html", {}, "bad_response"),
        ("not_found", {}, "not_found"),
    ],
)
def test_service_problems_exit_4(cli: Cli, mode: str, params: dict[str, object], kind: str) -> None:
    cli.sandbox.set_mode(mode, **params)
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "02", "--json")
    assert r.returncode == 4
    data = r.json()
    assert data["kind"] == kind
    if mode == "rate_limited":
        assert data["retry_after_s"] == 30


def test_rate_limited_human_output_says_when_to_retry(cli: Cli) -> None:
    cli.sandbox.set_mode("rate_limited", retry_after=30)
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "02")
    assert r.returncode == 4
    assert "30 s" in r.stdout


# --- detect -------------------------------------------------------------------------


def test_detect_finds_the_dc_and_lists_every_attempt(cli: Cli) -> None:
    r = cli.run("detect", "--workspace-id", CANARY_WS, "--json")
    assert r.returncode == 0, r.stderr
    data = r.json()
    for key, types in CONTRACT_KEYS.items():
        assert isinstance(data[key], types), key
    assert data["ok"] is True
    assert data["dc"] == CANARY_DC
    assert data["app_name"] == CANARY_APP
    attempts = data["attempts"]
    assert isinstance(attempts, dict)
    assert set(attempts) == ALL_DCS
    for attempt in attempts.values():
        assert isinstance(attempt["ok"], bool)
        assert attempt["kind"] is None or isinstance(attempt["kind"], str)
    assert attempts[CANARY_DC]["ok"] is True


def test_detect_human_output_names_the_dc(cli: Cli) -> None:
    r = cli.run("detect", "--workspace-id", CANARY_WS)
    assert r.returncode == 0
    assert "Found it: DC-02" in r.stdout
    assert "DC-101" in r.stdout  # every DC tried is listed


def test_detect_when_no_dc_accepts(cli: Cli) -> None:
    r = cli.run("detect", "--workspace-id", CANARY_WS, "--json", key="WRONG-KEY-000000")
    assert r.returncode == 1
    data = r.json()
    assert data["ok"] is False and data["kind"] == "auth"
    assert set(data["attempts"]) == ALL_DCS  # type: ignore[arg-type]


def test_detect_refused_input_still_has_attempts(cli: Cli) -> None:
    r = cli.run("detect", "--workspace-id", CANARY_WS, "--json", key=None)
    assert r.returncode == 2
    assert r.json()["attempts"] == {}


# --- dc -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("5", "05"),
        ("05", "05"),
        ("DC-05", "05"),
        ("dc05", "05"),
        ("101", "101"),
        ("https://dashboard-02.moengage.com/v4/#/dashboard", "02"),
        ("app-serv3.moengage.com", "03"),
    ],
)
def test_dc_prints_the_code(cli: Cli, value: str, code: str) -> None:
    r = cli.run("dc", value)
    assert r.returncode == 0
    assert r.stdout == code + "\n"


@pytest.mark.parametrize(
    "value", ["07", "dashboard-01.moengage.com.evil.example", "dashboard-01.moengage.com@evil.x"]
)
def test_dc_refuses_anything_else(cli: Cli, value: str) -> None:
    r = cli.run("dc", value)
    assert r.returncode == 2
    assert r.stdout == ""
    assert "DC-01" in r.stderr or "MoEngage" in r.stderr


def test_dc_json(cli: Cli) -> None:
    r = cli.run("dc", "DC-05", "--json")
    assert r.returncode == 0
    assert r.json()["dc"] == "05"
    bad = cli.run("dc", "07", "--json")
    assert bad.returncode == 2
    assert bad.json()["kind"] == "invalid_input"


def test_dc_and_help_load_no_network_keychain_or_qt_modules(cli: Cli) -> None:
    # `moecheck dc 5` must stay instant: none of the heavy modules may be imported.
    code = (
        "import sys\n"
        "from moecheck_gui.cli import main\n"
        "rc = main(['dc', '5'])\n"
        "heavy = [m for m in ('requests', 'keyring', 'PySide6', 'moecheck_gui.client') "
        "if m in sys.modules]\n"
        "print(rc, heavy)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=cli.env(), capture_output=True, text=True, timeout=30
    )
    assert proc.stdout.splitlines() == ["05", "0 []"]


def test_version_and_help(cli: Cli) -> None:
    v = cli.run("--version")
    assert v.returncode == 0
    assert v.stdout.startswith("moecheck ")
    h = cli.run("check", "--help")
    assert h.returncode == 0
    assert "--api-key-stdin" in h.stdout and "exit codes" in h.stdout


def test_help_mentions_check_all_until_ok_and_saved_workspaces(cli: Cli) -> None:
    top = cli.run("--help")
    assert "check-all" in top.stdout and "--until-ok" in top.stdout
    check = cli.run("check", "--help")
    for option in ("--until-ok", "--every", "--label", "saved workspaces"):
        assert option in check.stdout, option
    every = cli.run("check-all", "--help")
    assert every.returncode == 0
    for option in ("--from", "--json", "--csv", "--concurrency", "--timeout", "exit codes"):
        assert option in every.stdout, option


@pytest.mark.parametrize("output", [[], ["--json"], ["--csv"]])
def test_check_all_from_a_file_never_shows_the_file_keys(
    cli: Cli, tmp_path: Path, output: list[str]
) -> None:
    # The canary key sits in the file's api_key column; the Cli helper searches every
    # output for it, and the fixture every file the command could write under HOME.
    path = tmp_path / "workspaces.csv"
    path.write_text(
        f"workspace_id,dc,label,api_key\n{CANARY_WS},{CANARY_DC},Canary,{CANARY}\n"
        f"{CANARY_WS},01,Wrong DC,{CANARY}\n",
        encoding="utf-8",
    )
    r = cli.run("check-all", "--from", str(path), *output, key=None)
    assert r.returncode == 1
    assert CANARY_APP in r.stdout
    assert "api_key column" in r.stderr


# --- output for terminals, pipes and odd encodings -------------------------------------


def _run_in_pty(cli: Cli, args: Sequence[str], **env: str) -> str:
    """Run the command with stdout and stderr on a pseudo-terminal; return what it printed."""
    import pty  # POSIX only: imported here so the module still loads on Windows

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        cli.command(args),
        env=cli.env(**env),
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=10)
    os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace")
    _assert_no_key(text)
    return text


@needs_pty
def test_colour_on_a_terminal(cli: Cli) -> None:
    out = _run_in_pty(cli, ["check", "--workspace-id", CANARY_WS, "--dc", "02"], TERM="xterm")
    assert "Connected to" in out
    assert "\x1b[" in out


@needs_pty
def test_no_color_on_a_terminal(cli: Cli) -> None:
    out = _run_in_pty(
        cli, ["check", "--workspace-id", CANARY_WS, "--dc", "02"], NO_COLOR="1", TERM="xterm"
    )
    assert "Connected to" in out
    assert "\x1b[" not in out


@needs_pty
def test_term_dumb_has_no_colour(cli: Cli) -> None:
    out = _run_in_pty(cli, ["check", "--workspace-id", CANARY_WS, "--dc", "01"], TERM="dumb")
    assert "rejected" in out
    assert "\x1b[" not in out


def test_ascii_only_output_falls_back_without_crashing(cli: Cli) -> None:
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "02", PYTHONIOENCODING="ascii")
    assert r.returncode == 0
    assert r.stdout.startswith("OK Connected to")
    r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "01", PYTHONIOENCODING="ascii")
    assert r.returncode == 1
    assert r.stdout.startswith("FAIL ")


# --- Ctrl-C ---------------------------------------------------------------------------------


def _wait_for_request(sandbox: Sandbox, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not sandbox.requests:
        assert time.monotonic() < deadline, "the check never reached the sandbox"
        time.sleep(0.02)


@needs_ctrl_c
@pytest.mark.parametrize("as_json", [False, True])
def test_ctrl_c_during_a_check_exits_130_without_traceback(cli: Cli, as_json: bool) -> None:
    cli.sandbox.set_mode("hang")
    args = ["check", "--workspace-id", CANARY_WS, "--dc", "02", "--timeout", "60"]
    proc = cli.popen(*([*args, "--json"] if as_json else args))
    try:
        _wait_for_request(cli.sandbox)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert time.monotonic() - started < 3.0
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert "Interrupted." in stderr
    _assert_no_key(stdout, stderr)
    if as_json:
        assert json.loads(stdout)["kind"] == "cancelled"


# --- sandbox command -------------------------------------------------------------------------


@needs_ctrl_c
def test_sandbox_command_serves_until_ctrl_c(cli: Cli) -> None:
    proc = cli.popen("sandbox", "--port", "0", key=None)
    try:
        assert proc.stdout is not None
        base = None
        deadline = time.monotonic() + 15
        while base is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, "the sandbox command ended early"
            if "export MOECHECK_API_BASE=" in line:
                base = line.split("=", 1)[1].strip()
        assert base is not None
        demo = DEMO_WORKSPACES[0]
        r = cli.run(
            "check",
            "--workspace-id",
            demo.workspace_id,
            "--dc",
            demo.dc,
            "--json",
            key=demo.api_key,
            MOECHECK_API_BASE=base,
        )
        assert r.returncode == 0, r.stdout + r.stderr
        assert r.json()["app_name"] == demo.app_name
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Sandbox stopped." in stderr
    assert "Traceback" not in stderr


# --- keychain (real Secret Service) ------------------------------------------------------------

keychain = pytest.mark.skipif(
    os.environ.get("MOECHECK_IN_KEYRING_SESSION") != "1",
    reason="needs the private Secret Service of scripts/with-keyring",
)


@pytest.mark.keychain
@keychain
def test_save_then_keychain_then_forget(cli: Cli, sandbox: Sandbox) -> None:
    workspace = f"CLITEST{uuid.uuid4().hex[:10].upper()}"
    sandbox.add_workspace(workspace, CANARY, "05", "Keychain Test")
    try:
        missing = cli.run(
            "check", "--workspace-id", workspace, "--dc", "05", "--keychain", key=None
        )
        assert missing.returncode == 2
        assert "No saved key" in missing.stdout + missing.stderr

        saved = cli.run("check", "--workspace-id", workspace, "--dc", "05", "--save")
        assert saved.returncode == 0, saved.stdout + saved.stderr
        assert "Saved the key in" in saved.stdout

        loaded = cli.run(
            "check", "--workspace-id", workspace, "--dc", "05", "--keychain", "--json", key=None
        )
        assert loaded.returncode == 0, loaded.stderr
        assert loaded.json()["app_name"] == "Keychain Test"

        detected = cli.run("detect", "--workspace-id", workspace, "--keychain", "--json", key=None)
        assert detected.returncode == 0
        assert detected.json()["dc"] == "05"

        forgot = cli.run("forget", "--workspace-id", workspace, key=None)
        assert forgot.returncode == 0
        assert "Removed" in forgot.stdout

        again = cli.run("forget", "--workspace-id", workspace, key=None)
        assert again.returncode == 0
        assert f"No saved key for {workspace}" in again.stdout

        gone = cli.run("check", "--workspace-id", workspace, "--dc", "05", "--keychain", key=None)
        assert gone.returncode == 2
    finally:
        cli.run("forget", "--workspace-id", workspace, key=None)


@pytest.mark.keychain
@keychain
def test_save_only_after_a_successful_check(cli: Cli) -> None:
    workspace = f"CLITEST{uuid.uuid4().hex[:10].upper()}"
    r = cli.run("check", "--workspace-id", workspace, "--dc", "05", "--save", "--json")
    assert r.returncode == 1
    assert r.json()["saved_in"] is None
    assert "Not saved" in r.stderr
    after = cli.run("forget", "--workspace-id", workspace, key=None)
    assert f"No saved key for {workspace}" in after.stdout


@pytest.mark.keychain
@keychain
def test_save_json_reports_where(cli: Cli) -> None:
    try:
        r = cli.run("check", "--workspace-id", CANARY_WS, "--dc", "02", "--save", "--json")
        assert r.returncode == 0
        assert isinstance(r.json()["saved_in"], str)
        assert "Saved the key in" in r.stderr  # stdout holds only the JSON object
    finally:
        cli.run("forget", "--workspace-id", CANARY_WS, key=None)


def test_save_failure_is_a_warning_not_a_failed_check(cli: Cli) -> None:
    # keyring's "fail" backend stands in for a machine without any keychain.
    r = cli.run(
        "check",
        "--workspace-id",
        CANARY_WS,
        "--dc",
        "02",
        "--save",
        "--json",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    assert r.returncode == 0
    data = r.json()
    assert data["ok"] is True and data["saved_in"] is None
    assert data["save_error"]
    assert "not saved" in r.stderr


def test_keychain_unavailable_is_a_clear_error(cli: Cli) -> None:
    r = cli.run(
        "check",
        "--workspace-id",
        CANARY_WS,
        "--dc",
        "02",
        "--keychain",
        key=None,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    assert r.returncode == 2
    assert "keychain" in (r.stdout + r.stderr).lower()
    f = cli.run(
        "forget",
        "--workspace-id",
        CANARY_WS,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    assert f.returncode == 2


# --- in-process: internal errors ---------------------------------------------------------------


def test_internal_error_is_reported_without_traceback_or_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sandbox: Sandbox
) -> None:
    # A bug cannot be produced on demand through the real client, so this one test
    # makes Checker.check raise (in-process) to prove the safety net.
    from moecheck_gui import client

    def broken(self: object, *args: object, **kwargs: object) -> object:
        raise RuntimeError(f"boom while handling {CANARY}")

    monkeypatch.setattr(client.Checker, "check", broken)
    monkeypatch.setenv("MOECHECK_API_KEY", CANARY)
    monkeypatch.setenv("MOECHECK_API_BASE", sandbox.api_base)
    from moecheck_gui.cli import EXIT_INTERNAL, main

    rc = main(["check", "--workspace-id", CANARY_WS, "--dc", "02"])
    out, err = capsys.readouterr()
    assert rc == EXIT_INTERNAL
    assert "internal error: RuntimeError" in err
    assert "please report this" in err
    assert "Traceback" not in err
    _assert_no_key(out, err)
    assert "[redacted]" in err


@pytest.mark.keychain
@keychain
def test_detect_save_then_check_from_keychain(cli: Cli, sandbox: Sandbox) -> None:
    workspace = f"CLITEST{uuid.uuid4().hex[:10].upper()}"
    sandbox.add_workspace(workspace, CANARY, "101", "Detect Save Test")
    try:
        found = cli.run("detect", "--workspace-id", workspace, "--save")
        assert found.returncode == 0, found.stdout + found.stderr
        assert "Found it: DC-101" in found.stdout
        assert "Saved the key in" in found.stdout
        loaded = cli.run(
            "check", "--workspace-id", workspace, "--dc", "101", "--keychain", "--json", key=None
        )
        assert loaded.returncode == 0
        assert loaded.json()["app_name"] == "Detect Save Test"
    finally:
        cli.run("forget", "--workspace-id", workspace, key=None)


@needs_pty
def test_hidden_prompt_on_a_terminal_does_not_echo_the_key(cli: Cli) -> None:
    # stdin is a real pseudo-terminal (the child's controlling terminal), as when a
    # person runs the command without MOECHECK_API_KEY: it must ask, without echo.
    env = cli.env(key=None)
    argv = [*cli.command(["check", "--workspace-id", CANARY_WS, "--dc", "02"])]
    import pty  # POSIX only: imported here so the module still loads on Windows

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child becomes moecheck at once
        os.execve(argv[0], argv, env)
    seen = b""
    sent = False
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the child is gone
                break
            if not data:
                break
            seen += data
            if not sent and b"input hidden" in seen:
                os.write(fd, CANARY.encode() + b"\n")
                sent = True
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = seen.decode("utf-8", "replace")
    assert sent, text
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert f'Connected to "{CANARY_APP}"' in text
    _assert_no_key(text)  # the terminal never echoed what was typed
