"""Take the README screenshots of the real window, checking against the in-process sandbox.

Run under Xvfb, with a keychain (check-all reads saved keys from it); ``make
screenshots`` does exactly this:

    xvfb-run -a -s '-screen 0 1600x1400x24' \\
        scripts/with-keyring .venv/bin/python scripts/screenshots.py

(and installs a Japanese font, fonts-ipafont-gothic, first: without one the
Japanese pictures show empty boxes).

Writes docs/screenshots/*.png: the English set (empty, success, auth-failure,
tls-failure, dark, demo, tls-inspection, timeout-tls-stall, web-filter,
keep-checking, check-all, network-settings) and, per language in
:data:`LANGUAGES`, ``lang-<code>-success.png`` and ``lang-<code>-failure.png``.

Each language runs in a child process of its own (``--lang CODE``) with a
throwaway HOME, started the way a user's choice takes effect: the saved
Help › Language… setting in the window's settings file, read by
``install_translations`` before any widget is built (as ``gui/app.py`` does).
The throwaway HOME also keeps the developer's own saved workspaces out of the
pictures. Nothing here contacts MoEngage: every check goes to a Sandbox on
127.0.0.1. Only the window's public attributes and objectNames are used.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
WIDTH = 640
"""The window's own default width (MainWindow resizes itself to 640 x 640)."""
LANGUAGES = ("ar", "ja", "id")
"""The translated languages photographed (issue 14: right to left, CJK wrapping, long words)."""

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication, QWidget

    from moecheck_gui.gui import MainWindow
    from moecheck_gui.sandbox import Sandbox


# ---------------------------------------------------------------- the parent


def run_children(only: list[str]) -> int:
    """Run English and each language in a child process with a fresh HOME; 0 when all worked."""
    failed = 0
    for lang in ("en", *LANGUAGES):
        home = Path(tempfile.mkdtemp(prefix=f"moecheck-shots-{lang}-"))
        env = dict(os.environ)
        env["HOME"] = str(home)
        for name, sub in (
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_STATE_HOME", "state"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
        ):
            env[name] = str(home / sub)
        env.pop("MOECHECK_API_BASE", None)
        env.pop("MOECHECK_PAC_URL", None)
        command = [sys.executable, str(Path(__file__).resolve()), "--lang", lang]
        command += [arg for name in only for arg in ("--only", name)]
        code = subprocess.call(command, env=env, cwd=ROOT)  # noqa: S603 - our own script
        if code != 0:
            print(f"screenshots for {lang!r} failed with exit code {code}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


# ---------------------------------------------------------------- helpers (child)


def wait(ms: int) -> None:
    """Let the event loop run (layouts settle, workers report back)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(done: Callable[[], bool], timeout_ms: int = 20000) -> None:
    """Run the event loop until ``done()`` is true (or the timeout passes)."""
    waited = 0
    while not done() and waited < timeout_ms:
        wait(100)
        waited += 100


def check(window: MainWindow, timeout_ms: int = 20000) -> None:
    """Click Test connection and wait until the check has finished."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    window.checkFinished.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    window.test_button.click()
    loop.exec()
    window.checkFinished.disconnect(loop.quit)
    wait(250)


def named(parent: QObject, kind: type[QObject], name: str) -> Any:
    """The child of ``parent`` with objectName ``name`` (its public handle), which must exist."""
    found = parent.findChild(kind, name)
    if found is None:
        raise LookupError(f"no {kind.__name__} named {name!r}")
    return found


def save(widget: QWidget, name: str) -> None:
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT)}", flush=True)


