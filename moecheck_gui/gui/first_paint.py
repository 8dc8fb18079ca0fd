"""The one after-first-paint mechanism: start-up work that the first frame need not wait for.

Why: a user judges start-up by when the window appears, so everything the
first frame does not show (the log file, the network stack, the keychain,
saved profiles, icons at every size) waits until that frame is on screen
(docs/benchmarks.md). Both the app (``gui/app.py``: the benchmark's READY
marker, the log file, the app icon) and the window (its own start-up work)
register their work on the window's one :class:`FirstPaint`.

When the work runs, exactly once, in registration order (``first=True``
callbacks ahead of the others):

- right after the widget's first Paint event (each callback posted with a
  zero-delay timer, so it runs once that frame is done and the loop is idle);
- at once (next loop turn) when the widget is not shown by then: nothing will
  paint it, and a window built only for tests still gets its start-up work;
- after :data:`FALLBACK_MS` in any case: a shown window that is never painted
  (started minimised on some desktops) still gets its profiles and keychain.

Why an event filter and not ``paintEvent``: the filter removes itself at the
first paint, so no Python code runs for later events. (Overriding ``event()``
would wrap every event the window gets in Python.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

FALLBACK_MS = 1000
"""Start the after-first-paint work by then even if no paint came."""


class FirstPaint(QObject):
    """Runs registered callbacks once, right after ``widget``'s first frame.

    Signals:
        ran(): the callbacks were posted (first paint, not shown, or fallback).
    """

    ran = Signal()

    def __init__(self, widget: QWidget, *, fallback_ms: int = FALLBACK_MS) -> None:
        # The widget is only our Qt parent: a Python reference to it from here
        # would make a reference cycle, and the widget would then be deleted by
        # Python's cycle collector at some random later moment, not when dropped.
        super().__init__(widget)
        self._first: list[Callable[[], object]] = []
        self._rest: list[Callable[[], object]] = []
        self._done = False
        widget.installEventFilter(self)
        QTimer.singleShot(0, self._run_unless_shown)
        QTimer.singleShot(fallback_ms, self._run)

    @property
    def done(self) -> bool:
        """True once the callbacks were posted."""
        return self._done

    def call(self, callback: Callable[[], object], *, first: bool = False) -> None:
        """Run ``callback`` after the first paint (``first``: ahead of the others).

        Registered after that moment, it is posted at once.
        """
        if self._done:
            QTimer.singleShot(0, callback)
        elif first:
            self._first.append(callback)
        else:
            self._rest.append(callback)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Notice the first Paint event of the widget (never consumes it)."""
        if event.type() == QEvent.Type.Paint:
            self._run()
        return False

    def _widget(self) -> QWidget:
        # Built with the watched widget as its Qt parent (never re-parented).
        return cast("QWidget", self.parent())

    def _run_unless_shown(self) -> None:
        if not self._widget().isVisible():
            self._run()

    def _run(self) -> None:
        if self._done:
            return
        self._done = True
        self._widget().removeEventFilter(self)
        callbacks, self._first, self._rest = [*self._first, *self._rest], [], []
        for callback in callbacks:
            # Queued, so each runs once this frame is on screen and the loop is idle.
            QTimer.singleShot(0, callback)
        self.ran.emit()
