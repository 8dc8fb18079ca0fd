"""The stage timeline widget: rows, marks, words for screen readers, colours, mirroring.

Real outcomes come from the real client against servers on 127.0.0.1 (a TLS
handshake that stalls, a plain-http success). The drawing tests use Timings
values directly (a value object, not a fake) so bar positions are known, and
read the rendered pixels back: order and colour, never durations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QStyle

from moecheck_gui.client import Checker
from moecheck_gui.gui.theme import TONES, Tone
from moecheck_gui.gui.timeline_view import (
    FAILED_MARK,
    NOT_NEEDED,
    NOT_REACHED,
    StageBar,
    TimelineView,
)
from moecheck_gui.outcome import Outcome, Timings
from moecheck_gui.proxy import no_system_proxy
from tests import servers
from tests.servers import scripted

WS, KEY = "WS123ABC", "canary-key-0123456789abcdef"


def stalled_tls_outcome() -> Outcome:
    with scripted(servers.success(), handshake=servers.accept_silently()) as server:
        checker = Checker(
            api_base=f"https://127.0.0.1:{server.port}/dc-{{dc}}", system_proxy=no_system_proxy
        )
        return checker.check(WS, KEY, "01", timeout=1.0)


def show(qtbot: Any, view: TimelineView, width: int = 420) -> TimelineView:
    qtbot.addWidget(view)
    view.resize(width, view.sizeHint().height())
    view.show()
    qtbot.waitExposed(view)
    return view


def labels(view: TimelineView) -> list[str]:
    return [label.text() for label in view.findChildren(QLabel)]


def test_stalled_tls_handshake_is_marked_in_colour_and_words(
    qtbot: Any, trust_test_ca: Path
) -> None:
    outcome = stalled_tls_outcome()
    assert outcome.kind == "timeout" and outcome.failed_stage == "tls"
    view = show(qtbot, TimelineView(outcome.timings, outcome.failed_stage))
    names = [row.label for row in view.rows]
    assert names == ["DNS lookup", "TCP connect", "TLS handshake", "Waiting for the answer"]
    states = {row.label: row.state for row in view.rows}
    assert states["TLS handshake"] == "failed"
    assert states["Waiting for the answer"] == "skipped", "never reached"
    shown = labels(view)
    assert any(FAILED_MARK in text for text in shown), shown
    assert NOT_REACHED in shown and NOT_NEEDED not in shown, "after the failure: not reached"
    tls_bar = view.bars[2]
    assert "TLS handshake" in tls_bar.accessibleName()
    assert "failed here" in tls_bar.accessibleName()
    assert "TLS handshake" in view.accessibleDescription()
    assert "failed here" in view.accessibleDescription()
    # The bars follow the stages: TLS starts where DNS and connect ended.
    assert view.rows[0].start_ms == 0.0
    assert view.rows[2].start_ms >= view.rows[1].start_ms
    for label in view.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_plain_http_success_has_no_tls_stage_and_nothing_failed(qtbot: Any) -> None:
    with scripted(servers.success()) as server:
        outcome = Checker(api_base=server.url() + "/dc-{dc}", system_proxy=no_system_proxy).check(
            WS, KEY, "01", timeout=5.0
        )
    assert outcome.ok
    view = show(qtbot, TimelineView(outcome.timings, outcome.failed_stage))
    states = {row.label: row.state for row in view.rows}
    assert states == {
        "DNS lookup": "done",
        "TCP connect": "done",
        "TLS handshake": "skipped",
        "Waiting for the answer": "done",
    }
    assert not any(FAILED_MARK in text for text in labels(view))
    assert NOT_NEEDED in labels(view) and NOT_REACHED not in labels(view)
    assert "Total" in labels(view)


def test_a_failure_while_choosing_the_proxy_is_its_own_row(qtbot: Any) -> None:
    view = show(qtbot, TimelineView(Timings(total_ms=12.0), "proxy"))
    assert view.rows[0].label == "Choosing the proxy" and view.rows[0].state == "failed"
    assert all(row.state == "skipped" for row in view.rows[1:])


def pixel(bar: StageBar, point: QPoint) -> QColor:
    return bar.grab().toImage().pixelColor(point)


def bar_center(bar: StageBar) -> QPoint:
    logical = bar.bar_rect()
    assert logical is not None
    return QStyle.visualRect(bar.layoutDirection(), bar.rect(), logical).center()


TIMES = Timings(dns_ms=100, connect_ms=100, tls_ms=100, first_byte_ms=700, total_ms=1000)


def test_bars_are_proportional_and_coloured_by_state(qtbot: Any) -> None:
    view = show(qtbot, TimelineView(TIMES, "response"))
    dns, _connect, _tls, waiting = view.bars
    dns_rect, wait_rect = dns.bar_rect(), waiting.bar_rect()
    assert dns_rect is not None and wait_rect is not None
    assert dns_rect.left() < wait_rect.left(), "later stages start further along"
    assert wait_rect.width() > 5 * dns_rect.width(), "700 ms against 100 ms"
    palette = view.palette()
    dark = TONES[(Tone.INFO, True)].fg == dns.bar_color(palette)
    assert pixel(dns, bar_center(dns)) == QColor(TONES[(Tone.INFO, dark)].fg)
    assert pixel(waiting, bar_center(waiting)) == QColor(TONES[(Tone.ERROR, dark)].fg)


def test_right_to_left_mirrors_the_bars(qtbot: Any) -> None:
    view = TimelineView(TIMES, None)
    view.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    show(qtbot, view)
    dns = view.bars[0]
    logical = dns.bar_rect()
    assert logical is not None
    mirrored = bar_center(dns)
    assert mirrored.x() > dns.width() / 2, "the first stage starts on the right"
    info = QColor(dns.bar_color(view.palette()))
    assert pixel(dns, mirrored) == info
    assert pixel(dns, logical.center()) != info, "nothing drawn at the left-to-right place"
    # The name column is on the right too.
    name = view.findChildren(QLabel)[0]
    assert name.x() > view.bars[0].x()


def test_dark_palette_uses_the_dark_tones(qtbot: Any) -> None:
    view = TimelineView(TIMES, "response")
    palette = QPalette(view.palette())
    palette.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    view.setPalette(palette)
    show(qtbot, view)
    waiting = view.bars[3]
    assert waiting.bar_color(waiting.palette()) == TONES[(Tone.ERROR, True)].fg
    assert pixel(waiting, bar_center(waiting)) == QColor(TONES[(Tone.ERROR, True)].fg)
    failed_label = next(lb for lb in view.findChildren(QLabel) if FAILED_MARK in lb.text())
    assert failed_label.palette().color(QPalette.ColorRole.WindowText) == QColor(
        TONES[(Tone.ERROR, True)].fg
    )


def test_bars_grow_with_the_font(qtbot: Any) -> None:
    view = show(qtbot, TimelineView(TIMES, None))
    small = view.bars[0].sizeHint().height()
    font = view.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    view.setFont(font)
    assert view.bars[0].sizeHint().height() > small
