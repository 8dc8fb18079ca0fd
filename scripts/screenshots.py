"""Take the README screenshots of the real window, checking against the in-process sandbox.

Run under Xvfb (and, for the "Remember in …" wording, with a keychain):

    xvfb-run -a -s '-screen 0 1280x1024x24' \\
        scripts/with-keyring .venv/bin/python scripts/screenshots.py

Writes docs/screenshots/{empty,success,auth-failure,tls-failure,demo,dark}.png.
Nothing here contacts MoEngage: every check goes to a Sandbox on 127.0.0.1.
A throwaway HOME keeps the developer's saved workspaces out of the pictures.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SIZE = (660, 700)

_home = Path(tempfile.mkdtemp(prefix="moecheck-shots-"))
for _name, _sub in (
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_STATE_HOME", "state"),
    ("XDG_CACHE_HOME", "cache"),
):
    os.environ[_name] = str(_home / _sub)
sys.path.insert(0, str(ROOT))

import trustme  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyleFactory  # noqa: E402

from moecheck_gui.gui import DemoMode, MainWindow, theme  # noqa: E402
from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox  # noqa: E402

US, EU = DEMO_WORKSPACES[0], DEMO_WORKSPACES[1]


def wait(ms: int) -> None:
    """Let the event loop run (layouts settle, workers report back)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def check(window: MainWindow, timeout_ms: int = 20000) -> None:
    """Click Test connection and wait until the check has finished."""
    loop = QEventLoop()
    window.checkFinished.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    window.test_button.click()
    loop.exec()
    window.checkFinished.disconnect(loop.quit)
    wait(250)


def shot(window: MainWindow, name: str) -> None:
    """Save the window's content at device resolution."""
    window.result_panel.setFocus()
    wait(100)
    # Fit the height to the content, like a window opened at its natural size.
    content = window.centralWidget().widget()
    height = content.sizeHint().height() + window.menuBar().sizeHint().height()
    window.resize(SIZE[0], max(height, 420))
    wait(200)
    path = OUT / f"{name}.png"
    window.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT)}")


def new_window(**kwargs: object) -> MainWindow:
    window = MainWindow(**kwargs)  # type: ignore[arg-type]
    window.resize(*SIZE)
    window.show()
    wait(600)
    return window


def enter(window: MainWindow, workspace_id: str, key: str, dc: str) -> None:
    window.workspace_edit.setText(workspace_id)
    window.key_edit.setText(key)
    window.select_dc(dc)


def dark_palette() -> QPalette:
    """A neutral dark palette like the desktop's dark mode."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202226",
        QPalette.ColorRole.WindowText: "#E7E9EC",
        QPalette.ColorRole.Base: "#2A2D32",
        QPalette.ColorRole.AlternateBase: "#30343A",
        QPalette.ColorRole.Text: "#E7E9EC",
        QPalette.ColorRole.Button: "#2E3237",
        QPalette.ColorRole.ButtonText: "#E7E9EC",
        QPalette.ColorRole.Highlight: theme.BRAND,
        QPalette.ColorRole.HighlightedText: "#FFFFFF",
        QPalette.ColorRole.ToolTipBase: "#2A2D32",
        QPalette.ColorRole.ToolTipText: "#E7E9EC",
        QPalette.ColorRole.PlaceholderText: "#8B9099",
        QPalette.ColorRole.Link: "#7CC4FF",
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6B7079"))
    return palette


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setApplicationName("MoeCheck")
    app.setWindowIcon(theme.app_icon())
    steps: list[tuple[str, Callable[[Sandbox], None]]] = []

    with Sandbox() as box:
        os.environ["MOECHECK_API_BASE"] = box.api_base

        def empty(_: Sandbox) -> None:
            window = new_window()
            shot(window, "empty")
            window.close()

        def success(_: Sandbox) -> None:
            window = new_window()
            enter(window, US.workspace_id, US.api_key + "\n", "01")
            check(window)
            shot(window, "success")
            window.close()

        def auth(box: Sandbox) -> None:
            window = new_window()
            enter(window, EU.workspace_id, EU.api_key, "01")  # right key, wrong DC
            window.result_panel.details_toggle.setChecked(True)
            check(window)
            shot(window, "auth-failure")
            window.close()

        def demo(box: Sandbox) -> None:
            window = new_window(demo=DemoMode(box.api_base, DEMO_WORKSPACES, box))
            check(window)
            shot(window, "demo")
            window.close()

        def dark(box: Sandbox) -> None:
            original = app.palette()
            app.setPalette(dark_palette())
            window = new_window()
            enter(window, US.workspace_id, US.api_key, "01")
            check(window)
            shot(window, "dark")
            window.close()
            app.setPalette(original)

        steps += [("empty", empty), ("success", success), ("auth", auth), ("demo", demo)]
        steps += [("dark", dark)]
        for _name, step in steps:
            step(box)
        tls_failure()
    return 0


def tls_failure() -> None:
    """A sandbox whose certificate is signed by a CA this machine does not trust.

    Like a TLS-inspecting office proxy: the OS trust store (what users have)
    does not know the issuer, so the environment's CA variables are cleared.
    """
    tmp = Path(tempfile.mkdtemp(prefix="moecheck-tls-"))
    server_ca = trustme.CA()
    cert = server_ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(tmp / "cert.pem"))
    cert.private_key_pem.write_to_path(str(tmp / "key.pem"))
    os.environ.pop("REQUESTS_CA_BUNDLE", None)
    os.environ.pop("SSL_CERT_FILE", None)
    with Sandbox(tls=(str(tmp / "cert.pem"), str(tmp / "key.pem"))) as box:
        os.environ["MOECHECK_API_BASE"] = box.api_base
        window = new_window()
        enter(window, US.workspace_id, US.api_key, "01")
        window.result_panel.details_toggle.setChecked(True)
        check(window)
        shot(window, "tls-failure")
        window.close()


if __name__ == "__main__":
    sys.exit(main())
