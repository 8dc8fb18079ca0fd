"""The child process of :class:`~moecheck_gui.batch.process.BatchProcess`: one check-all, then exit.

Why a module of its own: this is the code that runs in the other interpreter.
It builds the checker, keychain and history from a
:class:`~moecheck_gui.batch.recipe.BatchRecipe` (settings, never objects),
runs an ordinary :class:`~moecheck_gui.batch.runner.BatchRunner`, and sends
everything it has to say back up one pipe. It imports only the standard
library and the batch package at the top, never Qt; the client and keychain
are loaded when the run starts.

Messages, all plain tuples:

* parent -> child, on ``control``: ``("run", recipe, rows, concurrency, timeout)``
  once, then ``("cancel",)`` at most once. The parent closing the pipe (it
  stopped, or died) cancels too.
* child -> parent, on ``results``: ``("event", BatchEvent)``,
  ``("result", BatchResult)`` and ``("log", level, logger name, message)`` as
  they happen, then ``("done", notices)`` or ``("failed", exception class name)``
  last. Log records go to the parent so they land in the app's log file, through
  its redaction, instead of on a terminal (the child has no log of its own).

Keys: a saved key is read here, from the OS keychain, and stays in this
process. Results, events and notices never carry a key (the runner's rule).

A check behind a PAC file starts the PAC engine's process from here (a
grandchild of the app): this process clears its own daemon flag so that
multiprocessing allows it, and stops the engine before it exits. If this
process is killed instead, the engine sees its pipe close and exits too.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moecheck_gui.batch.events import BatchEvent
    from moecheck_gui.batch.recipe import BatchRecipe
    from moecheck_gui.cancel import CancelToken


class _Sender:
    """Sends on the results pipe from any thread; remembers when the parent is gone."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.broken = False

    def send(self, message: tuple[Any, ...]) -> bool:
        with self._lock:
            if self.broken:
                return False
            try:
                self._conn.send(message)
            except (OSError, ValueError):  # the parent closed its end or died
                self.broken = True
                return False
            return True


class _ParentLog(logging.Handler):
    """Sends this process's log records to the parent, which logs them (and redacts them).

    A record's traceback, if any, travels as text after its message.
    """

    def __init__(self, out: _Sender, level: int) -> None:
        super().__init__(level)
        self._out = out

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not stop a check
            text = str(record.msg)
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self._out.send(("log", record.levelno, record.name, text))


def _watch(control: Connection, token: CancelToken) -> None:
    """Cancel the run when the parent asks, or when it goes away (its end closes)."""
    try:
        while True:
            message = control.recv()
            if message and message[0] == "cancel":
                token.cancel()
    except (EOFError, OSError):
        token.cancel()


def _run(
    recipe: BatchRecipe,
    rows: list[Any],
    concurrency: int,
    timeout: float,
    out: _Sender,
    control: Connection,
) -> None:
    from moecheck_gui.cancel import CancelToken

    # Listening for a cancel comes first: building the checker and the keychain takes
    # a moment, and a Stop meanwhile must not wait for it.
    token = CancelToken()
    threading.Thread(
        target=_watch, args=(control, token), name="moecheck-batch-control", daemon=True
    ).start()

    from moecheck_gui import i18n
    from moecheck_gui.batch.runner import BatchRunner
    from moecheck_gui.client import Checker

    if recipe.language:
        i18n.install(recipe.language)
    checker = Checker(
        api_base=recipe.api_base,
        pac_url=recipe.pac_url,
        proxy_credentials=dict(recipe.proxy_credentials),
    )
    keychain = None
    if recipe.use_keychain:
        from moecheck_gui.keychain import KeychainStore

        keychain = KeychainStore()
    history = None
    if recipe.history_path is not None:
        from moecheck_gui.history import HistoryStore

        history = HistoryStore(recipe.history_path)

    def on_event(event: BatchEvent) -> None:
        out.send(("event", event))

    runner = BatchRunner(
        checker,
        keychain=keychain,
        history=history,
        concurrency=concurrency,
        timeout=timeout,
        cancel=token,
        on_event=on_event,
    )
    try:
        for result in runner.run(rows):
            if not out.send(("result", result)):
                runner.cancel()  # nobody is listening: stop, and let the rest drain
        out.send(("done", list(runner.notices)))
    finally:
        checker.close()
        _close_pac_engine()


def _close_pac_engine() -> None:
    """Stop the PAC engine's process if a check started one (it is this process's child)."""
    import sys

    pac = sys.modules.get("moecheck_gui.proxy.pac")
    if pac is not None:
        pac.default_runner().close()


def serve(control: Connection, results: Connection) -> None:
    """Run one check-all as ``control`` asks and report on ``results`` (runs in the child)."""
    # The parent treats this process as a daemon (it ends with the app), but this process
    # must be allowed children of its own: a check may need the PAC engine's process, and
    # multiprocessing refuses to start one from a daemon ("daemonic processes are not
    # allowed to have children").
    multiprocessing.current_process().daemon = False
    out = _Sender(results)
    try:
        message = control.recv()
    except (EOFError, OSError):
        return
    try:
        _command, recipe, rows, concurrency, timeout = message
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.addHandler(_ParentLog(out, recipe.log_level))
        root.setLevel(recipe.log_level)
        _run(recipe, rows, concurrency, timeout, out, control)
    except BaseException as exc:  # noqa: BLE001 - the parent says it in words; no traceback here
        out.send(("failed", type(exc).__name__))
    finally:
        results.close()
