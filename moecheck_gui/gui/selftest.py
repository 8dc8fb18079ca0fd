"""``moecheck-gui --self-test``: prove an installed or frozen MoeCheck really works.

Why it exists: a frozen app can build fine and still be broken on a user's
machine: a Qt platform plugin or its system library missing, the icon not
bundled, keyring silently falling back to its "fail" backend because its
backends were not collected, or the bundled OpenSSL looking for certificates
in the build machine's folders. Each of those is checked here, in the same
process layout users run, and CI runs it on every frozen build. The PAC engine
(pypac + dukpy) is one more such part: it runs in a child process that, in a
frozen app, is the app's own executable started again, and it reads data files
by path; the self-test runs a small PAC file through it.

The self-test never talks to MoEngage and never writes the user's settings or
keychain: the check goes to the in-process sandbox with a public demo key, and
the window is built in demo mode with a throwaway settings file. The check-all
step starts the child process the window's "Check all" uses (the app's own
executable again, when frozen) and checks two demo workspaces in it.

Output is a short plain-ASCII report on stdout (also written to ``--report
FILE``, because the windowed Windows executable has no console), and the exit
code is 0 only when every step passed.

Language: English, always, like the report that "Copy details" makes. The
self-test is run by IT staff and CI and its lines are pasted into tickets, so
they must read the same for whoever answers the ticket; the run installs
English before anything (the core's messages in a failing step included),
and tests/test_i18n.py lists this module as deliberately English.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from moecheck_gui import APP_NAME, __version__

if TYPE_CHECKING:  # pragma: no cover - typing only; Qt is imported when the test runs
    from moecheck_gui.gui.main_window import DemoMode
    from moecheck_gui.proxy import PacRunner

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DEMO_WORKSPACE_ID = "DEMO_US"
"""The sandbox's demo workspace the self-test checks (public, made-up credentials)."""

SELF_TEST_PAC = """\
function FindProxyForURL(url, host) {
    if (isPlainHostName(host) || !shExpMatch(url, "https://*")) return "DIRECT";
    if (dnsDomainIs(host, ".moengage.com")) return "PROXY 127.0.0.1:3128; DIRECT";
    return "DIRECT";
}
"""
"""A PAC file that needs pypac's helpers to give its proxy answer (nothing connects to it)."""
SELF_TEST_PAC_TARGET = "https://api-01.moengage.com/v1/account"
SELF_TEST_PAC_ROUTES = ("http://127.0.0.1:3128", None)
"""The routes SELF_TEST_PAC must give for SELF_TEST_PAC_TARGET, in order (None: direct)."""
SELF_TEST_WPAD_HOST = "pc1.corp.example.co.uk"
SELF_TEST_WPAD_URLS = (
    "http://wpad.corp.example.co.uk/wpad.dat",
    "http://wpad.example.co.uk/wpad.dat",
)
"""WPAD candidates for SELF_TEST_WPAD_HOST: never ``wpad.co.uk`` (needs the public suffix list)."""


@dataclass(frozen=True)
class StepResult:
    """One line of the report: which step, whether it passed, and what was found."""

    name: str
    passed: bool
    detail: str

    def line(self) -> str:
        """The report line, e.g. ``[ok]   keychain: GNOME Keyring / Secret Service``."""
        mark = "[ok]  " if self.passed else "[FAIL]"
        return f"  {mark} {self.name}: {self.detail}"


def _one_line(exc: BaseException) -> str:
    """An exception as one short line (class and text), for a failed step."""
    text = " ".join(str(exc).split())[:300]
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def _run_step(name: str, step: Callable[[], tuple[bool, str]]) -> StepResult:
    """Run one step; an unexpected exception fails the step instead of the test run."""
    try:
        passed, detail = step()
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never a traceback
        return StepResult(name, False, _one_line(exc))
    return StepResult(name, passed, detail)


