"""Logging for the window: a rotating file in the platform log folder that never holds a key.

Why a file at all: when a marketer reports "it said X", support needs the
sequence of events; the error dialog points at this file. Why so defensive: the
log is the easiest place for a secret to leak (an ``Authorization`` header in a
debug line, a key inside an exception message), so every record passes through
:class:`RedactingFilter`, which removes

- every value registered with :func:`register_secret` (the key of the check
  that is running), and
- anything that looks like an ``Authorization`` header value or an
  ``app_secret`` field, whoever logged it.

Qt-free on purpose, so the same redaction can be used by the report and by the
error dialog (:func:`redact`). What a secret is and how it is removed is
defined once, in :mod:`moecheck_gui.redaction`.

Start-up cost: ``logging.handlers`` and ``platformdirs`` are imported only when
the file is set up, which the window does after its first paint. Until then
:func:`buffer_early_records` keeps records in memory (redacted), and
:func:`setup_logging` writes them to the file first, so nothing logged while
the window was being built is lost.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from moecheck_gui.redaction import SecretSet, redact_credential_fields

LOG_FILE_NAME = "moecheck.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 3
_secrets = SecretSet()
"""The secrets of the work in progress (the running check's key), redacted from every record."""


_HANDLER_TAG = "_moecheck_handler"
EARLY_LIMIT = 500
"""At most this many records are kept before the log file exists (oldest dropped)."""


def register_secret(value: str) -> None:
    """Redact ``value`` (in every form, see :func:`~moecheck_gui.redaction.secret_forms`)
    from every log record and :func:`redact` call until unregistered."""
    _secrets.add(value)


def unregister_secret(value: str) -> None:
    """Stop redacting ``value`` (the check that used it has ended)."""
    _secrets.discard(value)


def redact(text: str) -> str:
    """``text`` with registered secrets and credential-looking fields replaced by ``[redacted]``."""
    return redact_credential_fields(_secrets.redact(text))


class RedactingFilter(logging.Filter):
    """Rewrites each record's message and traceback text through :func:`redact`.

    Attached to handlers (not loggers) so records from any library are covered.
    The record is formatted here, once, so arguments holding a secret never
    reach a formatter unredacted.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place; never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _EarlyBuffer(logging.Handler):
    """Holds records logged before the log file is open (see :func:`buffer_early_records`).

    Why not ``logging.handlers.MemoryHandler``: importing ``logging.handlers``
    (sockets, pickle, queues) is the cost this buffer exists to defer.
    Records are redacted on arrival, like every other handler's.
    """

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RedactingFilter())

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record (the newest :data:`EARLY_LIMIT`)."""
        self.records.append(record)
        if len(self.records) > EARLY_LIMIT:
            del self.records[0]


def buffer_early_records(level: int = logging.INFO) -> None:
    """Keep log records in memory until :func:`setup_logging` opens the file.

    The window calls this first thing, so the file (and its imports) can wait
    until after the first paint without losing the start-up lines.
    """
    root = logging.getLogger()
    if not any(isinstance(h, _EarlyBuffer) for h in root.handlers):
        buffer = _EarlyBuffer()
        setattr(buffer, _HANDLER_TAG, True)
        root.addHandler(buffer)
    root.setLevel(level)


def log_dir() -> Path:
    """The platform log folder (resolved now, so tests can point HOME/XDG elsewhere)."""
    import platformdirs

    return Path(platformdirs.user_log_dir("moecheck", appauthor=False))


def log_file() -> Path:
    """Where the log file is (or would be)."""
    return log_dir() / LOG_FILE_NAME


_current_log: Path | None = None


def current_log_file() -> Path | None:
    """The file that :func:`setup_logging` is writing to, or None when logging to file failed."""
    return _current_log


def setup_logging(
    *, level: int = logging.INFO, directory: Path | None = None, stderr: bool = False
) -> Path | None:
    """Send the root logger to a rotating file; return its path, or None if the folder is unusable.

    Idempotent: handlers added by an earlier call are replaced. When the folder
    cannot be created or written, logging to file is skipped (the app still
    runs) and None is returned, which the error dialog reports honestly.
    """
    import logging.handlers

    global _current_log
    root = logging.getLogger()
    early: list[logging.LogRecord] = []
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_TAG, False):
            if isinstance(handler, _EarlyBuffer):
                early = handler.records
            root.removeHandler(handler)
            handler.close()
    folder = directory if directory is not None else log_dir()
    target = folder / LOG_FILE_NAME
    path: Path | None = target
    redactor = RedactingFilter()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise PermissionError(f"{folder} is not writable")
        file_handler: logging.Handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        path = None
    else:
        file_handler.addFilter(redactor)
        file_handler.setFormatter(formatter)
        setattr(file_handler, _HANDLER_TAG, True)
        root.addHandler(file_handler)
    if stderr:
        stream = logging.StreamHandler()
        stream.addFilter(redactor)
        stream.setFormatter(formatter)
        setattr(stream, _HANDLER_TAG, True)
        root.addHandler(stream)
    root.setLevel(level)
    # urllib3 logs every connection at DEBUG; keep it at INFO unless asked.
    logging.getLogger("urllib3").setLevel(max(level, logging.INFO))
    _current_log = path
    for record in early:
        if record.levelno >= level:
            root.handle(record)
    return path


def shutdown_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` added (tests, clean exit)."""
    global _current_log
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_TAG, False):
            root.removeHandler(handler)
            handler.close()
    _current_log = None
