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
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from moecheck_gui import APP_NAME
from moecheck_gui.gui import desktop
from moecheck_gui.i18n import _, ngettext

if TYPE_CHECKING:
    from moecheck_gui.gui.keychain_flow import KeychainFlow
    from moecheck_gui.gui.main_window import MainWindow
    from moecheck_gui.gui.saved_workspaces import SavedWorkspaces


class WindowMenus(QObject):
    """The menus of one window, and the actions others refer to.

    ``file_menu``, ``help_menu``; ``quit_action`` (its platform shortcut is
    set after the first paint), ``about_action`` (objectName ``aboutAction``),
    ``check_all_action`` (``checkAllAction``, PRODUCT.md 3.6: enabled while
    there are saved workspaces, see :meth:`follow_saved`) and
    ``network_action`` (``networkSettingsAction``). Their dialogs are
    imported when chosen, never before the first paint.
    A QObject child of the window, holding no Python reference to it (which
    would keep the window alive in a reference cycle).

    Signals: none (each action has its own ``triggered``).
    """

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._flow: KeychainFlow | None = None
        bar = window.menuBar()
        self.file_menu: QMenu = bar.addMenu(_("&File"))
        self.help_menu: QMenu = bar.addMenu(_("&Help"))
        self.quit_action = self.add(self.file_menu, _("&Quit"), window.close)
        self.add(self.help_menu, _("&Where to find these values"), desktop.open_credentials_docs)
        self.add(self.help_menu, _("Open &log folder"), desktop.open_log_folder)
        self.add(self.help_menu, _("&Language…"), _open_language_dialog, name="languageAction")
        separator = self.help_menu.addSeparator()
        self.about_action = self.add(
            self.help_menu, _("&About {app}").format(app=APP_NAME), name="aboutAction"
        )
        self.network_action = self.add(
            self.help_menu,
            _("&Network settings…"),
            self._open_network_settings,
            name="networkSettingsAction",
            before=separator,
        )
        self.check_all_action = self.add(
            self.file_menu,
            _("Check &all saved workspaces…"),
            self._open_check_all,
            name="checkAllAction",
            before=self.quit_action,
        )
        self.file_menu.insertSeparator(self.quit_action)
        self.file_menu.setToolTipsVisible(True)  # the disabled entry says why
        self.set_saved_count(0)

    def follow_saved(self, flow: KeychainFlow, saved: SavedWorkspaces) -> None:
        """Keep "Check all saved workspaces…" enabled exactly while some are saved.

        The list is read after the first paint (the row is built then, if there
        is anything to list) and changes on save and forget.
        """
        self._flow = flow
        saved.boxBuilt.connect(self._update_saved)
        flow.profilesChanged.connect(self._update_saved)
        self.file_menu.aboutToShow.connect(self._update_saved)

    def _update_saved(self, *_args: object) -> None:
        flow = self._flow
        if flow is None or flow.demo or not flow.profiles_loaded:
            self.set_saved_count(0, demo=flow is not None and flow.demo)
            return
        self.set_saved_count(len(flow.profiles.profiles()))

    def set_saved_count(self, count: int, *, demo: bool = False) -> None:
        """Enable the check-all entry when ``count`` > 0; otherwise say why it is off."""
        action = self.check_all_action
        action.setEnabled(count > 0)
        if demo:
            tip = _("Demo mode has no saved workspaces to check.")
        elif count == 0:
            tip = _(
                "No saved workspaces yet: check a workspace with “Remember the key” ticked "
                "to save it."
            )
        else:
            tip = ngettext(
                "Check the {n} saved workspace.", "Check all {n} saved workspaces at once.", count
            ).format(n=count)
        action.setToolTip(tip)
        action.setStatusTip(tip)

    def _open_check_all(self) -> None:
        from moecheck_gui.gui.check_all_view import open_for_window

        open_for_window(self._window())

    def _open_network_settings(self) -> None:
        from moecheck_gui.gui.network_settings import open_network_settings

        open_network_settings(self._window())

    def _window(self) -> MainWindow:
        # The menus' Qt parent is always the window that built them; a cast, not an
        # import, keeps menus free of a run-time import of main_window (no cycle).
        return cast("MainWindow", self.parent())

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
