"""``python -m moecheck_gui.cli``: the same as the ``moecheck`` console script."""

import sys

from moecheck_gui.cli.app import main

if __name__ == "__main__":
    sys.exit(main())
