"""The stages of one check as a small waterfall, the way a browser's network panel draws one.

Why a picture and not only numbers: "connected in 40 ms, then the TLS
handshake ran for 10 s" is the diagnosis (stages.py), and a long red bar after
two short ones says it at a glance. Each stage (DNS lookup, TCP connect, TLS
handshake, waiting for the answer) gets one row: its name, a bar that starts
where the stages before it ended and is as long as the stage took, and its
time. A stage that was not needed (plain http, a reused connection) or never
reached has no bar and says "not needed"; the failed stage is drawn in the
error colour *and* marked in words ("✕ failed here"), so the mark survives
colour blindness and screen readers (every row has an accessible name).

Built from layouts and small bar widgets rather than one painted picture, so
Qt mirrors the rows for right-to-left languages and scales the text for
high-DPI screens by itself; each bar mirrors its own drawing with
:meth:`QStyle.visualRect`. Colours come from :mod:`.theme` per palette, so the
bars keep their contrast in dark mode.

Loaded only when a result's details are filled (never before the first paint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QStyle, QWidget

from moecheck_gui.gui import theme
from moecheck_gui.gui.theme import Tone
from moecheck_gui.i18n import N_, _, format_number
from moecheck_gui.i18n import format_ms as _format_ms

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

    from moecheck_gui.outcome import Timings

DONE, FAILED, SKIPPED = "done", "failed", "skipped"
# The words of the time column, in English (marked; shown translated).
FAILED_MARK = N_("✕ failed here")
NOT_NEEDED = N_("not needed")
NOT_REACHED = N_("not reached")
PROXY_STAGE = N_("Choosing the proxy")
MIN_BAR_PX = 3
"""A stage of a few milliseconds still shows as a sliver, not as nothing."""


def format_ms(ms: float) -> str:
    """``"40 ms"`` below a second, ``"10.0 s"`` above (as stages.py writes them), in the
    user's language (``"1,5 s"`` in Indonesian)."""
    if ms >= 1000:
        # Translators: a duration in seconds, e.g. "10.0 s".
        return _("{number} s").format(number=format_number(ms / 1000, 1))
    return _format_ms(ms)


class StageRow:
    """One row of the timeline: what the bar and the words say. (A plain value class.)"""

    __slots__ = ("after_failure", "label", "ms", "start_ms", "state")

    def __init__(
        self,
        label: str,
        ms: float | None,
        state: str,
        start_ms: float,
        *,
        after_failure: bool = False,
    ) -> None:
        self.label = label
        self.ms = ms
        self.state = state
        self.start_ms = start_ms
        """Where the bar starts: the sum of the stages before it that took time."""
        self.after_failure = after_failure
        """A skipped stage after the failed one was not reached (rather than not needed)."""

    def value_text(self) -> str:
        """The time column: the duration, "not needed"/"not reached", and the failure mark."""
        if self.state == SKIPPED:
            return _(NOT_REACHED) if self.after_failure else _(NOT_NEEDED)
        shown = format_ms(self.ms) if self.ms is not None else _("no time")
        return f"{shown}  {_(FAILED_MARK)}" if self.state == FAILED else shown

    def spoken(self) -> str:
        """What a screen reader says for the row."""
        if self.state == SKIPPED:
            value = self.value_text()
        else:
            value = format_ms(self.ms) if self.ms is not None else _("no time measured")
            if self.state == FAILED:
                # Translators: read by screen readers after a stage's time: "800 ms, failed here".
                value = _("{time}, failed here").format(time=value)
        # Translators: a timeline row for screen readers: "TLS handshake: 40 ms".
        return _("{stage}: {time}").format(stage=self.label, time=value)


def build_rows(timings: Timings, failed_stage: str | None) -> tuple[list[StageRow], float]:
    """The rows (with their start offsets) and the span the bars share, in ms.

    A failure while choosing the proxy comes first, as its own row: nothing
    after it was reached.
    """
    from moecheck_gui.stages import timeline_rows

    rows: list[StageRow] = []
    failed = failed_stage == "proxy"
    if failed:
        rows.append(StageRow(_(PROXY_STAGE), None, FAILED, 0.0))
    offset = 0.0
    for label, ms, state in timeline_rows(timings, failed_stage):
        rows.append(StageRow(label, ms, state, offset, after_failure=failed))
        failed = failed or state == FAILED
        if ms is not None:
            offset += ms
    span = max(offset, timings.total_ms or 0.0, 1.0)
    return rows, span


