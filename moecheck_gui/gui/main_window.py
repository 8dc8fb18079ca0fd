"""The MoeCheck window: enter credentials, press Test connection, read a precise answer.

Contract (PRODUCT.md 3.6): ``MainWindow()`` builds the window with no network
or keychain I/O on the calling thread; widgets carry the objectNames
``workspaceIdEdit``, ``apiKeyEdit``, ``dataCenterCombo`` (item data: DC code or
``"auto"``), ``testButton``, ``cancelButton``, ``rememberCheck`` and
``resultPanel``; ``checkFinished(object)`` carries each check's Outcome.

Threading: everything slow (the check, ``import requests``, every keychain
call) runs through the single :class:`~moecheck_gui.gui.tasks.TaskRunner`.
The window keeps the id of the one check whose result it wants; cancelling,
changing an input while a check runs, or closing the window drops that id, so
a late answer is never shown as current.

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
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

# Only what the first frame needs: each PySide6 class builds its Python enums
# on first use, and ``Qt`` (the namespace) costs ~10 ms; see qtvalues.py.
from PySide6.QtCore import QEvent, QSettings, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui import APP_NAME, applog
from moecheck_gui.datacenters import BY_CODE, DATA_CENTERS, DataCenterError, dc_from_url, parse_dc
from moecheck_gui.gui import errors, qtvalues, theme
from moecheck_gui.gui.password_edit import PasswordEdit
from moecheck_gui.gui.profiles_box import ProfilesBox
from moecheck_gui.gui.result_panel import ResultPanel, dc_label, plain_label
from moecheck_gui.gui.tasks import TaskRunner
from moecheck_gui.gui.theme import Tone

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QKeyEvent, QPaintEvent

    from moecheck_gui.client import CancelToken
    from moecheck_gui.gui.about import AboutDialog
    from moecheck_gui.gui.demo import DemoMode as DemoMode
    from moecheck_gui.keychain import StoreInfo
    from moecheck_gui.outcome import Outcome
    from moecheck_gui.profiles import ProfileStore

log = logging.getLogger(__name__)

AUTO = "auto"
DEFAULT_TIMEOUT = 15.0
FIRST_PAINT_FALLBACK_MS = 1000
"""Start the after-first-paint work by then even if no paint came."""
WORKSPACE_TIP = (
    "Your workspace ID (also called App ID). In the MoEngage dashboard open "
    "Settings › Account › APIs; it is shown at the top of the page. "
    "You can also paste your dashboard's web address here to pick the data center."
)
KEY_TIP = (
    "The Data API key: in the MoEngage dashboard open Settings › Account › APIs and "
    "copy the key from the Data tile. It is sent only to MoEngage and never shown or logged."
)
DC_TIP = (
    "The number in your dashboard's web address: dashboard-01.moengage.com is DC-01. "
    "Not sure? Keep Detect automatically, or paste the address here."
)


class CheckerLike(Protocol):
    """What the window needs from :class:`moecheck_gui.client.Checker` (tests inject spies)."""

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
    """What the window needs from :class:`moecheck_gui.keychain.KeychainStore`."""

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


class _Providers:
    """Builds the checker and keychain on first use, on a worker thread (thread-safe)."""

    def __init__(self, checker: CheckerLike | None, keychain: KeychainLike | None) -> None:
        self._checker = checker
        self._keychain = keychain
        self._checkers: dict[str | None, CheckerLike] = {}
        self._lock = threading.Lock()

    def checker(self, api_base: str | None) -> CheckerLike:
        """The injected checker, or a real one for this API base (one per base, reused)."""
        if self._checker is not None:
            return self._checker
        from moecheck_gui.client import Checker

        with self._lock:
            found = self._checkers.get(api_base)
            if found is None:
                found = Checker(api_base=api_base)
                self._checkers[api_base] = found
            return found

    def keychain(self) -> KeychainLike:
        """The injected keychain, or the OS keychain."""
        with self._lock:
            if self._keychain is None:
                from moecheck_gui.keychain import KeychainStore

                self._keychain = KeychainStore()
            return self._keychain


class _RunningCheck:
    """The one check whose result the window wants (a plain class: a dataclass
    costs ~0.5 ms at import, before the first paint)."""

    __slots__ = (
        "api_base",
        "dc",
        "detect",
        "label",
        "remember",
        "secret",
        "started",
        "task_id",
        "token",
        "workspace_id",
    )

    def __init__(
        self,
        task_id: int,
        token: CancelToken,
        workspace_id: str,
        dc: str,
        detect: bool,
        api_base: str | None,
        started: float,
        secret: str,
        remember: bool,
        label: str,
    ) -> None:
        self.task_id = task_id
        self.token = token
        self.workspace_id = workspace_id
        self.dc = dc
        self.detect = detect
        self.api_base = api_base
        self.started = started
        self.secret = secret
        self.remember = remember
        self.label = label

    def __repr__(self) -> str:
        """Never shows the key."""
        return f"_RunningCheck(task {self.task_id}, {self.workspace_id}, {self.dc})"


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
        self.timeout = timeout
        self._providers = _Providers(checker, keychain)
        self._profiles = profiles
        self._painted = False
        self._started = False
        self._settings = QSettings(
            str(settings_file or settings_path()), QSettings.Format.IniFormat
        )
        self.runner = TaskRunner(self)
        self._running: _RunningCheck | None = None
        self._store_info: StoreInfo | None = None
        self._profile_task: int | None = None
        self._quiet = 0
        """>0 while the window itself changes inputs (no stale/cancel reaction)."""
        self._closing = False

        self._build()
        self._connect()
        self._restore()  # (the result panel starts empty: it built its own first state)
        if demo is not None:
            self._apply_store_info(None)  # no keychain in demo mode: nothing to ask
        # After the first paint (see event()): profiles, log file, network stack,
        # keychain. A window that is never shown starts them right away.
        self.runner.hold()
        QTimer.singleShot(0, self._start_unless_painting)
        # A shown window that is never painted (started minimised on some
        # desktops) still gets its profiles and keychain, a little later.
        QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, self._after_first_paint)

    @property
    def profiles(self) -> ProfileStore:
        """The saved-profiles store; read from disk on first use (after the first paint)."""
        if self._profiles is None:
            from moecheck_gui.profiles import ProfileStore

            self._profiles = ProfileStore(in_memory=self.demo is not None)
        return self._profiles

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
        outer.addLayout(self._build_form())
        self.input_notice = plain_label(parent=central)
        self.input_notice.setObjectName("inputNotice")
        outer.addWidget(self.input_notice)
        outer.addLayout(self._build_remember())
        outer.addLayout(self._build_buttons())
        self.result_panel = ResultPanel(central, icons=False)  # icons after the first paint
        outer.addWidget(self.result_panel)
        outer.addStretch(1)
        self._build_menu()
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
        banner = QFrame(self)
        banner.setObjectName("demoBanner")
        banner.setAccessibleName("Demo mode")
        self.demo_combo: QComboBox | None = None
        if self.demo is None:
            banner.setVisible(False)
            return banner
        title = plain_label("Demo mode — this is not MoEngage", banner)
        title.setObjectName("demoBannerTitle")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        body = plain_label(
            "Checks go to a practice server on this computer, so you can try every result "
            "safely. Nothing is sent to MoEngage and no key is saved.",
            banner,
        )
        combo = QComboBox(banner)
        self.demo_combo = combo
        combo.setObjectName("demoWorkspaceCombo")
        combo.setAccessibleName("Demo workspace")
        qtvalues.set_props(combo, sizeAdjustPolicy=qtvalues.COMBO_ADJUST_TO_MIN_LENGTH_WITH_ICON)
        combo.setMinimumContentsLength(16)
        combo.setAccessibleDescription("Fills in demo credentials that show one result.")
        demo_label = QLabel("Try a &demo workspace:", banner)
        demo_label.setBuddy(combo)
        pick = QHBoxLayout()
        pick.addWidget(demo_label)
        pick.addWidget(combo, 1)
        layout = QVBoxLayout(banner)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addLayout(pick)
        for workspace in self.demo.workspaces:
            combo.addItem(f"{workspace.workspace_id} — {workspace.note}", workspace.workspace_id)
        combo.activated.connect(self._on_demo_chosen)
        self.demo_banner_title = title
        return banner

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

    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        qtvalues.set_props(form, labelAlignment=qtvalues.ALIGN_RIGHT | qtvalues.ALIGN_VCENTER)
        qtvalues.set_props(form, fieldGrowthPolicy=qtvalues.FORM_ALL_NON_FIXED_FIELDS_GROW)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)

        self.workspace_edit = QLineEdit(self)
        self.workspace_edit.setObjectName("workspaceIdEdit")
        self.workspace_edit.setPlaceholderText("e.g. 8FJ2K1LQ0ZXY7ABCDE1234")
        self.workspace_edit.setClearButtonEnabled(True)
        self._describe(self.workspace_edit, "Workspace ID", WORKSPACE_TIP)

        self.key_edit = PasswordEdit(self, icons=False)  # icon after the first paint
        self.key_edit.setObjectName("apiKeyEdit")
        self.key_edit.setPlaceholderText("Paste the key from the Data tile")
        self._describe(self.key_edit, "Data API key", KEY_TIP)

        self.dc_combo = QComboBox(self)
        self.dc_combo.setObjectName("dataCenterCombo")
        self.dc_combo.addItem("Detect automatically (tries every data center)", AUTO)
        for dc in DATA_CENTERS:
            self.dc_combo.addItem(dc.label, dc.code)
        self.dc_combo.setEditable(True)
        qtvalues.set_props(self.dc_combo, insertPolicy=qtvalues.COMBO_NO_INSERT)
        self.dc_combo.setCurrentIndex(0)
        dc_line = self.dc_combo.lineEdit()
        if dc_line is not None:
            dc_line.setPlaceholderText("DC number or dashboard address")
            dc_line.setAccessibleName("Data center")
        self._describe(self.dc_combo, "Data center", DC_TIP)

        for text, widget in (
            ("&Workspace ID", self.workspace_edit),
            ("Data API &key", self.key_edit),
            ("Data &center", self.dc_combo),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            label.setToolTip(widget.toolTip())
            form.addRow(label, widget)
        return form

    def _build_remember(self) -> QVBoxLayout:
        self.remember_check = QCheckBox("&Remember the key in your keychain", self)
        self.remember_check.setObjectName("rememberCheck")
        self.remember_check.setEnabled(False)
        self._describe(
            self.remember_check,
            "Remember the key",
            "Looking for a secure keychain on this computer…",
        )
        self.label_edit = QLineEdit(self)
        self.label_edit.setObjectName("profileLabelEdit")
        self.label_edit.setPlaceholderText("Label, e.g. Prod (optional)")
        self.label_edit.setMaxLength(40)
        self.label_edit.setMinimumWidth(210)
        self.label_edit.setMaximumWidth(260)
        self._describe(
            self.label_edit,
            "Label for this workspace",
            "A short name shown in the saved-workspace list, such as Prod or Test.",
        )
        self.label_edit.setEnabled(False)
        self.remember_status = plain_label(parent=self)
        self.remember_status.setObjectName("rememberStatus")
        self.remember_status.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.remember_check)
        row.addStretch(1)
        row.addWidget(self.label_edit)
        column = QVBoxLayout()
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.remember_status)
        return column

    def _build_buttons(self) -> QHBoxLayout:
        # QPushButton(parent) + setText: the (text, parent) overload builds QIcon's enums.
        self.test_button = QPushButton(self)
        self.test_button.setText("&Test connection")
        self.test_button.setObjectName("testButton")
        self.test_button.setDefault(True)
        self.test_button.setAutoDefault(True)
        self.test_button.setMinimumWidth(150)
        self._describe(
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
        self._describe(self.cancel_button, "Cancel", "Stop the running check (Esc).")
        self.status_hint = plain_label(parent=self)
        self.status_hint.setObjectName("statusHint")
        row = QHBoxLayout()
        row.addWidget(self.status_hint, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.test_button)
        return row

    def _build_menu(self) -> None:
        # _action(), not QAction(text, parent): that overload's check builds QIcon's enums.
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        quit_action = self._action("&Quit")
        self.quit_action = quit_action  # its platform shortcut is set after the first paint
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = bar.addMenu("&Help")
        docs = self._action("&Where to find these values")
        docs.triggered.connect(self._open_credentials_docs)
        help_menu.addAction(docs)
        logs = self._action("Open &log folder")
        logs.triggered.connect(self._open_log_folder)
        help_menu.addAction(logs)
        help_menu.addSeparator()
        about = self._action(f"&About {APP_NAME}")
        about.setObjectName("aboutAction")
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)
        self.about_action = about

    def _action(self, text: str) -> QAction:
        """A menu action owned by the window."""
        action = QAction(self)
        action.setText(text)
        return action

    def _apply_tab_order(self) -> None:
        box = self._profiles_box
        chain: list[QWidget] = [
            *([self.demo_combo] if self.demo_combo is not None else []),
            *([box.combo, box.forget_button] if box is not None else []),
            self.workspace_edit,
            self.key_edit,
            self.dc_combo,
            self.remember_check,
            self.label_edit,
            self.test_button,
            self.cancel_button,
            self.result_panel,
            self.result_panel.details_toggle,
            self.result_panel.try_all_button,
            self.result_panel.copy_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def _describe(widget: QWidget, name: str, description: str) -> None:
        widget.setAccessibleName(name)
        widget.setAccessibleDescription(description)
        widget.setToolTip(description)

    # ------------------------------------------------------------------ wiring

    def _connect(self) -> None:
        self.test_button.clicked.connect(self.start_check)
        self.cancel_button.clicked.connect(self.cancel_check)
        self.workspace_edit.textChanged.connect(self._on_workspace_changed)
        self.key_edit.textChanged.connect(self._on_inputs_changed)
        self.dc_combo.currentIndexChanged.connect(self._on_inputs_changed)
        dc_line = self.dc_combo.lineEdit()
        if dc_line is not None:
            dc_line.textEdited.connect(self._on_dc_text_edited)
            dc_line.editingFinished.connect(self._on_dc_editing_finished)
        self.remember_check.toggled.connect(self._on_remember_toggled)
        self.result_panel.copyRequested.connect(self.copy_details)
        self.result_panel.tryAllRequested.connect(self.try_all_data_centers)
        self._elapsed_timer = QTimer(self)
        self._elapsed_timer.setInterval(100)
        self._elapsed_timer.timeout.connect(self._tick)

    def _restore(self) -> None:
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, bytes | bytearray) and not self.demo:
            self.restoreGeometry(geometry)
        elif geometry is not None and not self.demo:
            from PySide6.QtCore import QByteArray  # what QSettings returns for a geometry

            if isinstance(geometry, QByteArray):
                self.restoreGeometry(geometry)
        if self._profiles is not None or self.demo is not None:
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
            self._quietly(lambda: self._fill_profile_fields(profile.workspace_id))

    def paintEvent(self, event: QPaintEvent) -> None:
        """Notice the first paint: background start-up work waits for it.

        (paintEvent, not event(): overriding event() would wrap every event
        the window gets in Python, building a type per event class.)
        """
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Queued, so it runs once this frame is on screen and the loop is idle.
            QTimer.singleShot(0, self._after_first_paint)

    def _start_unless_painting(self) -> None:
        """A window that is not shown gets no paint: start the background work now."""
        if not self.isVisible():
            self._after_first_paint()

    def _after_first_paint(self) -> None:
        """Start-up work that the first frame need not wait for (once)."""
        if self._started:
            return
        self._started = True
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
        self.key_edit.show_icons()
        self.result_panel.show_icons()
        self.setWindowIcon(theme.app_icon())
        if self._profiles is None and self.demo is None:
            self._restore_profiles()
        self.runner.start(_warm_up, lambda _: None, lambda _exc: None, name="warm-up")
        # Last in the queue: PySide6's Qt namespace (~10 ms, see qtvalues.py), so the
        # first key press or result does not pay for it while the user waits.
        QTimer.singleShot(0, _build_qt_namespace)
        if self.demo is not None:
            return
        providers = self._providers
        self.runner.start(
            lambda: providers.keychain().info(),
            self._apply_store_info,
            self._on_store_info_failed,
            name="keychain-info",
        )
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

    @property
    def is_checking(self) -> bool:
        """True while a check runs (its result is still wanted)."""
        return self._running is not None

    def start_check(self, *, detect: bool = False) -> bool:
        """Start a check of the current inputs; False (and nothing sent) if one is running.

        ``detect=True`` tries every data center whatever the dropdown says.
        """
        if self._running is not None or self._profile_task is not None or self._closing:
            return False
        workspace_id = self.workspace_edit.text()
        api_key = self.key_edit.text()
        dc = self.current_dc()
        detect = detect or dc == AUTO
        api_base = self.demo.api_base if self.demo else os.environ.get("MOECHECK_API_BASE") or None
        from moecheck_gui.client import CancelToken  # imported after first paint (warm-up)

        token = CancelToken()
        applog.register_secret(api_key)
        providers, timeout = self._providers, self.timeout

        def run() -> Outcome:
            checker = providers.checker(api_base)
            line_log = logging.getLogger("moecheck.check").debug
            if detect:
                return checker.detect(
                    workspace_id, api_key, timeout=timeout, cancel=token, log=line_log
                )
            return checker.check(
                workspace_id, api_key, dc, timeout=timeout, cancel=token, log=line_log
            )

        remember = self.remember_check.isChecked() and self.remember_check.isEnabled()
        task_id = self.runner.start(run, self._on_check_result, self._on_task_error, name="check")
        self._running = _RunningCheck(
            task_id,
            token,
            workspace_id.strip(),
            dc,
            detect,
            api_base,
            time.monotonic(),
            api_key,
            remember,
            self.label_edit.text(),
        )
        log.info(
            "Check started: workspace %s, %s", workspace_id.strip(), "detect" if detect else dc
        )
        where = "every data center" if detect else dc_label(dc)
        self._set_busy(True)
        self.result_panel.show_running(where, self.timeout)
        self._set_status("", Tone.INFO)
        return True

    def cancel_check(self, reason: str | None = None) -> None:
        """Stop the running check at once; the UI is idle again immediately."""
        running = self._running
        if running is None:
            return
        running.token.cancel()
        self.runner.discard(running.task_id)
        self._running = None
        applog.unregister_secret(running.secret)
        self._set_busy(False)
        from moecheck_gui import messages
        from moecheck_gui.outcome import Kind, Outcome

        message, hint = messages.for_kind(Kind.CANCELLED, messages.Context())
        outcome = Outcome(
            ok=False,
            kind=Kind.CANCELLED.value,
            dc=None if running.detect else running.dc,
            workspace_id=running.workspace_id,
            message=reason or message,
            hint=hint,
            elapsed_ms=(time.monotonic() - running.started) * 1000,
        )
        log.info("Check cancelled%s", f" ({reason})" if reason else "")
        self.result_panel.show_outcome(outcome)
        self.checkFinished.emit(outcome)

    def _on_check_result(self, outcome: Outcome) -> None:
        running = self._running
        if running is None:
            return
        self._running = None
        applog.unregister_secret(running.secret)
        self._set_busy(False)
        from moecheck_gui.outcome import Kind

        log.info(
            "Check finished: %s (HTTP %s, request %s)",
            outcome.kind or "ok",
            outcome.http_status,
            outcome.request_id,
        )
        offer_try_all = outcome.kind == Kind.AUTH and not running.detect
        self.result_panel.show_outcome(outcome, offer_try_all=offer_try_all)
        if outcome.notices:
            self.input_notice.setVisible(False)  # the result panel lists them now
        if outcome.ok and running.detect and outcome.dc in BY_CODE:
            self._quietly(lambda: self.select_dc(outcome.dc or AUTO))
            self._set_status(
                f"Found the workspace on {dc_label(outcome.dc)}; it is now selected.", Tone.SUCCESS
            )
        if outcome.ok and running.remember:
            self._save_key(running, outcome)
        if outcome.kind == Kind.INVALID_INPUT and outcome.field:
            self._focus_field(outcome.field)
        else:
            self.result_panel.setFocus()
        self.checkFinished.emit(outcome)

    def _on_task_error(self, exc: BaseException) -> None:
        """A bug in a worker task: return to idle and show the one error dialog."""
        running = self._running
        self._running = None
        self._set_busy(False)
        self.result_panel.show_message(
            "Something went wrong inside MoeCheck",
            "The check could not finish because of a problem in MoeCheck itself. "
            "The details are in the window that opened.",
            Tone.ERROR,
        )
        # Report while the key is still registered, so the redaction removes it.
        errors.report_unexpected(exc, self)
        if running is not None:
            applog.unregister_secret(running.secret)

    def _set_busy(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy and self._profile_task is None)
        self.cancel_button.setEnabled(busy)
        if busy:
            self._elapsed_timer.start()
        else:
            self._elapsed_timer.stop()

    def _tick(self) -> None:
        if self._running is not None:
            self.result_panel.set_elapsed(time.monotonic() - self._running.started)

    def try_all_data_centers(self) -> None:
        """After an auth failure on one DC: the key may belong to another DC; try them all."""
        self.start_check(detect=True)

    def _focus_field(self, name: str) -> None:
        widget = {
            "workspace_id": self.workspace_edit,
            "api_key": self.key_edit,
            "dc": self.dc_combo,
        }.get(name)
        if widget is not None:
            widget.setFocus()

    # ------------------------------------------------------------------ inputs

    def current_dc(self) -> str:
        """The chosen DC code, or ``"auto"``."""
        data = self.dc_combo.currentData()
        return data if isinstance(data, str) else AUTO

    def select_dc(self, code: str) -> bool:
        """Select a DC (or ``"auto"``) in the dropdown; False if unknown."""
        index = self.dc_combo.findData(code)
        if index < 0:
            return False
        self.dc_combo.setCurrentIndex(index)
        return True

    def _quietly(self, change: Callable[[], object]) -> None:
        """Change inputs from code without it counting as the user's edit."""
        self._quiet += 1
        try:
            change()
        finally:
            self._quiet -= 1

    def _on_workspace_changed(self, text: str) -> None:
        if self._quiet:
            return
        code = dc_from_url(text)
        if code is not None:
            # A dashboard address is not a workspace ID: take its DC, clear the field.
            self._quietly(lambda: self.select_dc(code))
            self._quietly(self.workspace_edit.clear)
            self._set_status(
                f"That is your dashboard's address: it is on {dc_label(code)}, which is now "
                "selected. Now enter the workspace ID from Settings › Account › APIs.",
                Tone.SUCCESS,
            )
        self._on_inputs_changed()

    def _on_dc_text_edited(self, text: str) -> None:
        code = dc_from_url(text)
        if code is not None:
            self.select_dc(code)
            self._set_status(
                f"Found {dc_label(code)} in the pasted address; it is now selected.",
                Tone.SUCCESS,
            )

    def _on_dc_editing_finished(self) -> None:
        line = self.dc_combo.lineEdit()
        if line is None:
            return
        text = line.text()
        if text == self.dc_combo.itemText(self.dc_combo.currentIndex()):
            return
        if text.strip().casefold().startswith("detect"):
            self.select_dc(AUTO)
            return
        try:
            code = parse_dc(text)
        except DataCenterError as exc:
            self._set_status(exc.message, Tone.ERROR)
            line.setText(self.dc_combo.itemText(self.dc_combo.currentIndex()))
            return
        self.select_dc(code)
        line.setText(self.dc_combo.itemText(self.dc_combo.currentIndex()))

    def _on_inputs_changed(self, *_: object) -> None:
        self._update_input_notice()
        if self._quiet:
            return
        if self._running is not None:
            self.cancel_check(
                "Stopped because you changed the details. Press Test connection to check "
                "the new ones."
            )
        else:
            self.result_panel.mark_stale()

    def _update_input_notice(self) -> None:
        """Point out, before the check, what will be trimmed (a pasted newline, spaces)."""
        if not self.workspace_edit.text() and not self.key_edit.text():
            # Nothing to trim (and no need to import the input rules before the first paint).
            self.input_notice.setText("")
            self.input_notice.setVisible(False)
            return
        from moecheck_gui.inputs import InputError, normalise_credentials

        try:
            _, notices = normalise_credentials(
                self.workspace_edit.text() or "x", self.key_edit.text() or "x"
            )
        except InputError:
            notices = ()
        except Exception:  # noqa: BLE001 - a hint must never break typing
            notices = ()
        self.input_notice.setText(" ".join(notices))
        self.input_notice.setVisible(bool(notices))
        colors = theme.tone_colors(Tone.INFO, self.palette())
        self.input_notice.setStyleSheet(f"color: {colors.fg};")

    def _set_status(self, text: str, tone: Tone) -> None:
        """A one-line note beside the buttons (DC found in a URL, profile problems…)."""
        colors = theme.tone_colors(tone, self.palette())
        self.status_hint.setStyleSheet(f"color: {colors.fg};")
        self.status_hint.setText(text)
        self.status_hint.setAccessibleDescription(text)

    # ------------------------------------------------------------------ keychain

    def _apply_store_info(self, info: StoreInfo | None) -> None:
        self._store_info = info
        if self.demo is not None:
            self.remember_check.setChecked(False)
            self.remember_check.setEnabled(False)
            self.remember_check.setText("&Remember the key (not in demo mode)")
            tip = "Demo keys are never saved. Start MoeCheck without --demo to save real keys."
        elif info is None or not info.usable:
            self.remember_check.setChecked(False)
            self.remember_check.setEnabled(False)
            self.remember_check.setText("&Remember the key (no secure keychain found)")
            tip = (
                info.reason
                if info is not None and info.reason
                else "No secure keychain is available."
            )
            tip += " MoeCheck never stores keys anywhere else."
        else:
            self.remember_check.setEnabled(True)
            self.remember_check.setText(f"&Remember the key in {info.name}")
            tip = (
                f"After a successful check, save the key in {info.name} so you can pick this "
                "workspace next time. It is stored nowhere else."
            )
            if self._settings.value("remember", False, type=bool):
                self.remember_check.setChecked(True)
        self.remember_check.setToolTip(tip)
        self.remember_check.setAccessibleDescription(tip)
        self.label_edit.setEnabled(self.remember_check.isChecked())
        self.keychainReady.emit(info)

    def _on_store_info_failed(self, exc: BaseException) -> None:
        log.warning("Keychain lookup failed: %s", type(exc).__name__)
        self._apply_store_info(None)

    def _on_remember_toggled(self, checked: bool) -> None:
        self.label_edit.setEnabled(checked)
        if self.remember_check.isEnabled():
            self._settings.setValue("remember", checked)

    def _save_key(self, running: _RunningCheck, outcome: Outcome) -> None:
        providers = self._providers
        workspace_id = outcome.workspace_id or running.workspace_id
        secret = running.secret
        dc = outcome.dc or running.dc
        label = running.label

        def save() -> str:
            return providers.keychain().save(workspace_id, secret)

        def saved(store_name: str) -> None:
            self.profiles.upsert(workspace_id, dc, label or None)
            self._refresh_profiles(select=workspace_id)
            self._show_remember_status(
                f"Saved the key for {workspace_id} in {store_name}. Pick it from "
                "Saved workspace next time.",
                Tone.SUCCESS,
            )
            self.keySaved.emit(store_name)

        def failed(exc: BaseException) -> None:
            self._show_remember_status(_keychain_message(exc, "The key was not saved."), Tone.ERROR)

        self.runner.start(save, saved, failed, name="keychain-save")

    def _show_remember_status(self, text: str, tone: Tone) -> None:
        colors = theme.tone_colors(tone, self.palette())
        self.remember_status.setStyleSheet(f"color: {colors.fg};")
        self.remember_status.setText(text)
        self.remember_status.setAccessibleDescription(text)
        self.remember_status.setVisible(bool(text))

    # ------------------------------------------------------------------ profiles

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
        self.workspace_edit.setText(profile.workspace_id)
        self.select_dc(profile.dc)
        self.label_edit.setText(profile.label)
        self.key_edit.clear()
        self.profiles_box.select(workspace_id)

    def load_profile(self, workspace_id: str) -> None:
        """Fill the form from a saved profile; its key is loaded on a worker thread."""
        if self._running is not None:
            self.cancel_check()
        self.runner.discard(self._profile_task)
        self._quietly(lambda: self._fill_profile_fields(workspace_id))
        self.result_panel.mark_stale()
        self.profiles.set_last(workspace_id)
        if self.demo is not None:
            return
        providers = self._providers

        def loaded(key: object) -> None:
            self._profile_task = None
            self._set_busy(False)
            if isinstance(key, str) and key:
                self._quietly(lambda: self.key_edit.setText(key))
                self._update_input_notice()
                self._show_remember_status(
                    f"Loaded the saved key for {workspace_id}.", Tone.SUCCESS
                )
            else:
                self._show_remember_status(
                    f"No key is saved for {workspace_id} any more. Enter it and test again.",
                    Tone.WARNING,
                )
            self.profileKeyLoaded.emit(workspace_id)

        def failed(exc: BaseException) -> None:
            self._profile_task = None
            self._set_busy(False)
            self._show_remember_status(
                _keychain_message(exc, "The saved key could not be loaded."), Tone.ERROR
            )
            self.profileKeyLoaded.emit(workspace_id)

        self._profile_task = self.runner.start(
            lambda: providers.keychain().load(workspace_id), loaded, failed, name="keychain-load"
        )
        self._set_busy(False)
        self._show_remember_status("Loading the saved key…", Tone.INFO)

    def confirm_forget(self, workspace_id: str) -> None:
        """Ask before forgetting: it deletes a key the user may not have anywhere else.

        The question is window-modal and opened with ``open()`` (not ``exec()``),
        so the event loop keeps running and tests can answer it like a user.
        """
        from PySide6.QtCore import Qt  # after first paint: the namespace is built by now

        profile = self.profiles.get(workspace_id)
        label = f"{workspace_id} ({profile.label})" if profile and profile.label else workspace_id
        info = self._store_info
        where = info.name if info is not None and info.usable else "the keychain"
        box = QMessageBox(self)
        box.setObjectName("forgetConfirm")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Forget saved workspace?")
        box.setText(f"Forget {label}?")
        box.setInformativeText(
            f"MoeCheck will delete its Data API key from {where} and remove it from the list. "
            "To check it again you will need to paste the key from the MoEngage dashboard."
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
        self.profiles.remove(workspace_id)
        self._refresh_profiles()
        if self.workspace_edit.text().strip() == workspace_id:
            self._quietly(self.key_edit.clear)
            self.result_panel.mark_stale()
        providers = self._providers

        def done(deleted: object) -> None:
            info = self._store_info
            where = info.name if info is not None and info.usable else "the keychain"
            what = "and deleted its key from" if deleted else "(no key was saved in"
            tail = "." if deleted else ")."
            self._show_remember_status(f"Forgot {workspace_id} {what} {where}{tail}", Tone.SUCCESS)
            self.profileForgotten.emit(workspace_id)

        def failed(exc: BaseException) -> None:
            self._show_remember_status(
                _keychain_message(
                    exc,
                    f"{workspace_id} was removed from the list, but its key "
                    "could not be deleted from the keychain.",
                ),
                Tone.ERROR,
            )
            self.profileForgotten.emit(workspace_id)

        self.runner.start(
            lambda: providers.keychain().delete(workspace_id), done, failed, name="keychain-delete"
        )

    # ------------------------------------------------------------------ demo

    def _on_demo_chosen(self, index: int) -> None:
        if self.demo_combo is None:
            return
        data = self.demo_combo.itemData(index)
        if isinstance(data, str):
            self._fill_demo(data)

    def _fill_demo(self, workspace_id: str) -> None:
        if self.demo is None:
            return
        for workspace in self.demo.workspaces:
            if workspace.workspace_id == workspace_id:
                self.workspace_edit.setText(workspace.workspace_id)
                self.key_edit.setText(workspace.api_key)
                self.select_dc(workspace.dc)
                if self.demo_combo is not None:
                    index = self.demo_combo.findData(workspace_id)
                    self.demo_combo.setCurrentIndex(max(index, 0))
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
        colors = theme.tone_colors(Tone.WARNING, self.palette())
        if self.demo is None:  # the banner is never shown: no style sheet to build
            self._update_input_notice()
            self.result_panel.restyle()
            return
        self.demo_banner.setStyleSheet(
            f"QFrame#demoBanner {{ background: {colors.bg}; border: 1px solid {colors.border};"
            " border-radius: 8px; }"
            f" QLabel#demoBannerTitle {{ color: {colors.fg}; }}"
        )
        self._update_input_notice()
        self.result_panel.restyle()

    def showEvent(self, event: Any) -> None:
        """Style once the palette is final (after the platform theme applied it)."""
        super().showEvent(event)
        self._restyle()
        if self._started:  # a later show (the first frame goes without icons)
            self._paint_header_icon()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Abandon any running check (its daemon thread is left behind) and save geometry."""
        self._closing = True
        running = self._running
        if running is not None:
            running.token.cancel()
            applog.unregister_secret(running.secret)
            self._running = None
        self._elapsed_timer.stop()
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


def _keychain_message(exc: BaseException, fallback: str) -> str:
    """A KeychainError's user-facing message, or ``fallback`` for anything else (logged)."""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    log.warning("Keychain operation failed: %s", type(exc).__name__)
    return fallback
