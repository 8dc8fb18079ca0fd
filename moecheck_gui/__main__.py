"""``python -m moecheck_gui`` opens the window, like ``moecheck-gui``."""

import sys

from moecheck_gui.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
