"""The window's small preferences: geometry, "Remember the key", and a PAC URL override.

Why not the profile store: these are read before the window is shown, when
importing platformdirs and json would delay the first frame (docs/benchmarks.md);
QSettings (an INI file) is already part of Qt. Never a secret: geometry, one
boolean and a PAC URL without credentials (proxy passwords go to the keychain).
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


PAC_URL_KEY = "network/pac_url_override"
"""Where the PAC URL override is kept (docs/proxies.md: ``pac_url_override``)."""


class WindowSettings:
    """Geometry, the Remember preference and the PAC URL override, in ``window.ini``.

    See :func:`settings_path` for where that file lives.
    """

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

    @property
    def pac_url_override(self) -> str | None:
        """The PAC URL set in Help › Network settings (replaces ``MOECHECK_PAC_URL``), or None.

        Not a secret: the dialog refuses a URL with a user name or password in it.
        """
        value = self._settings.value(PAC_URL_KEY, "", type=str)
        return (value.strip() or None) if isinstance(value, str) else None

    @pac_url_override.setter
    def pac_url_override(self, url: str | None) -> None:
        if url and url.strip():
            self._settings.setValue(PAC_URL_KEY, url.strip())
        else:
            self._settings.remove(PAC_URL_KEY)

    def sync(self) -> None:
        """Write pending changes to disk."""
        self._settings.sync()