def _needs_offscreen(environ: dict[str, str] | os._Environ[str]) -> bool:
    """True on Linux/BSD without a display, where the xcb/wayland plugins would abort."""
    if sys.platform in ("win32", "darwin"):
        return False
    if environ.get("QT_QPA_PLATFORM"):
        return False  # the caller chose a platform; respect it
    return not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Self-test options, and whatever is left for Qt (``-platform`` …)."""
    parser = argparse.ArgumentParser(
        prog="moecheck-gui --self-test",
        description="Check that this copy of MoeCheck works: window, icon, keychain, "
        "trust roots, a check against the built-in practice server and the PAC engine.",
    )
    parser.add_argument("--self-test", action="store_true", help="run the self-test (this)")
    parser.add_argument(
        "--report", metavar="FILE", help="also write the report to FILE (for windowed builds)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds the sandbox check may take (default 10)",
    )
    return parser.parse_known_args(list(argv))


# ---------------------------------------------------------------------- steps


def _check_resources() -> tuple[bool, str]:
    """The app icon ships with the app and renders (QtSvg and its plugin work)."""
    from moecheck_gui.gui import theme

    path = theme.resource_path("moecheck.svg")
    if path is None:
        searched = ", ".join(str(d) for d in theme.resource_dirs())
        return False, f"resources/moecheck.svg not found (looked in {searched})"
    icon = theme.app_icon()
    pixmap = theme.app_icon_pixmap(64, 1.0)
    if icon.isNull() or pixmap.isNull():
        return False, f"{path} did not render"
    image = pixmap.toImage()
    centre = image.pixelColor(32, 32)
    if centre.alpha() == 0:
        return False, f"{path} rendered as an empty image"
    return True, f"app icon {path} ({len(icon.availableSizes())} sizes)"


def _check_keychain() -> tuple[bool, str]:
    """keyring found a real OS keychain backend (not its "fail" fallback)."""
    from moecheck_gui.keychain import KeychainStore

    info = KeychainStore().info()
    if info.usable:
        return True, f"{info.name} ({info.backend_id})"
    return False, f"{info.name} ({info.backend_id}): {info.reason}"


def _check_trust() -> tuple[bool, str]:
    """Trust roots load: the TLS context builds and, on Linux, finds real certificates."""
    import ssl

    from moecheck_gui import trust

    config = trust.current_config()
    context = trust.build_context(config)
    if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
        return False, "the TLS context does not verify certificates"
    detail = config.describe()
    if config.source != "os":
        return True, detail
    if sys.platform.startswith("linux"):
        bundle = trust.linux_ca_bundle()
        if bundle:
            return True, f"{detail}; CA bundle {bundle}"
        paths = ssl.get_default_verify_paths()
        if paths.cafile and os.path.isfile(paths.cafile):
            return True, f"{detail}; CA file {paths.cafile}"
        if paths.capath and os.path.isdir(paths.capath) and os.listdir(paths.capath):
            return True, f"{detail}; CA folder {paths.capath}"
        return False, f"{detail}; no CA certificates found on this system"
    return True, detail


def _check_sandbox(api_base: str, timeout: float) -> tuple[bool, str]:
    """A full check (HTTP client, JSON parsing, outcome) against the sandbox."""
    from moecheck_gui.client import Checker
    from moecheck_gui.sandbox import DEMO_WORKSPACES

    demo = next(w for w in DEMO_WORKSPACES if w.workspace_id == DEMO_WORKSPACE_ID)
    checker = Checker(api_base=api_base)
    try:
        outcome = checker.check(demo.workspace_id, demo.api_key, demo.dc, timeout=timeout)
    finally:
        checker.close()
    where = f"{demo.workspace_id} on DC {demo.dc}"
    if outcome.ok and outcome.app_name == demo.app_name:
        return True, f'{where} -> "{outcome.app_name}" in {outcome.elapsed_ms:.0f} ms'
    return False, f"{where} -> {outcome.kind}: {outcome.message}"


def _check_pac_engine(timeout: float, runner: PacRunner | None = None) -> tuple[bool, str]:
    """A PAC file runs in the PAC engine's child process, and WPAD finds the public suffix list.

    Goes through the same public entry point as a check (``plan_routes`` with a
    ``file://`` PAC URL, the OS setting ignored), so the child process start
    (``multiprocessing.freeze_support`` in the frozen launchers), pypac's
    helpers and dukpy's runtime files are all exercised. ``runner`` is for
    tests; by default a runner of its own is started and stopped here.
    """
    from moecheck_gui.proxy import PacRunner, ProxyConfigError, no_system_proxy, plan_routes
    from moecheck_gui.proxy.wpad import candidate_urls

    own = runner is None
    engine = PacRunner() if runner is None else runner
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="moecheck-selftest-pac-") as folder:
            pac_file = Path(folder) / "selftest.pac"
            pac_file.write_text(SELF_TEST_PAC, encoding="utf-8")
            try:
                routes = plan_routes(
                    SELF_TEST_PAC_TARGET,
                    env={},
                    pac_url_override=pac_file.as_uri(),
                    system=no_system_proxy,
                    timeout=timeout,
                    runner=engine,
                )
            except ProxyConfigError as exc:
                return False, str(exc)
    finally:
        if own:
            engine.close()
    elapsed_ms = (time.monotonic() - started) * 1000
    got = tuple(route.proxy_url for route in routes)
    if got != SELF_TEST_PAC_ROUTES or any(route.source != "pac" for route in routes):
        shown = ", ".join(f"{r.proxy_url or 'DIRECT'} ({r.source})" for r in routes)
        return False, f"the PAC file gave {shown}; expected PROXY 127.0.0.1:3128, then DIRECT"
    wpad = tuple(candidate_urls(SELF_TEST_WPAD_HOST))
    if wpad != SELF_TEST_WPAD_URLS:
        return False, f"WPAD candidates for {SELF_TEST_WPAD_HOST}: {', '.join(wpad) or 'none'}"
    return True, (
        f"FindProxyForURL ran in a child process -> PROXY 127.0.0.1:3128; DIRECT "
        f"in {elapsed_ms:.0f} ms; WPAD candidates from the public suffix list"
    )


def _check_batch_process(api_base: str, timeout: float) -> tuple[bool, str]:
    """The window's check-all runs its checks in a child process: start one and check two rows.

    Like the PAC engine, that child is the app's own executable started again
    (``freeze_support`` in the frozen launchers); unlike it, the child imports the
    whole client (requests, urllib3, the trust roots), so a module PyInstaller
    left out shows here, not on a user's first "Check all". The checks go
    through a PAC file (it answers DIRECT), so the child starts the PAC engine
    from itself, as it does on a company network. No keychain and no history:
    the rows carry the sandbox's public demo keys.
    """
    from moecheck_gui.batch import BatchRow
    from moecheck_gui.batch.process import BatchProcess, BatchRecipe
    from moecheck_gui.sandbox import DEMO_WORKSPACES

    demos = [w for w in DEMO_WORKSPACES if w.workspace_id in (DEMO_WORKSPACE_ID, "DEMO_EU")]
    rows = [BatchRow(w.workspace_id, w.dc, api_key=w.api_key) for w in demos]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="moecheck-selftest-batch-") as folder:
        pac_file = Path(folder) / "direct.pac"
        pac_file.write_text(
            'function FindProxyForURL(url, host) { return "DIRECT"; }\n', encoding="utf-8"
        )
        process = BatchProcess(
            BatchRecipe(
                api_base=api_base, pac_url=pac_file.as_uri(), use_keychain=False, language="en"
            ),
            concurrency=2,
            timeout=timeout,
        )
        results = process.run_all(rows)
    elapsed_ms = (time.monotonic() - started) * 1000
    shown = ", ".join(
        f"{r.outcome.workspace_id} -> {'ok' if r.outcome.ok else r.outcome.kind}"
        f"{'' if r.outcome.ok else ': ' + r.outcome.message}"
        for r in results
    )
    wanted = {w.workspace_id: w.app_name for w in demos}
    got = {
        r.outcome.workspace_id: r.outcome.app_name
        for r in results
        if r.outcome.ok and r.outcome.proxy_source == "pac"
    }
    if process.pid is None or got != wanted:
        notes = "; ".join(process.notices)
        return False, f"{shown or 'no results'}{': ' + notes if notes else ''}"
    return True, (
        f"{len(results)} workspaces checked in a child process, through its PAC engine, "
        f"in {elapsed_ms:.0f} ms"
    )


def _check_window(qt_args: list[str], demo: DemoMode) -> tuple[bool, str]:
    """The main window builds, shows and paints with the platform plugin in use."""
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer, qVersion
    from PySide6.QtWidgets import QApplication, QPushButton

    from moecheck_gui import APP_ID
    from moecheck_gui.gui import theme
    from moecheck_gui.gui.main_window import MainWindow

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *qt_args])
    if existing is None:
        app.setApplicationName(APP_NAME)
        app.setDesktopFileName(APP_ID)
        app.setWindowIcon(theme.app_icon())
    with tempfile.TemporaryDirectory(prefix="moecheck-selftest-") as folder:
        window = MainWindow(demo=demo, settings_file=Path(folder) / "settings.ini")
        try:
            window.show()
            loop = QEventLoop()
            QTimer.singleShot(300, loop.quit)
            loop.exec()
            QCoreApplication.processEvents()
            if not window.isVisible():
                return False, "the window did not show"
            if window.findChild(QPushButton, "testButton") is None:
                return False, "the window has no Test button"
            grabbed = window.grab()
            if grabbed.isNull() or grabbed.width() < 100:
                return False, "the window did not paint"
            platform = QApplication.platformName()
            return True, f"built and painted ({platform} platform, Qt {qVersion()})"
        finally:
            window.close()
            window.deleteLater()
            QCoreApplication.processEvents()


# ---------------------------------------------------------------------- runner


def run_self_test(argv: Sequence[str]) -> int:
    """Run every step, print the report, return 0 only if all passed (1 otherwise, 2 usage)."""
    try:
        args, qt_args = parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return EXIT_PASSED if exc.code in (0, None) else EXIT_USAGE
    from moecheck_gui import i18n

    i18n.install("en")  # the report is English for tickets (see the module docstring)
    offscreen = _needs_offscreen(os.environ)
    if offscreen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from moecheck_gui.gui.main_window import DemoMode
    from moecheck_gui.sandbox import DEMO_WORKSPACES, Sandbox

    started = time.monotonic()
    results: list[StepResult] = []
    sandbox = Sandbox()
    try:
        sandbox.start()
    except OSError as exc:
        results.append(StepResult("sandbox", False, f"could not start: {_one_line(exc)}"))
    else:
        try:
            demo = DemoMode(api_base=sandbox.api_base, workspaces=DEMO_WORKSPACES, sandbox=sandbox)
            results.append(_run_step("window", lambda: _check_window(qt_args, demo)))
            results.append(_run_step("resources", _check_resources))
            results.append(_run_step("keychain", _check_keychain))
            results.append(_run_step("trust roots", _check_trust))
            results.append(
                _run_step("check", lambda: _check_sandbox(sandbox.api_base, args.timeout))
            )
            results.append(_run_step("PAC engine", lambda: _check_pac_engine(args.timeout)))
            results.append(
                _run_step(
                    "check-all process",
                    lambda: _check_batch_process(sandbox.api_base, args.timeout),
                )
            )
        finally:
            sandbox.stop()

    passed = sum(r.passed for r in results)
    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    lines = [
        f"{APP_NAME} {__version__} self-test ({frozen}, {sys.platform}"
        f"{', offscreen' if offscreen else ''})",
        *(r.line() for r in results),
        f"Self-test {'passed' if passed == len(results) else 'FAILED'}: "
        f"{passed}/{len(results)} steps in {time.monotonic() - started:.1f} s",
    ]
    report = "\n".join(lines) + "\n"
    if sys.stdout is not None:  # None in a windowed Windows executable
        sys.stdout.write(report)
        sys.stdout.flush()
    if args.report:
        try:
            Path(args.report).write_text(report, encoding="utf-8")
        except OSError as exc:
            if sys.stderr is not None:
                sys.stderr.write(f"Could not write the report to {args.report}: {exc.strerror}\n")
            return EXIT_FAILED
    return EXIT_PASSED if results and passed == len(results) else EXIT_FAILED
