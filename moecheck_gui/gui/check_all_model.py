"""The table behind the check-all view: one row per workspace, filled in as verdicts arrive.

Why a model of its own (and not a QTableWidget): rows change one at a time
from background results; a model updates one row with one ``dataChanged``
instead of rebuilding items, so the event loop stays free while 200 answers
land. Sorting and the "failures only" filter live in :class:`CheckAllFilter`,
a proxy, so the model's row numbers stay the batch's input indexes.

Every text shown here is plain data (``Qt.DisplayRole``): item views never
interpret HTML, and server values were cleaned by the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QPalette

from moecheck_gui.batch import BatchResult, BatchRow, dc_text, verdict
from moecheck_gui.gui import theme
from moecheck_gui.gui.result_panel import tone_for
from moecheck_gui.gui.theme import Tone
from moecheck_gui.history import format_when

COLUMNS: tuple[str, ...] = (
    "Label",
    "Workspace ID",
    "DC",
    "Verdict",
    "Workspace name",
    "Last worked",
    "Request ID",
)
COL_LABEL, COL_ID, COL_DC, COL_VERDICT, COL_NAME, COL_LAST, COL_REQUEST = range(len(COLUMNS))

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
"""Role with a sortable key per cell (verdicts sort failures first, times chronologically)."""
RESULT_ROLE = int(Qt.ItemDataRole.UserRole) + 2
"""Role returning the row's :class:`BatchResult` (or None while it is pending)."""

_SEVERITY = {Tone.ERROR: 0, Tone.WARNING: 1, Tone.NEUTRAL: 2, Tone.SUCCESS: 3}
_Index = QModelIndex | QPersistentModelIndex


class _Entry:
    """One table row's state. (A plain class: cheap, mutable.)"""

    __slots__ = ("checking", "last_worked", "result", "row")

    def __init__(self, row: BatchRow) -> None:
        self.row = row
        self.result: BatchResult | None = None
        self.checking = False
        self.last_worked: str | None = None


class CheckAllModel(QAbstractTableModel):
    """The workspaces of one check-all run and how each fared.

    Row ``n`` is input row ``n`` (``BatchResult.index``). No signals of its own
    beyond Qt's model signals.
    """

    def __init__(self, rows: Sequence[BatchRow], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries = [_Entry(row) for row in rows]
        self._palette: QPalette | None = None

    # -- updates (GUI thread) --------------------------------------------------

    def set_palette(self, palette: QPalette) -> None:
        """The palette the verdict icons are tinted for (light or dark mode).

        The icons are rendered here, once (cached by :func:`theme.icon`), so the
        first answers to arrive do not pay for SVG rendering mid-run.
        """
        self._palette = palette
        for tone in _SEVERITY:
            theme.icon(theme.TONE_ICONS[tone], theme.tone_colors(tone, palette).fg)

    def set_checking(self, index: int) -> None:
        """Row ``index`` is being checked now."""
        if 0 <= index < len(self._entries) and self._entries[index].result is None:
            self._entries[index].checking = True
            self._changed(index)

    def set_result(self, result: BatchResult) -> None:
        """Row ``result.index`` has its verdict."""
        if not 0 <= result.index < len(self._entries):
            return
        entry = self._entries[result.index]
        entry.result = result
        entry.checking = False
        if result.last_worked_at:
            entry.last_worked = result.last_worked_at
        self._changed(result.index)

    def set_last_worked(self, found: dict[str, str]) -> None:
        """Fill "Last worked" from the history before the answers arrive."""
        for n, entry in enumerate(self._entries):
            when = found.get(entry.row.workspace_id)
            if when and entry.last_worked is None:
                entry.last_worked = when
                self._changed(n)

    def _changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- reading ---------------------------------------------------------------

    def result_at(self, row: int) -> BatchResult | None:
        """The result of model row ``row``, or None while pending."""
        return self._entries[row].result if 0 <= row < len(self._entries) else None

    def results(self) -> list[BatchResult]:
        """Every result so far, in input order."""
        return [e.result for e in self._entries if e.result is not None]

    def finished_count(self) -> int:
        """How many rows have a verdict."""
        return sum(1 for e in self._entries if e.result is not None)

    # -- Qt model API ----------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role == RESULT_ROLE:
            return entry.result
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, column)
        if role == SORT_ROLE:
            return self._sort_key(entry, column)
        if role == Qt.ItemDataRole.DecorationRole and column == COL_VERDICT:
            return self._icon(entry)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_VERDICT and entry.result:
            return entry.result.outcome.message
        return None

    def _text(self, entry: _Entry, column: int) -> str:
        result = entry.result
        outcome = result.outcome if result is not None else None
        if column == COL_LABEL:
            return entry.row.label
        if column == COL_ID:
            return entry.row.workspace_id
        if column == COL_DC:
            return dc_text(outcome.dc if outcome is not None and outcome.dc else entry.row.dc)
        if column == COL_VERDICT:
            if outcome is not None:
                return verdict(outcome)
            return "Checking…" if entry.checking else "Waiting"
        if column == COL_NAME:
            return (outcome.app_name or "") if outcome is not None else ""
        if column == COL_LAST:
            return format_when(entry.last_worked) if entry.last_worked else ""
        if column == COL_REQUEST:
            return (outcome.request_id or "") if outcome is not None else ""
        return ""

    def _sort_key(self, entry: _Entry, column: int) -> Any:
        if column == COL_VERDICT:
            if entry.result is None:
                return 9 if not entry.checking else 8
            return _SEVERITY.get(tone_for(entry.result.outcome), 5)
        if column == COL_LAST:
            return entry.last_worked or ""
        return self._text(entry, column).casefold()

    def _icon(self, entry: _Entry) -> Any:
        if entry.result is None:
            return None
        tone = tone_for(entry.result.outcome)
        palette = self._palette or QPalette()
        return theme.icon(theme.TONE_ICONS[tone], theme.tone_colors(tone, palette).fg)


class CheckAllFilter(QSortFilterProxyModel):
    """Sorting by :data:`SORT_ROLE`, and "failures only" (rows that finished and did not work)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._failures_only = False
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    @property
    def failures_only(self) -> bool:
        return self._failures_only

    def set_failures_only(self, value: bool) -> None:
        """Show only rows whose check finished without working (pending rows hide too)."""
        if value == self._failures_only:
            return
        if hasattr(self, "endFilterChange"):
            # Qt 6.9+: begin/endFilterChange replace the deprecated invalidateFilter().
            self.beginFilterChange()
            self._failures_only = value
            self.endFilterChange()
        else:  # pragma: no cover - PySide6 6.7/6.8
            self._failures_only = value
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._failures_only:
            return True
        model = self.sourceModel()
        result = model.data(model.index(source_row, 0, source_parent), RESULT_ROLE)
        return result is not None and not result.outcome.ok
