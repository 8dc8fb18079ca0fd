"""MoeCheck benchmarks: each figure is a ratio against a baseline measured in the same run.

Why ratios: this runs on shared 2-core machines where absolute times swing by
tens of percent; a baseline measured side by side, alternating runs, cancels
most of that. The test suite asserts no wall-clock times; this script does,
and exits non-zero when a ratio misses its target so a regression is visible.

    python scripts/bench.py [--runs 7] [--out docs/benchmarks.md] [--only startup,check,...]
                            [--freeze]

Sections:
  startup   process start -> window painted and idle; peak memory (VmHWM) then.
            Baseline: a bare PySide6 form with the same widgets.
  frozen    the same, for PyInstaller bundles of both (made by --freeze into
            build/bench/; skipped with a note when they are missing).
  check     a repeated check against a loopback TLS server vs. a raw http.client
            request over a fresh connection.
  detect    seven DCs each answering after 0.3 s vs. one DC.
  events    the GUI event loop's worst gap while a check runs.
  checkall  100 workspaces answering after 0.2 s each at concurrency 8 vs. the ideal
            100 x 0.2 s / 8; and the event loop's worst gap while the window's
            check-all view runs them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import ssl
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUCCESS = json.dumps({"status": "success", "app_name": "Bench"}).encode()
REJECT = json.dumps({"status": "fail", "error": {"message": "App Secret key mismatch"}}).encode()
KEY = "bench-key-000111"
WS = "BENCHWS"


@dataclass
class Row:
    """One line of the results table."""

    name: str
    ours: float
    baseline: float
    unit: str
    target: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("inf")

    @property
    def ok(self) -> bool:
        return self.ratio <= self.target


# ----------------------------------------------------------------------------- servers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 0.0
    winner: str | None = None

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        if self.delay:
            time.sleep(self.delay)
        dc = self.path.split("/")[1].removeprefix("dc-")
        ok = self.winner is None or dc == self.winner
        body = SUCCESS if ok else REJECT
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class _QuietServer(ThreadingHTTPServer):
    """Ignores clients that hang up mid-answer: detection closes the losing DCs' sockets."""

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | ssl.SSLError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def tls_server(delay: float = 0.0, winner: str | None = None) -> Iterator[tuple[int, str]]:
    """A keep-alive HTTPS server on 127.0.0.1; yields (port, CA bundle path)."""
    import trustme

    ca = trustme.CA()
    handler = type("H", (_Handler,), {"delay": delay, "winner": winner})
    server = _QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory() as tmp:
        bundle = os.path.join(tmp, "ca.pem")
        ca.cert_pem.write_to_path(bundle)
        try:
            yield server.server_address[1], bundle
        finally:
            server.shutdown()
            server.server_close()


def _median(fn: Callable[[], float], runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))


# ----------------------------------------------------------------------------- check


def bench_check(runs: int) -> list[Row]:
    """A warm, repeated check vs. raw http.client over a fresh TLS connection."""
    from moecheck_gui.client import Checker

    with tls_server() as (port, bundle):
        os.environ["REQUESTS_CA_BUNDLE"] = bundle
        os.environ.pop("SSL_CERT_FILE", None)
        base = f"https://127.0.0.1:{port}/dc-{{dc}}"
        checker = Checker(api_base=base)
        raw_ctx = ssl.create_default_context(cafile=bundle)
        body = json.dumps(
            {"app_id": WS, "app_secret": KEY, "source": "bench", "region": "01"}
        ).encode()

        def raw_once() -> float:
            start = time.perf_counter()
            conn = http.client.HTTPSConnection("127.0.0.1", port, context=raw_ctx, timeout=10)
            conn.request(
                "POST",
                "/dc-01/v1/integrations/authentication",
                body,
                {"Content-Type": "application/json"},
            )
            resp = conn.getresponse()
            json.loads(resp.read())
            conn.close()
            return time.perf_counter() - start

        def ours_once() -> float:
            start = time.perf_counter()
            outcome = checker.check(WS, KEY, "01", timeout=10)
            took = time.perf_counter() - start
            assert outcome.ok, outcome
            return took

        for _ in range(5):  # warm both paths: imports, TLS context, pool
            raw_once()
            ours_once()
        raw_times: list[float] = []
        our_times: list[float] = []
        for _ in range(max(runs, 1) * 30):
            raw_times.append(raw_once())
            our_times.append(ours_once())
        checker.close()
    return [
        Row(
            "Repeated check (loopback TLS)",
            statistics.median(our_times) * 1000,
            statistics.median(raw_times) * 1000,
            "ms",
            1.3,
            "baseline: http.client over a fresh TLS connection",
        )
    ]


