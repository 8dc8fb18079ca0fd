"""MoeCheck: check MoEngage workspace credentials and explain every failure.

The package root stays tiny on purpose: the window imports it before first
paint, so nothing here may pull in ``requests``, ``keyring`` or Qt.
"""

__version__ = "0.1.0"
APP_NAME = "MoeCheck"
APP_ID = "io.moecheck.MoeCheck"
"""Reverse-DNS application id: desktop file, StartupWMClass, macOS bundle id."""
