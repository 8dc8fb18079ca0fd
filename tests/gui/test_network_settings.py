"""Help › Network settings…: what MoeCheck would use now, and the PAC URL override.

Real parts: a forward proxy and PAC files (file:// and http://) on 127.0.0.1,
the real client choosing the way on the window's worker thread, the sandbox
behind the proxy, and the real settings file in this test's private HOME.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QPushButton

from moecheck_gui.gui import MainWindow
from moecheck_gui.gui.network_settings import NetworkSettingsDialog, RouteReport, pac_url_problem
from moecheck_gui.gui.window_settings import PAC_URL_KEY, WindowSettings, settings_path
from moecheck_gui.sandbox import Sandbox
from moecheck_gui.trust import describe_trust_mode
from tests.gui.test_window_check import fill, run_check
from tests.proxy_servers import ForwardProxy, PacServer, pac_file, pac_returning

PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "MOECHECK_PAC_URL",
)


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as running:
        yield running


def _open(qtbot: Any, window: MainWindow) -> NetworkSettingsDialog:
    action = window.findChild(QAction, "networkSettingsAction")
    assert isinstance(action, QAction) and action in window.menus.help_menu.actions()
    action.trigger()
    dialog = window.findChild(NetworkSettingsDialog, "networkSettingsDialog")
    assert isinstance(dialog, NetworkSettingsDialog) and dialog.isVisible()
    return dialog


def _tested(qtbot: Any, dialog: NetworkSettingsDialog, start: Callable[[], object]) -> RouteReport:
    with qtbot.waitSignal(dialog.tested, timeout=20000) as blocker:
        start()
    report = blocker.args[0]
    assert isinstance(report, RouteReport)
    return report


def _text(dialog: NetworkSettingsDialog, name: str) -> str:
    label = dialog.findChild(QLabel, name)
    assert label is not None, name
    return label.text() if label.isVisible() else ""


def test_shows_the_proxy_from_the_environment_and_the_trust_store(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    window = make_window()
    with qtbot.waitSignal(window.runner.taskDone, timeout=20000):
        dialog = _open(qtbot, window)
        # The look at the routes runs on a worker thread; the dialog says so meanwhile.
        assert dialog.is_testing()
        assert dialog.findChild(QLabel, "networkRoutes").text() == "Checking…"
        assert dialog.busy.isVisible()
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=20000)
    routes = _text(dialog, "networkRoutes")
    assert "api-01.moengage.com" in routes
    assert proxy.host_port in routes and "environment variables" in routes
    assert describe_trust_mode() in _text(dialog, "networkTrust")
    assert not dialog.busy.isVisible()
    assert _text(dialog, "networkError") == ""
    assert dialog.findChild(QLineEdit, "pacUrlEdit").accessibleName() == "PAC file address"
    for name in ("networkRoutes", "networkTrust", "networkError"):
        assert dialog.findChild(QLabel, name).accessibleName()


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("ftp://pac.example/p.pac", "http://, https:// or file://"),
        ("http://alice:secret@pac.example/p.pac", "Leave the user name and password out"),
        ("http:///p.pac", "no server name"),
        ("http://pac.example:99999/p.pac", "port"),
        ("http://pac example/p.pac", "without spaces"),
        ("pac.example/p.pac", "http://, https:// or file://"),
    ],
)
def test_a_bad_pac_address_is_refused_with_a_reason(typed: str, words: str) -> None:
    problem = pac_url_problem(typed)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    "typed", ["", "  ", "http://wpad/wpad.dat", "https://pac.corp:8443/p.pac", "file:///etc/p.pac"]
)
def test_good_pac_addresses_pass(typed: str) -> None:
    assert pac_url_problem(typed) is None


def test_pac_override_is_validated_kept_and_used_by_the_next_check(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    use_sandbox: Sandbox,
    proxy: ForwardProxy,
    tmp_path: Path,
) -> None:
    use_sandbox.add_workspace("PACWS", "pac-key-0001", "01", "Through The PAC")
    url = pac_file(tmp_path, "corp.pac", pac_returning(f"PROXY {proxy.host_port}; DIRECT"))
    window = make_window()
    dialog = _open(qtbot, window)
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=20000)
    edit = dialog.findChild(QLineEdit, "pacUrlEdit")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    apply = dialog.buttons.button(QDialogButtonBox.StandardButton.Apply)

    edit.setText("http://user:pw@pac.example/p.pac")
    assert not ok.isEnabled() and not apply.isEnabled()
    assert "Leave the user name and password out" in _text(dialog, "pacUrlProblem")

    edit.setText(url)
    assert ok.isEnabled() and _text(dialog, "pacUrlProblem") == ""
    report = _tested(qtbot, dialog, lambda: qtbot.mouseClick(apply, Qt.MouseButton.LeftButton))
    assert report.error is None and report.routes[0][1] == "pac"
    routes = _text(dialog, "networkRoutes")
    assert proxy.host_port in routes and url in routes and "PAC file set for MoeCheck" in routes
    assert len(report.routes) == 2 and "2. direct" in routes  # the PAC's fallback, in order
    # Kept in the window's settings file (not a secret), and used by the window's checks.
    assert WindowSettings(settings_path()).pac_url_override == url
    assert window.check_flow.providers.pac_url == url
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    fill(window, "PACWS", "pac-key-0001", "01")
    outcome = run_check(qtbot, window)
    assert outcome.ok and outcome.app_name == "Through The PAC"
    assert outcome.proxy == proxy.url and outcome.proxy_source == "pac"
    assert proxy.traffic.forwarded, "the check went through the proxy the PAC file named"


def test_a_failing_pac_file_shows_the_error_a_check_would_report(
    qtbot: Any, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = make_window()
    dialog = _open(qtbot, window)
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=20000)
    with PacServer() as pacs:
        missing = pacs.url("/missing.pac")
        dialog.pac_edit.setText(missing)
        test_again = dialog.findChild(QPushButton, "networkTestAgain")
        report = _tested(
            qtbot, dialog, lambda: qtbot.mouseClick(test_again, Qt.MouseButton.LeftButton)
        )
    assert report.error is not None and missing in report.error
    assert _text(dialog, "networkError") == report.error
    assert "not applied yet" in _text(dialog, "networkRoutes")
    # Test again did not apply it.
    assert window.check_flow.providers.pac_url is None

    broken = pac_file(tmp_path, "bad.pac", "function FindProxyForURL(u, h) { throw 'no route'; }")
    dialog.pac_edit.setText(broken)
    report = _tested(qtbot, dialog, dialog.test)
    assert report.error is not None and broken in report.error and "no route" in report.error
    # Cancel keeps the old setting.
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert window.check_flow.providers.pac_url is None
    assert WindowSettings(settings_path()).pac_url_override is None


def test_a_saved_override_is_used_by_the_next_window_and_can_be_cleared(
    qtbot: Any, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    url = pac_file(tmp_path, "p.pac", pac_returning("DIRECT"))
    settings = WindowSettings(settings_path())
    settings.pac_url_override = url
    settings.sync()
    window = make_window()
    assert window.check_flow.providers.pac_url == url
    dialog = _open(qtbot, window)
    assert dialog.pac_edit.text() == url
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=20000)
    dialog.pac_edit.clear()
    assert dialog.apply()
    assert window.check_flow.providers.pac_url is None
    qtbot.waitUntil(lambda: not dialog.is_testing(), timeout=20000)
    text = settings_path().read_text(encoding="utf-8")
    assert PAC_URL_KEY.split("/")[1] not in text