# ----------------------------------------------------------------------------- detect


def bench_detect(runs: int) -> list[Row]:
    """Seven DCs each answering after 0.3 s vs. one DC answering after 0.3 s."""
    from moecheck_gui.client import Checker

    singles: list[float] = []
    detects: list[float] = []
    # The winner is the slowest-to-be-tried DC (last in the table) so detection
    # cannot finish early by luck.
    with tls_server(delay=0.3, winner="101") as (port, bundle):
        os.environ["REQUESTS_CA_BUNDLE"] = bundle
        os.environ.pop("SSL_CERT_FILE", None)
        checker = Checker(api_base=f"https://127.0.0.1:{port}/dc-{{dc}}")
        checker.check(WS, KEY, "101", timeout=10)  # warm
        for _ in range(max(runs, 3)):
            start = time.perf_counter()
            assert checker.check(WS, KEY, "101", timeout=10).ok
            singles.append(time.perf_counter() - start)
            start = time.perf_counter()
            outcome = checker.detect(WS, KEY, timeout=10)
            detects.append(time.perf_counter() - start)
            assert outcome.ok and outcome.dc == "101", outcome
        checker.close()
    return [
        Row(
            "Detection, 7 DCs answering after 0.3 s",
            statistics.median(detects) * 1000,
            statistics.median(singles) * 1000,
            "ms",
            1.3,
            "baseline: one DC answering after 0.3 s",
        )
    ]


# ----------------------------------------------------------------------------- startup


