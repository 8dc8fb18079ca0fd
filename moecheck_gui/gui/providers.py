"""Where the window's flows get a checker and a keychain: injected ones, or the real thing.

Why a module of its own: the check flow and the keychain flow both need these,
and tests hand in spies or fakes through them, so the flows can be tested
without a window. The real :class:`~moecheck_gui.client.Checker` (requests,
urllib3, truststore) and :class:`~moecheck_gui.keychain.KeychainStore`
(keyring, D-Bus) are created on first use, on a worker thread, never while
the window is being built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from moecheck_gui.batch.recipe import BatchRecipe
    from moecheck_gui.cancel import CancelToken
    from moecheck_gui.history import HistoryStore
    from moecheck_gui.keychain import StoreInfo
    from moecheck_gui.outcome import Outcome


class CheckerLike(Protocol):
    """What the flows need from :class:`moecheck_gui.client.Checker` (tests inject spies)."""

    def check(
        self,
        workspace_id: str,
        api_key: str,
        dc: str,
        *,
        timeout: float = ...,
        cancel: CancelToken | None = ...,
        log: Callable[[str], None] | None = ...,
    ) -> Outcome:
        """Check one DC."""
        ...

    def detect(
        self,
        workspace_id: str,
        api_key: str,
        *,
        timeout: float = ...,
        cancel: CancelToken | None = ...,
        log: Callable[[str], None] | None = ...,
    ) -> Outcome:
        """Try every DC."""
        ...


class KeychainLike(Protocol):
    """What the flows need from :class:`moecheck_gui.keychain.KeychainStore`."""

    def info(self) -> StoreInfo:
        """Which store, and whether it is usable."""
        ...

    def save(self, workspace_id: str, api_key: str) -> str:
        """Save a key; return the store's name."""
        ...

    def load(self, workspace_id: str) -> str | None:
        """Load a key."""
        ...

    def delete(self, workspace_id: str) -> bool:
        """Delete a key."""
        ...


class Providers:
    """Builds the checker, keychain and history on first use, on a worker thread (thread-safe).

    ``checker``/``keychain``/``history`` given here are used as they are
    (tests, the self-test); otherwise a real Checker per API base (one each,
    reused, so the connection pool and TLS context are built once), the OS
    keychain and the history in the platform's data folder.
    ``keep_history=False`` (demo mode) keeps no history at all.
    """

    def __init__(
        self,
        checker: CheckerLike | None = None,
        keychain: KeychainLike | None = None,
        history: HistoryStore | None = None,
        *,
        keep_history: bool = True,
        pac_url: str | None = None,
    ) -> None:
        self._checker = checker
        self._keychain = keychain
        self._history = history
        self._keep_history = keep_history
        self._checkers: dict[str | None, CheckerLike] = {}
        self._lock = threading.Lock()
        self._pac_url = pac_url
        self._proxy_credentials: dict[str, tuple[str, str]] = {}

    @property
    def pac_url(self) -> str | None:
        """The PAC URL override real checkers are built with (Help › Network settings)."""
        return self._pac_url

    def set_pac_url(self, pac_url: str | None) -> None:
        """Checks from now on use this PAC URL override (the cached checkers are dropped)."""
        with self._lock:
            if pac_url != self._pac_url:
                self._pac_url = pac_url
                self._checkers.clear()

    def set_proxy_credentials(self, host_port: str, username: str | None, password: str) -> None:
        """Sign in to the proxy at ``host_port`` from the next check on (None forgets).

        Kept in memory only (the keychain is the proxy sign-in's own business);
        an injected checker gets them too when it can take them.
        """
        with self._lock:
            if username is None:
                self._proxy_credentials.pop(host_port, None)
            else:
                self._proxy_credentials[host_port] = (username, password)
            checkers = [*self._checkers.values(), *([self._checker] if self._checker else [])]
        for checker in checkers:
            setter = getattr(checker, "set_proxy_credentials", None)
            if callable(setter):
                setter(host_port, username, password)

    def checker(self, api_base: str | None) -> CheckerLike:
        """The injected checker, or a real one for this API base (one per base, reused)."""
        if self._checker is not None:
            return self._checker
        from moecheck_gui.client import Checker

        with self._lock:
            found = self._checkers.get(api_base)
            if found is None:
                found = Checker(
                    api_base=api_base,
                    pac_url=self._pac_url,
                    proxy_credentials=dict(self._proxy_credentials),
                )
                self._checkers[api_base] = found
            return found

    def batch_recipe(self, api_base: str | None) -> BatchRecipe | None:
        """How a check-all child process builds the same checker and keychain as the window.

        None when an injected checker or keychain is not the real thing (a test's
        spy or fake lives in this process only): the batch then runs on threads
        with :meth:`checker` and :meth:`keychain`. History and language are the
        job's to fill in.
        """
        from moecheck_gui.batch.recipe import BatchRecipe
        from moecheck_gui.keychain import KeychainStore

        with self._lock:
            if self._checker is not None:
                return None
            keychain = self._keychain
            if keychain is not None and not (
                isinstance(keychain, KeychainStore) and keychain.opens_the_same_elsewhere()
            ):
                return None
            return BatchRecipe(
                api_base=api_base,
                pac_url=self._pac_url,
                proxy_credentials=dict(self._proxy_credentials),
            )

    def keychain(self) -> KeychainLike:
        """The injected keychain, or the OS keychain."""
        with self._lock:
            if self._keychain is None:
                from moecheck_gui.keychain import KeychainStore

                self._keychain = KeychainStore()
            return self._keychain

    def history(self) -> HistoryStore | None:
        """The injected history store, the platform's one, or None when no history is kept.

        Call it on a worker thread: creating the platform's store resolves the
        data folder (and the store reads and writes files).
        """
        if not self._keep_history:
            return None
        with self._lock:
            if self._history is None:
                from moecheck_gui.history import HistoryStore

                self._history = HistoryStore()
            return self._history
