"""Frozen entry point of ``moecheck`` (the console executable).

Forwards to :func:`moecheck_gui.cli.main`; a separate file for the same reason
as ``launch_gui.py`` (the entry script runs as ``__main__``).

``multiprocessing.freeze_support()`` comes first, before the app is even
imported: the PAC engine runs in a child process started with "spawn", and in
a frozen app that child is this same executable, started with multiprocessing's
own arguments (``--multiprocessing-fork ...``, or ``-c "from
multiprocessing.resource_tracker import main..."`` for the resource tracker).
PyInstaller's ``freeze_support`` recognises those, runs the child's work and
exits; without it the child would parse them as a ``moecheck`` command, fail,
and every PAC would end in "the PAC engine did not start".
"""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from moecheck_gui.cli import main

    sys.exit(main())