BARE_FORM = textwrap.dedent(
    """
    # The same visible widgets as MoeCheck's window at start-up, with no styling,
    # icons, tooltips or logic: a QMainWindow with a menu bar (File: Quit; Help:
    # three actions), a title and a subtitle label, three form rows (labels, a
    # line edit, a password line edit, an editable combo with the 8 choices), a
    # checkbox and the label line edit beside it, a status label and two
    # buttons, and the result area (a frame with a title and a message label).
    # In a translated language its words come from the same catalogue (and Arabic is
    # laid out right to left), so the baseline pays what the language itself costs
    # (catalogue, fonts for its script) and the ratio shows only MoeCheck's overhead.
    import os, sys, time
    from PySide6.QtCore import QEvent, QObject, QTimer, Qt
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFormLayout, QFrame,
        QHBoxLayout, QLabel, QLineEdit, QMainWindow, QPushButton, QVBoxLayout, QWidget)
    T = lambda text: text
    if os.environ.get("BARE_FORM_CATALOGUE"):
        import gettext
        with open(os.environ["BARE_FORM_CATALOGUE"], "rb") as mo:
            T = gettext.GNUTranslations(mo).gettext
    app = QApplication(sys.argv[:1])
    if os.environ.get("BARE_FORM_RTL"):
        app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    w = QMainWindow(); w.setWindowTitle("Bare form")
    file_menu = w.menuBar().addMenu(T("&File")); file_menu.addAction(QAction(T("&Quit"), w))
    help_menu = w.menuBar().addMenu(T("&Help"))
    for text in ("&Where to find these values", "Open &log folder", "&About"):
        help_menu.addAction(QAction(T(text), w))
    central = QWidget(); w.setCentralWidget(central)
    box = QVBoxLayout(central)
    box.addWidget(QLabel(T("Test your MoEngage credentials")))
    box.addWidget(QLabel("Find out in one click whether a workspace ID and key work."))
    form = QFormLayout()
    form.addRow(T("&Workspace ID"), QLineEdit())
    key = QLineEdit(); key.setEchoMode(QLineEdit.EchoMode.Password)
    form.addRow(T("Data API &key"), key)
    combo = QComboBox(); combo.setEditable(True)
    for c in ("auto", "01", "02", "03", "04", "05", "06", "101"):
        combo.addItem(f"DC-{c}", c)
    form.addRow(T("Data &center"), combo)
    box.addLayout(form)
    remember = QHBoxLayout()
    remember.addWidget(QCheckBox(T("&Remember the key"))); remember.addWidget(QLineEdit())
    box.addLayout(remember)
    row = QHBoxLayout()
    row.addWidget(QLabel("")); row.addWidget(QPushButton(T("Cancel")))
    row.addWidget(QPushButton(T("&Test connection")))
    box.addLayout(row)
    result = QFrame(); result_box = QVBoxLayout(result)
    result_box.addWidget(QLabel(T("Ready to test")))
    result_box.addWidget(QLabel("Enter the details, then press Test connection."))
    box.addWidget(result)
    def idle():
        hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
        print(f"READY {time.time():.6f} {hwm}", flush=True)
        app.quit()
    class FirstPaint(QObject):  # the same rule as moecheck_gui.gui.app._report_ready
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, idle)
            return False
    hook = FirstPaint(w); w.installEventFilter(hook)
    w.show()
    app.exec()
    """
)

OUR_APP = textwrap.dedent(
    """
    import os, sys, time
    os.environ["MOECHECK_QUIT_WHEN_IDLE"] = "1"
    from moecheck_gui.gui.app import main
    sys.exit(main([]))
    """
)


def _startup_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    start = time.time()
    proc = subprocess.run(  # noqa: S603 - our own interpreter or bundle, our own snippet
        command, capture_output=True, text=True, env=env, timeout=60
    )
    for line in proc.stdout.splitlines():
        if line.startswith("READY "):
            _, stamp, hwm = line.split()
            return (float(stamp) - start) * 1000, int(hwm) / 1024
    raise RuntimeError(f"no READY line (exit {proc.returncode}): {proc.stderr[-2000:]}")


def bench_startup(runs: int) -> list[Row]:
    """Window shown and idle, and peak RSS then, vs. the bare form; runs alternate.

    Also with a translated language (Japanese; Arabic, which lays the window out
    right to left): the budget must hold for every user, not only in English.
    """
    bare = [sys.executable, "-c", BARE_FORM]
    ours = [sys.executable, "-c", OUR_APP]
    rows = _startup_rows(bare, ours, runs, label="")
    for name, code in (("Japanese", "ja_JP.UTF-8"), ("Arabic, right to left", "ar_EG.UTF-8")):
        short = code.split("_")[0]
        language = {"LANG": code, "LANGUAGE": short, "LC_ALL": ""}
        catalogue = ROOT / "moecheck_gui" / "locale" / short / "LC_MESSAGES" / "moecheck.mo"
        bare_language = {"BARE_FORM_CATALOGUE": str(catalogue)}
        if short == "ar":
            bare_language["BARE_FORM_RTL"] = "1"
        rows += _startup_rows(
            bare,
            ours,
            runs,
            label=f" ({name})",
            ours_env=language,
            bare_env=bare_language,
            note="baseline: the same bare form, its words from the same catalogue",
        )
    return rows


