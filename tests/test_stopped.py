"""The one stopped-check outcome: cancelled or timed out, with the standard words."""

from __future__ import annotations

import pytest

from moecheck_gui import messages
from moecheck_gui.outcome import Kind
from moecheck_gui.stopped import stopped_outcome


def test_cancelled_outcome_has_the_standard_words_and_no_answer_fields() -> None:
    outcome = stopped_outcome(Kind.CANCELLED, " WS1 ", "05", elapsed_ms=42.0)
    message, hint = messages.for_kind(Kind.CANCELLED, messages.Context())
    assert not outcome.ok
    assert outcome.kind == "cancelled"
    assert (outcome.workspace_id, outcome.dc, outcome.elapsed_ms) == ("WS1", "05", 42.0)
    assert (outcome.message, outcome.hint) == (message, hint)
    assert outcome.http_status is None and outcome.failed_stage is None
    assert outcome.exit_code == 130


def test_timeout_names_the_deadline() -> None:
    outcome = stopped_outcome(Kind.TIMEOUT, "WS1", "01", elapsed_ms=15000.0, timeout_s=15.0)
    assert outcome.kind == "timeout"
    assert "15 seconds" in (outcome.message or "")
    assert outcome.exit_code == 3


def test_detection_words_are_used_when_every_dc_was_tried() -> None:
    outcome = stopped_outcome(Kind.TIMEOUT, "WS1", None, elapsed_ms=1.0, detected=True)
    expected = messages.for_kind(Kind.TIMEOUT, messages.Context(detected=True))
    assert (outcome.message, outcome.hint) == expected
    assert outcome.dc is None


def test_a_caller_may_say_why_it_stopped() -> None:
    outcome = stopped_outcome(
        Kind.CANCELLED, "WS1", "01", elapsed_ms=0.0, message="Stopped: the window is closing."
    )
    assert outcome.message == "Stopped: the window is closing."
    assert outcome.hint == messages.for_kind(Kind.CANCELLED, messages.Context())[1]


@pytest.mark.parametrize("kind", [k for k in Kind if k not in (Kind.CANCELLED, Kind.TIMEOUT)])
def test_other_kinds_are_refused(kind: Kind) -> None:
    with pytest.raises(ValueError):
        stopped_outcome(kind, "WS1", "01", elapsed_ms=0.0)
