"""Keep checking: the loop on its own (real CheckFlow, client and sandbox), then in the window.

No timing asserts: the loop runs with a tiny interval, and where the time
limit matters a fake clock (advanced by the test after each try) decides it;
the tests assert the number of tries, how the loop ended, and what was shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from moecheck_gui import applog
from moecheck_gui.client import Checker
from moecheck_gui.gui import keep_checking
from moecheck_gui.gui.check_flow import CheckFlow
from moecheck_gui.gui.credentials_form import TypedCredentials
from moecheck_gui.gui.keep_checking import CHANGED, LIMIT, OK, STOPPED, KeepChecking
from moecheck_gui.gui.main_window import MainWindow
from moecheck_gui.gui.providers import Providers
from moecheck_gui.gui.tasks import TaskRunner
from moecheck_gui.outcome import Outcome
from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox

US = DEMO_WORKSPACES[0]  # works on DC 01
TYPED = TypedCredentials(US.workspace_id, US.api_key, "01", False, "")


class FakeClock:
    """A monotonic clock the test moves by hand (so the 10-minute limit takes no time)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def is_redacted(secret: str) -> bool:
    return secret not in applog.redact(f"text with {secret} in it")


@pytest.fixture
def flow(qapp: Any, sandbox: Sandbox) -> Any:
    runner = TaskRunner()
    flow = CheckFlow(runner, Providers(checker=Checker(api_base=sandbox.api_base)), timeout=5.0)
    yield flow
    runner.shutdown()


def first_outcome(qtbot: Any, flow: CheckFlow) -> Outcome:
    with qtbot.waitSignal(flow.finished, timeout=10000) as got:
        flow.start(TYPED)
    outcome = got.args[0]
    assert isinstance(outcome, Outcome)
    return outcome


def run_loop(qtbot: Any, keep: KeepChecking, last: Outcome) -> tuple[Outcome, str]:
    with qtbot.waitSignal(keep.ended, timeout=20000) as got:
        keep.start(last)
    return got.args[0], got.args[1]


def test_ends_at_the_first_success_and_holds_the_key_only_while_it_runs(
    qtbot: Any, flow: CheckFlow, sandbox: Sandbox
) -> None:
    sandbox.set_mode("unauthorized")
    last = first_outcome(qtbot, flow)
    assert last.kind == "auth"
    finishes: list[Outcome] = []
    registered_between: list[bool] = []

    def on_finished(outcome: Outcome, run: object) -> None:  # connected before the loop's slot
        finishes.append(outcome)
        registered_between.append(is_redacted(US.api_key))
        if len(finishes) == 2:
            sandbox.set_mode("normal")  # "the new key started working"

    flow.finished.connect(on_finished)
    keep = KeepChecking(flow, TYPED, interval_s=0.01)
    lines: list[str] = []
    keep.waiting.connect(lines.append)
    outcome, reason = run_loop(qtbot, keep, last)
    assert reason == OK and outcome.ok and outcome.app_name == US.app_name
    assert keep.tries == 4, "the failure shown, two more rejections, then the success"
    assert [o.kind for o in finishes] == ["auth", "auth", None]
    assert all(registered_between), "the key stays redacted from logs between tries"
    assert not is_redacted(US.api_key), "and is released when the loop ends"
    assert any(line.startswith("Next check in") and "stops at" in line for line in lines)
    assert any(line.startswith("Checking again now") for line in lines)
    assert not keep.is_active


def test_gives_up_at_the_time_limit_with_the_last_outcome(
    qtbot: Any, flow: CheckFlow, sandbox: Sandbox
) -> None:
    sandbox.set_mode("server_error", status=503)
    last = first_outcome(qtbot, flow)
    clock = FakeClock()
    flow.finished.connect(lambda *_: setattr(clock, "now", clock.now + 100))
    keep = KeepChecking(flow, TYPED, interval_s=0.01, limit_s=250, clock=clock)
    outcome, reason = run_loop(qtbot, keep, last)
    # Tries end at t+100, t+200, t+300; after the third the next would start past t+250.
    assert reason == LIMIT and keep.tries == 4
    assert outcome.kind == "server_error" and outcome.http_status == 503
    assert "Gave up after" in keep_checking.ended_text(reason, keep.tries, 250)


