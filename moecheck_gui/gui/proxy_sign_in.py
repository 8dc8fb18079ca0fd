"""Proxy sign-in in the window (issue 11): a proxy asked for a user name and password.

When a check ends with a ``proxy`` verdict, HTTP 407, and the proxy asked for
Basic sign-in, the window offers "Sign in to the proxy…" under the result. The
small dialog asks for the user name and password once (the password masked,
with show/hide), optionally keeps them in the OS keychain under their own
entry (service ``moecheck-proxy``, user name = the proxy's ``host:port``), and
checks again with them. A pair kept earlier is taken from the keychain (on a
worker thread) the first time that proxy asks, before the user is bothered.

For Negotiate/NTLM (Windows sign-in) nothing is offered: MoeCheck cannot sign
in that way, and the verdict's hint already says what resolves it
(:func:`moecheck_gui.proxy.sign_in_advice`).

Credentials never go to settings, logs, reports or the screen: the password is
registered with the log's redaction while the session holds it, and only the
checker's route carries it (``ProxyRoute.connect_url``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui import applog
from moecheck_gui.gui.password_edit import PasswordEdit, with_shortcut
from moecheck_gui.i18n import _

if TYPE_CHECKING:
    from moecheck_gui.gui.main_window import MainWindow
    from moecheck_gui.outcome import Outcome


class ProxyKeychain(Protocol):
    """What the sign-in needs from a keychain (a :class:`~moecheck_gui.keychain.KeychainStore`)."""

    def load(self, workspace_id: str) -> str | None:
        """The stored text for this user name (here: a proxy's ``host:port``), or None."""
        ...

    def save(self, workspace_id: str, api_key: str) -> str:
        """Store text under this user name; return the store's name."""
        ...


def basic_proxy_of(outcome: Outcome) -> str | None:
    """``host:port`` of the proxy that asked for Basic sign-in in ``outcome``, else None."""
    if outcome.kind != "proxy" or outcome.http_status != 407 or not outcome.proxy:
        return None
    if (outcome.proxy_auth_scheme or "").lower() != "basic":
        return None
    return outcome.proxy.split("://", 1)[-1]


def encode_pair(username: str, password: str) -> str:
    """The keychain entry's secret: both halves in one JSON text."""
    return json.dumps({"username": username, "password": password})


def decode_pair(text: str | None) -> tuple[str, str] | None:
    """The (user, password) kept by :func:`encode_pair`, or None for anything else."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    user, password = data.get("username"), data.get("password")
    if isinstance(user, str) and user and isinstance(password, str):
        return user, password
    return None


def _os_proxy_keychain() -> ProxyKeychain:
    from moecheck_gui.keychain import PROXY_SERVICE, KeychainStore

    return KeychainStore(service=PROXY_SERVICE)


class ProxyPasswordEdit(PasswordEdit):
    """The key field's masked edit with show/hide, worded for a password."""

    def _update_action(self) -> None:
        super()._update_action()
        text = _("Hide password") if self.is_revealed() else _("Show password")
        self.toggle_action.setText(text)
        self.toggle_action.setToolTip(with_shortcut(text))


class ProxySignInDialog(QDialog):
    """Asks for the proxy's user name and password (objectName ``proxySignInDialog``).

    Signals: none beyond QDialog's (``accepted``: read :meth:`credentials`).
    """

    def __init__(
        self,
        host_port: str,
        *,
        username: str = "",
        can_remember: bool = True,
        problem: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("proxySignInDialog")
        self.setWindowTitle(_("Sign in to the proxy"))
        self.host_port = host_port
        box = QVBoxLayout(self)
        intro = QLabel(
            _(
                "The proxy server {proxy} asks for a user name and password before it lets "
                "MoeCheck through. These are usually your company network sign-in."
            ).format(proxy=host_port),
            self,
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        box.addWidget(intro)
        self.problem_label = QLabel(problem, self)
        self.problem_label.setObjectName("proxySignInProblem")
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setWordWrap(True)
        self.problem_label.setVisible(bool(problem))
        box.addWidget(self.problem_label)

        form = QFormLayout()
        self.user_edit = QLineEdit(username, self)
        self.user_edit.setObjectName("proxyUserEdit")
        self.user_edit.setAccessibleName(_("Proxy user name"))
        form.addRow(_("&User name:"), self.user_edit)
        self.password_edit = ProxyPasswordEdit(self)
        self.password_edit.setObjectName("proxyPasswordEdit")
        self.password_edit.setAccessibleName(_("Proxy password"))
        form.addRow(_("&Password:"), self.password_edit)
        box.addLayout(form)
        self.remember_check = QCheckBox(_("&Remember in the keychain"), self)
        self.remember_check.setObjectName("proxyRememberCheck")
        self.remember_check.setToolTip(
            _("Keep them in this computer's keychain under their own entry (never in a file).")
        )
        self.remember_check.setEnabled(can_remember)
        box.addWidget(self.remember_check)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("Sign in and check again"))
        ok.setObjectName("proxySignInOk")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)
        self.user_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        (self.password_edit if username else self.user_edit).setFocus()
        self.setMinimumWidth(440)

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.user_edit.text().strip()))

    def credentials(self) -> tuple[str, str, bool]:
        """(user name, password, remember) as entered; the user name trimmed."""
        remember = self.remember_check.isChecked() and self.remember_check.isEnabled()
        return self.user_edit.text().strip(), self.password_edit.text(), remember


