"""Every case of ``cases.CASES`` through the core and through the ``moecheck`` command.

For each case: the right outcome kind and HTTP status, a clear message and
next step, only clean text, no key anywhere, the deadline kept, memory bounded,
and no request thread left behind. The window runs a subset of the same table
(``test_hostile_window.py``).
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from pathlib import Path

import pytest

from moecheck_gui.client import Checker
from tests.platform_support import growth
from tests.reliability.cases import CASES, KEY, WS, Case, Kit
from tests.reliability.conftest import (
    DEADLINE_SLACK_S,
    EXIT_FOR_KIND,
    MEMORY_BOUND,
    apply_env,
    assert_outcome_matches,
    rss_bytes,
    run_cli,
    wait_for_request_threads,
)

IDS = [c.id for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_core(case: Case, kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checker.check against the hostile peer: kind, message, deadline, memory, threads."""
    with case.build(kit) as scene:
        apply_env(monkeypatch, scene.env)
        checker = Checker(api_base=scene.api_base)
        gc.collect()
        rss_before = rss_bytes()
        tracemalloc.start()
        started = time.monotonic()
        try:
            outcome = checker.check(WS, KEY, "01", timeout=case.timeout)
            took = time.monotonic() - started
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            checker.close()
        rss_growth = growth(rss_before, rss_bytes())
        data = outcome.to_json()
        scene.after(data)
    assert KEY not in repr(outcome)
    assert_outcome_matches(case, data)
    assert took <= case.timeout + DEADLINE_SLACK_S, f"took {took:.2f} s"
    assert peak < MEMORY_BOUND, f"Python allocations peaked at {peak / 2**20:.1f} MiB"
    if rss_growth is not None:  # None without /proc (macOS, Windows)
        assert rss_growth < MEMORY_BOUND, f"RSS grew by {rss_growth / 2**20:.1f} MiB"
    assert wait_for_request_threads() == [], "a request thread outlived its check"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_command_json(case: Case, kit: Kit, home: Path, cli_baseline_rss: int | None) -> None:
    """``moecheck check --json -v``: one JSON object, the contract's exit code, bounded memory."""
    with case.build(kit) as scene:
        env = {**scene.env, "MOECHECK_API_BASE": scene.api_base, "MOECHECK_API_KEY": KEY}
        args = ["check", "--workspace-id", WS, "--dc", "01", "--json", "-v"]
        result = run_cli([*args, "--timeout", str(case.timeout)], home=home, env=env)
        data = result.json()
        scene.after(data)
    assert_outcome_matches(case, data)
    assert result.returncode == EXIT_FOR_KIND[case.kind], (result.returncode, result.stderr)
    # Interpreter start-up is not part of the deadline, but must not take long either.
    assert result.seconds <= case.timeout + DEADLINE_SLACK_S + 3.0, result.seconds
    above = growth(cli_baseline_rss, result.peak_rss)
    if above is not None:  # None where the child has no ``resource`` module (Windows)
        assert above < MEMORY_BOUND, f"peak RSS {above / 2**20:.1f} MiB above a trivial run"
    assert "POST " in result.stderr, "-v shows the request line"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_command_human(case: Case, kit: Kit, home: Path) -> None:
    """``moecheck check -v`` for people: the title on stdout, clean text, same exit code."""
    with case.build(kit) as scene:
        env = {**scene.env, "MOECHECK_API_BASE": scene.api_base, "MOECHECK_API_KEY": KEY}
        args = ["check", "--workspace-id", WS, "--dc", "01", "-v"]
        result = run_cli([*args, "--timeout", str(case.timeout)], home=home, env=env)
    assert result.returncode == EXIT_FOR_KIND[case.kind]
    from moecheck_gui.outcome import TITLES, Kind

    if case.kind is None:
        assert "Connected to" in result.stdout
    else:
        assert (case.title or TITLES[Kind(case.kind)]) in result.stdout
    # A pipe is not a terminal: no colour codes, and nothing the server sent may
    # repaint or reorder the terminal.
    for text in (result.stdout, result.stderr):
        assert "\x1b" not in text
        assert "\u202e" not in text and "\x07" not in text and "\x00" not in text
    for word in case.words:
        assert word in result.stdout, (word, result.stdout)
