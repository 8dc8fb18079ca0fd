"""Check many workspaces at once: the core of ``moecheck check-all`` and the check-all view.

Input is a sequence of :class:`BatchRow`: the saved workspaces
(:func:`rows_from_profiles`, keys from the keychain) or the rows of a CSV file
(:class:`CsvRows`, read lazily). :class:`BatchRunner` checks them with bounded
concurrency and yields one :class:`BatchResult` per row as answers arrive.

Why it is built this way:

* **Gentle on MoEngage.** At most ``concurrency`` checks at once (4 by default,
  16 at most). A ``429`` pauses every further check on that data center until
  its ``Retry-After`` has passed (:data:`DEFAULT_PAUSE_S` without one, at most
  :data:`MAX_PAUSE_S`); the pause and its end are reported as
  :class:`BatchEvent`\\ s so a front end can say why nothing moves. The row that
  got the 429 is reported as ``rate_limited``, not retried.
* **One deadline per check**, the same ``timeout`` as a single check; time spent
  waiting out a pause does not count against it.
* **Cancel is prompt.** One :class:`CancelToken` is shared by every check (the
  client cuts their sockets); rows not yet started come back as ``cancelled``
  results that say they were not checked.
* **Memory does not grow with the file.** Rows are pulled from the source only
  when a worker is free, so a 10,000-row CSV is never held in memory; only the
  results the caller keeps are.
* **Bad rows are results, not errors.** A row with a bad ID or DC, or without
  a key, becomes an ``invalid_input`` result carrying its line number. Only a
  file that cannot be read at all, or whose header has no ``workspace_id``
  column, is a :class:`BatchUsageError` (exit 2).
* **Keys never leave.** A key read from the keychain or a file lives in a local
  variable for one check; :class:`BatchRow` hides it from ``repr``; results,
  JSON, CSV and events never carry it.

Saved workspaces get history (:mod:`moecheck_gui.history`): each finished check
is annotated (``previously_worked_at``, renamed workspace) and then recorded.

This module imports neither Qt nor ``requests``: the command imports it before
it knows whether it will check anything. The :class:`Checker` is passed in.

Languages: event messages, warnings, refusals and verdict words are translated;
JSON keys, CSV column names, ``kind`` values, ``auto`` and DC codes are not.
"""

from __future__ import annotations

import csv
import io
import itertools
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from moecheck_gui import messages
from moecheck_gui.datacenters import BY_CODE, DC_CODES, DataCenterError, parse_dc
from moecheck_gui.history import HistoryStore, annotate_with, now_iso
from moecheck_gui.i18n import N_, _, format_list, join_sentences
from moecheck_gui.inputs import InputError, normalise_credentials
from moecheck_gui.outcome import EXIT_OK, Kind, Outcome, clean_server_text

if TYPE_CHECKING:
    from moecheck_gui.cancel import CancelToken
    from moecheck_gui.client import LogFn
    from moecheck_gui.profiles import ProfileStore

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
DEFAULT_PAUSE_S = 10.0
"""How long a DC pauses after a 429 that names no ``Retry-After``."""
MAX_PAUSE_S = 300.0
"""The longest pause honoured; longer ``Retry-After`` values are cut to this."""
MAX_LINE_BYTES = 64 * 1024
"""A CSV line longer than this is not a list of workspaces: usage error."""
AUTO = "auto"

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


class KeySource(Protocol):
    """Where saved keys come from: :class:`moecheck_gui.keychain.KeychainStore` fits."""

    def load(self, workspace_id: str) -> str | None:
        """The saved key for ``workspace_id``, or None; raises ``KeychainError``."""
        ...


class CheckerLike(Protocol):
    """What the runner needs of :class:`moecheck_gui.client.Checker`."""

    def check(
        self,
        workspace_id: str,
        api_key: str,
        dc: str,
        *,
        timeout: float = ...,
        cancel: CancelToken | None = ...,
        log: LogFn | None = ...,
    ) -> Outcome:
        """One check against one DC; never raises for I/O."""
        ...

    def detect(
        self,
        workspace_id: str,
        api_key: str,
        *,
        timeout: float = ...,
        cancel: CancelToken | None = ...,
        log: LogFn | None = ...,
    ) -> Outcome:
        """One check against every DC at once."""
        ...


