"""``moecheck-gui``: start the window (``--demo`` points it at an in-process sandbox).

Order matters here: logging and the error handler come first so nothing that
fails later is lost; the application identity (name, desktop file, icon) is
set before the window exists so the OS groups and labels it correctly.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from moecheck_gui import APP_ID, APP_NAME, __version__, applog

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

log = logging.getLogger(__name__)


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options, and whatever is left for Qt (``-platform``, ``-style`` …)."""
    parser = argparse.ArgumentParser(
        prog="moecheck-gui",
        description="Check whether MoEngage credentials work, in a window.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use a built-in practice server instead of MoEngage (nothing leaves this computer)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log more detail (never the key)"
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return parser.parse_known_args(list(argv))


def _quit_when_idle(app: QCoreApplication) -> None:
    """For ``scripts/bench.py``: report "window shown and idle" and quit.

    A zero-delay timer fires once the event loop has painted the window and
    has nothing else queued, which is the moment a user sees a usable window.
    Prints ``READY <unix time> <peak RSS KiB>``; only the benchmark sets the
    environment variable.
    """
    from PySide6.QtCore import QTimer

    def report() -> None:
        peak = "0"
        with contextlib.suppress(OSError), open("/proc/self/status") as status:
            peak = next((ln.split()[1] for ln in status if ln.startswith("VmHWM")), "0")
        print(f"READY {time.time():.6f} {peak}", flush=True)
        app.quit()

    QTimer.singleShot(0, report)


def main(argv: list[str] | None = None) -> int:
    """Run the window until it is closed; return the process exit code."""
    args, qt_args = parse_args(sys.argv[1:] if argv is None else argv)
    log_path = applog.setup_logging(
        level=logging.DEBUG if args.verbose else logging.INFO, stderr=args.verbose
    )
    log.info("%s %s starting (log: %s)", APP_NAME, __version__, log_path or "none")

    from PySide6.QtWidgets import QApplication

    from moecheck_gui.gui import errors, theme

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *qt_args])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("MoeCheck")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(theme.app_icon())
    errors.install_excepthook()

    from moecheck_gui.gui.main_window import DemoMode, MainWindow

    sandbox = None
    demo: DemoMode | None = None
    if args.demo:
        from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox

        sandbox = Sandbox().start()
        demo = DemoMode(api_base=sandbox.api_base, workspaces=DEMO_WORKSPACES, sandbox=sandbox)
        log.info("Demo mode: sandbox at %s", sandbox.api_base)
    try:
        window = MainWindow(demo=demo)
        window.show()
        if os.environ.get("MOECHECK_QUIT_WHEN_IDLE") == "1":
            _quit_when_idle(app)
        code = app.exec()
    finally:
        if sandbox is not None:
            sandbox.stop()
    log.info("%s exiting with %s", APP_NAME, code)
    logging.shutdown()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
