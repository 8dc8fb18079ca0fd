"""The window's demo mode reaches every new diagnosis: its chooser lists them, and a
certificate demo goes to its own TLS listener (the real window, offscreen, and the real sandbox).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox

from moecheck_gui.gui.demo import DemoMode
from moecheck_gui.gui.main_window import MainWindow
from moecheck_gui.outcome import Kind
from moecheck_gui.sandbox import DEMO_WORKSPACES, TLS_WORKSPACES, Sandbox
from tests.gui.conftest import make_window, private_home, sandbox  # noqa: F401
from tests.gui.test_window_check import panel_text, run_check


def _combo(window: MainWindow) -> QComboBox:
    combo = window.findChild(QComboBox, "demoWorkspaceCombo")
    assert combo is not None
    return combo


def _pick(qtbot: Any, window: MainWindow, workspace_id: str) -> None:
    combo = _combo(window)
    index = combo.findData(workspace_id)
    assert index >= 0, workspace_id
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_demo_chooser_shows_the_new_diagnoses_and_they_reach_their_scenario(
    qtbot: Any,
    make_window: Callable[..., MainWindow],  # noqa: F811
    sandbox: Sandbox,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)  # demo mode: the OS trust store
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    demo = DemoMode(api_base=sandbox.api_base, workspaces=DEMO_WORKSPACES, sandbox=sandbox)
    window = make_window(demo=demo)
    combo = _combo(window)
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert len(labels) == len(DEMO_WORKSPACES)
    for workspace in DEMO_WORKSPACES:
        assert f"{workspace.workspace_id} — {workspace.note}" in labels

    _pick(qtbot, window, "DEMO_INSPECTED")
    outcome = run_check(qtbot, window)
    assert outcome.kind == Kind.TLS
    assert outcome.certificate is not None and outcome.certificate.problem == "untrusted_issuer"
    assert "Zscaler Root CA" in panel_text(window)
    assert sandbox.requests == [], "the certificate demo went to its own listener"

    _pick(qtbot, window, "DEMO_WEBFILTER")
    outcome = run_check(qtbot, window)
    assert (outcome.kind, outcome.http_status) == (Kind.PROXY, 403)
    assert outcome.page_title == "Access Denied"
    assert len(sandbox.requests) == 1


def test_demo_mode_without_a_routing_sandbox_uses_its_api_base() -> None:
    demo = DemoMode(api_base="http://127.0.0.1:1/dc-{dc}", workspaces=DEMO_WORKSPACES)
    for workspace_id in ("DEMO_US", *TLS_WORKSPACES):
        assert demo.api_base_for(workspace_id) == "http://127.0.0.1:1/dc-{dc}"
