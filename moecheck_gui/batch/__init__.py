"""Check many workspaces at once: the core of ``moecheck check-all`` and the check-all view.

Input is a sequence of :class:`BatchRow`: the saved workspaces
(:func:`rows_from_profiles`, keys from the keychain) or the rows of a CSV file
(:class:`CsvRows`, read lazily). :class:`BatchRunner` checks them with bounded
concurrency and yields one :class:`BatchResult` per row as answers arrive;
:class:`BatchEvent`\\ s say what is happening meanwhile (checking, a DC paused
after a 429, resumed).

Where each part lives (import them from here; the modules are the layout, not
the API)::

    rows.py       BatchRow, rows_from_profiles, CsvRows (a file, line by line), BatchUsageError
    runner.py     BatchRunner, check_concurrency: bounded concurrency, per-DC 429 pauses, cancel
    events.py     BatchEvent, EventFn: progress that is not a result
    protocols.py  CheckerLike, KeySource: what the runner is given; BatchLike: a run
    process.py    BatchProcess: the same run in a child process (the window's; import it
                  from its module: the command never loads multiprocessing)
    recipe.py     BatchRecipe: what that child builds the checker, keychain and history from
    child.py      what runs in that child process
    unsent.py     the outcomes of rows never sent (refused, not checked)
    results.py    BatchResult, summarize, exit_code, verdict words, JSON and CSV output

Why it is built this way, in short: gentle on MoEngage (a few checks at once, a
429 pauses its DC), one deadline per check, a prompt Stop, memory that does not
grow with the file, bad rows as ``invalid_input`` results carrying their line
number (only an unusable file is a :class:`BatchUsageError`, exit 2), and keys
that never leave a local variable: results, JSON, CSV and events never carry
one. Each module's docstring says more.

This package imports neither Qt nor ``requests``: the command imports it before
it knows whether it will check anything. The :class:`Checker` is passed in.

Languages: event messages, warnings, refusals and verdict words are translated;
JSON keys, CSV column names, ``kind`` values, ``auto`` and DC codes are not.
"""

from __future__ import annotations

from moecheck_gui.batch.events import BatchEvent, EventFn
from moecheck_gui.batch.protocols import BatchLike, CheckerLike, KeySource
from moecheck_gui.batch.results import (
    CSV_COLUMNS,
    VERDICT_WORDS,
    BatchResult,
    Summary,
    csv_cells,
    csv_text,
    dc_text,
    exit_code,
    summarize,
    to_json_document,
    verdict,
    write_csv,
)
from moecheck_gui.batch.rows import (
    AUTO,
    KEY_FILE_HINT,
    KEY_FILE_WARNING,
    MAX_LINE_BYTES,
    BatchRow,
    BatchUsageError,
    CsvRows,
    rows_from_profiles,
)
from moecheck_gui.batch.runner import (
    DEFAULT_CONCURRENCY,
    DEFAULT_PAUSE_S,
    MAX_CONCURRENCY,
    MAX_PAUSE_S,
    BatchRunner,
    check_concurrency,
)

__all__ = [
    "AUTO",
    "CSV_COLUMNS",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_PAUSE_S",
    "KEY_FILE_HINT",
    "KEY_FILE_WARNING",
    "MAX_CONCURRENCY",
    "MAX_LINE_BYTES",
    "MAX_PAUSE_S",
    "VERDICT_WORDS",
    "BatchEvent",
    "BatchLike",
    "BatchResult",
    "BatchRow",
    "BatchRunner",
    "BatchUsageError",
    "CheckerLike",
    "CsvRows",
    "EventFn",
    "KeySource",
    "Summary",
    "check_concurrency",
    "csv_cells",
    "csv_text",
    "dc_text",
    "exit_code",
    "rows_from_profiles",
    "summarize",
    "to_json_document",
    "verdict",
    "write_csv",
]