# --------------------------------------------------------------------------- rows


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


# --------------------------------------------------------------------------- results


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
    words = VERDICT_WORDS.get(outcome.kind or "")
    if words is not None:
        return _(words)
    return outcome.kind or _("failed")


def dc_text(code: str | None) -> str:
    """``"DC-01"``, ``"auto"`` or ``"—"``."""
    if not code:
        return "—"
    return code if code == AUTO else f"DC-{code}"


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class BatchEvent:
    """Progress that is not a result, for a front end to show.

    ``kind`` is one of:

    - ``"checking"``: row ``index`` (``workspace_id``) is being sent now;
    - ``"paused"``: a 429 on ``dc``: no further checks there for ``wait_s`` seconds;
    - ``"resumed"``: the pause on ``dc`` has passed and checks go on;
    - ``"notice"``: a sentence from the history store (e.g. it started a new history).

    ``message`` is a ready-made sentence for people.
    """

    kind: str
    message: str
    index: int | None = None
    workspace_id: str | None = None
    dc: str | None = None
    wait_s: float | None = None


EventFn = Callable[[BatchEvent], None]


class _Done:
    """A worker finished (queue marker)."""


@dataclass(frozen=True)
class _Failed:
    """The row source raised (a file changed under us): re-raised in the consumer."""

    error: BaseException


# --------------------------------------------------------------------------- the runner


