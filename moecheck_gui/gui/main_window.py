"""The MoeCheck window: puts its parts together, and handles keys, menus and closing.

Contract (PRODUCT.md 3.6): ``MainWindow()`` builds the window with no network
or keychain I/O on the calling thread; widgets carry the objectNames
``workspaceIdEdit``, ``apiKeyEdit``, ``dataCenterCombo`` (item data: DC code or
``"auto"``), ``testButton``, ``cancelButton``, ``rememberCheck`` and
``resultPanel``; ``checkFinished(object)`` carries each check's Outcome.

The parts: :class:`~.credentials_form.CredentialsForm` (what the user types),
:class:`~.check_flow.CheckFlow` (the running check),
:class:`~.keychain_flow.KeychainFlow` and :class:`~.saved_workspaces.SavedWorkspaces`
(keys and saved workspaces), :class:`~.result_panel.ResultPanel` (the answer),
:class:`~.result_actions.ResultActions` (a check's start and end shown, the
result's buttons: Copy details, Keep checking, the proxy sign-in offer),
:class:`~.first_paint.FirstPaint` (start-up work after the first frame). This
module builds the window from them and wires their signals. Everything slow
runs through the window's one :class:`~moecheck_gui.gui.tasks.TaskRunner`.

Start-up cost (docs/benchmarks.md): before the first paint only Qt, the DC
table and this package's small widget modules are imported. After it
(:mod:`.window_startup`): the saved profiles, icons, and on
worker threads the network stack and the keychain. The About dialog, the
error dialog, ``messages`` and ``inputs`` load on first use.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

# Only what the first frame needs: each PySide6 class builds its Python enums
# on first use, and ``Qt`` (the namespace) costs ~10 ms; see qtvalues.py.
from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QFrame,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui import APP_NAME
from moecheck_gui.gui import qtvalues
from moecheck_gui.gui.check_buttons import CheckButtons
from moecheck_gui.gui.check_flow import CheckFlow
from moecheck_gui.gui.credentials_form import AUTO, SPACING, CredentialsForm
from moecheck_gui.gui.first_paint import FirstPaint
from moecheck_gui.gui.header import Header
from moecheck_gui.gui.keychain_flow import KeychainFlow
from moecheck_gui.gui.menus import WindowMenus
from moecheck_gui.gui.providers import CheckerLike, KeychainLike, Providers
from moecheck_gui.gui.result_actions import ResultActions
from moecheck_gui.gui.result_panel import ResultPanel
from moecheck_gui.gui.saved_workspaces import SavedWorkspaces
from moecheck_gui.gui.tasks import TaskRunner
from moecheck_gui.gui.theme import Tone
from moecheck_gui.gui.window_settings import WindowSettings, settings_path
from moecheck_gui.i18n import _
from moecheck_gui.limits import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtGui import QCloseEvent, QKeyEvent

    from moecheck_gui.gui.about import AboutDialog
    from moecheck_gui.gui.demo import DemoMode as DemoMode
    from moecheck_gui.gui.demo_banner import DemoBanner
    from moecheck_gui.history import HistoryStore
    from moecheck_gui.keychain import StoreInfo
    from moecheck_gui.profiles import ProfileStore

__all__ = ["AUTO", "CheckerLike", "KeychainLike", "MainWindow", "settings_path"]


def __getattr__(name: str) -> Any:
    """``main_window.DemoMode`` still works (it lives in :mod:`.demo`, loaded on demand)."""
    if name == "DemoMode":
        from moecheck_gui.gui.demo import DemoMode

        return DemoMode
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class MainWindow(QMainWindow):
    """The MoeCheck main window.

    Keyword arguments (all optional; the defaults are the real thing):
        checker: object with ``check``/``detect`` like :class:`moecheck_gui.client.Checker`;
            default: a real Checker per ``MOECHECK_API_BASE`` value, read at each check.
        keychain: object like :class:`moecheck_gui.keychain.KeychainStore`; default: the OS one.
        profiles: a :class:`ProfileStore`; default: the one in the platform config folder.
        demo: a :class:`DemoMode`; shows the banner and points checks at the sandbox.
        timeout: the overall deadline per check, in seconds.
        settings_file: where geometry is kept; default :func:`settings_path`.

    Parts others build on: ``form`` (:class:`CredentialsForm`), ``check_flow``
    (:class:`CheckFlow`), ``keychain_flow`` (:class:`KeychainFlow`), ``result_actions``
    (:class:`ResultActions`), ``runner``, ``first_paint``, ``menus`` (:class:`WindowMenus`:
    ``file_menu``, ``help_menu``, ``add``).

    Signals:
        checkFinished(object): a check ended (success, failure or cancelled); the Outcome.
        keychainReady(object): the keychain's StoreInfo is known (after start-up).
        keySaved(str): the key was saved after a successful check; the store's name.
        profileKeyLoaded(str): a picked profile's key was loaded; its workspace ID.
        profileForgotten(str): a profile and its key were removed; its workspace ID.
    """

    checkFinished = Signal(object)
    keychainReady = Signal(object)
    keySaved = Signal(str)
    profileKeyLoaded = Signal(str)
    profileForgotten = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        checker: CheckerLike | None = None,
        keychain: KeychainLike | None = None,
        profiles: ProfileStore | None = None,
        demo: DemoMode | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        settings_file: Path | None = None,
        history: HistoryStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME + (" — Demo" if demo else ""))
        self.demo = demo
        self._closing = False
        self._settings = WindowSettings(settings_file)
        self.runner = TaskRunner(self)
        providers = Providers(
            checker,
            keychain,
            history,
            keep_history=demo is None,
            pac_url=self._settings.pac_url_override,  # Help › Network settings
        )
        self.check_flow = CheckFlow(self.runner, providers, timeout=timeout, parent=self)
        self.keychain_flow = KeychainFlow(
            self.runner, providers, profiles=profiles, demo=demo is not None, parent=self
        )

        self._build()
        self._connect()
        self._restore()  # (the result panel starts empty: it built its own first state)
        if demo is not None:
            self._on_store_info(None)  # no keychain in demo mode: nothing to ask
        # Profiles, log file, network stack, keychain: after the first paint.
        self.runner.hold()
        self.first_paint = FirstPaint(self)
        self.first_paint.call(self._after_first_paint)

    @property
    def timeout(self) -> float:
        """The overall deadline per check, in seconds."""
        return self.check_flow.timeout

    @property
    def profiles(self) -> ProfileStore:
        """The saved-profiles store; read from disk on first use (after the first paint)."""
        return self.keychain_flow.profiles

    @property
    def is_checking(self) -> bool:
        """True while a check runs (its result is still wanted)."""
        return self.check_flow.is_running

    @property
    def _store_info(self) -> StoreInfo | None:
        """The keychain's StoreInfo once known (tests wait for it)."""
        return self.keychain_flow.store_info

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        # The content sits in a frameless scroll area: on a small screen or at 200 %
        # it scrolls instead of clipping, and the window's minimum size stays fixed
        # while the result panel grows and shrinks (changing a shown top-level's
        # size constraints makes some platforms warn and others jump).
        scroll = QScrollArea(self)
        scroll.setObjectName("contentScroll")
        qtvalues.set_props(scroll, frameShape=qtvalues.FRAME_NO_FRAME)
        scroll.setWidgetResizable(True)
        qtvalues.set_props(scroll, horizontalScrollBarPolicy=qtvalues.SCROLL_BAR_ALWAYS_OFF)
        self.setCentralWidget(scroll)
        central = QWidget(scroll)
        central.setObjectName("centralWidget")
        scroll.setWidget(central)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(22, 18, 22, 18)
        outer.setSpacing(SPACING)

        self.header = Header(central)
        outer.addWidget(self.header)
        # The saved-workspace row is built when there is a profile to list
        # (after the first paint); it goes here, below the demo banner.
        self._outer = outer
        self.form = CredentialsForm(central)
        self._banner: DemoBanner | None = None
        self.demo_banner = self._build_demo_banner()
        outer.addWidget(self.demo_banner)
        outer.addWidget(self.form)
        self.saved = SavedWorkspaces(self.keychain_flow, self.form, self)
        self.saved.boxBuilt.connect(self._place_profiles_box)
        self.workspace_edit = self.form.workspace_edit
        self.key_edit = self.form.key_edit
        self.remember_check = self.form.remember_check
        self.remember_status = self.form.remember_status
        self.buttons = CheckButtons(central)
        self.test_button = self.buttons.test_button
        self.cancel_button = self.buttons.cancel_button
        self.status_hint = self.buttons.status_hint
        outer.addWidget(self.buttons)
        self.result_panel = ResultPanel(central, icons=False)  # icons after the first paint
        outer.addWidget(self.result_panel)
        outer.addStretch(1)
        self.menus = WindowMenus(self)
        self.menus.follow_saved(self.keychain_flow, self.saved)
        self.quit_action = self.menus.quit_action
        self.about_action = self.menus.about_action
        self._apply_tab_order()
        self.setMinimumSize(520, 420)
        self.resize(640, 640)

    def _build_demo_banner(self) -> QFrame:
        """The demo banner; outside demo mode an empty hidden frame (nothing to build)."""
        if self.demo is None:
            banner = QFrame(self)
            banner.setObjectName("demoBanner")
            banner.setAccessibleName(_("Demo mode"))
            banner.setVisible(False)
            return banner
        from moecheck_gui.gui.demo_banner import DemoBanner

        self._banner = DemoBanner(self.demo.workspaces, self.form, self)
        return self._banner

    def _place_profiles_box(self, box: QWidget) -> None:
        """The saved-workspace row goes below the demo banner; Tab reaches it first."""
        self._outer.insertWidget(self._outer.indexOf(self.demo_banner) + 1, box)
        self._apply_tab_order()

    def _apply_tab_order(self) -> None:
        box = self.saved.built
        banner = self._banner
        chain: list[QWidget] = [
            *([banner.combo] if banner is not None else []),
            *([box.combo, box.forget_button] if box is not None else []),
            *self.form.tab_chain(),
            self.test_button,
            self.cancel_button,
            self.result_panel,
            self.result_panel.details_toggle,
            self.result_panel.keep_stop_button,
            self.result_panel.keep_button,
            self.result_panel.try_all_button,
            self.result_panel.copy_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ wiring

    def _connect(self) -> None:
        form = self.form
        # A check's start, end and crash, and the result's buttons (result_actions.py).
        actions = self.result_actions = ResultActions(
            form=form,
            panel=self.result_panel,
            buttons=self.buttons,
            check_flow=self.check_flow,
            keychain_flow=self.keychain_flow,
            demo=self.demo,
            parent=self,
        )
        actions.outcomeShown.connect(self.checkFinished)
        self.test_button.clicked.connect(self.start_check)
        self.cancel_button.clicked.connect(self.cancel_check)
        self.result_panel.tryAllRequested.connect(self.try_all_data_centers)
        self.about_action.triggered.connect(self.show_about)

        form.edited.connect(actions.details_edited)
        form.statusChanged.connect(self.buttons.set_status)
        form.rememberToggled.connect(self._keep_remember_preference)

        keys = self.keychain_flow
        keys.storeInfoReady.connect(self._on_store_info)
        keys.status.connect(form.show_remember_status)
        keys.keySaved.connect(self.keySaved)
        keys.loadFinished.connect(self.profileKeyLoaded)
        keys.loadingChanged.connect(actions.update_buttons)
        keys.forgotten.connect(self.profileForgotten)
        self.saved.picked.connect(actions.workspace_picked)
        self.saved.keyCleared.connect(self.result_panel.mark_stale)

    def _restore(self) -> None:
        if not self.demo:
            self._settings.restore_geometry(self)
        if self.keychain_flow.profiles_loaded or self.demo is not None:
            # Injected (already read) or in memory (demo): no disk I/O, show them now.
            self.restore_profiles()

    def restore_profiles(self) -> None:
        """List the saved workspaces and fill in the last one (or the first demo one).

        Now when they are in memory, else after the first paint (window_startup.py).
        """
        if self._banner is not None:  # demo mode
            self.saved.refresh()
            self._banner.fill()
            return
        problem = self.saved.restore()
        if problem:
            self.buttons.set_status(problem, Tone.WARNING)

    def _after_first_paint(self) -> None:
        """Start-up work that the first frame need not wait for (once, see FirstPaint)."""
        try:
            if not self._closing:
                from moecheck_gui.gui.window_startup import begin_background

                begin_background(self)
        finally:
            self.runner.release()

    # ------------------------------------------------------------------ keys

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter anywhere in the form runs the check, like a dialog's default button.

        Why by hand: QMainWindow has no default-button handling (only QDialog
        does). Line edits and combos pass Enter on to their parents, so it
        arrives here; a focused push button other than Test gets clicked.
        """
        from PySide6.QtCore import Qt

        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if (
                isinstance(focused, QPushButton)
                and focused is not self.test_button
                and focused.isEnabled()
            ):
                focused.click()
            elif self.test_button.isEnabled():
                self.test_button.click()
            event.accept()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ checking

    def start_check(self, *, detect: bool = False) -> bool:
        """Start a check of the current inputs; False (and nothing sent) if one is running.

        ``detect=True`` tries every data center whatever the dropdown says.
        """
        if self.keychain_flow.is_loading or self._closing:
            return False
        typed = self.form.snapshot()
        actions = self.result_actions
        run = self.check_flow.start(
            typed,
            detect=detect,
            api_base=actions.api_base(),
            record=actions.is_saved(typed.workspace_id),
        )
        return run is not None

    def cancel_check(self, reason: str | None = None) -> None:
        """Stop the running check at once; the UI is idle again immediately."""
        self.check_flow.cancel(reason)

    def try_all_data_centers(self) -> None:
        """After an auth failure on one DC: the key may belong to another DC; try them all."""
        self.start_check(detect=True)

    # ------------------------------------------------------------------ inputs

    def current_dc(self) -> str:
        """The chosen DC code, or ``"auto"``."""
        return self.form.current_dc()

    def select_dc(self, code: str) -> bool:
        """Select a DC (or ``"auto"``) in the dropdown; False if unknown."""
        return self.form.select_dc(code)

    # ------------------------------------------------------------------ keychain and profiles

    def _on_store_info(self, info: StoreInfo | None) -> None:
        remember = self.demo is None and self._settings.remember
        self.form.apply_store_info(info, demo=self.demo is not None, remember=remember)
        self.keychainReady.emit(info)

    def _keep_remember_preference(self, checked: bool) -> None:
        self._settings.remember = checked

    # ------------------------------------------------------------------ actions

    def show_about(self) -> AboutDialog:
        """Open the About dialog (non-modal, so it never blocks a running check)."""
        from PySide6.QtCore import Qt

        from moecheck_gui.gui.about import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    # ------------------------------------------------------------------ lifetime

    def changeEvent(self, event: QEvent) -> None:
        """Follow the system's switch between light and dark."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()

    def _restyle(self) -> None:
        if self._banner is not None:  # (outside demo mode: no style sheet to build)
            self._banner.restyle(self.palette())
        self.form.restyle()
        self.result_panel.restyle()

    def showEvent(self, event: Any) -> None:
        """Style once the palette is final (after the platform theme applied it)."""
        super().showEvent(event)
        self._restyle()
        if self.first_paint.done:  # a later show (the first frame goes without icons)
            self.header.paint_icon()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Abandon any running check (its daemon thread is left behind) and save geometry."""
        self._closing = True
        self.check_flow.close()
        self.runner.shutdown()
        if not self.demo:
            self._settings.save_geometry(self)
        self._settings.sync()
        from moecheck_gui.gui import heap

        heap.thaw()
        super().closeEvent(event)
