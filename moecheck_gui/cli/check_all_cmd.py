"""``moecheck check-all``: check every saved workspace, or every row of a CSV file, at once.

Why it looks the way it does (PRODUCT.md 3.3, issue 12):

* **One core, two front ends.** The rows, the bounded concurrency, the 429
  pauses, the history and the JSON/CSV shapes are :mod:`moecheck_gui.batch`'s,
  shared with the window's check-all view; this module only reads the options,
  shows progress (:mod:`.check_all_output`) and picks the exit code.
* **Usage errors before anything is sent.** A file that cannot be read, has no
  ``workspace_id`` column or a malformed line (named), and a bad
  ``--concurrency``, are exit 2 before the first check; a *row* that cannot be
  checked is an ``invalid_input`` result, not a failure of the command.
* **Ctrl-C stops promptly** (exit 130): running checks are cancelled, rows not
  yet checked come back as "not checked", and ``--json``/``--csv`` still print
  every row so a script sees what was and was not checked.
* **Keys never appear in any output**: results never hold one, and the keys in
  use are in the output guard (:class:`.check_all_output.KeyGuard`).
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from moecheck_gui.cli.output import command_line, err, prefixed, safe
from moecheck_gui.cli.parser import EXAMPLES_HEADING, Command, timeout_value
from moecheck_gui.i18n import N_, _, format_number, join_sentences, ngettext
from moecheck_gui.limits import DEFAULT_TIMEOUT
from moecheck_gui.outcome import EXIT_INTERRUPTED, EXIT_USAGE, Kind, Outcome
from moecheck_gui.redaction import SecretSet

if TYPE_CHECKING:
    from moecheck_gui.batch import BatchResult, BatchRow, BatchRunner

STOP_GRACE_S = 3.0
"""How long after Ctrl-C the command waits for running checks to wind down."""

PROG = "moecheck check-all"
"""The command's name before its messages (never translated)."""

SAVE_HINT = N_(
    "Save a workspace with `moecheck check --workspace-id ID --dc DC --save` (or tick "
    "Remember the key in the window), or check a file with `moecheck check-all --from FILE`."
)


def concurrency_value(text: str) -> int:
    """``--concurrency``: a whole number from 1 to 16."""
    from moecheck_gui.batch import BatchUsageError, check_concurrency

    try:
        return check_concurrency(int(text))
    except (ValueError, BatchUsageError):
        raise argparse.ArgumentTypeError(
            _("{value} is not a concurrency: use a whole number from 1 to 16 (default 4)").format(
                value=repr(text)
            )
        ) from None


class _Source:
    """The rows to check, how many there are, and what to say about them first."""

    def __init__(self, rows: Iterable[BatchRow], total: int, notes: list[str]) -> None:
        self.rows = rows
        self.total = total
        self.notes = notes


def _rows(args: argparse.Namespace) -> _Source:
    """The saved workspaces, or the file's rows; :class:`BatchUsageError` for a bad file."""
    from moecheck_gui.batch import CsvRows, rows_from_profiles
    from moecheck_gui.cli.workspaces import profile_store

    store = profile_store()
    if args.from_file is None:
        rows = rows_from_profiles(store)
        notes = [] if rows else [join_sentences(_("No saved workspaces yet."), _(SAVE_HINT))]
        return _Source(rows, len(rows), notes)
    saved_ids = [p.workspace_id for p in store.profiles()]
    csv_rows = CsvRows(args.from_file, saved_ids=saved_ids)
    total = csv_rows.count()  # the whole file once: a bad line is a usage error before sending
    notes = [_("Warning: {warning}").format(warning=w) for w in csv_rows.warnings]
    notes += list(csv_rows.hints)
    return _Source(csv_rows, total, notes)


def _not_checked(row: BatchRow, index: int) -> BatchResult:
    """A row whose check was abandoned at a second Ctrl-C: reported as not checked."""
    from moecheck_gui.batch import BatchResult
    from moecheck_gui.datacenters import BY_CODE

    outcome = Outcome(
        ok=False,
        kind=Kind.CANCELLED.value,
        dc=row.dc if row.dc in BY_CODE else None,
        workspace_id=row.workspace_id,
        message=_("Not checked: checking was stopped before this workspace's check ended."),
        hint=_("Check all again when you are ready."),
    )
    return BatchResult(outcome, row.label, row.line, index)


