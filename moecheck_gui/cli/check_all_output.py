"""What ``moecheck check-all`` shows while it runs: the table, progress, pauses, and key guarding.

Why apart from the command: the command module decides *what* to check and
when to stop; this one decides how people see it, and keeps the keys of the
rows being checked in the output guard.

* **A compact table on stdout**, one line per workspace as its answer arrives
  (label, workspace ID, DC, verdict, workspace name, last worked, request ID),
  so a long run shows progress in the table itself.
* **Progress on stderr only on a terminal**: one line, rewritten in place, that
  is cleared before each table line; pipes and CI logs get only the table.
* **Pauses and notices always on stderr** ("MoEngage asked to slow down on
  DC-01 ... waiting 30 s"), because they explain why nothing moves.
* **Keys in the guard while in use.** Keys read from the keychain or a file are
  registered with the output guard (:class:`~moecheck_gui.redaction.SecretSet`)
  while their row is being checked and reported, then dropped: a guard holding
  10,000 keys would make every write slow, and nothing writes a key anyway.
"""

from __future__ import annotations

import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from moecheck_gui.cli.output import Style, err, isatty, safe
from moecheck_gui.i18n import N_, _, format_number

if TYPE_CHECKING:
    from moecheck_gui.batch import BatchEvent, BatchResult, BatchRow, KeySource
    from moecheck_gui.redaction import SecretSet

COLUMNS: tuple[tuple[str, int], ...] = (
    # Translators: the column headings of `moecheck check-all`'s table (capitals where the
    # language has them): short, the columns are 6 to 24 wide and a CJK character counts 2.
    (N_("LABEL"), 14),
    (N_("WORKSPACE ID"), 24),
    (N_("DC"), 6),
    (N_("VERDICT"), 24),
    (N_("WORKSPACE NAME"), 24),
    (N_("LAST WORKED"), 20),
    (N_("REQUEST ID"), 0),
)
"""Header (marked, translated in :func:`header_line`) and width of each table column
(0: as wide as it needs, the last one)."""


def display_width(text: str) -> int:
    """The terminal columns ``text`` takes: 2 per wide (CJK) character, 0 per combining one."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _cell(text: str, width: int) -> str:
    """``text`` in a column ``width`` terminal columns wide: cut with "…" or padded."""
    if not width:
        return text
    if display_width(text) > width:
        while text and display_width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - display_width(text))


def table_line(cells: Iterable[str]) -> str:
    """One table line; cells longer than their column are cut with an ellipsis."""
    parts = [_cell(text, width) for text, (_heading, width) in zip(cells, COLUMNS, strict=True)]
    return "  ".join(parts).rstrip()


def header_line() -> str:
    """The table's header."""
    return table_line(_(name) for name, _width in COLUMNS)


def result_cells(result: BatchResult) -> list[str]:
    """The table cells of one result (never a key: outcomes do not hold one)."""
    from moecheck_gui.batch import dc_text, verdict
    from moecheck_gui.history import format_when

    o = result.outcome
    http = f" ({o.http_status})" if o.http_status is not None and not o.ok else ""
    last = result.last_worked_at or o.previously_worked_at
    return [
        safe(result.label) or "—",
        safe(o.workspace_id) or "—",
        dc_text(o.dc),
        verdict(o) + http,
        safe(o.app_name) or "—",
        format_when(last) if last else "—",
        safe(o.request_id) or "—",
    ]


