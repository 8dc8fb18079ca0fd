"""The rows of a check-all: saved workspaces, or the lines of a CSV file, each a :class:`BatchRow`.

Why a module of its own: reading a user's file is where most things go wrong
(wrong encoding, a missing column, a line that is not CSV, a 10,000-line
export), and every one of them must end as a sentence that names the line,
never as a traceback. Kept apart from the runner, the rules for a file are read
and tested without threads or sockets.

* **Lazy.** :class:`CsvRows` reads only the header when created and streams the
  rest one row at a time, so memory does not grow with the file.
* **Bad rows are rows.** A row with a bad ID or DC carries its ``problem``; the
  runner turns it into an ``invalid_input`` result with its line number. Only a
  file that cannot be used at all is a :class:`BatchUsageError` (exit 2).
* **Keys stay hidden.** A key from the file's ``api_key`` column lives on the
  row only, never in its ``repr``.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from moecheck_gui.datacenters import DataCenterError, parse_dc
from moecheck_gui.i18n import N_, _, format_list, join_sentences
from moecheck_gui.inputs import InputError, normalise_credentials
from moecheck_gui.outcome import clean_server_text

if TYPE_CHECKING:
    from moecheck_gui.profiles import ProfileStore

MAX_LINE_BYTES = 64 * 1024
"""A CSV line longer than this is not a list of workspaces: usage error."""
AUTO = "auto"
"""The DC value of a row that tries every data center."""

# Translators: "api_key" is a column name in the user's file: keep it as it is.
KEY_FILE_WARNING = N_(
    "This file holds Data API keys (an api_key column). Keys in files are easily copied, "
    "synced or mailed by mistake."
)
# Translators: keep the command and "api_key" as they are; "Remember the key" is the
# window's check box (use its translation).
KEY_FILE_HINT = N_(
    "Save each key in the keychain instead (moecheck check --workspace-id ID --dc DC --save, "
    "or tick Remember the key in the window), then remove the api_key column from the file."
)
"""The warning and hint for a file with keys, in English; ``CsvRows`` holds them translated."""


class BatchUsageError(Exception):
    """The input as a whole cannot be used (exit 2); ``message`` is for the user.

    ``line`` is the file's line number the problem is on, when there is one.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class BatchRow:
    """One workspace to check. ``api_key`` (from a file only) never shows in ``repr``."""

    workspace_id: str
    dc: str
    """A DC code (``"01"``), ``"auto"`` (try every DC), or ``""`` when the row's DC is unusable."""
    label: str = ""
    line: int | None = None
    """The file's line number (the first line of the record), or None for a saved workspace."""
    api_key: str | None = field(default=None, repr=False, compare=False)
    """A key from the file's ``api_key`` column, used only when the keychain has none."""
    saved: bool = False
    """A saved workspace: its check is annotated from and recorded in the history."""
    problem: str | None = None
    """Why this row cannot be checked (it becomes ``invalid_input``), or None."""
    problem_field: str | None = None
    """The field the problem is in: ``workspace_id``, ``dc`` or ``api_key``."""


def rows_from_profiles(store: ProfileStore) -> list[BatchRow]:
    """One row per saved workspace, in the store's order (most recently used first)."""
    return [BatchRow(p.workspace_id, p.dc, p.label, None, None, True) for p in store.profiles()]


