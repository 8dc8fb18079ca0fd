"""The table behind the check-all view: one row per workspace, filled in as verdicts arrive.

Why a :class:`QStandardItemModel` whose items are built up front (and not a
Python ``QAbstractTableModel``): while a check-all runs, up to 16 worker
threads hold the GIL most of the time. Painting the table asks the model for
every visible cell and role (hundreds of ``data()`` calls per frame); with a
Python model each call had to win the GIL back first, and one repaint took
~70 ms under load (H7's measure: 24-41 ms event-loop stalls). Here painting
stays in C++: the texts, icons, tooltips and sort keys are written into items
once, when an answer is shown (:meth:`CheckAllModel.set_result`, in the view's
50 ms flush), with calls that keep the GIL (``QStandardItem.setData``/``setText``;
unlike constructing items or ``QStandardItemModel.setData``, which release it).

Sorting and the "failures only" filter live in :class:`CheckAllFilter`, a proxy
that compares :data:`SORT_ROLE` and filters on :data:`FAILED_ROLE` in C++, so the
model's row numbers stay the batch's input indexes.

Every text shown here is plain data (``Qt.DisplayRole``): item views never
interpret HTML, and server values were cleaned by the core.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QIcon, QPalette, QStandardItem, QStandardItemModel

from moecheck_gui.batch import BatchResult, BatchRow, dc_text, verdict
from moecheck_gui.gui import theme
from moecheck_gui.gui.result_panel import tone_for
from moecheck_gui.gui.theme import Tone
from moecheck_gui.history import format_when
from moecheck_gui.i18n import N_, _

COLUMNS: tuple[str, ...] = (
    N_("Label"),
    N_("Workspace ID"),
    "DC",  # the data center's code column (DC-01): the same in every language
    N_("Verdict"),
    N_("Workspace name"),
    N_("Last worked"),
    N_("Request ID"),
)
"""The table's headers, in English (marked; shown translated)."""
COL_LABEL, COL_ID, COL_DC, COL_VERDICT, COL_NAME, COL_LAST, COL_REQUEST = range(len(COLUMNS))

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""Role with a sortable key per cell (verdicts sort failures first, times chronologically)."""
RESULT_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""Role returning the row's :class:`BatchResult` (or None while it is pending)."""
FAILED_ROLE = int(Qt.ItemDataRole.UserRole) + 3
"""Role (first column) holding :data:`FAILED` for a row that finished without working."""
FAILED = "failed"

_SEVERITY = {Tone.ERROR: 0, Tone.WARNING: 1, Tone.NEUTRAL: 2, Tone.SUCCESS: 3}
_WAITING_KEY = 9
_CHECKING_KEY = 8


class _Entry:
    """One table row's state. (A plain class: cheap, mutable.)"""

    __slots__ = ("checking", "items", "last_worked", "result", "row")

    def __init__(self, row: BatchRow, items: list[QStandardItem]) -> None:
        self.row = row
        self.items = items
        self.result: BatchResult | None = None
        self.checking = False
        self.last_worked: str | None = None


