"""The window's menu bar: File and Help, and one way to add an entry.

Why a module of its own: features add menu entries (check all saved
workspaces, network settings…); each is one :meth:`WindowMenus.add` call in
:func:`build_menus` or from the feature's own wiring, without touching how
the bar is built. Actions are created with ``QAction(parent)`` + ``setText``:
the ``QAction(text, parent)`` overload's check builds QIcon's enums before
the first paint.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from moecheck_gui import APP_NAME
from moecheck_gui.gui import desktop
from moecheck_gui.i18n import _


class WindowMenus(QObject):
    """The menus of one window, and the actions others refer to.

    ``file_menu``, ``help_menu``; ``quit_action`` (its platform shortcut is
    set after the first paint), ``about_action`` (objectName ``aboutAction``).
    A QObject child of the window, holding no Python reference to it (which
    would keep the window alive in a reference cycle).

    Signals: none (each action has its own ``triggered``).
    """

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        bar = window.menuBar()
        self.file_menu: QMenu = bar.addMenu("&File")
        self.help_menu: QMenu = bar.addMenu("&Help")
        self.quit_action = self.add(self.file_menu, "&Quit", window.close)
        self.add(self.help_menu, "&Where to find these values", desktop.open_credentials_docs)
        self.add(self.help_menu, "Open &log folder", desktop.open_log_folder)
        self.add(self.help_menu, _("&Language…"), _open_language_dialog, name="languageAction")
        self.help_menu.addSeparator()
        self.about_action = self.add(self.help_menu, f"&About {APP_NAME}", name="aboutAction")

    def add(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object] | None = None,
        *,
        name: str | None = None,
        before: QAction | None = None,
    ) -> QAction:
        """Add an entry owned by the window: last in ``menu``, or ``before`` an existing one.

        ``slot`` runs when it is chosen; ``name`` is its objectName (for tests
        and assistive technology).
        """
        action = QAction(self.parent())
        action.setText(text)
        if name:
            action.setObjectName(name)
        if slot is not None:
            action.triggered.connect(slot)
        if before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)
        return action


def _open_language_dialog() -> None:
    """Help › Language… (the dialog module loads only when chosen)."""
    from PySide6.QtWidgets import QApplication

    from moecheck_gui.gui.language_dialog import open_language_dialog

    open_language_dialog(QApplication.activeWindow())
