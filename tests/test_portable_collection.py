"""The whole suite must *collect* on Windows and macOS, checked here on Linux.

Why: the release workflow runs ``pytest`` on Windows and macOS before it
freezes anything. One module that imports ``pty`` or calls ``os.geteuid()``
while it loads is a collection error there: pytest exits 2 and the release
publishes nothing. Those machines cannot run here, so this test collects the
suite (every file that exists at run time, including ones added later) in a
child interpreter whose ``sitecustomize`` takes away what Windows lacks
(``pty``, ``termios``, ``fcntl``, ``resource``, ``os.geteuid`` ...) and what
macOS lacks (``/proc``). Tests that need those things must ask
``tests/platform_support.py`` at run time and be skipped with a reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import platform_support

REPO = Path(__file__).resolve().parents[1]

HIDDEN_MODULES = ("pty", "tty", "termios", "fcntl", "resource", "grp", "posix_ipc")
"""POSIX-only modules (no Windows build of CPython has them)."""

HIDDEN_OS = (
    "geteuid", "getuid", "getegid", "getgid", "getgroups", "fork", "forkpty", "openpty",
    "killpg", "setsid", "setpgid", "getpgid", "setpgrp", "getpgrp", "chown", "lchown",
    "mkfifo", "getloadavg",
)  # fmt: skip
"""``os`` names that Windows' ``os`` module does not have."""

HIDDEN_SIGNAL = (
    "SIGKILL", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGPIPE",
    "alarm", "setitimer", "pthread_kill", "sigwait",
)  # fmt: skip
"""``signal`` names that Windows' ``signal`` module does not have."""

SITECUSTOMIZE = f'''\
"""Make this interpreter look like Windows (POSIX-only names) and macOS (no /proc) to tests/.

POSIX-only modules and names are hidden from code *in the tests package* only:
libraries branch on the platform (platformdirs, subprocess import their POSIX
half here and their Windows half there), so hiding things from them would
test a machine that exists nowhere. /proc is hidden from everyone (macOS).
"""
import builtins
import importlib
import io
import os
import signal
import sys
import types

_MODULES = frozenset({HIDDEN_MODULES!r})
_NAMES = {{"os": frozenset({HIDDEN_OS!r}), "signal": frozenset({HIDDEN_SIGNAL!r})}}
_TESTS = {str(REPO / "tests")!r} + os.sep
_stripped = {{}}
_real_import = builtins.__import__
_real_import_module = importlib.import_module


def _in_tests(namespace):
    if not namespace:
        return False
    name = namespace.get("__name__") or ""
    where = namespace.get("__file__") or ""
    return name == "tests" or name.startswith("tests.") or where.startswith(_TESTS)


def _stripped_module(name):
    if name not in _stripped:
        real = sys.modules[name]
        fake = types.ModuleType(name, real.__doc__)
        fake.__dict__.update(
            {{k: v for k, v in vars(real).items() if k not in _NAMES[name]}}
        )
        _stripped[name] = fake
    return _stripped[name]


def _refuse(name):
    raise ModuleNotFoundError(f"No module named {{name!r}} (hidden: POSIX only)", name=name)


def _import(name, globals=None, locals=None, fromlist=(), level=0):
    if level or not _in_tests(globals):
        return _real_import(name, globals, locals, fromlist, level)
    top = name.partition(".")[0]
    if top in _MODULES:
        _refuse(name)
    module = _real_import(name, globals, locals, fromlist, level)
    if name in _NAMES or (top in _NAMES and not fromlist):
        return _stripped_module(top)
    return module


def _import_module(name, package=None):
    if not name.startswith(".") and name.partition(".")[0] in _MODULES:
        if _in_tests(sys._getframe(1).f_globals):
            _refuse(name)
    return _real_import_module(name, package)


builtins.__import__ = _import
importlib.import_module = _import_module


def _no_proc(path):
    if isinstance(path, int):
        return
    text = os.fsdecode(os.fspath(path))
    if text == "/proc" or text.startswith("/proc/"):
        raise FileNotFoundError(2, "No such file or directory (hidden: macOS has no /proc)", text)


def _guard(real):
    def guarded(path, *args, **kwargs):
        _no_proc(path)
        return real(path, *args, **kwargs)

    return guarded


builtins.open = io.open = _guard(io.open)
for _name in ("listdir", "scandir", "readlink", "stat", "lstat", "open"):
    setattr(os, _name, _guard(getattr(os, _name)))
'''


