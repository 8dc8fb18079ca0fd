"""A short history of checks per saved workspace, so MoeCheck can say "this key worked before".

Why it exists (issue 12, PRODUCT.md 3.4 ``previously_worked_at`` and 3.7): the
most common support question is "it worked last week, why not today?". With the
last few verdicts of each saved workspace on disk, a rejected key can be told
apart from a key that never worked, and a workspace *name* that changed since
the last success (a key pasted into the wrong profile) can be pointed out.

What is kept, per workspace ID, newest last, at most :data:`MAX_ENTRIES`: the
time (UTC, ISO 8601), ``ok``, ``kind``, the workspace name (``app_name``), the
HTTP status, the request ID and the DC. Never the key, and never free server
text (``server_message``, ``message``): a server can echo what it received.
``app_name`` and ``request_id`` are passed through :func:`clean_server_text`
and length-capped; the client has already scrubbed the key from them.

Where: one JSON file in the platform's *data* folder
(``platformdirs.user_data_dir("moecheck")/history.json``), resolved when the
store is created, like :mod:`moecheck_gui.profiles` (tests set HOME/XDG or pass
a path).

Two MoeCheck processes at once (the window and a ``check-all`` in a terminal):
every read-modify-write happens under an exclusive lock on ``history.json.lock``
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows), re-reads the file,
adds the entry, writes a temporary file in the same folder and ``os.replace``-s
it over the old one, so no entry is lost and no reader ever sees half a file.
Reads take the same lock (on Windows, replacing a file another process has
open fails). A lock that cannot be had within :data:`LOCK_TIMEOUT_S` means the
entry is skipped with a notice rather than the check hanging.

Failure policy (callers show :attr:`HistoryStore.problem` or the notice that
:meth:`HistoryStore.record` returns):

- **Missing file**: empty history, silently.
- **Corrupt file** (bad JSON, wrong shape, too large, not UTF-8): reads return
  an empty history and set ``problem``; the next :meth:`~HistoryStore.record`
  moves the file aside to ``history.json.corrupt-<timestamp>`` and starts a new
  history, returning a notice that says so. Checking never stops because of it.
- **Unwritable folder**: the entry is not kept; ``record`` returns a notice.

Thread-safe (a batch records from several worker threads) and Qt-free.

Languages: notices, problems and the annotations are translated, and dates are
written the language's way (:func:`moecheck_gui.i18n.format_when`); the log
lines are for developers and stay English; the file itself holds ISO times.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from moecheck_gui import i18n
from moecheck_gui.atomic_file import move_aside, write_atomically
from moecheck_gui.i18n import _, join_sentences
from moecheck_gui.outcome import Kind, Outcome, clean_server_text

log = logging.getLogger(__name__)

FILE_NAME = "history.json"
FORMAT_VERSION = 1
MAX_ENTRIES = 50
"""Checks kept per workspace; older ones are dropped."""
MAX_WORKSPACES = 500
"""Workspaces kept in the file (the least recently checked are dropped beyond this)."""
MAX_FILE_BYTES = 8 * 1024 * 1024
"""A history file bigger than this was not written by us (or was damaged): treat it as corrupt."""
LOCK_TIMEOUT_S = 5.0
"""How long a write waits for another MoeCheck process to finish its own write."""
_MAX_TEXT = 200
_MAX_REQUEST_ID = 120

NOT_RECORDED_KINDS = frozenset({Kind.CANCELLED.value, Kind.INVALID_INPUT.value})
"""Outcomes that are not checks of the credentials (nothing was judged), so not history."""

REJECTED_KINDS = frozenset({Kind.AUTH.value, Kind.FORBIDDEN.value})
"""Outcomes that get ``previously_worked_at`` (see :func:`annotate`)."""


def default_path() -> Path:
    """Where the history lives: the platform data folder, resolved now (tests change HOME/XDG)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("moecheck", appauthor=False)) / FILE_NAME