def test_a_longer_retry_after_is_respected(qtbot: Any, flow: CheckFlow, sandbox: Sandbox) -> None:
    sandbox.set_mode("rate_limited", retry_after=30)
    last = first_outcome(qtbot, flow)
    assert last.retry_after_s == 30
    sandbox.clear_requests()
    keep = KeepChecking(flow, TYPED, interval_s=0.01, limit_s=600, clock=FakeClock())
    lines: list[str] = []
    keep.waiting.connect(lines.append)
    keep.start(last)
    assert lines and lines[0].startswith("Next check in 30 s"), lines
    keep.stop()
    # Shorter than Retry-After: it gives up at once instead of asking too early.
    short = KeepChecking(flow, TYPED, interval_s=0.01, limit_s=20, clock=FakeClock())
    outcome, reason = run_loop(qtbot, short, last)
    assert reason == LIMIT and short.tries == 1 and outcome is last
    assert sandbox.requests == [], "nothing was sent before the server's Retry-After"


def test_an_answer_waiting_cannot_fix_ends_the_loop(
    qtbot: Any, flow: CheckFlow, sandbox: Sandbox
) -> None:
    sandbox.set_mode("unauthorized")
    last = first_outcome(qtbot, flow)
    sandbox.set_mode("forbidden")
    outcome, reason = run_loop(qtbot, KeepChecking(flow, TYPED, interval_s=0.01), last)
    assert reason == CHANGED and outcome.kind == "forbidden"


def test_stop_another_check_or_closing_ends_it(
    qtbot: Any, flow: CheckFlow, sandbox: Sandbox
) -> None:
    sandbox.set_mode("unauthorized")
    last = first_outcome(qtbot, flow)
    reasons: list[str] = []
    # Stopped while waiting (a long interval: it is still waiting).
    keep = KeepChecking(flow, TYPED, interval_s=60)
    keep.ended.connect(lambda _o, why: reasons.append(why))
    keep.start(last)
    assert is_redacted(US.api_key)
    keep.stop()
    assert reasons == [STOPPED] and not is_redacted(US.api_key)
    # Another check started by the user replaces the loop.
    other = KeepChecking(flow, TYPED, interval_s=60)
    other.ended.connect(lambda _o, why: reasons.append(why))
    other.start(last)
    with qtbot.waitSignal(flow.finished, timeout=10000):
        flow.start(TYPED)
    assert reasons == [STOPPED, STOPPED]
    # The window closing (the flow closes) stops it too.
    third = KeepChecking(flow, TYPED, interval_s=60)
    third.ended.connect(lambda _o, why: reasons.append(why))
    third.start(last)
    flow.close()
    assert reasons == [STOPPED, STOPPED, STOPPED]
    assert not is_redacted(US.api_key)


def test_offered_only_where_waiting_can_help() -> None:
    def outcome(kind: str | None) -> Outcome:
        return Outcome(ok=kind is None, kind=kind, dc="01", workspace_id="W")

    offered = {
        k
        for k in (
            "auth",
            "forbidden",
            "tls",
            "rate_limited",
            "server_error",
            "timeout",
            "connect",
            "dns",
            "proxy",
            "cancelled",
        )
        if keep_checking.offered_for(outcome(k))
    }
    assert offered == {"auth", "rate_limited", "server_error", "timeout", "connect"}
    assert not keep_checking.offered_for(outcome(None))


# --------------------------------------------------------------------------- in the window


def button(window: QWidget, name: str) -> QPushButton:
    found = window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def edit(window: QWidget, name: str) -> QLineEdit:
    found = window.findChild(QLineEdit, name)
    assert found is not None, name
    return found


def label_named(window: QWidget, name: str) -> QLabel:
    found = window.findChild(QLabel, name)
    assert found is not None, name
    return found


def fill(window: MainWindow, key: str = US.api_key) -> None:
    edit(window, "workspaceIdEdit").setText(US.workspace_id)
    edit(window, "apiKeyEdit").setText(key)
    window.select_dc("01")


