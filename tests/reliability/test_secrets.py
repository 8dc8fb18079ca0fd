"""The canary key through every path: it may appear nowhere but the OS keychain.

Searched for: the key, its base64 Basic-auth form (``workspace:key``) and the
key in base64 alone, in UTF-8 and UTF-16. Places: the command's stdout and
stderr (human and ``--json``, with ``-v``), every text the window shows, the
copied report (clipboard), the crash dialog and its copied details, the log
files, the settings files, temporary files (``TMPDIR`` points at a folder of
ours and is scanned), and the keychain refusal paths. A server that *echoes*
the key back is included: its text is shown to the user, so it must be
redacted too.
"""

from __future__ import annotations

import base64
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from moecheck_gui import applog
from moecheck_gui.keychain import KeychainError, KeychainStore
from moecheck_gui.sandbox import Sandbox
from tests.reliability.cases import KEY, WS
from tests.reliability.conftest import SECRET_FORMS, run_cli, scan_tree_for_secrets
from tests.reliability.fake_backends import AccessDeniedError
from tests.reliability.test_hostile_window import NoKeychain, fill, open_window
from tests.reliability.window_driver import visible_text
from tests.servers import ScriptedServer, reply, scripted

APP = "Canary Co"
BASIC_TOKEN = base64.b64encode(f"{WS}:{KEY}".encode()).decode()
ECHO_401 = {
    "status": "fail",
    "error": {
        "message": f"App Secret key mismatch for key {KEY} (Basic {BASIC_TOKEN})",
        "type": "Authentication Failed",
        "request_id": f"req-{KEY}",
    },
}


def assert_clean(text: str, where: str) -> None:
    for secret in SECRET_FORMS:
        assert secret not in text, f"the key reached {where}"


@pytest.fixture
def tmpdir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """TMPDIR (and Python's cached temp dir) pointed at a folder this test scans afterwards."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert scan_tree_for_secrets(folder) == [], "the key was written to a temporary file"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as box:
        box.add_workspace(WS, KEY, "01", APP)
        yield box


@pytest.fixture
def echo_server() -> Iterator[ScriptedServer]:
    """A hostile server that repeats the key back in its error message and request id."""
    with scripted(reply(401, ECHO_401, {"X-Request-Id": KEY})) as server:
        yield server


@pytest.fixture
def logging_to_home(home: Path) -> Iterator[Path]:
    """The window's real rotating log file, at DEBUG, in the private HOME."""
    path = applog.setup_logging(level=logging.DEBUG)
    assert path is not None
    yield path.parent
    applog.shutdown_logging()


def test_scanner_finds_a_planted_key(tmp_path: Path) -> None:
    """Guard the guard: a scan that cannot find the key would make this file vacuous."""
    (tmp_path / "a.txt").write_text(f"x {KEY} y")
    (tmp_path / "b.ini").write_text(base64.b64encode(f"{WS}:{KEY}".encode()).decode())
    (tmp_path / "c.bin").write_bytes(KEY.encode("utf-16-le"))
    assert len(scan_tree_for_secrets(tmp_path)) == 3


# ----------------------------------------------------------------------------- the command


