"""The stage clock: order, presence, the stage to blame, and the sentence that reads it."""

from __future__ import annotations

from moecheck_gui.outcome import Timings
from moecheck_gui.stages import StageClock, describe


def test_stages_in_order_and_answered_means_no_failed_stage() -> None:
    clock = StageClock()
    for stage in ("proxy", "dns", "connect", "tls", "response"):
        clock.begin(stage)
    clock.answered()
    assert clock.reached == ("proxy", "dns", "connect", "tls", "response")
    assert clock.failed_stage() is None
    t = clock.timings()
    assert None not in (t.dns_ms, t.connect_ms, t.tls_ms, t.first_byte_ms, t.total_ms)
    assert t.total_ms is not None and t.total_ms >= (t.dns_ms or 0)


def test_running_stage_is_blamed_and_counted_up_to_now() -> None:
    clock = StageClock()
    clock.begin("dns")
    clock.begin("connect")
    clock.begin("tls")
    assert clock.failed_stage() == "tls"
    t = clock.timings()
    assert t.tls_ms is not None and t.first_byte_ms is None


def test_reused_connection_leaves_network_stages_empty() -> None:
    clock = StageClock()
    clock.begin("response")
    clock.answered()
    t = clock.timings()
    assert (t.dns_ms, t.connect_ms, t.tls_ms) == (None, None, None)
    assert t.first_byte_ms is not None


def test_nothing_started_blames_nothing() -> None:
    assert StageClock().failed_stage() is None


def test_sentence_names_what_worked_and_where_it_stalled() -> None:
    t = Timings(dns_ms=3, connect_ms=40, tls_ms=10_000, first_byte_ms=None, total_ms=10_050)
    text = describe(t, "tls")
    assert text == (
        "The name was found in 3 ms, connected in 40 ms, then it stopped while setting up "
        "the secure connection (TLS handshake), after 10.0 s."
    )
    assert describe(Timings(dns_ms=5), "dns") == (
        "It stopped while looking up the server's name, after 5 ms."
    )
    assert describe(t, None) is None
