"""Frozen entry point of ``moecheck`` (the console executable).

Forwards to :func:`moecheck_gui.cli.main`; a separate file for the same reason
as ``launch_gui.py`` (the entry script runs as ``__main__``).
"""

from __future__ import annotations

import sys

from moecheck_gui.cli import main

if __name__ == "__main__":
    sys.exit(main())