def now_iso() -> str:
    """The current time in UTC as ISO 8601 (seconds), the format of :attr:`HistoryEntry.at`."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def format_when(iso: str, *, now: datetime | None = None) -> str:
    """A history time for people, in local time: ``"12 Nov at 10:02"``.

    The year is added when it is not the current one (``"12 Nov 2023 at 10:02"``);
    text that is not an ISO time comes back unchanged.
    In the user's language (:func:`moecheck_gui.i18n.format_when`: its month
    names and word order).
    """
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    return i18n.format_when(moment, now)


@dataclass(frozen=True)
class HistoryEntry:
    """One check of one saved workspace. Deliberately has no field for a key or server text."""

    at: str
    """When the check ended: ISO 8601 in UTC."""
    ok: bool
    kind: str | None
    app_name: str | None = None
    http_status: int | None = None
    request_id: str | None = None
    dc: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The on-disk (and ``--json``) shape of one entry."""
        return {
            "at": self.at,
            "ok": self.ok,
            "kind": self.kind,
            "app_name": self.app_name,
            "http_status": self.http_status,
            "request_id": self.request_id,
            "dc": self.dc,
        }

    @classmethod
    def from_outcome(cls, outcome: Outcome, at: str | None = None) -> HistoryEntry:
        """The entry for a finished check: only the fields listed in the module docstring."""
        return cls(
            at=at or now_iso(),
            ok=bool(outcome.ok),
            kind=None if outcome.ok else outcome.kind,
            app_name=clean_server_text(outcome.app_name, _MAX_TEXT),
            http_status=outcome.http_status if isinstance(outcome.http_status, int) else None,
            request_id=clean_server_text(outcome.request_id, _MAX_REQUEST_ID),
            dc=outcome.dc,
        )


class HistoryFileError(ValueError):
    """The history file exists but is not one we wrote; ``str()`` says why, for the user."""


def _entry_from_json(item: object) -> HistoryEntry:
    if not isinstance(item, dict):
        raise HistoryFileError(_("an entry is not an object"))
    at, ok, kind = item.get("at"), item.get("ok"), item.get("kind")
    status = item.get("http_status")
    if not isinstance(at, str) or not isinstance(ok, bool):
        raise HistoryFileError(_("an entry has no valid time or verdict"))
    if kind is not None and not isinstance(kind, str):
        raise HistoryFileError(_("an entry has an invalid kind"))
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        raise HistoryFileError(_("an entry has an invalid HTTP status"))
    dc = item.get("dc")
    return HistoryEntry(
        at=at[:40],
        ok=ok,
        kind=kind[:40] if kind else None,
        app_name=clean_server_text(item.get("app_name"), _MAX_TEXT),
        http_status=status,
        request_id=clean_server_text(item.get("request_id"), _MAX_REQUEST_ID),
        dc=dc[:8] if isinstance(dc, str) else None,
    )


def parse_history(data: object, limit: int = MAX_ENTRIES) -> dict[str, list[HistoryEntry]]:
    """Validate decoded JSON (keeping the last ``limit`` entries of each workspace).

    Raises :class:`HistoryFileError` for anything we did not write.
    """
    if not isinstance(data, dict):
        raise HistoryFileError(_("it is not a MoeCheck history file"))
    if data.get("version") != FORMAT_VERSION:
        raise HistoryFileError(
            _("it has an unknown format version ({version})").format(
                version=repr(data.get("version"))
            )
        )
    workspaces = data.get("workspaces", {})
    if not isinstance(workspaces, dict):
        raise HistoryFileError(_("its list of workspaces is damaged"))
    result: dict[str, list[HistoryEntry]] = {}
    for workspace_id, items in workspaces.items():
        if not isinstance(workspace_id, str) or not isinstance(items, list):
            raise HistoryFileError(_("a workspace's history is damaged"))
        result[workspace_id] = [_entry_from_json(item) for item in items[-limit:]]
    return result


# --------------------------------------------------------------------------- file lock


