"""Help › Network settings…: the way MoeCheck would reach MoEngage right now, and a PAC override.

What the dialog shows (issue 11): the route or routes a check would take (a
PAC answer may list fallbacks), where that choice came from (environment, PAC
file, operating-system setting, or none: direct) and why, and the trust roots
TLS is verified against. A PAC file that cannot be fetched or does not run is
shown as the error a check would report (``ProxyConfigError``'s sentence).

Why on a worker thread: choosing the way may read the OS setting (a
subprocess), fetch a PAC file and run it (docs/proxies.md). The dialog asks
:meth:`moecheck_gui.client.Checker.routes` through the window's
:class:`~moecheck_gui.gui.tasks.TaskRunner` and shows "Checking…" meanwhile;
the task holds plain values, never the dialog.

The PAC URL override is kept in the window's settings (``window.ini``,
``network/pac_url_override``): it is not a secret, and a URL with a user name
or password in it is refused. Applying it makes the window's checks (and
check-all) use it from the next check on; it replaces ``MOECHECK_PAC_URL``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui.i18n import _

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

    from moecheck_gui.gui.main_window import MainWindow
    from moecheck_gui.gui.providers import Providers
    from moecheck_gui.gui.tasks import TaskRunner
    from moecheck_gui.gui.window_settings import WindowSettings
    from moecheck_gui.proxy import SystemProxy

PAC_SCHEMES = ("http", "https", "file")
MAX_PAC_URL = 2048
ROUTES_TIMEOUT_S = 10.0
"""How long the dialog waits for the way to be chosen (a PAC fetch and run included)."""


def pac_url_problem(text: str) -> str | None:
    """Why ``text`` cannot be the PAC URL override, or None when it can (empty: no override)."""
    value = text.strip()
    if not value:
        return None
    if len(value) > MAX_PAC_URL or not value.isprintable() or any(c.isspace() for c in value):
        return _("The address must be one line without spaces.")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return _("This is not a valid address (check the port number).")
    scheme = parts.scheme.lower()
    if scheme not in PAC_SCHEMES:
        return _("Enter an http://, https:// or file:// address of a PAC file.")
    if parts.username is not None or parts.password is not None:
        return _(
            "Leave the user name and password out of the address: it is kept in a settings "
            "file. MoeCheck asks for proxy sign-in when the proxy wants it."
        )
    if scheme in ("http", "https") and not parts.hostname:
        return _("The address has no server name.")
    if scheme == "file" and not parts.path:
        return _("The file address has no path.")
    return None


class RouteReport(NamedTuple):
    """What the worker found: plain values only."""

    host: str
    routes: tuple[tuple[str, str | None], ...]
    """Each route: (its description, its source)."""
    error: str | None
    trust: str


def source_words(source: str | None) -> str:
    """How to name where a route came from."""
    return {
        "env": _("the proxy environment variables (HTTPS_PROXY, NO_PROXY)"),
        "pac": _("a PAC file set for MoeCheck"),
        "system": _("this computer's proxy setting"),
    }.get(source or "", _("none: no proxy is set anywhere, so checks go direct"))


def find_routes(
    api_base: str | None,
    dc: str,
    pac_url: str | None,
    system_proxy: Callable[[], SystemProxy | None] | None,
) -> RouteReport:
    """Worker thread: the routes a check would take now, or the error a check would report."""
    from urllib.parse import urlsplit as split

    from moecheck_gui.client import Checker
    from moecheck_gui.datacenters import parse_dc
    from moecheck_gui.inputs import endpoint_url
    from moecheck_gui.proxy import ProxyConfigError
    from moecheck_gui.trust import describe_trust_mode

    host = split(endpoint_url(parse_dc(dc), api_base)).netloc
    checker = Checker(api_base=api_base, pac_url=pac_url, system_proxy=system_proxy)
    error: str | None = None
    found: tuple[tuple[str, str | None], ...] = ()
    try:
        routes = checker.routes(dc, timeout=ROUTES_TIMEOUT_S)
        found = tuple((route.describe(), route.source) for route in routes)
    except ProxyConfigError as exc:
        error = str(exc)
    finally:
        checker.close()
    return RouteReport(host, found, error, describe_trust_mode())


class NetworkSettingsDialog(QDialog):
    """What MoeCheck will use to reach MoEngage now, and the PAC URL override.

    objectNames: ``networkSettingsDialog``, ``pacUrlEdit``, ``networkRoutes``,
    ``networkError``, ``networkTrust``, ``networkBusy``, ``pacUrlProblem``,
    ``networkTestAgain``.

    Signals:
        tested(object): a look at the routes ended; its :class:`RouteReport`.
        applied(object): the PAC URL override was applied; the URL or None.
    """

    tested = Signal(object)
    applied = Signal(object)

    def __init__(
        self,
        settings: WindowSettings,
        providers: Providers,
        runner: TaskRunner,
        *,
        api_base: str | None = None,
        dc: str = "01",
        system_proxy: Callable[[], SystemProxy | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("networkSettingsDialog")
        self.setWindowTitle(_("Network settings"))
        self._settings = settings
        self._providers = providers
        self._runner = runner
        self._api_base = api_base
        self._dc = dc
        self._system_proxy = system_proxy
        self._task: int | None = None
        self._generation = itertools.count(1)
        self._current = 0
        self._refit = QTimer(self)  # a child: it dies with the dialog
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit)
        self._build()
        self.pac_edit.setText(settings.pac_url_override or "")
        self._validate()

    # -- layout --------------------------------------------------------------------

    def _build(self) -> None:
        box = QVBoxLayout(self)
        way = QGroupBox(_("How checks reach MoEngage now"), self)
        way_box = QVBoxLayout(way)
        self.routes_label = _plain_label(way, "networkRoutes", _("The way a check would go"))
        way_box.addWidget(self.routes_label)
        self.busy = QProgressBar(way)
        self.busy.setObjectName("networkBusy")
        self.busy.setAccessibleName(_("Checking the proxy settings"))
        self.busy.setRange(0, 0)  # busy: an animation, no number
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.setVisible(False)
        way_box.addWidget(self.busy)
        self.error_label = _plain_label(way, "networkError", _("Proxy problem"))
        self.error_label.setVisible(False)
        way_box.addWidget(self.error_label)
        self.trust_label = _plain_label(way, "networkTrust", _("Trusted certificates"))
        way_box.addWidget(self.trust_label)
        box.addWidget(way)

        pac = QGroupBox(_("PAC file for MoeCheck"), self)
        form = QFormLayout(pac)
        explain = QLabel(
            _(
                "Leave empty to choose the proxy as your browser does. A PAC file set here "
                "replaces MOECHECK_PAC_URL; the HTTPS_PROXY environment variable still comes "
                "first."
            ),
            pac,
        )
        explain.setTextFormat(Qt.TextFormat.PlainText)
        explain.setWordWrap(True)
        form.addRow(explain)
        self.pac_edit = QLineEdit(pac)
        self.pac_edit.setObjectName("pacUrlEdit")
        self.pac_edit.setAccessibleName(_("PAC file address"))
        self.pac_edit.setPlaceholderText("http://wpad.example.com/proxy.pac")
        self.pac_edit.setClearButtonEnabled(True)
        self.pac_edit.textChanged.connect(self._validate)
        form.addRow(_("PAC &address:"), self.pac_edit)
        self.pac_problem = _plain_label(pac, "pacUrlProblem", _("Problem with the PAC address"))
        self.pac_problem.setVisible(False)
        form.addRow(self.pac_problem)
        box.addWidget(pac)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel,
            self,
        )
        self.buttons = buttons
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.apply_button = buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.test_button = buttons.addButton(
            _("&Test again"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.test_button.setObjectName("networkTestAgain")
        self.test_button.setToolTip(_("Look again at the proxy settings and the PAC file"))
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        buttons.clicked.connect(self._clicked)
        box.addWidget(buttons)
        self.setMinimumWidth(560)

    # -- the PAC field -------------------------------------------------------------

    def pac_url(self) -> str | None:
        """The override as typed (trimmed), None when empty."""
        return self.pac_edit.text().strip() or None

    def _validate(self) -> bool:
        problem = pac_url_problem(self.pac_edit.text())
        self.pac_problem.setText(problem or "")
        self.pac_problem.setVisible(problem is not None)
        if problem is not None:
            self._fit()
        valid = problem is None
        self.ok_button.setEnabled(valid)
        self.apply_button.setEnabled(valid)
        self.test_button.setEnabled(valid)
        return valid

    def _clicked(self, button: QAbstractButton) -> None:
        if button is self.apply_button:
            self.apply()
        elif button is self.test_button:
            self.test()

    def apply(self) -> bool:
        """Keep the override (or its removal) and use it from the next check on."""
        if not self._validate():
            return False
        url = self.pac_url()
        self._settings.pac_url_override = url
        self._settings.sync()
        self._providers.set_pac_url(url)
        self.applied.emit(url)
        self.test()
        return True

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    # -- looking at the routes -----------------------------------------------------

    def is_testing(self) -> bool:
        """True while a look at the routes runs."""
        return self._task is not None

    def test(self) -> None:
        """Look at the routes on a worker thread (with the PAC address typed, when valid)."""
        if not self._validate():
            return
        self._runner.discard(self._task)
        generation = self._current = next(self._generation)
        api_base, dc, pac_url, system = self._api_base, self._dc, self.pac_url(), self._system_proxy

        def work() -> RouteReport:  # holds plain values only, never the dialog
            return find_routes(api_base, dc, pac_url, system)

        self.busy.setVisible(True)
        self.routes_label.setText(_("Checking…"))
        self.error_label.setVisible(False)
        self._task = self._runner.start(
            work,
            lambda report: self._show(generation, report),
            lambda exc: self._failed(generation, exc),
            name="network-routes",
        )

    def _show(self, generation: int, report: Any) -> None:
        if generation != self._current or not isinstance(report, RouteReport):
            return
        self._task = None
        self.busy.setVisible(False)
        pending = self.pac_url() != self._settings.pac_url_override
        lines = [_("For a check to {host}:").format(host=report.host)]
        if pending:
            lines.append(_("(with the PAC address below, not applied yet)"))
        if report.error is None:
            for number, (words, source) in enumerate(report.routes, start=1):
                prefix = f"{number}. " if len(report.routes) > 1 else ""
                lines.append(prefix + words)
                lines.append("    " + _("Chosen by: {source}").format(source=source_words(source)))
            self.error_label.setVisible(False)
        else:
            lines.append(_("A check would stop here, before reaching MoEngage:"))
            self.error_label.setText(report.error)
            self.error_label.setVisible(True)
        self.routes_label.setText("\n".join(lines))
        self.trust_label.setText(_("Certificates: {trust}").format(trust=report.trust))
        self._fit()
        self._refit.start()  # again once the labels have their wrapped sizes
        self.tested.emit(report)

    def _fit(self) -> None:
        """Grow to show every line: wrapped labels get taller, and a shown dialog stays put."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if wanted > self.height():
            self.resize(self.width(), wanted)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._current:
            return
        self._task = None
        self.busy.setVisible(False)
        self.routes_label.setText(_("MoeCheck could not look at the proxy settings."))
        self.error_label.setText(type(exc).__name__)
        self.error_label.setVisible(True)
        self.tested.emit(None)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Fit again after any resize: a look-up that answers before the window system
        has placed the dialog had its grown height undone by the late first placement,
        clipping the routes (seen in the README screenshots). ``_fit`` only grows."""
        super().resizeEvent(event)
        self._refit.start()

    def done(self, result: int) -> None:
        """Closing drops a look still running (its late answer is ignored)."""
        self._runner.discard(self._task)
        self._task = None
        self._current = 0
        super().done(result)


def _plain_label(parent: QWidget, name: str, accessible: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def open_network_settings(window: MainWindow) -> NetworkSettingsDialog:
    """Help › Network settings…: open the dialog (one at a time) and look at the routes."""
    found = window.findChild(NetworkSettingsDialog, "networkSettingsDialog")
    if isinstance(found, NetworkSettingsDialog) and found.isVisible():
        found.activateWindow()
        return found
    import os

    dc = window.current_dc()
    dialog = NetworkSettingsDialog(
        window._settings,  # the window's own preferences file
        window.check_flow.providers,
        window.runner,
        api_base=os.environ.get("MOECHECK_API_BASE") or None,
        dc=dc if dc and dc != "auto" else "01",
        parent=window,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.test()
    return dialog
