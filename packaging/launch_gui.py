"""Frozen entry point of ``moecheck-gui`` (the windowed executable).

Why a launcher instead of pointing PyInstaller at ``moecheck_gui/gui/app.py``:
PyInstaller runs its entry script as ``__main__``, and a module run that way
is imported a second time under its real name by anything that imports it,
so module-level state would exist twice. This file only forwards.

``multiprocessing.freeze_support()`` runs before anything else: the PAC
engine's child process (started with "spawn") is this same executable, and
without it the child would open a second window instead of running PAC
files (see ``launch_cli.py``). It must also come before Qt is imported, so the
child never loads Qt, never shows a Dock icon and stays small.

``--self-test`` is dispatched here as well, so the frozen app can be verified
(CI runs it on every build) whether or not ``app.main`` handles the flag.
"""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    """Run the self-test when asked, else the window; return the exit code."""
    args = sys.argv[1:]
    if "--self-test" in args:
        from moecheck_gui.gui.selftest import run_self_test

        return run_self_test(args)
    from moecheck_gui.gui.app import main as app_main

    return app_main()


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