def _as_test_code(code: str) -> str:
    """``python -c`` source that runs ``code`` as if it were a module of the tests package."""
    return f"exec(compile({code!r}, 'probe', 'exec'), {{'__name__': 'tests.probe'}})"


@pytest.fixture(scope="module")
def hidden_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment whose Python runs the sitecustomize above first."""
    folder = tmp_path_factory.mktemp("posix-hidden")
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(folder), str(REPO), env.get("PYTHONPATH", "")) if p
    )
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _python(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=REPO
    )


def test_the_simulation_really_hides_things(hidden_env: dict[str, str]) -> None:
    """Without this, a shadowed sitecustomize would make the collection check pass vacuously."""
    code = (
        "import importlib, os, signal\n"
        "from pathlib import Path\n"
        "gone = []\n"
        "for name in ('pty', 'termios', 'fcntl', 'resource'):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError:\n"
        "        gone.append(name)\n"
        "try:\n"
        "    import pty\n"
        "except ImportError:\n"
        "    gone.append('import-pty')\n"
        "try:\n"
        "    from os import geteuid\n"
        "except ImportError:\n"
        "    gone.append('from-os-import-geteuid')\n"
        "gone += [n for n in ('geteuid', 'getuid', 'fork') if not hasattr(os, n)]\n"
        "gone += ['SIGKILL'] if not hasattr(signal, 'SIGKILL') else []\n"
        "gone += ['/proc'] if not Path('/proc/self/status').exists() else []\n"
        "print(' '.join(gone))\n"
    )
    proc = _python(hidden_env, _as_test_code(code))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [
        *("pty", "termios", "fcntl", "resource", "import-pty", "from-os-import-geteuid"),
        *("geteuid", "getuid", "fork", "SIGKILL", "/proc"),
    ]


def test_the_whole_suite_collects_without_posix_only_things(hidden_env: dict[str, str]) -> None:
    """``pytest --collect-only`` of all of tests/ with POSIX-only modules, names, /proc gone."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=REPO,
        env=hidden_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"collection failed (exit {proc.returncode}):\n{output}"
    assert " error" not in output.lower().splitlines()[-1], output
    assert "tests/test_portable_collection.py::" in output, "the suite was not collected"


def test_probes_answer_none_without_proc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On macOS and Windows the /proc probes must give up quietly, not crash the test."""
    monkeypatch.setattr(platform_support, "PROC", tmp_path / "no-proc")
    assert platform_support.proc_self_available() is False
    assert platform_support.rss_bytes() is None
    assert platform_support.os_thread_count() is None
    assert platform_support.socket_fds() is None
    assert platform_support.growth(None, 5) is None and platform_support.growth(5, None) is None


def test_reliability_probes_run_without_proc(hidden_env: dict[str, str]) -> None:
    """The reliability suite's probes, as its tests import them, with /proc gone (macOS)."""
    code = (
        "from tests.reliability.conftest import os_thread_count, rss_bytes, socket_fds\n"
        "print(rss_bytes(), os_thread_count(), socket_fds())\n"
    )
    proc = _python(hidden_env, _as_test_code(code))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["None", "None", "None"]


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="Linux /proc only")
def test_probes_measure_with_proc() -> None:
    """Where /proc exists the probes give real figures (so the bounds above are enforced)."""
    rss, threads, sockets = (
        platform_support.rss_bytes(),
        platform_support.os_thread_count(),
        platform_support.socket_fds(),
    )
    assert rss is not None and rss > 1024 * 1024
    assert threads is not None and threads >= 1
    assert sockets is not None and sockets >= 0
    assert platform_support.growth(10, 25) == 15


def test_peak_rss_snippet_without_resource(hidden_env: dict[str, str]) -> None:
    """The CLI wrapper's peak-RSS code reports 'unknown' where ``resource`` is missing."""
    code = "import sys\n" + platform_support.PEAK_RSS_SNIPPET + "print(repr(_peak_rss()))\n"
    hidden = _python(hidden_env, _as_test_code(code))
    assert hidden.returncode == 0, hidden.stderr
    assert hidden.stdout.strip() == "''"
    if platform_support.can_import("resource"):
        real = _python(dict(os.environ), code)
        assert real.returncode == 0, real.stderr
        assert int(real.stdout.strip().strip("'")) > 1024 * 1024
