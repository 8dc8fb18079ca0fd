"""Proxy sign-in in the window (issue 11): a Basic proxy asks, the window asks once, checks again.

Real parts: a forward proxy on 127.0.0.1 that demands Basic (or Negotiate), the
sandbox behind it, the real client, and -- for "Remember in the keychain" --
the real Secret Service (``scripts/with-keyring``). The password is a canary
that must appear in no file, log record, label or window title.
"""

from __future__ import annotations

import logging
import ssl
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QLineEdit, QPushButton

from moecheck_gui.gui import MainWindow
from moecheck_gui.gui.proxy_sign_in import (
    ProxySignIn,
    ProxySignInDialog,
    basic_proxy_of,
    decode_pair,
    encode_pair,
)
from moecheck_gui.keychain import PROXY_SERVICE, SERVICE, KeychainStore
from moecheck_gui.outcome import Outcome
from moecheck_gui.proxy import sign_in_advice
from tests import servers
from tests.gui.conftest import needs_keyring
from tests.gui.test_window_check import fill, run_check
from tests.proxy_servers import ForwardProxy
from tests.servers import ScriptedServer, scripted

USER = "corp\\marketer"
CANARY = f"pw-CANARY-{uuid.uuid4().hex}"
WS, KEY = "PROXYWS", "proxy-ws-key-0001"
PROXY_VARIABLES = ("NO_PROXY", "no_proxy", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")


@pytest.fixture
def https_api(
    monkeypatch: pytest.MonkeyPatch, server_context: ssl.SSLContext, trust_test_ca: Path
) -> Iterator[ScriptedServer]:
    """An https stand-in for MoEngage on 127.0.0.1 that the window checks (as with the real API,
    a proxy is reached with CONNECT, and TLS is verified through the tunnel)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with scripted(servers.success("Signed In Ltd"), tls=server_context) as server:
        monkeypatch.setenv("MOECHECK_API_BASE", server.url() + "/dc-{dc}")
        yield server


@pytest.fixture
def basic_proxy(
    https_api: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ForwardProxy, ScriptedServer]]:
    """The API reachable only through a proxy that wants USER:CANARY (Basic)."""
    with ForwardProxy(mode="basic", credentials=f"{USER}:{CANARY}") as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        yield proxy, https_api


def _offer(window: MainWindow) -> QFrame | None:
    found = window.findChild(QFrame, "proxySignInOffer")
    return found if isinstance(found, QFrame) else None


def _dialog(qtbot: Any, window: MainWindow) -> ProxySignInDialog:
    offer = _offer(window)
    assert offer is not None
    qtbot.waitUntil(offer.isVisible, timeout=10000)
    button = offer.findChild(QPushButton, "proxySignInButton")
    assert button.text() == "Sign in to the proxy…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(ProxySignInDialog, "proxySignInDialog")
    assert isinstance(dialog, ProxySignInDialog) and dialog.isVisible()
    return dialog


def _sign_in(
    qtbot: Any, window: MainWindow, password: str, *, remember: bool, user: str | None = USER
) -> Outcome:
    dialog = _dialog(qtbot, window)
    if user is not None:
        dialog.findChild(QLineEdit, "proxyUserEdit").setText(user)
    secret = dialog.findChild(QLineEdit, "proxyPasswordEdit")
    assert secret.echoMode() == QLineEdit.EchoMode.Password
    assert secret.accessibleName() == "Proxy password"
    secret.setText(password)
    dialog.findChild(QCheckBox, "proxyRememberCheck").setChecked(remember)
    ok = dialog.findChild(QPushButton, "proxySignInOk")
    with qtbot.waitSignal(window.checkFinished, timeout=15000) as blocker:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    outcome = blocker.args[0]
    assert isinstance(outcome, Outcome)
    return outcome


def _assert_canary_nowhere(window: MainWindow, *folders: Path, records: list[str]) -> None:
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                assert CANARY.encode() not in path.read_bytes(), path
    shown = [window.windowTitle(), *(label.text() for label in window.findChildren(QLabel))]
    shown += [edit.text() for edit in window.findChildren(QLineEdit) if edit.isVisible()]
    assert not any(CANARY in text for text in shown)
    assert not any(CANARY in record for record in records)


def test_basic_sign_in_is_asked_once_and_the_check_runs_again(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    basic_proxy: tuple[ForwardProxy, ScriptedServer],
    private_home: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    proxy, _sandbox = basic_proxy
    window = make_window()
    fill(window, WS, KEY, "01")
    first = run_check(qtbot, window)
    assert first.kind == "proxy" and first.http_status == 407
    assert basic_proxy_of(first) == proxy.host_port
    assert not proxy.traffic.forwarded, "the proxy let nothing through without sign-in"

    # A wrong password: the proxy says no again, and the window says so.
    wrong = _sign_in(qtbot, window, "not-the-password", remember=False)
    assert wrong.kind == "proxy" and wrong.http_status == 407
    offer = _offer(window)
    assert offer is not None
    qtbot.waitUntil(offer.isVisible, timeout=5000)
    assert "did not accept" in offer.findChild(QLabel, "proxySignInText").text()

    # The right one (the user name is remembered for this session).
    dialog_user = _dialog(qtbot, window).findChild(QLineEdit, "proxyUserEdit").text()
    assert dialog_user == USER
    window.findChild(ProxySignInDialog, "proxySignInDialog").reject()
    qtbot.waitUntil(lambda: window.findChild(ProxySignInDialog, "proxySignInDialog") is None)
    signed = _sign_in(qtbot, window, CANARY, remember=False, user=None)
    assert signed.ok and signed.app_name == "Signed In Ltd", signed
    assert signed.proxy == proxy.url
    assert not offer.isVisible()
    # The same session keeps it: the next check signs in without asking.
    assert run_check(qtbot, window).ok

    window.close()
    _assert_canary_nowhere(
        window, private_home, tmp_path, records=[r.getMessage() for r in caplog.records]
    )


def test_windows_sign_in_proxies_get_advice_not_a_dialog(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    https_api: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with ForwardProxy(mode="negotiate") as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        window = make_window()
        fill(window, WS, KEY, "01")
        outcome = run_check(qtbot, window)
    assert outcome.kind == "proxy" and outcome.http_status == 407
    assert basic_proxy_of(outcome) is None
    assert outcome.hint == sign_in_advice("negotiate")
    assert "Windows sign-in" in window.result_panel.text()
    offer = _offer(window)
    assert offer is None or not offer.isVisible()


def test_a_web_page_407_is_not_a_sign_in() -> None:
    page = Outcome(
        ok=False,
        kind="proxy",
        dc="01",
        workspace_id=WS,
        http_status=407,
        proxy=None,
        hint="Do not regenerate your key: it was never checked.",
    )
    assert basic_proxy_of(page) is None
    basic = page.replace(proxy="http://proxy.corp:8080", proxy_auth_scheme="basic")
    assert basic_proxy_of(basic) == "proxy.corp:8080"
    assert basic_proxy_of(basic.replace(proxy_auth_scheme="ntlm")) is None


def test_keychain_entry_holds_both_halves_and_rejects_junk() -> None:
    assert decode_pair(encode_pair(USER, CANARY)) == (USER, CANARY)
    for junk in (None, "", "not json", "[1, 2]", '{"username": "", "password": "x"}'):
        assert decode_pair(junk) is None


@pytest.fixture
def proxy_keychain() -> Iterator[KeychainStore]:
    store = KeychainStore(service=PROXY_SERVICE)
    info = store.info()
    if not info.usable:
        pytest.skip(f"no usable Secret Service: {info.reason}")
    yield store


@needs_keyring
@pytest.mark.keychain
def test_remembered_sign_in_is_kept_in_its_own_keychain_entry_and_used_next_time(
    qtbot: Any,
    make_window: Callable[..., MainWindow],
    basic_proxy: tuple[ForwardProxy, ScriptedServer],
    proxy_keychain: KeychainStore,
    private_home: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    proxy, _sandbox = basic_proxy
    try:
        window = make_window()
        fill(window, WS, KEY, "01")
        assert run_check(qtbot, window).http_status == 407
        part = window.findChild(ProxySignIn, "proxySignIn")
        assert isinstance(part, ProxySignIn)
        with qtbot.waitSignal(part.remembered, timeout=10000):
            assert _sign_in(qtbot, window, CANARY, remember=True).ok
        # Its own entry: service moecheck-proxy, user name = the proxy's host:port.
        assert decode_pair(proxy_keychain.load(proxy.host_port)) == (USER, CANARY)
        assert KeychainStore(service=SERVICE).load(proxy.host_port) is None
        window.close()

        # A new window (a new session): the kept pair is used without asking.
        second = make_window()
        fill(second, WS, KEY, "01")
        assert run_check(qtbot, second).http_status == 407
        # ... then the kept pair is read from the keychain and the check runs again by itself.
        with qtbot.waitSignal(second.checkFinished, timeout=15000) as retried:
            pass
        assert retried.args[0].ok and retried.args[0].app_name == "Signed In Ltd"
        assert second.findChild(ProxySignInDialog, "proxySignInDialog") is None
        offer = _offer(second)
        assert offer is not None and not offer.isVisible()
        second.close()
        _assert_canary_nowhere(
            second, private_home, tmp_path, records=[r.getMessage() for r in caplog.records]
        )
    finally:
        proxy_keychain.delete(proxy.host_port)
