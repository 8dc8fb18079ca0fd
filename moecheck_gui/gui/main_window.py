"""The MoeCheck window: puts its parts together, and handles keys, menus and closing.

Contract (PRODUCT.md 3.6): ``MainWindow()`` builds the window with no network
or keychain I/O on the calling thread; widgets carry the objectNames
``workspaceIdEdit``, ``apiKeyEdit``, ``dataCenterCombo`` (item data: DC code or
``"auto"``), ``testButton``, ``cancelButton``, ``rememberCheck`` and
``resultPanel``; ``checkFinished(object)`` carries each check's Outcome.

The parts, each in its own module:

- :class:`~.credentials_form.CredentialsForm`: what the user types;
- :class:`~.check_flow.CheckFlow`: the running check (start, tick, cancel, end);
- :class:`~.keychain_flow.KeychainFlow`: keys in the keychain, saved workspaces;
- :class:`~.result_panel.ResultPanel`, :class:`~.profiles_box.ProfilesBox`,
  :class:`~.demo_banner.DemoBanner`: what the user reads and picks;
- :class:`~.first_paint.FirstPaint`: start-up work after the first frame.

This module only builds the window from them and wires their signals: which
words go where, and which flow runs when a button is pressed.

Threading: everything slow (the check, ``import requests``, every keychain
call) runs through the window's one :class:`~moecheck_gui.gui.tasks.TaskRunner`,
which the flows share.

Start-up cost (docs/benchmarks.md has the profile): before the first paint
only Qt, the DC table and this package's small widget modules are imported.
After the first paint (:meth:`MainWindow._after_first_paint`) come, in order:
the saved profiles (json, platformdirs) on the GUI thread, the log file, the
app icon's larger renderings, and on worker threads ``moecheck_gui.client``
(requests, urllib3, truststore) and the keychain (keyring, D-Bus). The About
dialog, the error dialog, ``messages`` and ``inputs`` load on first use.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only what the first frame needs: each PySide6 class builds its Python enums
# on first use, and ``Qt`` (the namespace) costs ~10 ms; see qtvalues.py.
from PySide6.QtCore import QEvent, QSettings, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui import APP_NAME, applog
from moecheck_gui.datacenters import BY_CODE
from moecheck_gui.gui import errors, qtvalues, theme
from moecheck_gui.gui.check_flow import CheckFlow, CheckRun
from moecheck_gui.gui.credentials_form import AUTO, CredentialsForm, describe
from moecheck_gui.gui.first_paint import FirstPaint
from moecheck_gui.gui.keychain_flow import KeychainFlow
from moecheck_gui.gui.profiles_box import ProfilesBox
from moecheck_gui.gui.providers import CheckerLike, KeychainLike, Providers
from moecheck_gui.gui.result_panel import ResultPanel, dc_label, plain_label
from moecheck_gui.gui.tasks import TaskRunner
from moecheck_gui.gui.theme import Tone
from moecheck_gui.limits import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QKeyEvent

    from moecheck_gui.gui.about import AboutDialog
    from moecheck_gui.gui.demo import DemoMode as DemoMode
    from moecheck_gui.gui.demo_banner import DemoBanner
    from moecheck_gui.keychain import StoreInfo
    from moecheck_gui.outcome import Outcome
    from moecheck_gui.profiles import ProfileStore

__all__ = ["AUTO", "CheckerLike", "KeychainLike", "MainWindow", "settings_path"]


def __getattr__(name: str) -> Any:
    """``main_window.DemoMode`` still works (it lives in :mod:`.demo`, loaded on demand)."""
    if name == "DemoMode":
        from moecheck_gui.gui.demo import DemoMode

        return DemoMode
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def settings_path() -> Path:
    """Where window geometry and small preferences live (platform config folder).

    The same folder as ``platformdirs.user_config_dir("moecheck")``. On Linux
    with an absolute ``XDG_CONFIG_HOME`` or ``HOME`` that is one line of the
    XDG spec, computed here because importing platformdirs before the first
    paint cost ~4 ms (the geometry must be read before the window is shown);
    a test checks both agree. Everything else asks platformdirs.
    """
    if sys.platform.startswith("linux"):
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        home = os.environ.get("HOME", "")
        if os.path.isabs(xdg):
            return Path(xdg) / "moecheck" / "window.ini"
        if os.path.isabs(home) and not xdg.strip():
            return Path(home) / ".config" / "moecheck" / "window.ini"
    import platformdirs

    return Path(platformdirs.user_config_dir("moecheck", appauthor=False)) / "window.ini"


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
    (:class:`CheckFlow`), ``keychain_flow`` (:class:`KeychainFlow`), ``runner``,
    ``first_paint``, ``file_menu``/``help_menu`` with :meth:`add_action`.

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
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME + (" — Demo" if demo else ""))
        self.demo = demo
        self._closing = False
        self._settings = QSettings(
            str(settings_file or settings_path()), QSettings.Format.IniFormat
        )
        self.runner = TaskRunner(self)
        providers = Providers(checker, keychain)
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
        outer.setSpacing(14)

        outer.addLayout(self._build_header())
        self.demo_banner = self._build_demo_banner()
        outer.addWidget(self.demo_banner)
        # The saved-workspace row is built when there is a profile to list
        # (after the first paint); it goes here, below the demo banner.
        self._outer = outer
        self._profiles_box: ProfilesBox | None = None
        self.form = CredentialsForm(central)
        outer.addWidget(self.form)
        self.workspace_edit = self.form.workspace_edit
        self.key_edit = self.form.key_edit
        self.remember_check = self.form.remember_check
        self.remember_status = self.form.remember_status
        outer.addLayout(self._build_buttons())
        self.result_panel = ResultPanel(central, icons=False)  # icons after the first paint
        outer.addWidget(self.result_panel)
        outer.addStretch(1)
        self._build_menus()
        self._apply_tab_order()
        self.setMinimumSize(520, 420)
        self.resize(640, 640)

    def _build_header(self) -> QHBoxLayout:
        self.header_icon = QLabel(self)
        self.header_icon.setObjectName("headerIcon")
        self.header_icon.setFixedSize(48, 48)
        self.header_icon.setAccessibleName(f"{APP_NAME} icon")
        self.header_title = QLabel("Test your MoEngage credentials", self)
        self.header_title.setObjectName("headerTitle")
        qtvalues.set_props(self.header_title, textFormat=qtvalues.PLAIN_TEXT)
        font = self.header_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.header_title.setFont(font)
        self.header_subtitle = plain_label(
            "Find out in one click whether a workspace ID and Data API key work, "
            "and exactly what to fix if they don't.",
            self,
        )
        self.header_subtitle.setObjectName("headerSubtitle")
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.header_title)
        text.addWidget(self.header_subtitle)
        row = QHBoxLayout()
        row.setSpacing(14)
        icon_column = QVBoxLayout()  # keeps the icon at the top when the text wraps
        icon_column.addWidget(self.header_icon)
        icon_column.addStretch(1)
        row.addLayout(icon_column)
        row.addLayout(text, 1)
        return row

    def _paint_header_icon(self) -> None:
        self.header_icon.setPixmap(theme.app_icon_pixmap(48, self.devicePixelRatioF() or 1.0))

    def _build_demo_banner(self) -> QFrame:
        """The demo banner; outside demo mode an empty hidden frame (nothing to build)."""
        if self.demo is None:
            banner = QFrame(self)
            banner.setObjectName("demoBanner")
            banner.setAccessibleName("Demo mode")
            banner.setVisible(False)
            return banner
        from moecheck_gui.gui.demo_banner import DemoBanner

        demo_banner = DemoBanner(self.demo.workspaces, self)
        demo_banner.workspaceChosen.connect(self._fill_demo)
        return demo_banner

    @property
    def _demo_banner(self) -> DemoBanner | None:
        """The banner when in demo mode."""
        return self.demo_banner if self.demo is not None else None  # type: ignore[return-value]

    @property
    def profiles_box(self) -> ProfilesBox:
        """The saved-workspace row, built on first use (when there is a profile to list)."""
        if self._profiles_box is None:
            box = ProfilesBox(self._outer.parentWidget())
            self._outer.insertWidget(self._outer.indexOf(self.demo_banner) + 1, box)
            box.profileChosen.connect(self.load_profile)
            box.forgetRequested.connect(self.confirm_forget)
            self._profiles_box = box
            self._apply_tab_order()  # the row's combo and button go before the workspace ID
        return self._profiles_box

    def _build_buttons(self) -> QHBoxLayout:
        # QPushButton(parent) + setText: the (text, parent) overload builds QIcon's enums.
        self.test_button = QPushButton(self)
        self.test_button.setText("&Test connection")
        self.test_button.setObjectName("testButton")
        self.test_button.setDefault(True)
        self.test_button.setAutoDefault(True)
        self.test_button.setMinimumWidth(150)
        describe(
            self.test_button,
            "Test connection",
            "Ask MoEngage whether these credentials work (Enter).",
        )
        self.cancel_button = QPushButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)
        # A property, not setShortcut(): see qtvalues.py.
        qtvalues.set_props(self.cancel_button, shortcut="Esc")
        describe(self.cancel_button, "Cancel", "Stop the running check (Esc).")
        self.status_hint = plain_label(parent=self)
        self.status_hint.setObjectName("statusHint")
        row = QHBoxLayout()
        row.addWidget(self.status_hint, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.test_button)
        return row

    def _build_menus(self) -> None:
        """The menu bar: File and Help. Add entries with :meth:`add_action`."""
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.help_menu = bar.addMenu("&Help")
        # Its platform shortcut is set after the first paint.
        self.quit_action = self.add_action(self.file_menu, "&Quit", self.close)
        self.add_action(self.help_menu, "&Where to find these values", self._open_credentials_docs)
        self.add_action(self.help_menu, "Open &log folder", self._open_log_folder)
        self.help_menu.addSeparator()
        self.about_action = self.add_action(
            self.help_menu, f"&About {APP_NAME}", self.show_about, name="aboutAction"
        )

    def add_action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        *,
        name: str | None = None,
        before: QAction | None = None,
    ) -> QAction:
        """Add a menu entry owned by the window (``before`` an existing one, else last).

        QAction(parent) + setText: the (text, parent) overload's check builds QIcon's enums.
        """
        action = QAction(self)
        action.setText(text)
        if name:
            action.setObjectName(name)
        action.triggered.connect(slot)
        if before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)
        return action

    def _apply_tab_order(self) -> None:
        box = self._profiles_box
        banner = self._demo_banner
        chain: list[QWidget] = [
            *([banner.combo] if banner is not None else []),
            *([box.combo, box.forget_button] if box is not None else []),
            *self.form.tab_chain(),
            self.test_button,
            self.cancel_button,
            self.result_panel,
            self.result_panel.details_toggle,
            self.result_panel.try_all_button,
            self.result_panel.copy_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ wiring

    def _connect(self) -> None:
        self.test_button.clicked.connect(self.start_check)
        self.cancel_button.clicked.connect(self.cancel_check)
        self.result_panel.copyRequested.connect(self.copy_details)
        self.result_panel.tryAllRequested.connect(self.try_all_data_centers)

        form = self.form
        form.edited.connect(self._on_edited)
        form.statusChanged.connect(self._set_status)
        form.rememberToggled.connect(self._keep_remember_preference)

        checks = self.check_flow
        checks.started.connect(self._on_check_started)
        checks.tick.connect(self.result_panel.set_elapsed)
        checks.finished.connect(self._on_check_finished)
        checks.crashed.connect(self._on_check_crashed)

        keys = self.keychain_flow
        keys.storeInfoReady.connect(self._on_store_info)
        keys.status.connect(form.show_remember_status)
        keys.keySaved.connect(self.keySaved)
        keys.keyLoaded.connect(self._on_key_loaded)
        keys.loadFinished.connect(self.profileKeyLoaded)
        keys.loadingChanged.connect(self._update_buttons)
        keys.profilesChanged.connect(self._refresh_profiles)
        keys.forgotten.connect(self.profileForgotten)

    def _restore(self) -> None:
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, bytes | bytearray) and not self.demo:
            self.restoreGeometry(geometry)
        elif geometry is not None and not self.demo:
            from PySide6.QtCore import QByteArray  # what QSettings returns for a geometry

            if isinstance(geometry, QByteArray):
                self.restoreGeometry(geometry)
        if self.keychain_flow.profiles_loaded or self.demo is not None:
            # Injected (already read) or in memory (demo): no disk I/O, show them now.
            self._restore_profiles()

    def _restore_profiles(self) -> None:
        """List the saved profiles and fill in the last one used (its key loads later)."""
        self._refresh_profiles()
        if self.demo is not None:
            if self.demo.workspaces:
                self._fill_demo(self.demo.workspaces[0].workspace_id)
            return
        if self.profiles.problem:
            self._set_status(self.profiles.problem, Tone.WARNING)
        last = self.profiles.last_workspace_id
        profile = self.profiles.get(last) if last else None
        if profile is not None and not self.workspace_edit.text():
            self.form.quietly(lambda: self._fill_profile_fields(profile.workspace_id))

    def _after_first_paint(self) -> None:
        """Start-up work that the first frame need not wait for (once, see FirstPaint)."""
        try:
            if self._closing:
                return
            self._begin_background()
        finally:
            self.runner.release()

    def _begin_background(self) -> None:
        # Icons: QtSvg and the renderings wait until the first frame is on screen
        # (their labels and the eye button keep their sizes, so nothing moves).
        from PySide6.QtGui import QKeySequence  # (its ~70 standard keys: after the first paint)

        # A property: setShortcut()'s overload check would build the Qt namespace.
        qtvalues.set_props(self.quit_action, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        self._paint_header_icon()
        self.form.show_icons()
        self.result_panel.show_icons()
        self.setWindowIcon(theme.app_icon())
        if not self.keychain_flow.profiles_loaded and self.demo is None:
            self._restore_profiles()
        self.runner.start(_warm_up, lambda _: None, lambda _exc: None, name="warm-up")
        # Last in the queue: PySide6's Qt namespace (~10 ms, see qtvalues.py), so the
        # first key press or result does not pay for it while the user waits.
        QTimer.singleShot(0, _build_qt_namespace)
        if self.demo is not None:
            return
        self.keychain_flow.request_store_info()
        last = self.profiles.last_workspace_id
        box = self._profiles_box
        if last and box is not None and box.current_workspace_id() == last:
            self.load_profile(last)

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
        api_base = self.demo.api_base if self.demo else os.environ.get("MOECHECK_API_BASE") or None
        run = self.check_flow.start(self.form.snapshot(), detect=detect, api_base=api_base)
        return run is not None

    def cancel_check(self, reason: str | None = None) -> None:
        """Stop the running check at once; the UI is idle again immediately."""
        self.check_flow.cancel(reason)

    def try_all_data_centers(self) -> None:
        """After an auth failure on one DC: the key may belong to another DC; try them all."""
        self.start_check(detect=True)

    def _on_check_started(self, run: CheckRun) -> None:
        self._update_buttons()
        where = "every data center" if run.detect else dc_label(run.dc)
        self.result_panel.show_running(where, self.timeout)
        self._set_status("", Tone.INFO)

    def _on_check_finished(self, outcome: Outcome, run: CheckRun) -> None:
        from moecheck_gui.outcome import Kind

        self._update_buttons()
        if outcome.kind == Kind.CANCELLED:  # stopped: show it, leave the focus where it is
            self.result_panel.show_outcome(outcome)
            self.checkFinished.emit(outcome)
            return
        offer_try_all = outcome.kind == Kind.AUTH and not run.detect
        self.result_panel.show_outcome(outcome, offer_try_all=offer_try_all)
        if outcome.notices:
            self.form.hide_notice()  # the result panel lists them now
        if outcome.ok and run.detect and outcome.dc in BY_CODE:
            self.form.quietly(lambda: self.select_dc(outcome.dc or AUTO))
            self._set_status(
                f"Found the workspace on {dc_label(outcome.dc)}; it is now selected.", Tone.SUCCESS
            )
        if outcome.ok and run.typed.remember:
            self.keychain_flow.save(
                outcome.workspace_id or run.workspace_id,
                run.secret,
                outcome.dc or run.dc,
                run.typed.label,
            )
        if outcome.kind == Kind.INVALID_INPUT and outcome.field:
            self.form.focus_field(outcome.field)
        else:
            self.result_panel.setFocus()
        self.checkFinished.emit(outcome)

    def _on_check_crashed(self, exc: BaseException, run: CheckRun) -> None:
        """A bug in a worker task: return to idle and show the one error dialog."""
        self._update_buttons()
        self.result_panel.show_message(
            "Something went wrong inside MoeCheck",
            "The check could not finish because of a problem in MoeCheck itself. "
            "The details are in the window that opened.",
            Tone.ERROR,
        )
        errors.report_unexpected(exc, self)  # (the key is still registered: it is redacted)

    def _update_buttons(self, *_: object) -> None:
        busy = self.check_flow.is_running
        self.test_button.setEnabled(not busy and not self.keychain_flow.is_loading)
        self.cancel_button.setEnabled(busy)

    # ------------------------------------------------------------------ inputs

    def current_dc(self) -> str:
        """The chosen DC code, or ``"auto"``."""
        return self.form.current_dc()

    def select_dc(self, code: str) -> bool:
        """Select a DC (or ``"auto"``) in the dropdown; False if unknown."""
        return self.form.select_dc(code)

    def _on_edited(self) -> None:
        if self.check_flow.is_running:
            self.cancel_check(
                "Stopped because you changed the details. Press Test connection to check "
                "the new ones."
            )
        else:
            self.result_panel.mark_stale()

    def _set_status(self, text: str, tone: Tone) -> None:
        """A one-line note beside the buttons (DC found in a URL, profile problems…)."""
        colors = theme.tone_colors(tone, self.palette())
        self.status_hint.setStyleSheet(f"color: {colors.fg};")
        self.status_hint.setText(text)
        self.status_hint.setAccessibleDescription(text)

    # ------------------------------------------------------------------ keychain and profiles

    def _on_store_info(self, info: StoreInfo | None) -> None:
        remember = self.demo is None and bool(self._settings.value("remember", False, type=bool))
        self.form.apply_store_info(info, demo=self.demo is not None, remember=remember)
        self.keychainReady.emit(info)

    def _keep_remember_preference(self, checked: bool) -> None:
        self._settings.setValue("remember", checked)

    def _on_key_loaded(self, workspace_id: str, key: str) -> None:
        self.form.quietly(lambda: self.key_edit.setText(key))
        self.form.update_input_notice()

    def _refresh_profiles(self, select: str | None = None) -> None:
        profiles = self.profiles.profiles()
        if self._profiles_box is None and not profiles:
            return  # nothing to list: the row is not even built
        current = select or self.profiles_box.current_workspace_id()
        self.profiles_box.set_profiles(profiles, current)

    def _fill_profile_fields(self, workspace_id: str) -> None:
        profile = self.profiles.get(workspace_id)
        if profile is None:
            return
        self.form.fill(profile.workspace_id, profile.dc, key=None, label=profile.label)
        self.profiles_box.select(workspace_id)

    def load_profile(self, workspace_id: str) -> None:
        """Fill the form from a saved profile; its key is loaded on a worker thread."""
        self.cancel_check()
        self.keychain_flow.cancel_load()
        self.form.quietly(lambda: self._fill_profile_fields(workspace_id))
        self.result_panel.mark_stale()
        self.keychain_flow.load(workspace_id)

    def confirm_forget(self, workspace_id: str) -> None:
        """Ask before forgetting: it deletes a key the user may not have anywhere else.

        The question is window-modal and opened with ``open()`` (not ``exec()``),
        so the event loop keeps running and tests can answer it like a user.
        """
        from PySide6.QtCore import Qt  # after first paint: the namespace is built by now

        profile = self.profiles.get(workspace_id)
        label = f"{workspace_id} ({profile.label})" if profile and profile.label else workspace_id
        box = QMessageBox(self)
        box.setObjectName("forgetConfirm")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Forget saved workspace?")
        box.setText(f"Forget {label}?")
        box.setInformativeText(
            f"MoeCheck will delete its Data API key from {self.keychain_flow.store_name} and "
            "remove it from the list. To check it again you will need to paste the key from "
            "the MoEngage dashboard."
        )
        forget = box.addButton("Forget", QMessageBox.ButtonRole.DestructiveRole)
        forget.setObjectName("forgetConfirmButton")
        keep = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        def answered(button: object) -> None:
            if button is forget:
                self.forget_profile(workspace_id)

        box.buttonClicked.connect(answered)
        box.open()

    def forget_profile(self, workspace_id: str) -> None:
        """Remove a profile and delete its key from the keychain (on a worker thread)."""
        self.keychain_flow.forget(workspace_id)
        if self.workspace_edit.text().strip() == workspace_id:
            self.form.quietly(self.key_edit.clear)
            self.result_panel.mark_stale()

    def _fill_demo(self, workspace_id: str) -> None:
        if self.demo is None:
            return
        for workspace in self.demo.workspaces:
            if workspace.workspace_id == workspace_id:
                self.form.fill(workspace.workspace_id, workspace.dc, key=workspace.api_key)
                if self._demo_banner is not None:
                    self._demo_banner.select(workspace_id)
                return

    # ------------------------------------------------------------------ actions

    def copy_details(self) -> None:
        """Put the redacted report of the shown outcome on the clipboard."""
        outcome = self.result_panel.outcome
        if outcome is None:
            return
        from moecheck_gui.report import redact, render_report

        api_base = self.demo.api_base if self.demo else os.environ.get("MOECHECK_API_BASE")
        extra = {"Mode": "demo (practice server, not MoEngage)"} if self.demo else None
        text = render_report(outcome, api_base=api_base or None, extra=extra)
        text = applog.redact(redact(text, [self.key_edit.text()]))
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText(text)
        self.result_panel.show_copied("Copied. Paste it into your support ticket or email.")

    def show_about(self) -> AboutDialog:
        """Open the About dialog (non-modal, so it never blocks a running check)."""
        from PySide6.QtCore import Qt

        from moecheck_gui.gui.about import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _open_credentials_docs(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from moecheck_gui.gui.about import CREDENTIALS_DOCS_URL

        QDesktopServices.openUrl(QUrl(CREDENTIALS_DOCS_URL))

    def _open_log_folder(self) -> None:
        path = applog.current_log_file()
        folder = path.parent if path is not None else applog.log_dir()
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # ------------------------------------------------------------------ lifetime

    def changeEvent(self, event: QEvent) -> None:
        """Follow the system's switch between light and dark."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._restyle()

    def _restyle(self) -> None:
        banner = self._demo_banner  # outside demo mode never shown: no style sheet to build
        if banner is not None:
            banner.restyle(self.palette())
        self.form.restyle()
        self.result_panel.restyle()

    def showEvent(self, event: Any) -> None:
        """Style once the palette is final (after the platform theme applied it)."""
        super().showEvent(event)
        self._restyle()
        if self.first_paint.done:  # a later show (the first frame goes without icons)
            self._paint_header_icon()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Abandon any running check (its daemon thread is left behind) and save geometry."""
        self._closing = True
        self.check_flow.close()
        self.runner.shutdown()
        if not self.demo:
            self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.sync()
        super().closeEvent(event)


def _build_qt_namespace() -> None:
    """Build PySide6's ``Qt`` enums now, on the GUI thread, while nobody is waiting."""
    from PySide6.QtCore import Qt

    Qt.Key.Key_Return  # noqa: B018 - the attribute access is the point


def _warm_up() -> None:
    """Import the network stack off the GUI thread, so the first click is instant."""
    import moecheck_gui.client  # noqa: F401
