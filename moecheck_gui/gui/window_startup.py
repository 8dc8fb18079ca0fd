"""The window's own start-up work that waits for its first frame.

Why apart from the window: the window assembles parts; what it postpones until
its first frame is on screen (docs/benchmarks.md) is a list worth reading on
its own: icons (QtSvg and the renderings), the Quit shortcut (QKeySequence's
~70 standard keys), the saved profiles (disk), the network stack (imported on
a worker thread), PySide6's ``Qt`` namespace (~10 ms, see qtvalues.py) and the
keychain's store info (a worker thread). :class:`~.first_paint.FirstPaint` is
the mechanism that runs it; this module is the window's part of the work.

Loaded only after the first paint (``MainWindow._after_first_paint``). It
refers to the window only through the argument of :func:`begin_background`
(the window is not kept, and main_window is imported only for type checking).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from moecheck_gui.gui import qtvalues, theme

if TYPE_CHECKING:
    from moecheck_gui.gui.main_window import MainWindow


def begin_background(window: MainWindow) -> None:
    """Run the window's start-up work that the first frame need not wait for (once)."""
    # Icons: QtSvg and the renderings wait until the first frame is on screen
    # (their labels and the eye button keep their sizes, so nothing moves).
    from PySide6.QtGui import QKeySequence  # (its ~70 standard keys: after the first paint)

    # A property: setShortcut()'s overload check would build the Qt namespace.
    qtvalues.set_props(window.quit_action, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
    window.header.paint_icon()
    window.form.show_icons()
    window.result_panel.show_icons()
    window.setWindowIcon(theme.app_icon())
    if not window.keychain_flow.profiles_loaded and window.demo is None:
        window.restore_profiles()
    from moecheck_gui.gui import heap

    # Once the network stack is imported, the long-lived objects are frozen so
    # full collections stop stalling frames (heap.py says why only then).
    window.runner.start(
        _warm_up, lambda _: heap.freeze_survivors(), lambda _exc: None, name="warm-up"
    )
    # Last in the queue: PySide6's Qt namespace (~10 ms, see qtvalues.py), so the
    # first key press or result does not pay for it while the user waits.
    QTimer.singleShot(0, _build_qt_namespace)
    if window.demo is not None:
        return
    window.keychain_flow.request_store_info()
    window.saved.load_last()


def _build_qt_namespace() -> None:
    """Build PySide6's ``Qt`` enums now, on the GUI thread, while nobody is waiting."""
    from PySide6.QtCore import Qt

    Qt.Key.Key_Return  # noqa: B018 - the attribute access is the point


def _warm_up() -> None:
    """Import the network stack off the GUI thread, so the first click is instant."""
    import moecheck_gui.client  # noqa: F401