@pytest.mark.parametrize("output", [[], ["--json"]], ids=["human", "json"])
@pytest.mark.parametrize("server", ["sandbox", "echo"])
@pytest.mark.parametrize("command", ["check", "detect"])
@pytest.mark.parametrize("source", ["env", "stdin"])
def test_command_never_shows_the_key(
    home: Path,
    tmp_path: Path,
    sandbox: Sandbox,
    echo_server: ScriptedServer,
    output: list[str],
    server: str,
    command: str,
    source: str,
) -> None:
    tmp = tmp_path / "child-tmp"
    tmp.mkdir()
    base = sandbox.api_base if server == "sandbox" else echo_server.url() + "/dc-{dc}"
    env: dict[str, str | None] = {"MOECHECK_API_BASE": base, "TMPDIR": str(tmp)}
    args = [command, "--workspace-id", WS, "-v", "--timeout", "5", *output]
    if command == "check":
        args += ["--dc", "01"]
    stdin = ""
    if source == "env":
        env["MOECHECK_API_KEY"] = KEY
    else:
        args.append("--api-key-stdin")
        stdin = f"  {KEY}  \r\n"
    result = run_cli(args, home=home, env=env, stdin=stdin)  # asserts stdout/stderr are clean
    assert result.returncode == (0 if server == "sandbox" else 1), result.stderr
    if server == "echo":
        assert "[redacted]" in result.stdout + result.stderr or "mismatch" in result.stdout
    assert scan_tree_for_secrets(home) == []
    assert scan_tree_for_secrets(tmp) == []


def test_command_refusing_the_key_as_an_argument_never_echoes_it(home: Path) -> None:
    for args in (["--api-key", KEY], [f"--api-key={KEY}"], [KEY]):
        result = run_cli(["check", "--workspace-id", WS, "--dc", "01", "--json", *args], home=home)
        assert result.returncode == 2


def test_command_keychain_refusal_never_shows_the_key(home: Path, tmp_path: Path) -> None:
    env = {
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus",
        "MOECHECK_API_KEY": KEY,
        "MOECHECK_API_BASE": "http://127.0.0.1:9/dc-{dc}",
    }
    run_cli(["check", "--workspace-id", WS, "--dc", "01", "--save", "-v"], home=home, env=env)
    run_cli(["forget", "--workspace-id", WS], home=home, env=env)
    assert scan_tree_for_secrets(home) == []


# ----------------------------------------------------------------------------- the window


def run_window_check(qtbot: Any, window: QWidget) -> Any:
    with qtbot.waitSignal(window.checkFinished, timeout=15000) as got:  # type: ignore[attr-defined]
        qtbot.mouseClick(window.findChild(QPushButton, "testButton"), Qt.MouseButton.LeftButton)
    return got.args[0]