class StageBar(QWidget):
    """One stage's bar, placed in the shared time span (mirrored in right-to-left layouts)."""

    def __init__(self, row: StageRow, span_ms: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.span_ms = span_ms
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(row.spoken())

    def sizeHint(self) -> QSize:
        """As tall as a line of text (so it scales with the font at any DPI)."""
        return QSize(120, self.fontMetrics().height())

    def minimumSizeHint(self) -> QSize:
        """Narrow windows keep a short bar rather than pushing the text out."""
        return QSize(40, self.fontMetrics().height())

    def bar_rect(self) -> QRect | None:
        """The bar in logical (left-to-right) coordinates; None when there is no bar."""
        row = self.row
        if row.state == SKIPPED or row.ms is None:
            return None
        area = self.rect().adjusted(0, 3, 0, -3)
        width = area.width()
        left = round(width * row.start_ms / self.span_ms)
        length = max(MIN_BAR_PX, round(width * row.ms / self.span_ms))
        left = min(left, max(0, width - length))
        return QRect(area.left() + left, area.top(), length, area.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        """A faint track across the span, the stage's bar on it; dashed outline when skipped."""
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = self.rect().adjusted(0, 3, 0, -3)
        mid = QColor(palette.color(QPalette.ColorRole.Mid))
        if self.row.state == SKIPPED:
            pen = QPen(mid)
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(track.adjusted(0, 0, -1, -1), 3, 3)
            painter.end()
            return
        faint = QColor(mid)
        faint.setAlpha(60)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(faint)
        painter.drawRoundedRect(track, 3, 3)
        bar = self.bar_rect()
        if bar is not None:
            visual = QStyle.visualRect(self.layoutDirection(), self.rect(), bar)
            painter.setBrush(QColor(self.bar_color(palette)))
            painter.drawRoundedRect(visual, 3, 3)
        painter.end()

    def bar_color(self, palette: QPalette) -> str:
        """Error colour for the failed stage, the info colour otherwise (per light/dark)."""
        tone = Tone.ERROR if self.row.state == FAILED else Tone.INFO
        return theme.tone_colors(tone, palette).fg


class TimelineView(QWidget):
    """The stage timeline of one outcome (objectName ``stageTimeline``).

    Rows of: stage name, :class:`StageBar`, time (or "not needed", or the
    failure mark); then the total. The accessible description reads the whole
    timeline, row by row.
    """

    def __init__(
        self, timings: Timings, failed_stage: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stageTimeline")
        self.setAccessibleName(_("Stage timeline"))
        self.rows, self.span_ms = build_rows(timings, failed_stage)
        self.bars: list[StageBar] = []
        self.value_labels: list[QLabel] = []
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        self._tinted: list[tuple[QLabel, str]] = []
        for index, row in enumerate(self.rows):
            name = _plain(row.label, self)
            bar = StageBar(row, self.span_ms, self)
            value = _plain(row.value_text(), self)
            value.setAccessibleName(row.spoken())
            if row.state == FAILED:
                for label in (name, value):
                    font = label.font()
                    font.setBold(True)
                    label.setFont(font)
                    self._tinted.append((label, FAILED))
            elif row.state == SKIPPED:
                self._tinted += [(name, SKIPPED), (value, SKIPPED)]
            grid.addWidget(name, index, 0)
            grid.addWidget(bar, index, 1)
            grid.addWidget(value, index, 2)
            self.bars.append(bar)
            self.value_labels.append(value)
        self.total_ms = total = timings.total_ms
        if total is not None:
            row_index = len(self.rows)
            grid.addWidget(_plain(_("Total"), self), row_index, 0)
            grid.addWidget(_plain(format_ms(total), self), row_index, 2)
        self.setAccessibleDescription(self.text())
        self.restyle()

    def restyle(self) -> None:
        """Tint the failed row red and the skipped rows grey for the current palette."""
        palette = self.palette()
        colors = {  # (QColor, not a name: the placeholder colour is often translucent)
            FAILED: QColor(theme.tone_colors(Tone.ERROR, palette).fg),
            SKIPPED: QColor(palette.color(QPalette.ColorRole.PlaceholderText)),
        }
        for label, state in self._tinted:
            _tint(label, colors[state])

    def changeEvent(self, event: QEvent) -> None:
        """Follow a switch between light and dark."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()

    def text(self) -> str:
        """The timeline in words, one stage per line (also the accessible description)."""
        lines = [row.spoken() for row in self.rows]
        if self.total_ms is not None:
            lines.append(
                _("{stage}: {time}").format(stage=_("Total"), time=format_ms(self.total_ms))
            )
        return "\n".join(lines)


def _plain(text: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def _tint(label: QLabel, color: QColor) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, color)
    label.setPalette(palette)
