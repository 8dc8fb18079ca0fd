"""The result panel: what a check found, in words a marketer can act on.

States: empty (a short prompt), running (busy bar and elapsed time), success
(the workspace *name*, so prod/test mix-ups are caught, plus DC and time),
failure (a title for the kind, the core's message and hint, and a details area
with HTTP status, MoEngage's own message and ``request_id``), stopped, and
stale (the inputs changed since this result).

Why every label is plain text: ``app_name``, server messages and request IDs
come from the network. A QLabel guesses rich text by default, so
``<img src=...>`` from a captive portal would be rendered (or fetched). Every
label here is created by :func:`plain_label`, which fixes
``Qt.TextFormat.PlainText``; server values were already cleaned by the core.

Start-up cost: the panel is built before the first paint, so it sets Qt enum
properties through :mod:`.qtvalues` (ints) instead of touching ``Qt``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui.datacenters import dc_label
from moecheck_gui.gui import qtvalues, theme
from moecheck_gui.gui.qtvalues import set_props
from moecheck_gui.gui.theme import Tone
from moecheck_gui.i18n import _, format_minutes, format_ms, format_number, format_seconds

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent, QPalette

    # Types only: outcomes exist only after a check, and the empty panel at
    # start-up needs nothing from the core's outcome module.
    from moecheck_gui.outcome import Outcome

_ERROR_KINDS = frozenset({"invalid_input", "auth", "forbidden", "tls", "bad_response", "proxy"})
"""Kind values (moecheck_gui.outcome.Kind is a StrEnum) shown in red: fix your input or account."""
CANCELLED = "cancelled"


def plain_label(
    text: str = "", parent: QWidget | None = None, *, selectable: bool = False
) -> QLabel:
    """A word-wrapped QLabel that can never interpret its text as HTML."""
    label = QLabel(parent)
    set_props(label, textFormat=qtvalues.PLAIN_TEXT)  # before any text is set
    label.setWordWrap(True)
    label.setText(text)
    if selectable:
        set_props(
            label,
            textInteractionFlags=qtvalues.SELECTABLE_BY_MOUSE | qtvalues.SELECTABLE_BY_KEYBOARD,
        )
        if label.isRightToLeft():
            # Selectable text is laid out as a document, which aligns each paragraph by
            # its own script: a Latin value (a workspace name, an address) would sit at
            # the far left of a right-to-left window, away from the rest. Start it right.
            set_props(
                label,
                alignment=qtvalues.ALIGN_RIGHT | qtvalues.ALIGN_ABSOLUTE | qtvalues.ALIGN_VCENTER,
            )
    return label


def format_elapsed(ms: float) -> str:
    """``"312 ms"`` below a second, ``"1.4 s"`` above: how people read durations
    (in the user's language: ``"1,4 s"`` in Indonesian)."""
    if ms < 1000:
        return format_ms(ms)
    # Translators: a duration in seconds, e.g. "10.0 s".
    return _("{number} s").format(number=format_number(ms / 1000, 1))


def tone_for(outcome: Outcome) -> Tone:
    """Green for success, grey for stopped, red for "fix your input/account", amber otherwise."""
    if outcome.ok:
        return Tone.SUCCESS
    if outcome.kind == CANCELLED:
        return Tone.NEUTRAL
    if outcome.kind in _ERROR_KINDS:
        return Tone.ERROR
    return Tone.WARNING


class ResultPanel(QFrame):
    """Shows the state of the current check (objectName ``resultPanel``).

    Signals:
        copyRequested(): the user pressed Copy details.
        tryAllRequested(): the user pressed Try all data centers.
        keepCheckingRequested(): the user pressed Keep checking.
        keepCheckingStopped(): the user pressed Stop checking (while it keeps checking).
    """

    copyRequested = Signal()
    tryAllRequested = Signal()
    keepCheckingRequested = Signal()
    keepCheckingStopped = Signal()

    def __init__(self, parent: QWidget | None = None, *, icons: bool = True) -> None:
        """``icons=False``: no state icon until :meth:`show_icons` (the window's first frame
        skips the SVG renderer; the icon label keeps its size, so nothing moves)."""
        super().__init__(parent)
        self._icons = icons
        self.setObjectName("resultPanel")
        set_props(self, frameShape=qtvalues.FRAME_NO_FRAME)
        set_props(self, focusPolicy=qtvalues.TAB_FOCUS)
        self.setAccessibleName(_("Result"))
        self._tone = Tone.NEUTRAL
        self._icon_name: str | None = None
        self.colors: theme.ToneColors | None = None
        """The colours of the tone shown (background, border, title), once one is shown."""
        self._outcome: Outcome | None = None
        self._limit_s: float | None = None
        self._stale = False

        self.icon_label = QLabel(self)
        self.icon_label.setFixedSize(28, 28)
        set_props(
            self.icon_label,
            textFormat=qtvalues.PLAIN_TEXT,
            alignment=qtvalues.ALIGN_TOP | qtvalues.ALIGN_HCENTER,
        )
        self.icon_label.setAccessibleName(_("Result icon"))
        self.title_label = plain_label(parent=self)
        self.title_label.setObjectName("resultTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title_label.setFont(font)
        self.name_label = plain_label(parent=self, selectable=True)
        self.name_label.setObjectName("resultWorkspaceName")
        name_font = self.name_label.font()
        name_font.setPointSizeF(name_font.pointSizeF() * 1.45)
        name_font.setBold(True)
        self.name_label.setFont(name_font)
        self.message_label = plain_label(parent=self, selectable=True)
        self.message_label.setObjectName("resultMessage")
        self.hint_label = plain_label(parent=self, selectable=True)
        self.hint_label.setObjectName("resultHint")
        self.notice_label = plain_label(parent=self)
        self.notice_label.setObjectName("resultNotices")
        self.stale_label = plain_label(
            _("You changed the details after this check. Test again to check them."), self
        )
        self.stale_label.setObjectName("resultStale")

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setAccessibleName(_("Checking"))
        self.elapsed_label = plain_label(parent=self)
        self.elapsed_label.setObjectName("elapsedLabel")

        self.details_toggle = QToolButton(self)
        self.details_toggle.setObjectName("detailsToggle")
        self.details_toggle.setCheckable(True)
        set_props(self.details_toggle, toolButtonStyle=qtvalues.TOOL_BUTTON_TEXT_BESIDE_ICON)
        self.details_toggle.setAutoRaise(True)
        self.details_toggle.setAccessibleName(_("Show details"))
        self.details_toggle.toggled.connect(self._on_details_toggled)
        self.details = QWidget(self)
        self.details.setObjectName("resultDetails")
        # A grid, not a QFormLayout: word-wrapped values (a long MoEngage message)
        # get the full remaining width and their real height.
        self.details_grid = QGridLayout(self.details)
        self.details_grid.setContentsMargins(0, 2, 0, 0)
        self.details_grid.setHorizontalSpacing(14)
        self.details_grid.setVerticalSpacing(4)
        self.details_grid.setColumnStretch(1, 1)

        self.copy_button = QPushButton(self)  # (text, parent) would build QIcon's enums
        self.copy_button.setText(_("Copy details"))
        self.copy_button.setObjectName("copyDetailsButton")
        self.copy_button.setToolTip(
            _(
                "Copy a report for MoEngage support or IT: server, data center, status, "
                "MoEngage's message and request ID. The key is never included."
            )
        )
        self.copy_button.setAccessibleDescription(self.copy_button.toolTip())
        self.copy_button.clicked.connect(self.copyRequested)
        self.try_all_button = QPushButton(self)
        self.try_all_button.setText(_("Try all data centers"))
        self.try_all_button.setObjectName("tryAllButton")
        self.try_all_button.setToolTip(
            _("The key may belong to a different data center: check it against every one.")
        )
        self.try_all_button.setAccessibleDescription(self.try_all_button.toolTip())
        self.try_all_button.clicked.connect(self.tryAllRequested)
        self.copied_label = plain_label(parent=self)
        self.copied_label.setObjectName("copiedLabel")
        self.keep_button = QPushButton(self)
        self.keep_button.setText(_("Keep checking"))
        self.keep_button.setObjectName("keepCheckingButton")
        self.keep_button.setToolTip(
            _(
                "Check again every {interval} for up to {limit}, and stop at the first success. "
                "A newly generated key can take a few minutes to start working."
            ).format(interval=format_seconds(15), limit=format_minutes(10))
        )
        self.keep_button.setAccessibleDescription(self.keep_button.toolTip())
        self.keep_button.clicked.connect(self.keepCheckingRequested)
        self.keep_status = plain_label(parent=self)
        self.keep_status.setObjectName("keepCheckingStatus")
        self.keep_status.setAccessibleName(_("Keep checking"))
        self.keep_stop_button = QPushButton(self)
        self.keep_stop_button.setText(_("Stop checking"))
        self.keep_stop_button.setObjectName("keepCheckingStopButton")
        self.keep_stop_button.clicked.connect(self.keepCheckingStopped)

        text_box = QWidget(self)  # grows through its stretch factor in the row
        text_column = QVBoxLayout(text_box)
        text_column.setContentsMargins(0, 0, 0, 0)
        text_column.setSpacing(6)
        text_column.addWidget(self.title_label)
        text_column.addWidget(self.name_label)
        text_column.addWidget(self.message_label)
        text_column.addWidget(self.hint_label)
        text_column.addWidget(self.notice_label)
        text_column.addWidget(self.stale_label)
        text_column.addWidget(self.progress)
        text_column.addWidget(self.elapsed_label)
        toggle_row = QHBoxLayout()  # the toggle keeps its size, on the left
        toggle_row.setContentsMargins(0, 0, 0, 0)
        toggle_row.addWidget(self.details_toggle)
        toggle_row.addStretch(1)
        text_column.addLayout(toggle_row)
        text_column.addWidget(self.details)
        keep_row = QHBoxLayout()
        keep_row.setSpacing(8)
        keep_row.addWidget(self.keep_status, 1)
        keep_row.addWidget(self.keep_stop_button)
        text_column.addLayout(keep_row)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.try_all_button)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.copied_label, 1)
        buttons.addStretch(0)
        text_column.addLayout(buttons)

        icon_column = QVBoxLayout()
        icon_column.setContentsMargins(0, 0, 0, 0)
        icon_column.addWidget(self.icon_label)
        icon_column.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 12, 14, 12)
        row.setSpacing(12)
        row.addLayout(icon_column)
        row.addWidget(text_box, 1)

        self.show_empty()

    # --- states -------------------------------------------------------------

    def _hide_all(self) -> None:
        for widget in (
            self.name_label,
            self.message_label,
            self.hint_label,
            self.notice_label,
            self.stale_label,
            self.progress,
            self.elapsed_label,
            self.details_toggle,
            self.details,
            self.copy_button,
            self.try_all_button,
            self.copied_label,
            self.keep_button,
            self.keep_status,
            self.keep_stop_button,
        ):
            widget.setVisible(False)
        self.copied_label.clear()

    def show_empty(self) -> None:
        """The first state: say what will happen, without alarming colours."""
        self._outcome = None
        self._stale = False
        self._hide_all()
        self.title_label.setText(_("Ready to test"))
        self.message_label.setText(
            _(
                "Enter the workspace ID and Data API key, then press Test connection. "
                "MoeCheck asks MoEngage whether they work and shows the workspace name."
            )
        )
        self.message_label.setVisible(True)
        self._set_tone(Tone.INFO, "info")
        self._announce()

    def show_running(self, where: str, limit_s: float | None = None) -> None:
        """Busy state: an indeterminate bar and the elapsed time (see :meth:`set_elapsed`).

        ``limit_s`` is the check's deadline: saying when it will give up tells a
        user on a silent network that the wait is bounded.
        """
        self._limit_s = limit_s
        self._outcome = None
        self._stale = False
        self._hide_all()
        # Translators: {where} is a data center ("DC-01 — US") or "every data center".
        self.title_label.setText(_("Checking {where}…").format(where=where))
        self.progress.setVisible(True)
        self.elapsed_label.setVisible(True)
        self.set_elapsed(0.0)
        self.message_label.setText(_("Press Esc or Cancel to stop."))
        self.message_label.setVisible(True)
        self._set_tone(Tone.INFO, "info")
        self._announce()

    def set_elapsed(self, seconds: float) -> None:
        """Update the running timer text."""
        elapsed = format_number(seconds, 1)
        if self._limit_s:
            limit = format_number(self._limit_s, 0 if float(self._limit_s).is_integer() else 1)
            # Translators: the running check's timer; "s" is seconds.
            text = _("Elapsed: {seconds} s (gives up after {limit} s)").format(
                seconds=elapsed, limit=limit
            )
        else:
            text = _("Elapsed: {seconds} s").format(seconds=elapsed)
        self.elapsed_label.setText(text)

    def show_outcome(
        self, outcome: Outcome, *, offer_try_all: bool = False, offer_keep: bool = False
    ) -> None:
        """Render a finished check: success, failure or stopped.

        ``offer_try_all``/``offer_keep`` show Try all data centers / Keep checking.
        """
        self._outcome = outcome
        self._stale = False
        self._hide_all()
        self.title_label.setText(outcome.title)
        tone = tone_for(outcome)
        if outcome.ok:
            self.name_label.setText(outcome.app_name or "")
            self.name_label.setAccessibleName(_("Workspace name"))
            self.name_label.setVisible(True)
            # Translators: under the workspace's name after a check that worked.
            summary = _("Workspace name · {dc} · answered in {duration}").format(
                dc=dc_label(outcome.dc), duration=format_elapsed(outcome.elapsed_ms)
            )
            self.message_label.setText(summary)
            self.hint_label.setText(outcome.hint)
        else:
            self.message_label.setText(outcome.message)
            hint = _("What to do: {hint}").format(hint=outcome.hint) if outcome.hint else ""
            self.hint_label.setText(hint)
        self.message_label.setVisible(bool(self.message_label.text()))
        self.hint_label.setVisible(bool(self.hint_label.text()))
        self._set_notices(outcome.notices)
        if outcome.kind != CANCELLED:
            self._fill_details(outcome)
            self.details_toggle.setVisible(True)
            self.details.setVisible(self.details_toggle.isChecked())
            self.copy_button.setVisible(True)
            self.copy_button.setEnabled(True)
        self.try_all_button.setVisible(offer_try_all)
        self.keep_button.setVisible(offer_keep)
        self._set_tone(tone, theme.TONE_ICONS[tone])
        self._announce()

    def show_message(self, title: str, message: str, tone: Tone) -> None:
        """A state that is not an outcome (e.g. a keychain problem while loading a profile)."""
        self._outcome = None
        self._hide_all()
        self.title_label.setText(title)
        self.message_label.setText(message)
        self.message_label.setVisible(True)
        self._set_tone(tone, theme.TONE_ICONS[tone])
        self._announce()

    def mark_stale(self) -> None:
        """The inputs changed after this result: say so, so it is not read as current."""
        if self._outcome is None or self._stale:
            return
        self._stale = True
        self.stale_label.setVisible(True)
        self.try_all_button.setVisible(False)
        self.keep_button.setVisible(False)
        self._set_tone(Tone.NEUTRAL, self._icon_name or "info")
        self._announce()

    def show_keep_waiting(self, text: str) -> None:
        """Keep checking's countdown line, with Stop checking."""
        self.show_keep_status(text, active=True)

    def show_keep_status(self, text: str, *, active: bool) -> None:
        """Keep checking's line: the countdown (``active``, with Stop) or how it ended.

        Ended (not ``active``) with a failure shown: Keep checking is offered again.
        """
        self.keep_status.setText(text)
        self.keep_status.setVisible(bool(text))
        self.keep_stop_button.setVisible(active)
        outcome = self._outcome
        again = not active and outcome is not None and not outcome.ok and not self._stale
        self.keep_button.setVisible(again and outcome is not None and outcome.kind != CANCELLED)
        if not active:  # (not at every tick of the countdown: screen readers would repeat it)
            self._announce()

    def show_copied(self, text: str) -> None:
        """Confirm the clipboard action next to the button."""
        self.copied_label.setText(text)
        self.copied_label.setVisible(True)

    @property
    def outcome(self) -> Outcome | None:
        """The outcome on display, or None."""
        return self._outcome

    @property
    def stale(self) -> bool:
        """True when the shown result no longer matches the inputs."""
        return self._stale

    # --- helpers ------------------------------------------------------------

    def _set_notices(self, notices: Iterable[str]) -> None:
        items = [n for n in notices if n]
        self.notice_label.setText("\n".join(_("Note: {notice}").format(notice=n) for n in items))
        self.notice_label.setVisible(bool(items))

    def _fill_details(self, outcome: Outcome) -> None:
        from moecheck_gui.gui import result_details  # after the first paint: only with a result

        result_details.fill(self.details, self.details_grid, outcome)
        self._update_toggle_text()

    def _on_details_toggled(self, shown: bool) -> None:
        self.details.setVisible(shown and self._outcome is not None)
        self._update_toggle_text()

    def _update_toggle_text(self) -> None:
        from PySide6.QtCore import Qt

        shown = self.details_toggle.isChecked()
        self.details_toggle.setText(_("Hide details") if shown else _("Show details"))
        self.details_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        self.details_toggle.setAccessibleName(self.details_toggle.text())

    def _set_tone(self, tone: Tone, icon_name: str) -> None:
        # Painted, not styled: a style sheet on the panel re-polishes every widget
        # inside it (the details hold dozens), which stalled the window for tens of
        # milliseconds at every check. Now only the panel repaints and the title
        # takes its colour from its own palette.
        self._tone = tone
        self._icon_name = icon_name
        colors = theme.tone_colors(tone, self._base_palette())
        self.colors = colors
        from PySide6.QtGui import QColor, QPalette

        title_palette = self.title_label.palette()
        title_palette.setColor(QPalette.ColorRole.WindowText, QColor(colors.fg))
        self.title_label.setPalette(title_palette)
        self.update()
        if self._icons:
            ratio = self.devicePixelRatioF() or 1.0
            self.icon_label.setPixmap(theme.icon_pixmap(icon_name, colors.fg, 26, ratio))

    def paintEvent(self, event: QPaintEvent) -> None:
        """The tone's background and border, with rounded corners (no style sheet)."""
        colors = self.colors
        if colors is None:
            super().paintEvent(event)
            return
        # Only calls that do not build PySide6's whole Qt namespace (the panel is painted
        # in the first frame: see qtvalues.py): the fill comes as a palette brush and
        # the border as a stroked path.
        from PySide6.QtCore import QRectF
        from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen

        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)
        fill = QPalette()
        fill.setColor(QPalette.ColorRole.Window, QColor(colors.bg))
        painter.fillPath(path, fill.brush(QPalette.ColorRole.Window))
        pen = QPen()
        pen.setColor(QColor(colors.border))
        pen.setWidthF(1.0)
        painter.strokePath(path, pen)
        painter.end()

    def show_icons(self) -> None:
        """Start drawing the state icon (see ``icons`` in the constructor)."""
        if not self._icons:
            self._icons = True
            self.restyle()

    def _announce(self) -> None:
        """Keep the accessible description equal to what is shown, so screen readers hear it."""
        self.setAccessibleDescription(self.text())

    def text(self) -> str:
        """Everything the panel shows, as plain text (for tests and assistive technology)."""
        parts = [self.title_label.text()]
        for label in (
            self.name_label,
            self.message_label,
            self.hint_label,
            self.notice_label,
            self.stale_label,
            self.elapsed_label,
        ):
            if not label.isHidden() and label.text():
                parts.append(label.text())
        if not self.keep_status.isHidden() and self.keep_status.text():
            parts.append(self.keep_status.text())
        if self._outcome is not None and self._outcome.kind != CANCELLED:
            from moecheck_gui.gui.result_details import text_lines

            parts += text_lines(self._outcome)
        return "\n".join(parts)

    def toPlainText(self) -> str:
        """Alias of :meth:`text`, for code that treats the panel like a text widget."""
        return self.text()

    def restyle(self) -> None:
        """Re-pick colours for the current palette (the window calls this on palette changes)."""
        if self._icon_name is not None:
            self._set_tone(self._tone, self._icon_name)

    def _base_palette(self) -> QPalette:
        """The window's palette (dark or light decides the tone's colours)."""
        window = self.window()
        return window.palette() if window is not self else QApplication.palette()