def copy_report(qtbot: Any, window: QWidget) -> str:
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(window.findChild(QPushButton, "copyDetailsButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(QGuiApplication.clipboard().text()), timeout=5000)
    return QGuiApplication.clipboard().text()


@pytest.mark.parametrize("server", ["sandbox", "echo"])
def test_window_text_report_logs_and_settings_never_hold_the_key(
    qtbot: Any,
    home: Path,
    tmpdir_env: Path,
    logging_to_home: Path,
    sandbox: Sandbox,
    echo_server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
    server: str,
) -> None:
    base = sandbox.api_base if server == "sandbox" else echo_server.url() + "/dc-{dc}"
    monkeypatch.setenv("MOECHECK_API_BASE", base)
    window = open_window(qtbot, timeout=5)
    fill(window, f"  {WS} ", f" {KEY}\n", "01")
    outcome = run_window_check(qtbot, window)
    assert outcome.ok is (server == "sandbox")
    assert_clean(repr(outcome), "the outcome")
    for text in visible_text(window):
        assert_clean(text, "the window")
    report = copy_report(qtbot, window)
    assert WS in report, "the report is real (it names the workspace)"
    assert_clean(report, "the copied report")
    window.close()
    applog.shutdown_logging()
    assert scan_tree_for_secrets(home) == [], "the key reached a log or settings file"
    logs = list(logging_to_home.glob("moecheck.log*"))
    assert logs and "Check finished" in logs[0].read_text(), "the log file is real"


class BuggyChecker:
    """A checker with a bug whose exception text holds the key (a fake: the bug is the point)."""

    def check(self, workspace_id: str, api_key: str, dc: str, **kw: Any) -> Any:
        token = base64.b64encode(f"{workspace_id}:{api_key}".encode()).decode()
        raise RuntimeError(f"unexpected bug while sending {api_key!r} as Basic {token}")

    def detect(self, workspace_id: str, api_key: str, **kw: Any) -> Any:
        return self.check(workspace_id, api_key, "01")


def test_crash_dialog_and_its_copied_details_never_hold_the_key(
    qtbot: Any, home: Path, tmpdir_env: Path, logging_to_home: Path
) -> None:
    from moecheck_gui.gui import MainWindow

    window = MainWindow(keychain=NoKeychain(), checker=BuggyChecker(), timeout=5)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.runner.running_count() == 0, timeout=10000)
    fill(window, WS, KEY, "01")
    qtbot.mouseClick(window.findChild(QPushButton, "testButton"), Qt.MouseButton.LeftButton)

    def dialog() -> QWidget | None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == "errorDialog" and widget.isVisible():
                return widget
        return None

    qtbot.waitUntil(lambda: dialog() is not None, timeout=10000)
    found = dialog()
    assert found is not None
    texts = visible_text(found)
    assert any("unexpected bug" in t for t in texts), "the dialog shows the (redacted) details"
    for text in texts:
        assert_clean(text, "the crash dialog")
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(found.findChild(QPushButton, "copyErrorButton"), Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert "unexpected bug" in copied
    assert_clean(copied, "the copied crash details")
    for text in visible_text(window):
        assert_clean(text, "the window after the crash")
    found.close()
    window.close()
    applog.shutdown_logging()
    log_text = "".join(p.read_text() for p in logging_to_home.glob("moecheck.log*"))
    assert "unexpected bug" in log_text, "the crash was logged"
    assert scan_tree_for_secrets(home) == []


class LeakyDenyingKeyring:
    """A keychain that refuses and puts the key into its error text (a fake: a badly written
    third-party backend; the real ones do not echo secrets, which is why it is faked)."""

    priority = 10

    def get_password(self, service: str, username: str) -> str | None:
        raise AccessDeniedError("denied reading; last value was unknown")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AccessDeniedError(f"denied: will not store {password!r} for {username}")

    def delete_password(self, service: str, username: str) -> None:
        raise AccessDeniedError("denied")


def test_keychain_refusal_never_repeats_the_key() -> None:
    store = KeychainStore(backend=LeakyDenyingKeyring())  # type: ignore[arg-type]
    with pytest.raises(KeychainError) as caught:
        store.save(WS, KEY)
    error = caught.value
    for text in (str(error), repr(error), error.message, error.detail or "", repr(store)):
        assert_clean(text, "the keychain error")
    assert error.message, "the user still gets a reason"


@pytest.mark.skipif(
    os.environ.get("MOECHECK_IN_KEYRING_SESSION") != "1",
    reason="needs the real Secret Service (scripts/with-keyring)",
)
def test_the_os_keychain_is_the_one_place_the_key_lives(
    home: Path, tmp_path: Path, sandbox: Sandbox
) -> None:
    """Positive control: after --save the key is in the keychain, and still nowhere else."""
    import keyring

    tmp = tmp_path / "child-tmp"
    tmp.mkdir()
    env = {"MOECHECK_API_BASE": sandbox.api_base, "MOECHECK_API_KEY": KEY, "TMPDIR": str(tmp)}
    args = ["check", "--workspace-id", WS, "--dc", "01", "--save", "--json", "-v"]
    try:
        result = run_cli(args, home=home, env=env)
        assert result.returncode == 0 and result.json()["saved_in"]
        assert keyring.get_password("moecheck", WS) == KEY
        again = run_cli(
            ["check", "--workspace-id", WS, "--dc", "01", "--keychain", "-v"], home=home, env=env
        )
        assert again.returncode == 0
    finally:
        run_cli(["forget", "--workspace-id", WS], home=home)
    assert keyring.get_password("moecheck", WS) is None
    assert scan_tree_for_secrets(home) == [] and scan_tree_for_secrets(tmp) == []