def _startup_rows(
    bare: list[str],
    ours: list[str],
    runs: int,
    label: str,
    ours_env: dict[str, str] | None = None,
    bare_env: dict[str, str] | None = None,
    note: str = "baseline: bare PySide6 form with the same widgets",
) -> list[Row]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT)
    env["MOECHECK_QUIT_WHEN_IDLE"] = "1"
    with tempfile.TemporaryDirectory() as home:
        # Byte-compiled, like an installed or frozen app: pip and PyInstaller
        # compile every module, but this checkout may run with
        # PYTHONDONTWRITEBYTECODE, which would charge our (and only our)
        # modules a fresh compile on every start. The cache goes to a private
        # folder, not into the source tree; the warm-up runs below fill it.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(home, "pycache")
        for var in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            env[var] = home
        bare_t: list[float] = []
        ours_t: list[float] = []
        bare_m: list[float] = []
        ours_m: list[float] = []
        # The bare form has no words to translate: it runs in the plain environment,
        # MoeCheck in the language under test (an empty value unsets a variable).
        our_env = {**env, **(ours_env or {})}
        our_env = {k: v for k, v in our_env.items() if v != ""}
        base_env = {**env, **(bare_env or {})}
        for _ in range(2):  # warm the OS file cache and the byte-code cache for both
            _startup_once(bare, base_env)
            _startup_once(ours, our_env)
        for _ in range(max(runs, 3)):
            t, m = _startup_once(bare, base_env)
            bare_t.append(t)
            bare_m.append(m)
            t, m = _startup_once(ours, our_env)
            ours_t.append(t)
            ours_m.append(m)
    return [
        Row(
            "Start-up to painted, idle window" + label,
            statistics.median(ours_t),
            statistics.median(bare_t),
            "ms",
            1.15,
            note,
        ),
        Row(
            "Peak memory at that point" + label,
            statistics.median(ours_m),
            statistics.median(bare_m),
            "MiB",
            1.2,
            "VmHWM",
        ),
    ]


# ----------------------------------------------------------------------------- event loop


def bench_events(runs: int) -> list[Row]:
    """Worst gap between 1 ms timer ticks while checks run (must stay under one frame)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from moecheck_gui.gui import MainWindow

    app = QApplication.instance() or QApplication([])
    gaps: list[float] = []
    idle_gaps: list[float] = []
    with tls_server(delay=0.3) as (port, bundle):
        os.environ["REQUESTS_CA_BUNDLE"] = bundle
        os.environ["MOECHECK_API_BASE"] = f"https://127.0.0.1:{port}/dc-{{dc}}"
        window = MainWindow()
        window.show()
        window.workspace_edit.setText(WS)
        window.key_edit.setText(KEY)
        window.select_dc("01")

        finished: list[bool] = []
        window.checkFinished.connect(lambda _o: finished.append(True))

        def measure(start_check: bool) -> float:
            if not start_check:
                return _idle_worst_gap(app, 0.35)
            finished.clear()
            return _loop_worst_gap(app, window.test_button.click, lambda: bool(finished))

        measure(True)  # warm: first check imports the client
        for _ in range(max(runs, 3)):
            gaps.append(measure(True))
            idle_gaps.append(measure(False))
        window.close()
    worst = max(gaps)
    return [
        Row(
            "Worst event-loop gap during a check",
            worst,
            16.0,
            "ms",
            1.0,
            f"target: under one frame (16 ms); idle loop worst {max(idle_gaps):.1f} ms",
        ),
    ]


# ----------------------------------------------------------------------------- check-all

CHECKALL_ROWS = 100
CHECKALL_DELAY = 0.2
CHECKALL_CONCURRENCY = 8

_SERVER_CHILD = """
import sys
sys.path.insert(0, {scripts!r})
import bench
# Headers and body leave in separate writes; without TCP_NODELAY, Nagle plus the
# client's delayed ACK adds ~40 ms to every answer, which no real API server does.
bench._Handler.disable_nagle_algorithm = True
with bench.tls_server(delay={delay!r}) as (port, bundle):
    print(port, bundle, flush=True)
    sys.stdin.read()
