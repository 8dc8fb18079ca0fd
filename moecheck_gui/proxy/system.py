"""Which OS reader applies on this machine; one entry point for the chooser."""

from __future__ import annotations

import sys
from collections.abc import Callable

from moecheck_gui.proxy.model import SystemProxy

SystemReader = Callable[[], SystemProxy | None]
"""Returns the OS setting, None where there is none to read; may raise SystemProxyError."""


def read_system_proxy() -> SystemProxy | None:
    """The current OS proxy setting: Windows registry, macOS scutil, or GNOME gsettings."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        from moecheck_gui.proxy import system_windows

        return system_windows.read()
    if sys.platform == "darwin":  # pragma: no cover - macOS only
        from moecheck_gui.proxy import system_macos

        return system_macos.read()
    from moecheck_gui.proxy import system_gnome

    return system_gnome.read()


def no_system_proxy() -> SystemProxy | None:
    """A reader for callers (and tests) that must ignore the OS setting."""
    return None
