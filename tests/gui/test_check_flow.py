"""The check flow on its own, without a window: start, tick, finish, cancel, crash, close.

The checks run through the real client against the core's sandbox on
127.0.0.1 (given to the flow through its providers). Only the "bug in the
worker" case uses a fake checker: the real client never raises, so a bug can
only be simulated.
"""

from __future__ import annotations

from typing import Any

import pytest

from moecheck_gui import applog
from moecheck_gui.client import Checker
from moecheck_gui.gui.check_flow import CheckFlow, CheckRun
from moecheck_gui.gui.credentials_form import TypedCredentials
from moecheck_gui.gui.providers import Providers
from moecheck_gui.gui.tasks import TaskRunner
from moecheck_gui.outcome import Outcome
from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox

US = DEMO_WORKSPACES[0]  # works on DC 01
EU = DEMO_WORKSPACES[1]  # works on DC 02


def typed(workspace: Any = US, dc: str = "01", *, key: str | None = None) -> TypedCredentials:
    return TypedCredentials(
        workspace.workspace_id, workspace.api_key if key is None else key, dc, False, ""
    )


class Recorder:
    """Every signal the flow emits, in order."""

    def __init__(self, flow: CheckFlow) -> None:
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        flow.started.connect(lambda run: self.events.append(("started", (run,))))
        flow.finished.connect(lambda o, run: self.events.append(("finished", (o, run))))
        flow.crashed.connect(lambda exc, run: self.events.append(("crashed", (exc, run))))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def outcomes(self) -> list[Outcome]:
        return [args[0] for name, args in self.events if name == "finished"]


def is_redacted(secret: str) -> bool:
    """True while the log's redaction removes ``secret`` (it is registered)."""
    return secret not in applog.redact(f"text with {secret} in it")


@pytest.fixture
def make_flow(qapp: Any) -> Any:
    made: list[TaskRunner] = []

    def make(checker: Any, timeout: float = 5.0) -> tuple[CheckFlow, Recorder]:
        runner = TaskRunner()
        made.append(runner)
        flow = CheckFlow(runner, Providers(checker=checker), timeout=timeout)
        return flow, Recorder(flow)

    yield make
    for runner in made:
        runner.shutdown()


def test_a_check_finishes_once_with_its_outcome_and_unregisters_the_key(
    qtbot: Any, make_flow: Any, sandbox: Sandbox
) -> None:
    flow, seen = make_flow(Checker(api_base=sandbox.api_base))
    with qtbot.waitSignal(flow.finished, timeout=10000):
        run = flow.start(typed())
        assert isinstance(run, CheckRun) and flow.is_running
        assert is_redacted(US.api_key), "the key is redacted from logs while the check runs"
        assert US.api_key not in repr(run)
    outcome = seen.outcomes()[0]
    assert outcome.ok and outcome.app_name == US.app_name and outcome.dc == "01"
    assert seen.names() == ["started", "finished"]
    assert not flow.is_running and flow.current is None
    assert not is_redacted(US.api_key), "unregistered once the check ended"
    with qtbot.assertNotEmitted(flow.finished, wait=300):
        pass
    assert len(sandbox.requests) == 1


def test_a_second_start_while_one_runs_sends_nothing(
    qtbot: Any, make_flow: Any, sandbox: Sandbox
) -> None:
    sandbox.set_mode("slow", delay=0.5)
    flow, seen = make_flow(Checker(api_base=sandbox.api_base))
    with qtbot.waitSignal(flow.finished, timeout=10000):
        assert flow.start(typed()) is not None
        assert flow.start(typed()) is None
    assert seen.names() == ["started", "finished"]
    assert len(sandbox.requests) == 1


def test_cancel_ends_at_once_and_drops_the_late_answer(
    qtbot: Any, make_flow: Any, sandbox: Sandbox
) -> None:
    sandbox.set_mode("hang")
    flow, seen = make_flow(Checker(api_base=sandbox.api_base), timeout=15.0)
    run = flow.start(typed())
    assert run is not None
    qtbot.waitUntil(lambda: len(sandbox.requests) == 1, timeout=5000)

    flow.cancel("Stopped because you changed the details.")

    # Ended synchronously: no waiting for the hanging server.
    assert seen.names() == ["started", "finished"]
    outcome = seen.outcomes()[0]
    assert outcome.kind == "cancelled" and not outcome.ok
    assert outcome.message == "Stopped because you changed the details."
    assert outcome.hint, "a stopped check still says what to do next"
    assert outcome.workspace_id == US.workspace_id and outcome.dc == "01"
    assert run.token.cancelled
    assert not flow.is_running and not is_redacted(US.api_key)
    flow.cancel()  # nothing runs: nothing happens
    with qtbot.assertNotEmitted(flow.finished, wait=800):
        pass
    assert seen.names() == ["started", "finished"]