@contextlib.contextmanager
def _file_lock(lock_path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive, cross-process lock on ``lock_path``; TimeoutError after ``timeout``.

    Why the OS lock and not a lock directory: the OS releases it when a process
    dies, so a crashed MoeCheck never leaves the history locked for ever.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+b")  # closed in finally
    try:
        _acquire(handle, timeout)
        try:
            yield
        finally:
            _release(handle)
    finally:
        handle.close()


if sys.platform == "win32":  # pragma: no cover - exercised by the Windows CI run
    import msvcrt

    def _acquire(handle: IO[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(_("the history is locked by another MoeCheck")) from None
                time.sleep(0.02)

    def _release(handle: IO[bytes]) -> None:
        with contextlib.suppress(OSError):
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _acquire(handle: IO[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(_("the history is locked by another MoeCheck")) from None
                time.sleep(0.01)

    def _release(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------- the store


class HistoryStore:
    """Reads and appends the history file; never raises for file problems.

    ``problem`` holds a user-facing sentence when the file could not be read
    or written (for a front end to show once); None while all is well.
    """

    def __init__(self, path: Path | None = None, *, max_entries: int = MAX_ENTRIES) -> None:
        """Use ``path`` (default: :func:`default_path`). Nothing is read until asked."""
        self.path = path if path is not None else default_path()
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.max_entries = max_entries
        self.problem: str | None = None
        self._thread_lock = threading.Lock()

    # --- reading ----------------------------------------------------------

    def _read(self) -> tuple[dict[str, list[HistoryEntry]], str | None]:
        """The whole history and, if the file is unusable, why (caller holds the locks)."""
        try:
            size = self.path.stat().st_size
            if size > MAX_FILE_BYTES:
                return {}, _("it is unexpectedly large")
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}, None
        except OSError as exc:
            return {}, _("it could not be read ({error})").format(error=exc.strerror or exc)
        try:
            return parse_history(json.loads(raw.decode("utf-8")), self.max_entries), None
        except (UnicodeDecodeError, json.JSONDecodeError):
            return {}, _("it is not valid JSON")
        except HistoryFileError as exc:
            return {}, str(exc)

    def _corrupt_notice(self, why: str) -> str:
        # Translators: {kept} is a file name such as "history.json.corrupt-<date>".
        return _(
            "The history of checks in {path} could not be read ({why}). MoeCheck "
            "started a new history; the old file is kept as {kept} once a new check is recorded."
        ).format(path=self.path, why=why, kept=f"{self.path.name}.corrupt-<date>")

    def _load(self) -> dict[str, list[HistoryEntry]]:
        try:
            with self._thread_lock, _file_lock(self.lock_path, LOCK_TIMEOUT_S):
                data, why = self._read()
        except (OSError, TimeoutError) as exc:
            self.problem = _("The history of checks could not be read ({error}).").format(error=exc)
            log.warning("History not read (%s): %s", self.path, exc)
            return {}
        if why is not None:
            self.problem = self._corrupt_notice(why)
            log.warning("History file unusable (%s): %s", self.path, why)
        return data

    def entries(self, workspace_id: str) -> list[HistoryEntry]:
        """The checks of one workspace, oldest first (at most ``max_entries``)."""
        return list(self._load().get(workspace_id, []))

    def last_success(self, workspace_id: str) -> HistoryEntry | None:
        """The most recent check of this workspace that worked, or None."""
        for entry in reversed(self.entries(workspace_id)):
            if entry.ok:
                return entry
        return None

    def last_successes(self, workspace_ids: list[str] | None = None) -> dict[str, HistoryEntry]:
        """The most recent success per workspace (one file read for a whole table)."""
        data = self._load()
        wanted = data.keys() if workspace_ids is None else workspace_ids
        found: dict[str, HistoryEntry] = {}
        for workspace_id in wanted:
            for entry in reversed(data.get(workspace_id, [])):
                if entry.ok:
                    found[workspace_id] = entry
                    break
        return found

    # --- writing ----------------------------------------------------------

    def record(self, workspace_id: str, outcome: Outcome, *, at: str | None = None) -> str | None:
        """Append one finished check to this workspace's history.

        Returns None when all went well, or a sentence for the user (a corrupt
        history was replaced by a new one, or the entry could not be kept).
        ``cancelled`` and ``invalid_input`` outcomes are not checks of the
        credentials and are not recorded.
        """
        if outcome.kind in NOT_RECORDED_KINDS and not outcome.ok:
            return None
        entry = HistoryEntry.from_outcome(outcome, at)
        return self._update(lambda data: self._append(data, workspace_id, entry))

    def forget(self, workspace_id: str) -> str | None:
        """Remove one workspace's history (``moecheck forget``); a notice as for :meth:`record`."""
        return self._update(lambda data: data.pop(workspace_id, None) is not None)

    def _append(
        self, data: dict[str, list[HistoryEntry]], workspace_id: str, entry: HistoryEntry
    ) -> bool:
        items = data.pop(workspace_id, [])  # re-inserted last: most recently checked
        items.append(entry)
        data[workspace_id] = items[-self.max_entries :]
        while len(data) > MAX_WORKSPACES:
            data.pop(next(iter(data)))
        return True

    def _update(self, change: Any) -> str | None:
        """Read, change and atomically rewrite the file under both locks."""
        notice: str | None = None
        try:
            with self._thread_lock, _file_lock(self.lock_path, LOCK_TIMEOUT_S):
                data, why = self._read()
                if not change(data):
                    return None
                if why is not None:
                    kept = self._move_aside()
                    notice = _(
                        "The history of checks in {path} could not be read ({why}). "
                        "MoeCheck started a new history; the old file was kept as {kept}."
                    ).format(path=self.path, why=why, kept=kept)
                self._write(data)
        except TimeoutError:
            self.problem = _(
                "Another MoeCheck was writing the history of checks for too long; "
                "this check was not added to it."
            )
            log.warning("History lock timed out (%s)", self.lock_path)
            return self.problem
        except OSError as exc:
            self.problem = _(
                "Could not save the history of checks to {folder} "
                "({error}); this check was not added to it."
            ).format(folder=self.path.parent, error=exc.strerror or exc)
            log.warning("History not saved (%s): %s", self.path, exc)
            return self.problem
        self.problem = None
        return notice

    def _write(self, data: dict[str, list[HistoryEntry]]) -> None:
        document = {
            "version": FORMAT_VERSION,
            "workspaces": {ws: [e.to_json() for e in items] for ws, items in data.items()},
        }
        text = json.dumps(document, ensure_ascii=True, separators=(",", ":")) + "\n"
        write_atomically(self.path, text, prefix=".history-")

    def _move_aside(self) -> str:
        """Keep the unusable file next to the new one (recoverable); return its new name."""
        return move_aside(self.path, "history")


# --------------------------------------------------------------------------- annotating


def annotate(outcome: Outcome, store: HistoryStore) -> Outcome:
    """Add what the history knows to a finished check of a *saved* workspace.

    Call it before :meth:`HistoryStore.record` for the same outcome (a name
    change is judged against the previous success, not this one).

    - ``auth`` (key rejected) or ``forbidden`` (access refused) after an
      earlier success: ``previously_worked_at`` is set to that success's time,
      and the message starts with when it last worked. Why forbidden counts:
      the contract's field means "when that key last worked", and for a blocked
      account "it worked until 12 Nov" dates the block just as usefully. The
      wording differs: a rejected key was most likely regenerated or revoked
      (said as likely, not certain: PRODUCT.md 2), a refused one was blocked.
    - ``ok`` with a workspace name different from the last success's: the
      message points it out, since a key pasted into the wrong saved workspace
      looks exactly like this.

    Everything else comes back unchanged. Never raises for file problems.
    """
    if not outcome.workspace_id:
        return outcome
    return annotate_with(outcome, store.last_success(outcome.workspace_id))


def annotate_with(outcome: Outcome, last: HistoryEntry | None) -> Outcome:
    """:func:`annotate` with the workspace's last success already looked up (or None)."""
    if last is None:
        return outcome
    when = format_when(last.at)
    if not outcome.ok and outcome.kind == Kind.AUTH.value:
        # Translators: {when} is a date and time such as "12 Nov at 10:02".
        lead = _(
            "This key worked on {when}; MoEngage now rejects it: it was most likely "
            "regenerated or revoked since."
        ).format(when=when)
        extra = _(
            "If a colleague generated a new key, use that one. A key generated in the last "
            "few minutes may not work yet, and newer dashboards can hold several keys at once: "
            "check which ones are still active."
        )
        return outcome.replace(
            previously_worked_at=last.at,
            message=join_sentences(lead, outcome.message.strip()),
            hint=join_sentences(extra, outcome.hint.strip()),
        )
    if not outcome.ok and outcome.kind == Kind.FORBIDDEN.value:
        lead = _(
            "These credentials worked on {when}; since then MoEngage has started refusing "
            "access to this workspace."
        ).format(when=when)
        return outcome.replace(
            previously_worked_at=last.at, message=join_sentences(lead, outcome.message.strip())
        )
    if outcome.ok and last.app_name and outcome.app_name and last.app_name != outcome.app_name:
        # Translators: {old_name} and {new_name} are workspace names (MoEngage's own text).
        lead = _(
            'Note: when this saved workspace last worked ({when}) it was named "{old_name}"; '
            'now the key opens "{new_name}".'
        ).format(when=when, old_name=last.app_name, new_name=outcome.app_name)
        extra = _(
            "If nobody renamed the workspace, this key probably belongs to another workspace "
            "(pasted into the wrong saved workspace)."
        )
        return outcome.replace(
            message=join_sentences(lead, outcome.message.strip()),
            hint=join_sentences(extra, outcome.hint.strip()),
        )
    return outcome


def annotate_and_record(outcome: Outcome, store: HistoryStore) -> tuple[Outcome, str | None]:
    """For a saved workspace's finished check: :func:`annotate`, then record it.

    Returns the annotated outcome and the store's notice (None, or a sentence
    to show once, e.g. that a corrupt history was replaced).
    """
    annotated = annotate(outcome, store)
    notice = store.record(outcome.workspace_id, outcome) if outcome.workspace_id else None
    return annotated, notice