class _Run:
    """One run: the runner's results pumped to the main thread, which Ctrl-C can interrupt.

    Why a pump thread: the main thread then only waits on a queue with a short
    timeout, so Ctrl-C is seen at once; after it, the runner is cancelled and
    the remaining rows drain as "not checked" results instead of being lost.
    """

    _DONE = object()

    def __init__(self, runner: BatchRunner, rows: Iterable[BatchRow]) -> None:
        self.runner = runner
        self.pending: dict[int, BatchRow] = {}
        self._lock = threading.Lock()
        self._items: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(
            target=self._pump, args=(self._track(rows),), name="moecheck-check-all", daemon=True
        )

    def _track(self, rows: Iterable[BatchRow]) -> Iterator[BatchRow]:
        # The runner numbers rows in the order it pulls them, so the nth row is index n.
        for index, row in enumerate(rows):
            with self._lock:
                self.pending[index] = row
            yield row

    def _pump(self, rows: Iterator[BatchRow]) -> None:
        try:
            for result in self.runner.run(rows):
                self._items.put(result)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            self._items.put(exc)
        finally:
            self._items.put(self._DONE)

    def results(
        self, on_result: Callable[[BatchResult, BatchRow | None], None]
    ) -> tuple[list[BatchResult], bool]:
        """Every result (input order) and whether Ctrl-C stopped the run.

        ``on_result`` sees each result, with its row, as it arrives (completion order).
        """
        from moecheck_gui.batch import BatchResult

        results: list[BatchResult] = []
        interrupted = False
        give_up_at: float | None = None
        self._thread.start()
        while True:
            try:
                if give_up_at is not None and time.monotonic() > give_up_at:
                    break
                try:
                    item = self._items.get(timeout=0.1)
                except queue.Empty:
                    continue
                if item is self._DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                if not isinstance(item, BatchResult):  # only results, errors and _DONE are queued
                    continue
                with self._lock:
                    row = self.pending.pop(item.index, None)
                results.append(item)
                on_result(item, row)
            except KeyboardInterrupt:
                if interrupted:
                    break  # a second Ctrl-C: stop waiting at once
                interrupted = True
                self.runner.cancel()
                give_up_at = time.monotonic() + STOP_GRACE_S
                err(_("Stopping: cancelling the running checks (Ctrl-C again to quit at once)..."))
        if interrupted:
            with self._lock:
                results += [_not_checked(row, i) for i, row in self.pending.items()]
        return sorted(results, key=lambda r: r.index), interrupted


def _usage_error(args: argparse.Namespace, message: str, line: int | None) -> int:
    """A file the command cannot use: said on stderr (and as one JSON object); exit 2."""
    from moecheck_gui.cli.run import refused

    err(prefixed(PROG, safe(message)))
    if args.json:
        data = refused(safe(message), field="file", hint=_("Correct the file and try again."))
        print(json.dumps({**data.to_json(), "line": line}, ensure_ascii=False), flush=True)
    return EXIT_USAGE


class _Written:
    """Each result in its output form, made while its key is still in the output guard.

    Why at arrival: the keys of finished rows leave the guard (see
    :class:`.check_all_output.KeyGuard`), so the JSON object or CSV row of a
    result is passed through the guard while its key is still there.
    """

    def __init__(self, secrets: SecretSet, fmt: str) -> None:
        self.secrets = secrets
        self.fmt = fmt
        self.forms: dict[int, object] = {}

    def add(self, result: BatchResult) -> None:
        from moecheck_gui.batch import csv_cells

        if self.fmt == "json":
            text = json.dumps(result.to_json(), ensure_ascii=False)
            self.forms[result.index] = json.loads(self.secrets.redact(text))
        elif self.fmt == "csv":
            self.forms[result.index] = [self.secrets.redact(c) for c in csv_cells(result)]

    def write(self, results: list[BatchResult]) -> None:
        import csv

        from moecheck_gui.batch import CSV_COLUMNS, summarize

        for result in results:
            if result.index not in self.forms:
                self.add(result)  # made up here (not checked): no key involved
        ordered = [self.forms[r.index] for r in results]
        if self.fmt == "json":
            document = {"results": ordered, "summary": summarize(results).to_json()}
            sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        else:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            writer.writerows(ordered)  # type: ignore[arg-type]


def run_check_all(args: argparse.Namespace, secrets: SecretSet) -> int:
    """Check every row; print the table, ``--json`` or ``--csv``; the exit code of 3.3."""
    from moecheck_gui.batch import BatchRunner, BatchUsageError, exit_code
    from moecheck_gui.cli.check_all_output import KeyGuard, Progress

    try:
        source = _rows(args)
    except BatchUsageError as exc:
        return _usage_error(args, exc.message, exc.line)
    for note in source.notes:
        err(safe(note))

    from moecheck_gui.client import Checker
    from moecheck_gui.history import HistoryStore
    from moecheck_gui.keychain import KeychainStore

    fmt = "json" if args.json else "csv" if args.csv else "table"
    progress = Progress(source.total, table=fmt == "table", verbose=args.verbose)
    written = _Written(secrets, fmt)
    guard = KeyGuard(secrets, KeychainStore())
    runner = BatchRunner(
        Checker(),
        keychain=guard,
        history=HistoryStore(),
        concurrency=args.concurrency,
        timeout=args.timeout,
        on_event=progress.on_event,
        log=progress.log if args.verbose else None,
    )

    def on_result(result: BatchResult, row: BatchRow | None) -> None:
        progress.on_result(result)
        written.add(result)
        if row is not None:
            guard.release(row.workspace_id)

    if fmt == "table" and source.total:
        progress.start()
    run = _Run(runner, guard.rows(source.rows))
    try:
        results, interrupted = run.results(on_result)
    except BatchUsageError as exc:  # the file changed or became unreadable mid-run
        progress.finish()
        return _usage_error(args, exc.message, exc.line)
    progress.finish()
    if fmt == "table":
        _summary(results)
    else:
        written.write(results)
    sys.stdout.flush()
    if interrupted:
        err(_("Interrupted."))
        return EXIT_INTERRUPTED
    return exit_code(results)


