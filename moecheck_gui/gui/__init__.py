"""The PySide6 window: the only package of MoeCheck that imports Qt.

``from moecheck_gui.gui import MainWindow`` works (PRODUCT.md 3.6), but the
window module is imported lazily, on first attribute access, so that importing
this package (for example for ``moecheck_gui.gui.app``'s argument parsing)
does not build anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moecheck_gui.gui.demo import DemoMode
    from moecheck_gui.gui.main_window import MainWindow

__all__ = ["DemoMode", "MainWindow"]


def __getattr__(name: str) -> Any:
    if name == "DemoMode":
        from moecheck_gui.gui.demo import DemoMode

        return DemoMode
    if name in __all__:
        from moecheck_gui.gui import main_window

        return getattr(main_window, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
