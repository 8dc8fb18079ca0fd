"""What the check-all runner needs from outside: something that checks, somewhere keys come from.

Why protocols and not the classes: importing the batch must not load
:mod:`moecheck_gui.client` (and with it ``requests``), because the command
imports the batch before it knows whether it will check anything. Callers pass
the real :class:`Checker` and :class:`KeychainStore`; the command's guarded key
source fits too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from moecheck_gui.batch.results import BatchResult
    from moecheck_gui.batch.rows import BatchRow
    from moecheck_gui.cancel import CancelToken
    from moecheck_gui.client import LogFn
    from moecheck_gui.outcome import Outcome


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


class BatchLike(Protocol):
    """One check-all run: :class:`~.runner.BatchRunner` (threads, the command) or
    :class:`~.process.BatchProcess` (a child process, the window)."""

    notices: list[str]

    def run(self, rows: Iterable[BatchRow]) -> Iterator[BatchResult]:
        """Check every row; yield each result as it finishes."""
        ...

    def cancel(self) -> None:
        """Stop promptly; unchecked rows come back not checked."""
        ...