def shot(window: MainWindow, name: str) -> None:
    """Save the window's content at its natural height for the default width."""
    from PySide6.QtWidgets import QScrollArea

    window.result_panel.setFocus()
    wait(100)
    # Fit the height to the content, like a window opened at its natural size:
    # the wrapped labels' height for this width, not their one-line size hint.
    scroll_area: Any = named(window, QScrollArea, "contentScroll")
    content = scroll_area.widget()
    layout = content.layout()
    layout.activate()
    height = (
        layout.totalHeightForWidth(WIDTH)
        if layout.hasHeightForWidth()
        else content.sizeHint().height()
    )
    window.resize(WIDTH, max(height + window.menuBar().sizeHint().height(), 420))
    wait(250)
    # Wrapped text can need a few more pixels than the estimate: grow until nothing scrolls.
    scroll = scroll_area.verticalScrollBar()
    for _ in range(5):
        if scroll.maximum() <= 0:
            break
        window.resize(WIDTH, window.height() + scroll.maximum() + 2)
        wait(200)
    save(window, name)


def new_window(**kwargs: Any) -> MainWindow:
    from moecheck_gui.gui import MainWindow

    window = MainWindow(**kwargs)
    window.resize(WIDTH, 640)
    window.show()
    wait(600)
    return window


def enter(window: MainWindow, workspace_id: str, key: str, dc: str) -> None:
    window.workspace_edit.setText(workspace_id)
    window.key_edit.setText(key)
    window.select_dc(dc)


def show_details(window: MainWindow) -> None:
    toggle = window.result_panel.details_toggle
    if not toggle.isChecked():
        toggle.click()
    wait(200)


def dark_palette() -> QPalette:
    """A neutral dark palette like the desktop's dark mode."""
    from PySide6.QtGui import QColor, QPalette

    from moecheck_gui.gui import theme

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


def untrusted_sandbox_base() -> tuple[str, str]:
    """Certificate and key of a server signed by a CA this machine does not trust."""
    import trustme

    tmp = Path(tempfile.mkdtemp(prefix="moecheck-tls-"))
    server_ca = trustme.CA()
    cert = server_ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(tmp / "cert.pem"))
    cert.private_key_pem.write_to_path(str(tmp / "key.pem"))
    return str(tmp / "cert.pem"), str(tmp / "key.pem")