def test_cancel_without_a_reason_says_the_user_stopped_it(
    qtbot: Any, make_flow: Any, sandbox: Sandbox
) -> None:
    sandbox.set_mode("hang")
    flow, seen = make_flow(Checker(api_base=sandbox.api_base))
    flow.start(typed(EU, "auto"))
    flow.cancel()
    outcome = seen.outcomes()[0]
    assert outcome.kind == "cancelled" and outcome.message
    assert outcome.dc is None, "detection had not found a DC"


def test_ticks_while_running_and_not_after(qtbot: Any, make_flow: Any, sandbox: Sandbox) -> None:
    sandbox.set_mode("hang")
    flow, _ = make_flow(Checker(api_base=sandbox.api_base))
    flow.start(typed())
    with qtbot.waitSignal(flow.tick, timeout=5000) as tick:
        pass
    assert tick.args[0] >= 0
    flow.cancel()
    with qtbot.assertNotEmitted(flow.tick, wait=400):
        pass


def test_detection_reports_the_data_center_it_found(
    qtbot: Any, make_flow: Any, sandbox: Sandbox
) -> None:
    flow, seen = make_flow(Checker(api_base=sandbox.api_base))
    with qtbot.waitSignal(flow.finished, timeout=10000):
        run = flow.start(typed(EU, "auto"))
    assert run is not None and run.detect
    outcome = seen.outcomes()[0]
    assert outcome.ok and outcome.dc == "02"


def test_try_every_data_center_even_when_one_is_chosen(
    qtbot: Any, make_flow: Any, sandbox: Sandbox
) -> None:
    flow, seen = make_flow(Checker(api_base=sandbox.api_base))
    with qtbot.waitSignal(flow.finished, timeout=10000):
        run = flow.start(typed(EU, "01"), detect=True)
    assert run is not None and run.detect
    assert seen.outcomes()[0].dc == "02"


def test_a_bug_in_the_worker_is_reported_with_the_key_redacted_then_unregistered(
    qtbot: Any, make_flow: Any
) -> None:
    secret = "canary-key-in-an-exception-4711"

    class Broken:
        """A checker with a bug (a fake: the real client never raises)."""

        def check(self, workspace_id: str, api_key: str, dc: str, **_: Any) -> Outcome:
            raise RuntimeError(f"bug while handling {api_key}")

        def detect(self, workspace_id: str, api_key: str, **_: Any) -> Outcome:
            raise RuntimeError(f"bug while handling {api_key}")

    flow, seen = make_flow(Broken())
    reported: list[str] = []
    flow.crashed.connect(lambda exc, run: reported.append(applog.redact(str(exc))))
    with qtbot.waitSignal(flow.crashed, timeout=5000):
        flow.start(typed(key=secret))
    assert seen.names() == ["started", "crashed"], "a crash is not a finished check"
    assert reported and "bug while handling" in reported[0]
    assert secret not in reported[0], "reported while the key was still registered"
    assert not flow.is_running
    assert not is_redacted(secret)


def test_close_abandons_the_check_silently_and_starts_no_more(
    qtbot: Any, make_flow: Any, sandbox: Sandbox
) -> None:
    sandbox.set_mode("hang")
    flow, seen = make_flow(Checker(api_base=sandbox.api_base))
    run = flow.start(typed())
    assert run is not None
    flow.close()
    assert run.token.cancelled and not flow.is_running
    assert not is_redacted(US.api_key)
    assert flow.start(typed()) is None
    with qtbot.assertNotEmitted(flow.finished, wait=500):
        pass
    assert seen.names() == ["started"]


def test_a_finished_slot_can_start_the_next_check(
    qtbot: Any, make_flow: Any, sandbox: Sandbox
) -> None:
    """What a "keep checking" loop needs: the run is over before ``finished`` arrives."""
    flow, seen = make_flow(Checker(api_base=sandbox.api_base))
    again: list[bool] = []

    def next_try(outcome: Outcome, run: CheckRun) -> None:
        if not again:
            again.append(flow.start(typed()) is not None)
            again.append(is_redacted(US.api_key))

    flow.finished.connect(next_try)
    flow.start(typed())
    qtbot.waitUntil(lambda: len(seen.outcomes()) == 2, timeout=10000)
    assert again == [True, True], "the next check started, its key registered"
    assert seen.names() == ["started", "finished", "started", "finished"]
    assert not is_redacted(US.api_key)
    assert len(sandbox.requests) == 2