def _column_name(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def _shown_id(value: str) -> str:
    return clean_server_text(value, 256) or ""


def _row_from_cells(
    cells: dict[str, str], line: int, saved_ids: Collection[str], has_dc_column: bool
) -> BatchRow:
    from moecheck_gui.profiles import clean_label

    raw_id = cells.get("workspace_id", "")
    label = clean_label(cells.get("label", ""))
    api_key = cells.get("api_key") or None
    shown = _shown_id(raw_id)
    try:
        credentials, _notices = normalise_credentials(raw_id, "placeholder")
    except InputError as exc:
        return BatchRow(shown, "", label, line, None, False, exc.message, "workspace_id")
    workspace_id = credentials.workspace_id
    saved = workspace_id in saved_ids
    raw_dc = cells.get("dc", "")
    if not has_dc_column:
        problem = _("The file has no dc column, so this workspace's data center is unknown.")
        return BatchRow(workspace_id, "", label, line, None, saved, problem, "dc")
    if raw_dc.strip().lower() == AUTO:
        return BatchRow(workspace_id, AUTO, label, line, api_key, saved)
    try:
        dc = parse_dc(raw_dc)
    except DataCenterError as exc:
        # Translators: "auto" is a value the user writes in the file: keep it as it is.
        problem = join_sentences(exc.message, _("(Or write auto to try every data center.)"))
        return BatchRow(workspace_id, "", label, line, None, saved, problem, "dc")
    return BatchRow(workspace_id, dc, label, line, api_key, saved)


def _cannot_read(path: Path, exc: OSError) -> str:
    return _("Cannot read {path}: {error}.").format(path=path, error=exc.strerror or exc)


class CsvRows:
    """The workspaces listed in a CSV file, read lazily (PRODUCT.md 3.3 ``--from FILE``).

    The header row names the columns: ``workspace_id`` (required), ``dc`` (a
    code, ``auto`` or a dashboard URL), optional ``label`` and ``api_key``.
    Column names are matched ignoring case, spaces and dashes. Blank lines are
    skipped. Creating the object reads only the header (usage errors for a
    missing file or column come at once); :meth:`count` streams the whole file
    once to find undecodable or malformed lines before anything is sent;
    iterating streams it again, one row at a time.

    ``warnings`` holds sentences for the user (keys in the file); ``hints``
    what to do about them.
    """

    def __init__(self, path: Path | str, *, saved_ids: Collection[str] = ()) -> None:
        self.path = Path(path)
        self.saved_ids = frozenset(saved_ids)
        self.warnings: list[str] = []
        self.hints: list[str] = []
        header: list[str] | None = None
        for _line, cells in self._records():
            header = cells
            break
        if header is None:
            raise BatchUsageError(
                # Translators: keep "workspace_id,dc,label" (column names) as it is.
                _(
                    "{path}, line {line}: the file is empty. Its first line must name the "
                    "columns, e.g. workspace_id,dc,label."
                ).format(path=self.path, line=1),
                1,
            )
        self.columns = [_column_name(c) for c in header]
        if "workspace_id" not in self.columns:
            found = format_list(c for c in self.columns if c)[:200] or _("none")
            raise BatchUsageError(
                # Translators: keep "workspace_id" and "workspace_id,dc,label" (column names).
                _(
                    "{path}, line {line}: the header row has no workspace_id column (found: "
                    "{found}). The first line must name the columns, e.g. workspace_id,dc,label."
                ).format(path=self.path, line=1, found=found),
                1,
            )
        self.has_key_column = "api_key" in self.columns
        if self.has_key_column:
            self.warnings.append(_(KEY_FILE_WARNING))
            self.hints.append(_(KEY_FILE_HINT))

    def _lines(self, handle: IO[bytes], counter: list[int]) -> Iterator[str]:
        """Decoded lines, counting them in ``counter[0]``; usage errors name the line."""
        while True:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            counter[0] += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise BatchUsageError(
                    _(
                        "{path}, line {line}: the line is too long (over {size} KiB); this is "
                        "not a list of workspaces."
                    ).format(path=self.path, line=counter[0], size=MAX_LINE_BYTES // 1024),
                    counter[0],
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BatchUsageError(
                    # Translators: "CSV UTF-8" is the name of a file type in spreadsheet programs.
                    _(
                        "{path}, line {line}: the file is not UTF-8 text. Save it "
                        "as CSV UTF-8 from your spreadsheet program."
                    ).format(path=self.path, line=counter[0]),
                    counter[0],
                ) from None
            if counter[0] == 1:
                text = text.removeprefix("\ufeff")
            yield text

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """(first line number, cells) of every non-blank record."""
        try:
            handle = open(self.path, "rb")  # closed by the with below
        except OSError as exc:
            raise BatchUsageError(_cannot_read(self.path, exc), None) from None
        with handle:
            counter = [0]
            reader = csv.reader(self._lines(handle, counter), strict=True)
            previous_end = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise BatchUsageError(
                        _("{path}, line {line}: this is not valid CSV ({error}).").format(
                            path=self.path, line=previous_end + 1, error=exc
                        ),
                        previous_end + 1,
                    ) from None
                except OSError as exc:
                    raise BatchUsageError(_cannot_read(self.path, exc), previous_end + 1) from None
                first, previous_end = previous_end + 1, counter[0]
                if any(c.strip() for c in cells):
                    yield first, cells

    def _rows(self) -> Iterator[BatchRow]:
        records = self._records()
        next(records, None)  # the header
        has_dc = "dc" in self.columns
        for line, cells in records:
            named: dict[str, str] = {}
            for name, value in zip(self.columns, cells, strict=False):
                if name and name not in named:
                    named[name] = value
            yield _row_from_cells(named, line, self.saved_ids, has_dc)

    def __iter__(self) -> Iterator[BatchRow]:
        """Every data row, in file order, read as it is consumed."""
        return self._rows()

    def count(self) -> int:
        """Stream the whole file once: the number of data rows; usage error on a bad line."""
        return sum(1 for _ in self._records()) - 1
