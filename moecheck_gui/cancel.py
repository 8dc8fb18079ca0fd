"""Cancelling a running check from another thread: :class:`CancelToken`.

Why a module of its own: the window creates a token on the GUI thread at the
first click, possibly before the background warm-up has imported the network
stack. Living here, next to nothing but :mod:`threading`, the token costs no
import of ``requests``/``urllib3`` on the GUI thread; the client, detection and
the command all share this one class.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class CancelToken:
    """Lets another thread stop a check; the check then ends promptly with ``cancelled``.

    Thread-safe. Callbacks registered by a running check fire once, on the
    thread that calls :meth:`cancel`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._event.is_set()

    def cancel(self) -> None:
        """Stop every check that uses this token."""
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled or ``timeout`` passes; True if cancelled."""
        return self._event.wait(timeout)

    def add_callback(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run ``callback`` on cancel (at once if already cancelled); returns a remover."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)

                def remove() -> None:
                    with self._lock:
                        if callback in self._callbacks:
                            self._callbacks.remove(callback)

                return remove
        callback()
        return lambda: None