"""


@contextmanager
def tls_server_process(delay: float) -> Iterator[tuple[int, str]]:
    """:func:`tls_server` in a child process; yields (port, CA bundle path).

    Why another process: MoEngage's servers do not share MoeCheck's interpreter.
    An in-process server's TLS and HTTP work would compete with the app's
    threads for the GIL and be charged to MoeCheck's throughput and event loop.
    """
    code = _SERVER_CHILD.format(scripts=str(ROOT / "scripts"), delay=delay)
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and snippet
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        port, bundle = child.stdout.readline().split(maxsplit=1)
        yield int(port), bundle.strip()
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(10)


def _checkall_rows() -> list[Any]:
    from moecheck_gui.batch import BatchRow

    return [BatchRow(f"WS{n:03d}", "01", api_key=KEY) for n in range(CHECKALL_ROWS)]


def _loop_worst_gap(app: Any, begin: Callable[[], None], finished: Callable[[], bool]) -> float:
    """The worst gap between 1 ms timer ticks from ``begin()`` until ``finished()``."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    clock = QElapsedTimer()
    worst = 0.0
    last = 0.0

    def tick() -> None:
        nonlocal worst, last
        now = clock.nsecsElapsed() / 1e6
        worst = max(worst, now - last)
        last = now

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    begin()
    deadline = time.monotonic() + 60
    while not finished() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.0005)
    timer.stop()
    assert finished(), "did not finish within 60 s"
    return worst


def _view_worst_gap(app: Any, api_base: str) -> tuple[float, float]:
    """One check-all run in the window's view; the loop's worst gap meanwhile, and the run's time.

    The view gets what the window gives it: a recipe, so the checks run in a
    child process (started by each run, so its start-up is in the time).
    """
    from moecheck_gui.batch.process import BatchRecipe
    from moecheck_gui.gui.check_all_view import CheckAllView

    view = CheckAllView(
        _checkall_rows(),
        BatchRecipe(api_base=api_base, use_keychain=False),
        concurrency=CHECKALL_CONCURRENCY,
        timeout=10,
    )
    view.show()
    finished_at: list[float] = []
    view.runFinished.connect(lambda _r: finished_at.append(time.perf_counter()))
    for _ in range(20):  # let the view paint before measuring
        app.processEvents()
    started = time.perf_counter()

    def settled() -> bool:
        # Measured until 0.2 s after the run ended: the work the end of a run leaves for
        # the next turns of the event loop (sizing the columns) counts too.
        return bool(finished_at) and time.perf_counter() > finished_at[0] + 0.2

    worst = _loop_worst_gap(app, view.start, settled)
    took = finished_at[0] - started
    results = view.model.results()
    assert len(results) == CHECKALL_ROWS and all(r.outcome.ok for r in results), results[:3]
    view.close()
    view.deleteLater()
    app.processEvents()
    return worst, took


def _idle_worst_gap(app: Any, seconds: float) -> float:
    """The loop's worst gap with nothing running, as long as an ideal run (machine noise)."""
    end = time.monotonic() + seconds
    return _loop_worst_gap(app, lambda: None, lambda: time.monotonic() > end)


def _batch_only_worst_gap(app: Any, checker: Any) -> float:
    """The same batch on a plain thread with no view: what the threads alone cost the loop."""
    from moecheck_gui.batch import BatchRunner

    done = threading.Event()

    def work() -> None:
        BatchRunner(checker, concurrency=CHECKALL_CONCURRENCY, timeout=10).run_all(_checkall_rows())
        done.set()

    return _loop_worst_gap(
        app, lambda: threading.Thread(target=work, daemon=True).start(), done.is_set
    )