def serve_pac(script: str) -> str:
    """Serve ``script`` as a PAC file on 127.0.0.1 (a daemon thread); return its URL."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = script.encode()

    class PacHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ns-proxy-autoconfig")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), PacHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/proxy.pac"


# ---------------------------------------------------------------- the English set


def english_steps(app: QApplication, box: Sandbox) -> dict[str, Callable[[], None]]:
    """Every English picture, by name, in the order taken (check-all last: it saves workspaces)."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog

    from moecheck_gui.gui import DemoMode
    from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox

    by_id = {w.workspace_id: w for w in DEMO_WORKSPACES}
    us, eu = by_id["DEMO_US"], by_id["DEMO_EU"]

    def empty() -> None:
        window = new_window()
        shot(window, "empty")
        window.close()

    def success() -> None:
        window = new_window()
        enter(window, us.workspace_id, us.api_key + "\n", "01")
        check(window)
        shot(window, "success")
        window.close()

    def auth() -> None:
        window = new_window()
        enter(window, eu.workspace_id, eu.api_key, "01")  # right key, wrong DC
        check(window)
        show_details(window)
        shot(window, "auth-failure")
        window.close()

    def demo() -> None:
        window = new_window(demo=DemoMode(box.api_base, DEMO_WORKSPACES, box))
        check(window)
        shot(window, "demo")
        window.close()

    def dark() -> None:
        original = app.palette()
        app.setPalette(dark_palette())
        window = new_window()
        enter(window, us.workspace_id, us.api_key, "01")
        check(window)
        shot(window, "dark")
        window.close()
        app.setPalette(original)

    def tls_failure() -> None:
        # Like a TLS-inspecting office proxy whose CA this computer lacks.
        with Sandbox(tls=untrusted_sandbox_base()) as tls_box:
            os.environ["MOECHECK_API_BASE"] = tls_box.api_base
            window = new_window()
            enter(window, us.workspace_id, us.api_key, "01")
            check(window)
            show_details(window)
            shot(window, "tls-failure")
            window.close()
        os.environ["MOECHECK_API_BASE"] = box.api_base

    def tls_inspection() -> None:
        scenario(box, "DEMO_INSPECTED", "tls-inspection", details=True)

    def tls_stall() -> None:
        scenario(box, "DEMO_TLS_STALL", "timeout-tls-stall", details=True, timeout=4.0)

    def web_filter() -> None:
        scenario(box, "DEMO_WEBFILTER", "web-filter", details=True)

    def keep_checking() -> None:
        window = new_window()
        fresh = by_id["DEMO_NEWKEY"]
        enter(window, fresh.workspace_id, fresh.api_key, fresh.dc)
        check(window)
        window.result_panel.keep_button.click()
        wait(3300)  # the countdown has ticked a few times
        shot(window, "keep-checking")
        keep = window.result_actions.keep
        if keep is not None:
            keep.stop()
        window.close()

    def network_settings() -> None:
        # The real MoEngage host, and a company PAC file (served here on 127.0.0.1):
        # the dialog only works out the route, it sends nothing to MoEngage.
        os.environ.pop("MOECHECK_API_BASE", None)
        pac = serve_pac(
            "function FindProxyForURL(url, host) {\n"
            '  if (dnsDomainIs(host, ".moengage.com"))\n'
            '    return "PROXY proxy.corp.example:8080; PROXY backup.corp.example:3128; DIRECT";\n'
            '  return "DIRECT";\n}\n'
        )
        os.environ["MOECHECK_PAC_URL"] = pac
        window = new_window()
        named(window, QAction, "networkSettingsAction").trigger()
        dialog = named(window, QDialog, "networkSettingsDialog")
        wait_until(lambda: not dialog.is_testing())
        wait(300)
        save(dialog, "network-settings")
        dialog.close()
        window.close()
        os.environ.pop("MOECHECK_PAC_URL", None)
        os.environ["MOECHECK_API_BASE"] = box.api_base

    def check_all() -> None:
        save_workspaces(box)
        window = new_window()
        wait_until(lambda: window.menus.check_all_action.isEnabled())
        window.menus.check_all_action.trigger()
        view = named(window, QDialog, "checkAllView")
        wait(300)
        wait_until(lambda: not view.is_running(), 40000)
        view.resize(900, 330)
        wait(400)
        save(view, "check-all")
        view.close()
        window.close()

    return {
        "empty": empty,
        "success": success,
        "auth-failure": auth,
        "tls-failure": tls_failure,
        "demo": demo,
        "dark": dark,
        "tls-inspection": tls_inspection,
        "timeout-tls-stall": tls_stall,
        "web-filter": web_filter,
        "keep-checking": keep_checking,
        "network-settings": network_settings,
        "check-all": check_all,
    }


def scenario(
    box: Sandbox, workspace_id: str, name: str, *, details: bool, timeout: float | None = None
) -> None:
    """Check one of the sandbox's demo scenario workspaces outside demo mode, and take it."""
    from moecheck_gui.sandbox import DEMO_WORKSPACES

    demo = next(w for w in DEMO_WORKSPACES if w.workspace_id == workspace_id)
    os.environ["MOECHECK_API_BASE"] = box.api_base_for(workspace_id)
    window = new_window(**({} if timeout is None else {"timeout": timeout}))
    enter(window, demo.workspace_id, demo.api_key, demo.dc)
    check(window)
    if details:
        show_details(window)
    shot(window, name)
    window.close()
    os.environ["MOECHECK_API_BASE"] = box.api_base


