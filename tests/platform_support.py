"""What the machine running the tests can do, asked at run time, in one place.

Why this module exists: the release workflow runs this suite on Linux, Windows
and macOS before it freezes anything. A POSIX-only import or call at module
level (``import pty``, ``os.geteuid()``, reading ``/proc``) is a *collection
error* on the other systems: pytest exits 2 and the release publishes nothing.
So test modules never touch a POSIX-only thing while they load; they ask the
helpers below, and the tests that need a missing capability are skipped with a
reason that names it (``tests/test_portable_collection.py`` collects the whole
suite with those things hidden, to keep it that way).

Every helper asks about the *capability*, not the platform name, where that is
possible: a Linux container without ``/proc`` is handled like macOS.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from pathlib import Path

import pytest

IS_WINDOWS = sys.platform == "win32"
IS_MACOS = sys.platform == "darwin"

PROC = Path("/proc")
"""The Linux process filesystem. A module attribute so a test can point it at a
missing folder and see that every probe copes, as on macOS and Windows."""


@functools.cache
def can_import(name: str) -> bool:
    """True if ``import name`` works here.

    Why not ``importlib.util.find_spec``: ``pty.py`` exists on Windows too, but
    importing it fails (it needs ``tty``, which needs ``termios``). Only an
    import answers the question.
    """
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def has_pty() -> bool:
    """Pseudo-terminals (``pty``, ``termios``): POSIX only; Windows has ConPTY, not this."""
    return can_import("pty") and can_import("termios") and hasattr(os, "fork")


def running_as_root() -> bool:
    """True for uid 0 on POSIX. Windows has no ``os.geteuid`` and no all-powerful uid."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0


def folder_permissions_enforced() -> bool:
    """True if ``chmod 0o500`` on a folder stops this process from creating files in it.

    Not on Windows: ``os.chmod`` there only sets the read-only attribute, which
    Windows ignores for folders. Not for root on POSIX: root bypasses mode bits.
    """
    return not IS_WINDOWS and not running_as_root()


def follows_xdg_dirs() -> bool:
    """True if ``platformdirs`` puts config/state folders under ``$XDG_CONFIG_HOME`` etc.

    The private-HOME fixtures move those variables into a temporary folder.
    Linux always follows them, macOS does with platformdirs 4.x's XDG support;
    Windows never does (``%APPDATA%`` through the shell API), so tests that
    spell out ``.config/moecheck/...`` under the private HOME cannot run there.
    """
    import platformdirs

    return any(c.__name__ == "XDGMixin" for c in platformdirs.PlatformDirs.__mro__)


def keychain_is_secret_service() -> bool:
    """True if the system keychain is the D-Bus Secret Service (Linux and the BSDs).

    Some tests make "no keychain" by pointing ``DBUS_SESSION_BUS_ADDRESS`` at
    nothing. On macOS (Keychain) and Windows (Credential Manager) the real
    system keychain would still answer, and would be handed the canary key.
    """
    return not IS_WINDOWS and not IS_MACOS


def can_interrupt_child() -> bool:
    """True if ``Popen.send_signal(signal.SIGINT)`` delivers Ctrl-C to a child (POSIX).

    Windows has no SIGINT delivery to another process: ``send_signal(SIGINT)``
    raises or terminates it. ``CTRL_C_EVENT`` goes to a whole console process
    group, and a child started with ``CREATE_NEW_PROCESS_GROUP`` (the only way
    not to interrupt the test runner too) has Ctrl-C disabled; CPython's own
    ``test_os.Win32KillTests.test_CTRL_C_EVENT`` is skipped for this reason
    ("subprocesses aren't inheriting Ctrl+C property"). ``CTRL_BREAK_EVENT``
    does arrive, but as SIGBREAK, not the KeyboardInterrupt the tests are about.
    """
    return not IS_WINDOWS