class ProxySignIn(QObject):
    """The window's proxy sign-in: the offer under the result, the dialog, the keychain entry.

    One per window (:meth:`of`), built on the first 407. A QObject child of the
    window that keeps no Python reference to it.

    Signals:
        signedIn(str): credentials were given for this proxy (``host:port``) and
            the check was started again.
        remembered(str): they were kept in the keychain; the store's name.
        keychainProblem(str): the keychain could not keep or give them; why.
    """

    signedIn = Signal(str)
    remembered = Signal(str)
    keychainProblem = Signal(str)

    keychain_factory: Callable[[], ProxyKeychain] = staticmethod(_os_proxy_keychain)
    """Builds the proxy keychain (on a worker thread); tests may replace it per instance."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("proxySignIn")
        self._demo = window.demo is not None
        self._keychain: ProxyKeychain | None = None
        self._looked_up: set[str] = set()
        self._retry: str | None = None
        self._usernames: dict[str, str] = {}
        self._host_port: str | None = None
        self._refused = False
        """The last sign-in given was answered with another 407."""
        self.dialog: ProxySignInDialog | None = None
        self.offer = self._build_offer(window)
        window.check_flow.started.connect(self._on_check_started)

    @classmethod
    def of(cls, window: MainWindow) -> ProxySignIn:
        """The window's sign-in part, built on first use."""
        found = window.findChild(ProxySignIn, "proxySignIn")
        return found if isinstance(found, ProxySignIn) else cls(window)

    def _window(self) -> MainWindow:
        # Its Qt parent is always the window (see ``of``); a cast, not an import, keeps
        # this module free of a run-time import of main_window (no cycle).
        return cast("MainWindow", self.parent())

    def _build_offer(self, window: MainWindow) -> QFrame:
        panel = window.result_panel
        holder = panel.parentWidget()
        offer = QFrame(holder)
        offer.setObjectName("proxySignInOffer")
        offer.setAccessibleName(_("Proxy sign-in"))
        row = QHBoxLayout(offer)
        row.setContentsMargins(0, 0, 0, 0)
        self.offer_label = QLabel(offer)
        self.offer_label.setObjectName("proxySignInText")
        self.offer_label.setTextFormat(Qt.TextFormat.PlainText)
        self.offer_label.setWordWrap(True)
        row.addWidget(self.offer_label, 1)
        self.offer_button = QPushButton(_("Sign in to the proxy…"), offer)
        self.offer_button.setObjectName("proxySignInButton")
        self.offer_button.clicked.connect(self.open_dialog)
        row.addWidget(self.offer_button)
        layout = holder.layout() if holder is not None else None
        if layout is not None:
            index = layout.indexOf(panel)
            insert = getattr(layout, "insertWidget", None)
            if callable(insert) and index >= 0:
                insert(index + 1, offer)
            else:  # pragma: no cover - the window's layout is a box layout
                layout.addWidget(offer)
        offer.setVisible(False)
        return offer

    # -- deciding ------------------------------------------------------------------

    def consider(self, outcome: Outcome) -> None:
        """A check ended: offer sign-in when a proxy asked for Basic, else hide the offer."""
        retried, self._retry = self._retry, None
        host_port = basic_proxy_of(outcome)
        if host_port is None:
            self._host_port = None
            self._refused = False
            self.offer.setVisible(False)
            return
        self._host_port = host_port
        self._refused = retried == host_port
        if self._refused:
            self._show_offer(
                _("The proxy {proxy} did not accept that user name and password.").format(
                    proxy=host_port
                )
            )
        elif not self._demo and host_port not in self._looked_up:
            self._looked_up.add(host_port)
            self._look_up(host_port)
        else:
            self._show_offer(
                _("The proxy {proxy} asks for a user name and password.").format(proxy=host_port)
            )

    def _show_offer(self, text: str) -> None:
        self.offer_label.setText(text)
        self.offer.setVisible(True)

    def _on_check_started(self, _run: object) -> None:
        self.offer.setVisible(False)

    # -- the keychain (worker threads) ---------------------------------------------

    def _store(self) -> ProxyKeychain:
        """Worker thread: the proxy keychain, built once."""
        if self._keychain is None:
            self._keychain = self.keychain_factory()
        return self._keychain

    def _look_up(self, host_port: str) -> None:
        """Ask the keychain for a kept pair; sign in with it, or offer the dialog."""
        store = self._store

        def work() -> tuple[str, str] | None:
            return decode_pair(store().load(host_port))

        def found(pair: object) -> None:
            if isinstance(pair, tuple) and len(pair) == 2:
                self._usernames[host_port] = str(pair[0])
                self.sign_in(host_port, str(pair[0]), str(pair[1]), remember=False)
            else:
                self._show_offer(
                    _("The proxy {proxy} asks for a user name and password.").format(
                        proxy=host_port
                    )
                )

        def failed(_exc: BaseException) -> None:
            # No usable keychain (or it is locked): just ask.
            found(None)

        self._window().runner.start(work, found, failed, name="proxy-keychain-load")

    def _remember(self, host_port: str, username: str, password: str) -> None:
        store = self._store
        secret = encode_pair(username, password)

        def work() -> str:
            return store().save(host_port, secret)

        def failed(exc: BaseException) -> None:
            message = getattr(exc, "message", None)
            text = (
                message
                if isinstance(message, str)
                else _("The keychain could not keep the proxy sign-in.")
            )
            self.keychainProblem.emit(text)

        self._window().runner.start(work, self.remembered.emit, failed, name="proxy-keychain-save")

    # -- signing in ------------------------------------------------------------------

    def open_dialog(self) -> ProxySignInDialog | None:
        """Open the sign-in dialog for the proxy that asked (window-modal, not blocking)."""
        host_port = self._host_port
        if host_port is None:
            return None
        problem = self.offer_label.text() if self._refused else ""
        dialog = ProxySignInDialog(
            host_port,
            username=self._usernames.get(host_port, ""),
            can_remember=not self._demo,
            problem=problem,
            parent=self._window(),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)

        def accepted() -> None:
            user, password, remember = dialog.credentials()
            self.sign_in(host_port, user, password, remember=remember)

        dialog.accepted.connect(accepted)
        self.dialog = dialog
        dialog.open()
        return dialog

    def sign_in(self, host_port: str, username: str, password: str, *, remember: bool) -> None:
        """Use these for ``host_port`` from now on (this session), maybe keep them, check again."""
        if password:
            applog.register_secret(password)
        window = self._window()
        self._usernames[host_port] = username
        window.check_flow.providers.set_proxy_credentials(host_port, username, password)
        if remember:
            self._remember(host_port, username, password)
        self._retry = host_port
        self.offer.setVisible(False)
        if window.start_check():
            self.signedIn.emit(host_port)
        else:
            self._retry = None