def save_workspaces(box: Sandbox) -> None:
    """An agency's saved workspaces, their keys in the keychain, one with a history.

    Mixed verdicts: three work, one key was regenerated since it last worked,
    one account is suspended, one is rate limited, one sits behind a web filter.
    """
    from datetime import UTC, datetime, timedelta

    from moecheck_gui.client import Checker
    from moecheck_gui.history import HistoryStore
    from moecheck_gui.keychain import KeychainStore
    from moecheck_gui.profiles import ProfileStore

    box.add_workspace("KX4PLM2Q9R", "acme-prod-key-7f3a9c", "01", "Acme Retail (Prod)")
    box.add_workspace("KX4PLM2Q9R_TEST", "acme-test-key-1b2c3d", "01", "Acme Retail (Test)")
    box.add_workspace("ZB7EU0LUXE", "lumen-eu-key-55aa10", "02", "Lumen Beauty EU")
    box.add_workspace("IN3SAREE01", "saree-in-key-90ff12", "03", "Saree House India")
    rows = [
        ("KX4PLM2Q9R", "acme-prod-key-7f3a9c", "01", "Acme Prod"),
        ("KX4PLM2Q9R_TEST", "acme-test-key-1b2c3d", "01", "Acme Test"),
        ("ZB7EU0LUXE", "lumen-eu-key-55aa10", "02", "Lumen EU"),
        ("IN3SAREE01", "saree-in-key-90ff12", "03", "Saree House"),
        ("DEMO_SUSPENDED", "demo-key-suspended-0001", "01", "Old client"),
        ("DEMO_RATELIMIT", "demo-key-ratelimit-0001", "01", "Busy shop"),
        ("DEMO_WEBFILTER", "demo-key-webfilter-0001", "01", "Office network"),
    ]
    profiles = ProfileStore()
    keychain = KeychainStore()
    history = HistoryStore()
    checker = Checker(box.api_base)
    for workspace_id, key, dc, label in rows:
        profiles.upsert(workspace_id, dc, label)
        keychain.save(workspace_id, key)
    # Saree House's key worked last week (in the history); since then it was regenerated.
    last_week = (datetime.now(UTC) - timedelta(days=6, hours=3)).isoformat(timespec="seconds")
    worked = checker.check("IN3SAREE01", "saree-in-key-90ff12", "03")
    history.record("IN3SAREE01", worked, at=last_week)
    keychain.save("IN3SAREE01", "saree-in-key-OLD000")
    profiles.save()


# ---------------------------------------------------------------- one language


def language_steps(app: QApplication, box: Sandbox, lang: str) -> dict[str, Callable[[], None]]:
    """A success, and a failure with details open (certificate and timeline), in ``lang``."""
    from moecheck_gui.sandbox import DEMO_WORKSPACES

    us = DEMO_WORKSPACES[0]

    def success() -> None:
        window = new_window()
        enter(window, us.workspace_id, us.api_key, "01")
        check(window)
        shot(window, f"lang-{lang}-success")
        window.close()

    def failure() -> None:
        scenario(box, "DEMO_INSPECTED", f"lang-{lang}-failure", details=True)

    return {f"lang-{lang}-success": success, f"lang-{lang}-failure": failure}


def run_child(lang: str, only: list[str]) -> int:
    """Take one language's pictures in this process (its HOME is already throwaway)."""
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from moecheck_gui.gui import theme
    from moecheck_gui.gui.i18n_qt import install_translations, save_language
    from moecheck_gui.sandbox import Sandbox

    OUT.mkdir(parents=True, exist_ok=True)
    # Users' machines have no test CA variables: the OS trust store decides.
    os.environ.pop("REQUESTS_CA_BUNDLE", None)
    os.environ.pop("SSL_CERT_FILE", None)
    app = QApplication(sys.argv[:1])
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setApplicationName("MoeCheck")
    app.setWindowIcon(theme.app_icon())
    # As a user would: the Help › Language… choice, read before any widget exists.
    save_language(lang)
    chosen = install_translations(app)
    if chosen != lang:
        print(f"language {lang!r} did not take effect ({chosen!r})", file=sys.stderr)
        return 1
    with Sandbox() as box:
        os.environ["MOECHECK_API_BASE"] = box.api_base
        steps = english_steps(app, box) if lang == "en" else language_steps(app, box, lang)
        for name, step in steps.items():
            if not only or name in only:
                step()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", help="take one language's pictures in this process")
    parser.add_argument(
        "--only", action="append", default=[], help="take only this picture (repeatable)"
    )
    args = parser.parse_args(argv)
    if args.lang:
        return run_child(args.lang, args.only)
    return run_children(args.only)


if __name__ == "__main__":
    sys.exit(main())
