"""How each row of a check-all fared, and the shapes it is handed on in: JSON, CSV, table words.

Why a module of its own: the command's ``--json`` and ``--csv`` and the
window's table and its Save/Copy all read results the same way, so the totals,
the exit code (PRODUCT.md 3.3), the verdict words and the CSV columns are
defined once, here, apart from the threads that produce the results.

CSV cells that a spreadsheet would run as a formula get a leading ``'``; no
result, JSON object or CSV row ever carries a key. JSON keys, CSV column names,
``kind`` values, ``auto`` and DC codes stay in English; verdict words are
translated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from moecheck_gui.batch.rows import AUTO
from moecheck_gui.i18n import N_, _
from moecheck_gui.outcome import EXIT_OK, Kind, Outcome

CSV_COLUMNS: tuple[str, ...] = (
    "workspace_id",
    "label",
    "dc",
    "ok",
    "kind",
    "app_name",
    "http_status",
    "request_id",
    "message",
    "row",
    "previously_worked_at",
    "last_worked_at",
)
"""The columns of :func:`write_csv`: the contract's nine first (PRODUCT.md 3.3), then extras."""


@dataclass(frozen=True)
class BatchResult:
    """How one row fared: the outcome plus where it came from (PRODUCT.md 3.3)."""

    outcome: Outcome
    label: str
    row: int | None
    """The file's line number, or None for a saved workspace."""
    index: int
    """The row's position in the input (0-based): results arrive out of order."""
    last_worked_at: str | None = None
    """When these credentials last worked (ISO 8601): now if this check worked, else from
    the history of a saved workspace; None when unknown."""

    def to_json(self) -> dict[str, Any]:
        """The outcome object of PRODUCT.md 3.4 plus ``label``, ``row`` and ``last_worked_at``."""
        data = self.outcome.to_json()
        data["label"] = self.label
        data["row"] = self.row
        data["last_worked_at"] = self.last_worked_at
        return data


@dataclass(frozen=True)
class Summary:
    """Totals for ``--json`` (``failed`` = ``total`` - ``ok``, unchecked rows included)."""

    total: int
    ok: int

    @property
    def failed(self) -> int:
        return self.total - self.ok

    def to_json(self) -> dict[str, int]:
        return {"total": self.total, "ok": self.ok, "failed": self.failed}


def summarize(results: Iterable[BatchResult]) -> Summary:
    """Count the results."""
    total = ok = 0
    for result in results:
        total += 1
        ok += bool(result.outcome.ok)
    return Summary(total, ok)


def exit_code(results: Iterable[BatchResult]) -> int:
    """PRODUCT.md 3.3: 0 when every row works (or there are none), else the highest row code."""
    return max((r.outcome.exit_code for r in results), default=EXIT_OK)


def to_json_document(results: Sequence[BatchResult]) -> dict[str, Any]:
    """The ``--json`` object: ``{"results": [...], "summary": {...}}``, results in given order."""
    return {
        "results": [r.to_json() for r in results],
        "summary": summarize(results).to_json(),
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: object) -> str:
    """A cell safe to open in a spreadsheet: text that looks like a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_cells(result: BatchResult) -> list[str]:
    """One CSV row in :data:`CSV_COLUMNS` order; never a key."""
    o = result.outcome
    values: dict[str, object] = {
        "workspace_id": o.workspace_id,
        "label": result.label,
        "dc": o.dc,
        "ok": o.ok,
        "kind": o.kind,
        "app_name": o.app_name,
        "http_status": o.http_status,
        "request_id": o.request_id,
        "message": o.message,
        "row": result.row,
        "previously_worked_at": o.previously_worked_at,
        "last_worked_at": result.last_worked_at,
    }
    return [_csv_text(values[name]) for name in CSV_COLUMNS]


def write_csv(results: Iterable[BatchResult], stream: IO[str]) -> None:
    """The ``--csv`` output: a header and one row per result (pass a file opened newline="")."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result in results:
        writer.writerow(csv_cells(result))


def csv_text(results: Iterable[BatchResult]) -> str:
    """:func:`write_csv` into a string."""
    out = io.StringIO()
    write_csv(results, out)
    return out.getvalue()


VERDICT_WORDS: dict[str, str] = {
    Kind.INVALID_INPUT: N_("not checked: fix the row"),
    Kind.DNS: N_("host not found"),
    Kind.CONNECT: N_("could not connect"),
    Kind.TLS: N_("secure connection failed"),
    Kind.PROXY: N_("proxy failed"),
    Kind.TIMEOUT: N_("no answer in time"),
    Kind.AUTH: N_("key rejected"),
    Kind.FORBIDDEN: N_("access blocked"),
    Kind.NOT_FOUND: N_("not found (404)"),
    Kind.RATE_LIMITED: N_("rate limited"),
    Kind.SERVER_ERROR: N_("MoEngage error"),
    Kind.BAD_RESPONSE: N_("unexpected answer"),
    Kind.CANCELLED: N_("not checked"),
}
"""A verdict in two or three words, for tables (the command's and the window's); English,
translated by :func:`verdict`."""


def verdict(outcome: Outcome) -> str:
    """``"works"`` or a few words for the failure (see :data:`VERDICT_WORDS`)."""
    if outcome.ok:
        return _("works")
    if outcome.not_judged:
        return _("not judged: a web page answered")
    words = VERDICT_WORDS.get(outcome.kind or "")
    if words is not None:
        return _(words)
    return outcome.kind or _("failed")


def dc_text(code: str | None) -> str:
    """``"DC-01"``, ``"auto"`` or ``"—"``."""
    if not code:
        return "—"
    return code if code == AUTO else f"DC-{code}"