CTRL_C_REASON = (
    "Windows cannot send Ctrl-C to one child process (CTRL_C_EVENT is disabled in a new "
    "process group; CPython skips its own test of it)"
)
PTY_REASON = "needs a POSIX pseudo-terminal (pty/termios), which Windows lacks"


def proc_self_available() -> bool:
    """True if this process can read its own ``/proc/self`` (Linux; not macOS or Windows)."""
    return (PROC / "self" / "status").is_file()


def rss_bytes(pid: int | str = "self") -> int | None:
    """Resident set size (``VmRSS`` from ``/proc/PID/status``) in bytes; None without ``/proc``.

    Why None and not a guess: the memory asserts are upper bounds on *growth*;
    the peak figure from ``resource.getrusage`` is not the current size, so a
    stand-in would make them meaningless. Callers skip the bound when None.
    """
    try:
        text = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


def os_thread_count() -> int | None:
    """Threads of this process as the kernel sees them (``/proc/self/task``); None without it."""
    try:
        return len(os.listdir(PROC / "self" / "task"))
    except OSError:
        return None


def socket_fds(remote_port: int | None = None) -> int | None:
    """Open file descriptors of this process that are sockets; None without ``/proc/self/fd``.

    ``remote_port``: only the TCP sockets connected to that port (on any address).
    Why: a count of every socket also sees what other parts of a long test run
    open or close meanwhile (a D-Bus connection, a lingering test server's
    thread); a leak of the app's connections to a server shows in this count.
    """
    try:
        names = os.listdir(PROC / "self" / "fd")
    except OSError:
        return None
    inodes: list[str] = []
    for name in names:
        try:
            target = os.readlink(PROC / "self" / "fd" / name)
        except OSError:
            continue  # closed between listdir and readlink
        if target.startswith("socket:["):
            inodes.append(target[len("socket:[") : -1])
    if remote_port is None:
        return len(inodes)
    connected = _tcp_inodes_to(remote_port)
    return sum(1 for inode in inodes if inode in connected)


def _tcp_inodes_to(remote_port: int) -> set[str]:
    """Inodes of the TCP sockets (IPv4 and IPv6) whose remote end is ``remote_port``."""
    found: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "self" / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and int(fields[2].rsplit(":", 1)[1], 16) == remote_port:
                found.add(fields[9])
    return found


def growth(before: int | None, after: int | None) -> int | None:
    """``after - before``, or None when either figure is unknown on this system."""
    if before is None or after is None:
        return None
    return after - before


PEAK_RSS_SNIPPET = (
    "def _peak_rss():\n"
    "    try:\n"
    "        import resource\n"
    "    except ImportError:\n"
    "        return ''\n"
    "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    return str(peak if sys.platform == 'darwin' else peak * 1024)\n"
)
"""Source for a child process: its peak RSS in bytes, or '' where unknown.

``resource`` is POSIX-only (not on Windows), and ``ru_maxrss`` is in kilobytes
on Linux but in *bytes* on macOS (getrusage(2) on each system)."""


needs_pty = pytest.mark.skipif(not has_pty(), reason=PTY_REASON)
needs_ctrl_c = pytest.mark.skipif(not can_interrupt_child(), reason=CTRL_C_REASON)
needs_xdg_dirs = pytest.mark.skipif(
    not follows_xdg_dirs(),
    reason="platformdirs ignores XDG_* here (Windows: %APPDATA%), so the private HOME is not used",
)
needs_dbus_keychain = pytest.mark.skipif(
    not keychain_is_secret_service(),
    reason="hides the keychain by hiding D-Bus; the macOS/Windows keychain would still answer",
)
needs_proc = pytest.mark.skipif(
    not proc_self_available(),
    reason="counts threads and sockets through /proc/self (Linux only; not macOS or Windows)",
)
needs_folder_permissions = pytest.mark.skipif(
    not folder_permissions_enforced(),
    reason="folder mode bits do not stop this process (root, or Windows, which ignores them)",
)
