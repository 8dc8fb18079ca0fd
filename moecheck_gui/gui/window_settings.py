"""The window's small preferences: its geometry and whether "Remember the key" was ticked.

Why not the profile store: these are read before the window is shown, when
importing platformdirs and json would delay the first frame (docs/benchmarks.md);
QSettings (an INI file) is already part of Qt. Never a key: only geometry and
one boolean.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget


def settings_path() -> Path:
    """Where window geometry and small preferences live (platform config folder).

    The same folder as ``platformdirs.user_config_dir("moecheck")``. On Linux
    with an absolute ``XDG_CONFIG_HOME`` or ``HOME`` that is one line of the
    XDG spec, computed here because importing platformdirs before the first
    paint cost ~4 ms (the geometry must be read before the window is shown);
    a test checks both agree. Everything else asks platformdirs.
    """
    if sys.platform.startswith("linux"):
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        home = os.environ.get("HOME", "")
        if os.path.isabs(xdg):
            return Path(xdg) / "moecheck" / "window.ini"
        if os.path.isabs(home) and not xdg.strip():
            return Path(home) / ".config" / "moecheck" / "window.ini"
    import platformdirs

    return Path(platformdirs.user_config_dir("moecheck", appauthor=False)) / "window.ini"


class WindowSettings:
    """Geometry and the Remember preference, in ``window.ini`` (see :func:`settings_path`)."""

    def __init__(self, path: Path | None = None) -> None:
        self._settings = QSettings(str(path or settings_path()), QSettings.Format.IniFormat)

    def restore_geometry(self, window: QWidget) -> None:
        """Put ``window`` where and as large as it was last closed."""
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, bytes | bytearray):
            window.restoreGeometry(geometry)
        elif geometry is not None:
            from PySide6.QtCore import QByteArray  # what QSettings returns for a geometry

            if isinstance(geometry, QByteArray):
                window.restoreGeometry(geometry)

    def save_geometry(self, window: QWidget) -> None:
        """Remember where ``window`` is (written by :meth:`sync`)."""
        self._settings.setValue("window/geometry", window.saveGeometry())

    @property
    def remember(self) -> bool:
        """The user last ticked "Remember the key" (while a keychain was usable)."""
        return bool(self._settings.value("remember", False, type=bool))

    @remember.setter
    def remember(self, checked: bool) -> None:
        self._settings.setValue("remember", checked)

    def sync(self) -> None:
        """Write pending changes to disk."""
        self._settings.sync()