def check_concurrency(value: int) -> int:
    """``value`` if it is a valid concurrency (1..16), else :class:`BatchUsageError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CONCURRENCY:
        raise BatchUsageError(
            _(
                "The concurrency must be a whole number from 1 to {maximum} (default {default})."
            ).format(maximum=MAX_CONCURRENCY, default=DEFAULT_CONCURRENCY)
        )
    return value


class BatchRunner:
    """Checks many rows with bounded concurrency; see the module docstring.

    One runner runs once. ``on_event`` is called from worker threads (keep it
    quick and thread-safe: the window's view relays it as a signal).
    :meth:`run` yields results as they finish, on the caller's thread.
    """

    def __init__(
        self,
        checker: CheckerLike,
        *,
        keychain: KeySource | None = None,
        history: HistoryStore | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: float = 15.0,
        cancel: CancelToken | None = None,
        on_event: EventFn | None = None,
        log: LogFn | None = None,
        default_pause_s: float = DEFAULT_PAUSE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from moecheck_gui.cancel import CancelToken

        self.checker = checker
        self.keychain = keychain
        self.history = history
        self.concurrency = check_concurrency(concurrency)
        self.timeout = timeout
        self.cancel_token = cancel if cancel is not None else CancelToken()
        self.on_event = on_event
        self.log = log
        self.default_pause_s = default_pause_s
        self.notices: list[str] = []
        """Sentences from the history store, each once (also sent as ``notice`` events)."""
        self._clock = clock
        self._pause = threading.Condition()
        self._paused_until: dict[str, float] = {}
        self._keychain_lock = threading.Lock()
        self._keychain_problem: str | None = None
        self._source_lock = threading.Lock()
        self._abandoned = False
        self._started = False

    # -- public ------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop: running checks end as ``cancelled``, unchecked rows come back ``cancelled``."""
        self.cancel_token.cancel()

    def run(self, rows: Iterable[BatchRow]) -> Iterator[BatchResult]:
        """Check every row; yield each :class:`BatchResult` as it finishes (completion order).

        Stopping the iteration early (closing the generator) cancels the rest.
        Raises :class:`BatchUsageError` if the row source does (a file that
        became unreadable mid-run), after cancelling the other checks.
        """
        if self._started:
            raise RuntimeError("A BatchRunner runs once")
        self._started = True
        source = iter(rows)
        indexes = itertools.count()
        # Bounded, so workers never run far ahead of a slow consumer: rows are
        # pulled from the source only as results are taken.
        results: queue.Queue[BatchResult | _Done | _Failed] = queue.Queue(
            maxsize=2 * self.concurrency
        )
        workers = [
            threading.Thread(
                target=self._work,
                args=(source, indexes, results),
                name=f"moecheck-batch-{n}",
                daemon=True,
            )
            for n in range(self.concurrency)
        ]
        for worker in workers:
            worker.start()
        running = len(workers)
        failure: BaseException | None = None
        try:
            while running:
                item = results.get()
                if isinstance(item, _Done):
                    running -= 1
                elif isinstance(item, _Failed):
                    failure = failure or item.error
                    self.cancel()
                else:
                    yield item
        finally:
            if running:
                self._abandoned = True
                self.cancel()
        if failure is not None:
            raise failure

    def run_all(self, rows: Iterable[BatchRow]) -> list[BatchResult]:
        """Check every row; all results in input order (for ``--json``/``--csv``)."""
        return sorted(self.run(rows), key=lambda r: r.index)

    # -- workers -----------------------------------------------------------------

    def _work(
        self,
        source: Iterator[BatchRow],
        indexes: Iterator[int],
        results: queue.Queue[BatchResult | _Done | _Failed],
    ) -> None:
        try:
            while True:
                with self._source_lock:
                    if self._abandoned:
                        return
                    row = next(source, None)
                    if row is None:
                        return
                    index = next(indexes)
                self._put(results, self._one(row, index))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer's thread
            self._put(results, _Failed(exc))
        finally:
            self._put(results, _Done())

    def _put(
        self,
        results: queue.Queue[BatchResult | _Done | _Failed],
        item: BatchResult | _Done | _Failed,
    ) -> None:
        """Hand an item to the consumer; drop it once the consumer has gone away."""
        while not self._abandoned:
            try:
                results.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _one(self, row: BatchRow, index: int) -> BatchResult:
        outcome = self._outcome(row, index)
        last_worked: str | None = now_iso() if outcome.ok else None
        if row.saved and self.history is not None and row.workspace_id:
            last = self.history.last_success(row.workspace_id)
            outcome = annotate_with(outcome, last)
            notice = self.history.record(row.workspace_id, outcome)
            if notice:
                self._notice(notice)
            if last_worked is None and last is not None:
                last_worked = last.at
        return BatchResult(outcome, row.label, row.line, index, last_worked)

    def _outcome(self, row: BatchRow, index: int) -> Outcome:
        started = time.monotonic()
        if row.problem is not None:
            return _refused(row, row.problem, row.problem_field or "workspace_id")
        if self.cancel_token.cancelled:
            return _not_checked(row)
        key, why = self._key_for(row)
        if key is None:
            return _refused(row, why, "api_key")
        if not self._wait_for_dc(row, index):
            return _not_checked(row)
        if row.dc == AUTO:
            outcome = self.checker.detect(
                row.workspace_id, key, timeout=self.timeout, cancel=self.cancel_token, log=self.log
            )
        else:
            outcome = self.checker.check(
                row.workspace_id,
                key,
                row.dc,
                timeout=self.timeout,
                cancel=self.cancel_token,
                log=self.log,
            )
        del key
        self._note_rate_limit(outcome, row)
        if outcome.elapsed_ms <= 0:
            outcome = outcome.replace(elapsed_ms=(time.monotonic() - started) * 1000.0)
        return outcome

    def _key_for(self, row: BatchRow) -> tuple[str | None, str]:
        """The key for a row (keychain first, then the file) or why there is none."""
        from moecheck_gui.keychain import KeychainError, KeychainUnavailable

        why = ""
        if self.keychain is not None:
            with self._keychain_lock:
                problem = self._keychain_problem
                if problem is None:
                    try:
                        key = self.keychain.load(row.workspace_id)
                    except KeychainUnavailable as exc:
                        self._keychain_problem = problem = exc.message
                    except KeychainError as exc:
                        problem = exc.message
                    else:
                        if key:
                            return key, ""
            if problem:
                why = _("The saved key could not be read: {problem}").format(problem=problem)
        if row.api_key:
            return row.api_key, ""
        if why:
            return None, why
        if row.line is not None:
            return None, _(
                "No Data API key for this workspace: none is saved in the keychain and the "
                "file has none in an api_key column."
            )
        return None, _("No Data API key is saved in the keychain for this workspace.")

    # -- rate limits ---------------------------------------------------------------

    def _dcs_of(self, row: BatchRow) -> tuple[str, ...]:
        return DC_CODES if row.dc == AUTO else (row.dc,)

    def _wait_for_dc(self, row: BatchRow, index: int) -> bool:
        """Wait while the row's DC (any DC, for ``auto``) is paused; False if cancelled."""
        dcs = self._dcs_of(row)
        while True:
            with self._pause:
                now = self._clock()
                until = max((self._paused_until.get(dc, 0.0) for dc in dcs), default=0.0)
                if until <= now:
                    for dc in dcs:
                        if dc in self._paused_until:
                            del self._paused_until[dc]
                            self._emit(
                                BatchEvent(
                                    "resumed",
                                    _(
                                        "Checks on {dc} go on: the pause MoEngage asked "
                                        "for has passed."
                                    ).format(dc=dc_text(dc)),
                                    dc=dc,
                                )
                            )
                    self._emit(
                        BatchEvent(
                            "checking",
                            _("Checking {workspace} ({dc}).").format(
                                workspace=row.workspace_id, dc=dc_text(row.dc)
                            ),
                            index=index,
                            workspace_id=row.workspace_id,
                            dc=row.dc,
                        )
                    )
                    return not self.cancel_token.cancelled
            if self.cancel_token.wait(max(0.0, until - now)):
                return False

    def _note_rate_limit(self, outcome: Outcome, row: BatchRow) -> None:
        """After a 429, pause the DC(s) that sent it."""
        limited: list[str] = []
        if outcome.kind == Kind.RATE_LIMITED and outcome.dc:
            limited.append(outcome.dc)
        for dc, attempt in (outcome.attempts or {}).items():
            if attempt.kind == Kind.RATE_LIMITED and dc not in limited:
                limited.append(dc)
        if not limited:
            return
        wait = outcome.retry_after_s if outcome.retry_after_s is not None else None
        seconds = min(float(wait) if wait is not None else self.default_pause_s, MAX_PAUSE_S)
        if seconds <= 0:
            return
        with self._pause:
            until = self._clock() + seconds
            for dc in limited:
                if until > self._paused_until.get(dc, 0.0):
                    self._paused_until[dc] = until
                    self._emit(
                        BatchEvent(
                            "paused",
                            _(
                                "MoEngage asked to slow down on {dc} (HTTP 429 for "
                                "{workspace}): waiting {seconds} s before the next "
                                "check there."
                            ).format(
                                dc=dc_text(dc), workspace=row.workspace_id, seconds=f"{seconds:g}"
                            ),
                            workspace_id=row.workspace_id,
                            dc=dc,
                            wait_s=seconds,
                        )
                    )

    # -- events --------------------------------------------------------------------

    def _emit(self, event: BatchEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def _notice(self, text: str) -> None:
        with self._pause:
            if text in self.notices:
                return
            self.notices.append(text)
            self._emit(BatchEvent("notice", text))


# --------------------------------------------------------------------------- outcomes made here


def _row_dc(row: BatchRow) -> str | None:
    return row.dc if row.dc in BY_CODE else None


def _refused(row: BatchRow, problem: str, field_name: str) -> Outcome:
    """``invalid_input`` for a row that cannot be checked; nothing was sent."""
    message, hint = messages.for_kind(
        Kind.INVALID_INPUT, messages.Context(detail=problem, field=field_name)
    )
    if field_name == "api_key" and row.line is None:
        # Translators: keep the command as it is; "Remember the key" is the window's check box.
        hint = _(
            "Save the key for this workspace (check it once in the window with Remember the "
            "key ticked, or moecheck check --workspace-id ID --dc DC --save), then check again."
        )
    elif row.line is not None:
        hint = _(
            "Correct line {line} of the file and try again. Nothing was sent to MoEngage."
        ).format(line=row.line)
    return Outcome(
        ok=False,
        kind=Kind.INVALID_INPUT.value,
        dc=_row_dc(row),
        workspace_id=row.workspace_id,
        message=message,
        hint=hint,
        field=field_name,
    )


def _not_checked(row: BatchRow) -> Outcome:
    """``cancelled`` for a row whose turn never came."""
    return Outcome(
        ok=False,
        kind=Kind.CANCELLED.value,
        dc=_row_dc(row),
        workspace_id=row.workspace_id,
        message=_("Not checked: checking was stopped before this workspace's turn."),
        hint=_("Check all again when you are ready."),
    )