def _summary(results: list[BatchResult]) -> None:
    """Human output: the totals, and how to see one workspace's full diagnosis."""
    from moecheck_gui.batch import summarize

    if not results:
        return
    summary = summarize(results)
    totals = ngettext(
        "{ok} of {total} works; {failed} failed or not checked.",
        "{ok} of {total} work; {failed} failed or not checked.",
        summary.total,
    ).format(
        ok=format_number(summary.ok),
        total=format_number(summary.total),
        failed=format_number(summary.failed),
    )
    print("\n" + totals)
    failed = [r for r in results if not r.outcome.ok and r.outcome.kind != Kind.CANCELLED]
    if failed:
        first = failed[0].outcome
        dc = first.dc or "DC"
        command = command_line(
            "moecheck", "check", "--workspace-id", safe(first.workspace_id), "--dc", dc,
            "--keychain", "-v",
        )  # fmt: skip
        print(_("For the full diagnosis of one: {command}").format(command=command))


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help=_(
            "check the rows of a CSV file (columns workspace_id, dc, optional label and "
            "api_key) instead of the saved workspaces"
        ),
    )
    output = p.add_mutually_exclusive_group()
    output.add_argument(
        "--json",
        action="store_true",
        help=_("print one JSON object {shape}").format(shape='{"results", "summary"}'),
    )
    output.add_argument("--csv", action="store_true", help=_("print CSV: a header, one row each"))
    p.add_argument(
        "--timeout",
        type=timeout_value,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=_("deadline for each check (default {seconds})").format(
            seconds=format_number(DEFAULT_TIMEOUT)
        ),
    )
    p.add_argument(
        "--concurrency",
        type=concurrency_value,
        default=4,
        metavar="N",
        help=_("checks at once, 1 to 16 (default 4)"),
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help=_(
            "show each check's request, timings and proxy, and each failure's details, on "
            "stderr after its workspace ID (keys redacted)"
        ),
    )


# Translators: sections of `moecheck check-all --help`: keep options (--from, --save),
# column names (workspace_id, api_key), "auto" and Retry-After as they are; lines under 80
# columns.
KEYS_HELP = N_("""\
keys:
  Saved workspaces use the key saved in the OS keychain (moecheck check ...
  --save, or Remember the key in the window). A file's rows use the keychain's
  key for that workspace, else the file's api_key column -- keys in files are
  easily copied or mailed by mistake: save them with --save instead.
  Keys never appear in any output.""")

# Translators: see "keys:" (a section of `moecheck check-all --help`).
FILE_HELP = N_("""\
the file (--from):
  a CSV with a header row: workspace_id, dc (a code, auto, or a dashboard URL),
  optional label, optional api_key. A row that cannot be checked (bad ID or DC,
  no key) is reported as invalid input with its line number.""")

# Translators: see "keys:" (a section of `moecheck check-all --help`).
GENTLE_HELP = N_("""\
gentle on MoEngage:
  At most --concurrency checks at once; when MoEngage answers 429 on a data
  center, further checks there wait for its Retry-After.""")

# Translators: see "keys:" (a section of `moecheck check-all --help`).
EXIT_HELP = N_("""\
exit codes:
  0 every workspace works; otherwise the highest exit code among the rows
  (1 rejected, 2 invalid input, 3 network, 4 service); 2 for a file that cannot
  be read or has no workspace_id column; 130 interrupted (Ctrl-C).""")

EXAMPLES = """\
  moecheck check-all
  moecheck check-all --json
  moecheck check-all --from workspaces.csv --csv > results.csv"""
"""The example command lines: typed as written, so never translated."""


def epilog() -> str:
    """The text under ``moecheck check-all --help``, in the user's language."""
    sections = [
        _(KEYS_HELP),
        _(FILE_HELP),
        _(GENTLE_HELP),
        _(EXIT_HELP),
        _(EXAMPLES_HEADING) + "\n" + EXAMPLES,
    ]
    return "\n\n".join(sections) + "\n"


CHECK_ALL = Command(
    name="check-all",
    help=N_("check every saved workspace, or every row of a CSV file, at once"),
    description=N_(
        "Check every saved workspace (keys from the OS keychain), or each row of a CSV "
        "file, a few at a time, and show one line per workspace."
    ),
    add_arguments=_arguments,
    run=run_check_all,
    epilog=epilog,
)