def bench_checkall(runs: int) -> list[Row]:
    """Check-all throughput vs. the ideal, and the window's event loop while it runs."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from moecheck_gui.batch import BatchRunner
    from moecheck_gui.client import Checker

    ideal = CHECKALL_ROWS * CHECKALL_DELAY / CHECKALL_CONCURRENCY
    totals: list[float] = []
    gaps: list[float] = []
    app = QApplication.instance() or QApplication([])
    with tls_server_process(CHECKALL_DELAY) as (port, bundle):
        os.environ["REQUESTS_CA_BUNDLE"] = bundle
        os.environ.pop("SSL_CERT_FILE", None)
        api_base = f"https://127.0.0.1:{port}/dc-{{dc}}"
        checker = Checker(api_base=api_base)
        checker.check(WS, KEY, "01", timeout=10)  # warm: imports, TLS context
        for _ in range(max(runs // 2, 2)):
            runner = BatchRunner(checker, concurrency=CHECKALL_CONCURRENCY, timeout=10)
            start = time.perf_counter()
            results = runner.run_all(_checkall_rows())
            totals.append(time.perf_counter() - start)
            assert all(r.outcome.ok for r in results), results[:3]
        threads_only: list[float] = []
        idle: list[float] = []
        view_totals: list[float] = []
        _view_worst_gap(app, api_base)  # warm: the first child fills the byte-code cache
        for _ in range(max(runs // 2, 2)):
            gap, took = _view_worst_gap(app, api_base)
            gaps.append(gap)
            view_totals.append(took)
            threads_only.append(_batch_only_worst_gap(app, checker))
            idle.append(_idle_worst_gap(app, ideal))
        checker.close()
    basis = f"baseline: the ideal {CHECKALL_ROWS} x {CHECKALL_DELAY} s / {CHECKALL_CONCURRENCY}"
    return [
        Row(
            f"Check-all, {CHECKALL_ROWS} workspaces answering after {CHECKALL_DELAY} s, "
            f"concurrency {CHECKALL_CONCURRENCY}",
            statistics.median(totals) * 1000,
            ideal * 1000,
            "ms",
            1.3,
            f"{basis}; the command's runner (threads); server in its own process",
        ),
        Row(
            "The same check-all in the window's view",
            statistics.median(view_totals) * 1000,
            ideal * 1000,
            "ms",
            1.3,
            f"{basis}; the checks in a child process, its start-up included",
        ),
        Row(
            "Worst event-loop gap while the check-all view runs",
            max(gaps),
            16.0,
            "ms",
            1.0,
            f"target: under one frame (16 ms); {CHECKALL_ROWS} rows filling in; the same "
            f"batch on threads in the window's process, no view: {max(threads_only):.1f} ms; "
            f"idle loop {max(idle):.1f} ms",
        ),
    ]


# ----------------------------------------------------------------------------- frozen

BENCH_DIR = ROOT / "build" / "bench"
FROZEN_APP = BENCH_DIR / "dist" / "moecheck" / "moecheck-gui"
FROZEN_BARE = BENCH_DIR / "dist" / "bare-form" / "bare-form"


def _pyinstaller() -> Path | None:
    exe = Path(sys.executable).with_name("pyinstaller")
    return exe if exe.exists() else None


def freeze(app: bool) -> None:
    """Freeze the bare form (and with ``app``, MoeCheck from this checkout) into build/bench/.

    Both use the same PyInstaller and Python, onedir, no UPX, like
    packaging/moecheck.spec; the bare form is the same script as BARE_FORM.
    """
    tool = _pyinstaller()
    if tool is None:
        raise SystemExit(
            "pyinstaller is not installed (pip install -r packaging/requirements-build.txt)"
        )
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    script = BENCH_DIR / "bare-form.py"
    script.write_text(BARE_FORM)
    common = ["--noconfirm", "--log-level", "WARN", "--distpath", str(BENCH_DIR / "dist")]
    subprocess.run(  # noqa: S603 - the venv's own pyinstaller
        [
            str(tool),
            *common,
            "--workpath",
            str(BENCH_DIR / "work-bare"),
            "--specpath",
            str(BENCH_DIR),
            "--name",
            "bare-form",
            "--onedir",
            str(script),
        ],
        check=True,
    )
    if app:
        subprocess.run(  # noqa: S603
            [
                str(tool),
                *common,
                "--workpath",
                str(BENCH_DIR / "work-app"),
                str(ROOT / "packaging" / "moecheck.spec"),
            ],
            check=True,
            cwd=ROOT,
        )


def bench_frozen(runs: int) -> list[Row]:
    """Start-up of the frozen app vs. the frozen bare form (both from build/bench/)."""
    if not (FROZEN_APP.exists() and FROZEN_BARE.exists()):
        print(
            "frozen: no bundles in build/bench/dist; run with --freeze first. Skipped.",
            file=sys.stderr,
        )
        return []
    built = FROZEN_APP.stat().st_mtime
    newer = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "moecheck_gui").rglob("*.py")
        if path.stat().st_mtime > built
    ]
    rows = _startup_rows(
        [str(FROZEN_BARE)], [str(FROZEN_APP)], runs, label=" (frozen, PyInstaller onedir)"
    )
    if newer:
        # Honest about what was measured: a bundle older than the source.
        note = f"bundle older than {len(newer)} source file(s); rerun with --freeze"
        print(f"frozen: {note}: {', '.join(newer[:5])}", file=sys.stderr)
        for row in rows:
            row.note = f"{row.note}; ⚠ {note}"
    return rows


SECTIONS: dict[str, Callable[[int], list[Row]]] = {
    "startup": bench_startup,
    "frozen": bench_frozen,
    "check": bench_check,
    "detect": bench_detect,
    "events": bench_events,
    "checkall": bench_checkall,
}


def render(rows: list[Row], runs: int) -> str:
    """The Markdown page written to docs/benchmarks.md."""
    lines = [
        "# Benchmarks",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: "
        f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}. "
        f"Medians of {runs}+ runs; baselines measured in the same run, alternating.",
        "Regenerate with `make bench` (exits non-zero if a ratio misses its target); "
        "`scripts/bench.py --freeze` first rebuilds the frozen bundles in build/bench/.",
        "",
        "| measure | MoeCheck | baseline | ratio | target | result | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.ours:.1f} {r.unit} | {r.baseline:.1f} {r.unit} | {r.ratio:.2f}× "
            f"| ≤ {r.target:.2f}× | {'✅ met' if r.ok else '❌ missed'} | {r.note} |"
        )
    return "\n".join(lines) + "\n"


def _compiled_like_an_install() -> None:
    """Run again with byte-code caching on, when this environment turned it off.

    Installed and frozen apps never compile their modules when they start, and
    the check-all view's child process starts on every run. Child interpreters
    inherit ``-B`` from this one (multiprocessing passes the flag on), so only a
    fresh start changes it. The cache goes to build/bench/pycache, not the tree.
    """
    if not sys.flags.dont_write_bytecode:
        return
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(BENCH_DIR / "pycache")
    os.execve(sys.executable, [sys.executable, *sys.argv], env)  # noqa: S606 - ourselves


def main() -> int:
    _compiled_like_an_install()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown table here")
    parser.add_argument(
        "--freeze",
        action="store_true",
        help="first freeze MoeCheck (this checkout) and the bare form into build/bench/",
    )
    args = parser.parse_args()
    if args.freeze:
        freeze(app=True)
    rows: list[Row] = []
    for name in args.only.split(","):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.extend(SECTIONS[name](args.runs))
    table = render(rows, args.runs)
    print(table)
    if args.out:
        existing = args.out.read_text() if args.out.exists() else ""
        notes = existing.split("<!-- notes -->", 1)[1] if "<!-- notes -->" in existing else "\n"
        args.out.write_text(table + "\n<!-- notes -->" + notes)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