class KeyGuard:
    """Keeps the keys of the rows in flight in the output guard, and only those.

    Wraps the row source (keys from a file's ``api_key`` column) and the
    keychain (keys loaded for a row); :meth:`release` drops a workspace's keys
    once its result has been reported. A workspace listed twice keeps its keys
    until both rows are done; a key shared by two workspaces stays registered
    until neither is in flight.
    """

    def __init__(self, secrets: SecretSet, keychain: KeySource | None) -> None:
        self._secrets = secrets
        self._keychain = keychain
        self._lock = threading.Lock()
        self._in_flight: Counter[str] = Counter()
        self._keys: dict[str, set[str]] = {}
        self._holders: Counter[str] = Counter()

    def _hold(self, workspace_id: str, key: str) -> None:
        with self._lock:
            held = self._keys.setdefault(workspace_id, set())
            if key not in held:
                held.add(key)
                self._holders[key] += 1
                self._secrets.add(key, workspace_id)

    def rows(self, rows: Iterable[BatchRow]) -> Iterator[BatchRow]:
        """The rows, each marked in flight and its file key guarded before it is checked."""
        for row in rows:
            with self._lock:
                self._in_flight[row.workspace_id] += 1
            if row.api_key:
                self._hold(row.workspace_id, row.api_key)
            yield row

    def load(self, workspace_id: str) -> str | None:
        """:class:`~moecheck_gui.batch.KeySource`: the keychain's key, guarded before use."""
        if self._keychain is None:
            return None
        key = self._keychain.load(workspace_id)
        if key:
            self._hold(workspace_id, key)
        return key

    def release(self, workspace_id: str) -> None:
        """One row of ``workspace_id`` has been reported: drop its keys if no other is left."""
        with self._lock:
            self._in_flight[workspace_id] -= 1
            if self._in_flight[workspace_id] > 0:
                return
            del self._in_flight[workspace_id]
            for key in self._keys.pop(workspace_id, set()):
                self._holders[key] -= 1
                if self._holders[key] <= 0:
                    del self._holders[key]
                    self._secrets.discard(key, workspace_id)


class Progress:
    """The human side of a run: table lines on stdout, progress and pauses on stderr.

    ``on_event`` is called from worker threads; everything that writes holds
    one lock, so a progress line never lands in the middle of a table line.
    """

    def __init__(self, total: int | None, *, table: bool, verbose: bool = False) -> None:
        self.total = total
        self.table = table
        self.verbose = verbose
        self.done = 0
        self.live = isatty(sys.stderr) and table
        self._lock = threading.Lock()
        self._shown = False
        self._style = Style(sys.stdout)

    def _clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._shown = False

    def _status(self, text: str) -> None:
        if not self.live:
            return
        of = f"/{format_number(self.total)}" if self.total is not None else ""
        line = f"[{format_number(self.done)}{of}] {text}"
        sys.stderr.write("\r\x1b[K" + line[:110])
        sys.stderr.flush()
        self._shown = True

    def start(self) -> None:
        """The header, before the first answer."""
        if self.table:
            with self._lock:
                print(header_line(), flush=True)

    def on_event(self, event: BatchEvent) -> None:
        """A runner event: progress (terminals only), or a pause/notice line (always)."""
        with self._lock:
            if event.kind == "checking":
                self._status(safe(event.message))
                return
            self._clear()
            message = safe(event.message)
            err(_("Note: {text}").format(text=message) if event.kind == "notice" else message)

    def log(self, line: str) -> None:
        """``-v``: one of the client's lines (already after its workspace ID), on stderr."""
        with self._lock:
            self._clear()
            err(f"  {safe(line)}")

    def on_result(self, result: BatchResult) -> None:
        """One answer: a table line (human output) and the progress count.

        With ``-v``, a failure's details (what answered, the certificate, where
        it stopped, the proxy) follow on stderr, after its workspace ID, so
        stdout stays one line per workspace.
        """
        with self._lock:
            self.done += 1
            self._clear()
            outcome = result.outcome
            if self.table:
                line = table_line(result_cells(result))
                if not outcome.ok and outcome.kind != "cancelled":
                    line = self._style.bad(line)
                elif outcome.ok:
                    line = self._style.good(line)
                print(line, flush=True)
            sent = outcome.kind not in ("cancelled", "invalid_input")
            if self.verbose and not outcome.ok and sent:
                from moecheck_gui.cli.render import render_verbose_failure

                workspace = safe(outcome.workspace_id)
                for detail in render_verbose_failure(outcome):
                    err(f"  {workspace}: {detail.strip()}")

    def finish(self) -> None:
        """Clear the progress line."""
        with self._lock:
            self._clear()