class CheckAllModel(QStandardItemModel):
    """The workspaces of one check-all run and how each fared.

    Row ``n`` is input row ``n`` (``BatchResult.index``). Overrides no Qt
    virtual (see the module docstring): reading it never calls Python. No
    signals of its own beyond Qt's model signals.
    """

    def __init__(self, rows: Sequence[BatchRow], parent: QObject | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([_(name) for name in COLUMNS])
        self._palette: QPalette | None = None
        self._entries: list[_Entry] = []
        self._finished = 0
        for row in rows:
            items = [QStandardItem() for _ in COLUMNS]
            for item in items:
                item.setEditable(False)
            entry = _Entry(row, items)
            self._entries.append(entry)
            self._render(entry)
            self.appendRow(items)

    # -- updates (GUI thread) --------------------------------------------------

    def set_palette(self, palette: QPalette) -> None:
        """The palette the verdict icons are tinted for (light or dark mode).

        The icons are rendered here, once (cached by :func:`theme.icon`), so the
        first answers to arrive do not pay for SVG rendering mid-run.
        """
        self._palette = palette
        for tone in _SEVERITY:
            theme.icon(theme.TONE_ICONS[tone], theme.tone_colors(tone, palette).fg)
        for entry in self._entries:
            if entry.result is not None:
                entry.items[COL_VERDICT].setIcon(self._icon(entry.result))

    def set_checking(self, index: int) -> None:
        """Row ``index`` is being checked now."""
        if 0 <= index < len(self._entries) and self._entries[index].result is None:
            entry = self._entries[index]
            entry.checking = True
            self._render_verdict(entry)

    def set_result(self, result: BatchResult) -> None:
        """Row ``result.index`` has its verdict."""
        if not 0 <= result.index < len(self._entries):
            return
        entry = self._entries[result.index]
        if entry.result is None:
            self._finished += 1
        entry.result = result
        entry.checking = False
        if result.last_worked_at:
            entry.last_worked = result.last_worked_at
        self._render(entry)

    def set_last_worked(self, found: dict[str, str]) -> None:
        """Fill "Last worked" from the history before the answers arrive."""
        for entry in self._entries:
            when = found.get(entry.row.workspace_id)
            if when and entry.last_worked is None:
                entry.last_worked = when
                self._render_last(entry)

    # -- writing items ---------------------------------------------------------

    def _render(self, entry: _Entry) -> None:
        """Write a whole row into its items (texts, sort keys, icon, result)."""
        result = entry.result
        outcome = result.outcome if result is not None else None
        items = entry.items
        dc = dc_text(outcome.dc if outcome is not None and outcome.dc else entry.row.dc)
        name = (outcome.app_name or "") if outcome is not None else ""
        request = (outcome.request_id or "") if outcome is not None else ""
        for column, text in (
            (COL_LABEL, entry.row.label),
            (COL_ID, entry.row.workspace_id),
            (COL_DC, dc),
            (COL_NAME, name),
            (COL_REQUEST, request),
        ):
            _set_text(items[column], text, text.casefold())
        first = items[0]
        first.setData(result, RESULT_ROLE)
        first.setData(FAILED if outcome is not None and not outcome.ok else "", FAILED_ROLE)
        self._render_verdict(entry)
        self._render_last(entry)

    def _render_verdict(self, entry: _Entry) -> None:
        item = entry.items[COL_VERDICT]
        result = entry.result
        if result is None:
            text = _("Checking…") if entry.checking else _("Waiting")
            _set_text(item, text, _CHECKING_KEY if entry.checking else _WAITING_KEY)
            return
        outcome = result.outcome
        _set_text(item, verdict(outcome), _SEVERITY.get(tone_for(outcome), 5))
        item.setIcon(self._icon(result))
        item.setToolTip(outcome.message)

    def _render_last(self, entry: _Entry) -> None:
        when = entry.last_worked
        _set_text(entry.items[COL_LAST], format_when(when) if when else "", when or "")

    def _icon(self, result: BatchResult) -> QIcon:
        tone = tone_for(result.outcome)
        palette = self._palette or QPalette()
        return theme.icon(theme.TONE_ICONS[tone], theme.tone_colors(tone, palette).fg)

    # -- reading ---------------------------------------------------------------

    def result_at(self, row: int) -> BatchResult | None:
        """The result of model row ``row``, or None while pending."""
        return self._entries[row].result if 0 <= row < len(self._entries) else None

    def results(self) -> list[BatchResult]:
        """Every result so far, in input order."""
        return [e.result for e in self._entries if e.result is not None]

    def finished_count(self) -> int:
        """How many rows have a verdict."""
        return self._finished


def _set_text(item: QStandardItem, text: str, sort_key: str | int) -> None:
    if item.text() != text:
        item.setText(text)
    item.setData(sort_key, SORT_ROLE)


class CheckAllFilter(QSortFilterProxyModel):
    """Sorting by :data:`SORT_ROLE`, and "failures only" (rows that finished and did not work).

    Both in C++ (no Qt virtual is overridden here): the filter matches
    :data:`FAILED_ROLE` of the first column.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._failures_only = False
        self.setSortRole(SORT_ROLE)
        self.setFilterRole(FAILED_ROLE)
        self.setFilterKeyColumn(0)
        self.setDynamicSortFilter(True)

    @property
    def failures_only(self) -> bool:
        return self._failures_only

    def set_failures_only(self, value: bool) -> None:
        """Show only rows whose check finished without working (pending rows hide too)."""
        if value == self._failures_only:
            return
        self._failures_only = value
        self.setFilterFixedString(FAILED if value else "")