def click(qtbot: Any, window: MainWindow, name: str) -> None:
    button = window.findChild(QPushButton, name)
    assert button is not None and button.isVisibleTo(window), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_window_keeps_checking_a_rejected_key_until_it_works(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    use_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keep_checking, "INTERVAL_S", 0.05)
    use_sandbox.set_mode("unauthorized")
    window = make_window()
    fill(window)
    with qtbot.waitSignal(window.checkFinished, timeout=10000):
        click(qtbot, window, "testButton")
    click(qtbot, window, "keepCheckingButton")
    status = label_named(window, "keepCheckingStatus")
    assert status.isVisibleTo(window) and "stops at" in status.text()
    assert status.textFormat() == Qt.TextFormat.PlainText
    assert button(window, "keepCheckingStopButton").isVisibleTo(window)
    assert not button(window, "keepCheckingButton").isVisibleTo(window)
    use_sandbox.set_mode("normal")
    qtbot.waitUntil(
        lambda: window.result_panel.outcome is not None and window.result_panel.outcome.ok,
        timeout=10000,
    )
    qtbot.waitUntil(lambda: "It worked on try" in status.text(), timeout=5000)
    text = window.result_panel.text()
    assert "Connection works" in text and US.app_name in text
    assert not button(window, "keepCheckingStopButton").isVisibleTo(window)
    assert window.result_actions.keep is None


def test_window_editing_or_stop_ends_the_loop_and_says_so(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    use_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keep_checking, "INTERVAL_S", 60.0)
    use_sandbox.set_mode("server_error", status=503)
    window = make_window()
    fill(window)
    with qtbot.waitSignal(window.checkFinished, timeout=10000):
        click(qtbot, window, "testButton")
    click(qtbot, window, "keepCheckingButton")
    assert window.result_actions.keep is not None and is_redacted(US.api_key)
    click(qtbot, window, "keepCheckingStopButton")
    status = label_named(window, "keepCheckingStatus")
    assert window.result_actions.keep is None and status.text() == "Stopped checking after 1 try."
    assert button(window, "keepCheckingButton").isVisibleTo(window), "offered again"
    # Editing the details while it waits stops it as well.
    click(qtbot, window, "keepCheckingButton")
    assert window.result_actions.keep is not None
    edit(window, "apiKeyEdit").setText(US.api_key + "x")
    assert window.result_actions.keep is None and window.result_panel.stale
    assert not button(window, "keepCheckingButton").isVisibleTo(window)
    assert not is_redacted(US.api_key), "the loop no longer holds the key"


def test_window_closing_stops_the_loop(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    use_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keep_checking, "INTERVAL_S", 60.0)
    use_sandbox.set_mode("unauthorized")
    window = make_window()
    fill(window)
    with qtbot.waitSignal(window.checkFinished, timeout=10000):
        click(qtbot, window, "testButton")
    click(qtbot, window, "keepCheckingButton")
    assert is_redacted(US.api_key)
    window.close()
    assert window.result_actions.keep is None and not is_redacted(US.api_key)


def test_the_history_keeps_the_loops_answers_not_every_retry(
    qtbot: Any, qapp: Any, sandbox: Sandbox, tmp_path: Any
) -> None:
    """A saved workspace: the failure that started the loop, then only what ended it."""
    from moecheck_gui.history import HistoryStore

    history = HistoryStore(tmp_path / "history.json")
    runner = TaskRunner()
    checker = Checker(api_base=sandbox.api_base)
    flow = CheckFlow(runner, Providers(checker=checker, history=history), timeout=5.0)
    try:
        sandbox.set_mode("unauthorized")
        with qtbot.waitSignal(flow.finished, timeout=10000) as got:
            flow.start(TYPED, record=True)
        first = got.args[0]
        assert first.kind == "auth"

        def after_three_tries(_outcome: Outcome, _run: object) -> None:
            if keep.tries >= 3:
                sandbox.set_mode("forbidden")  # the answer changes: waiting will not fix it

        keep = KeepChecking(flow, TYPED, record=True, interval_s=0.01)
        flow.finished.connect(after_three_tries)
        outcome, reason = run_loop(qtbot, keep, first)
        flow.finished.disconnect(after_three_tries)
        assert reason == CHANGED and outcome.kind == "forbidden" and keep.tries == 5
        kinds = [e.kind for e in history.entries(US.workspace_id)]
        assert kinds == ["auth", "forbidden"], "the three rejected retries were not recorded"

        sandbox.set_mode("unauthorized")
        with qtbot.waitSignal(flow.finished, timeout=10000) as got:
            flow.start(TYPED, record=True)
        sandbox.set_mode("normal")
        outcome, reason = run_loop(
            qtbot, KeepChecking(flow, TYPED, record=True, interval_s=0.01), got.args[0]
        )
        assert reason == OK and outcome.ok
        kinds = [e.kind for e in history.entries(US.workspace_id)]
        assert kinds == ["auth", "forbidden", "auth", None]
    finally:
        runner.shutdown()
        checker.close()
