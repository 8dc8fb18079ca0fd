"""``moecheck-gui``: start the window (``--demo`` points it at an in-process sandbox).

Order matters here: log records are buffered and the error handler is
installed first so nothing that fails later is lost; the application identity
(name, desktop file) is set before the window exists so the OS groups and
labels it correctly.

Start-up cost: nothing but Qt and small modules load before the window's first
paint. The log file (``logging.handlers``, ``platformdirs``) is opened, and
the buffered start-up records written to it, right after that paint; so is
the app icon at all its sizes. See docs/benchmarks.md.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from moecheck_gui import APP_ID, APP_NAME, __version__, applog

if TYPE_CHECKING:
    import argparse

    from PySide6.QtCore import QCoreApplication

    from moecheck_gui.gui.demo import DemoMode

log = logging.getLogger(__name__)


DEFAULTS = {"demo": False, "verbose": False, "self_test": False}
"""The options when none are given (a test checks they equal the parser's defaults)."""


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (built only when there are arguments)."""
    import argparse

    from moecheck_gui.i18n import _

    parser = argparse.ArgumentParser(
        prog="moecheck-gui",
        description=_("Check whether MoEngage credentials work, in a window."),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=_("use a built-in practice server instead of MoEngage (nothing leaves this computer)"),
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help=_("log more detail (never the key)")
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help=_(
            "check that this copy works (window, icon, keychain, trust roots, a practice "
            "check) and exit"
        ),
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return parser


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace | SimpleNamespace, list[str]]:
    """Our options, and whatever is left for Qt (``-platform``, ``-style`` …).

    A double-click passes no arguments: then :data:`DEFAULTS` apply and no
    parser is built (a small saving; PySide6 imports argparse itself anyway).
    """
    if not argv:
        return SimpleNamespace(**DEFAULTS), []
    return build_parser().parse_known_args(list(argv))


def skip_feature_source_scan() -> int:
    """Spare PySide6's source scan of every module imported after it; return how many.

    Why: once PySide6 is loaded, the first ``import X`` of each module name
    (even one loaded long before) runs shiboken's ``__feature__`` check, which
    reads X's source with ``inspect.getsource`` to see whether it mentions
    PySide6. Before our first paint that was ~40 names and ~3.5 ms (profile in
    docs/benchmarks.md). Its answers are known in advance: the standard
    library never uses ``from __feature__ import ...`` (-1, "ignore"), and
    neither does this package (0, "uses PySide, no feature" for the window,
    -1 for the Qt-free core). We record them in shiboken's table, which is
    what the check would do itself. If a PySide6 version has no such table,
    nothing happens and the check runs as before.
    """
    feature = sys.modules.get("shibokensupport.feature")
    table = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(table, dict):
        return 0
    before = len(table)
    stdlib = sys.stdlib_module_names
    for name in list(sys.modules):
        if name.partition(".")[0] in stdlib:
            table.setdefault(name, -1)
    package = Path(__file__).resolve().parent.parent
    table.setdefault("moecheck_gui", -1)
    table.setdefault("moecheck_gui.gui", 0)
    for source in package.glob("*.py"):
        table.setdefault(f"moecheck_gui.{source.stem}", -1)  # the core imports no Qt
    for source in (package / "gui").glob("*.py"):
        table.setdefault(f"moecheck_gui.gui.{source.stem}", 0)
    return len(table) - before


def _report_ready(app: QCoreApplication) -> None:
    """For ``scripts/bench.py``: print ``READY <unix time> <peak RSS KiB>`` and quit.

    Called from a zero-delay timer posted at the window's first Paint event,
    so it fires once that frame is done and the event loop has nothing older
    queued: the moment a user sees a usable window. (A timer posted right
    after ``show()`` would fire *before* the first paint.) Only the benchmark
    sets ``MOECHECK_QUIT_WHEN_IDLE``; its bare-form baseline uses the same rule.
    """
    peak = "0"
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        peak = next((ln.split()[1] for ln in status if ln.startswith("VmHWM")), "0")
    print(f"READY {time.time():.6f} {peak}", flush=True)
    app.quit()


def main(argv: list[str] | None = None) -> int:
    """Run the window until it is closed; return the process exit code."""
    args, qt_args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        from moecheck_gui.gui.selftest import run_self_test

        return run_self_test(sys.argv[1:] if argv is None else argv)
    level = logging.DEBUG if args.verbose else logging.INFO
    applog.buffer_early_records(level)
    log.info("%s %s starting", APP_NAME, __version__)

    from PySide6.QtWidgets import QApplication

    skip_feature_source_scan()
    from moecheck_gui.gui import errors

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *qt_args])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("MoeCheck")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    errors.install_excepthook()
    # Before any widget exists: texts are translated as widgets are built.
    from moecheck_gui.gui.i18n_qt import install_translations

    log.info("Language: %s", install_translations(app))

    def open_log_file() -> None:
        path = applog.setup_logging(level=level, stderr=args.verbose)
        log.info("Logging to %s", path or "nowhere (the log folder is not writable)")

    def after_first_paint() -> None:
        from moecheck_gui.gui import theme

        if applog.current_log_file() is None:
            open_log_file()
        app.setWindowIcon(theme.app_icon())

    from moecheck_gui.gui.main_window import MainWindow

    sandbox = None
    demo: DemoMode | None = None
    if args.demo:
        from moecheck_gui.gui.demo import DemoMode
        from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox

        sandbox = Sandbox().start()
        demo = DemoMode(api_base=sandbox.api_base, workspaces=DEMO_WORKSPACES, sandbox=sandbox)
        log.info("Demo mode: sandbox at %s", sandbox.api_base)
    try:
        window = MainWindow(demo=demo)
        # On the window's one FirstPaint (which also runs them if no paint comes),
        # ahead of the window's own start-up work (profiles, keychain, warm-up).
        if os.environ.get("MOECHECK_QUIT_WHEN_IDLE") == "1":
            window.first_paint.call(lambda: _report_ready(app), first=True)
        window.first_paint.call(after_first_paint, first=True)
        window.show()
        code = app.exec()
    except BaseException:
        if applog.current_log_file() is None:
            open_log_file()  # a failure before the first paint still reaches the file
        raise
    finally:
        if sandbox is not None:
            sandbox.stop()
    log.info("%s exiting with %s", APP_NAME, code)
    logging.shutdown()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
