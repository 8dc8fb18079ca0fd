"""Keyring backends that stand in for situations a real Secret Service cannot be made to produce.

A fake on purpose, and only for one case: GNOME Keyring cannot be told to
*deny* one application access (macOS Keychain and KWallet can), so
:class:`DenyingKeyring` raises what those keychains raise, a D-Bus
``AccessDenied`` error. It is selected through ``PYTHON_KEYRING_BACKEND`` in a
child process, exactly as a user or admin would force a backend.
"""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend
from keyring.compat import properties

_SELF = f"{__name__}.DenyingKeyring"


class AccessDeniedError(Exception):
    """Shaped like jeepney's D-Bus error for org.freedesktop.DBus.Error.AccessDenied."""

    name = "org.freedesktop.DBus.Error.AccessDenied"


class DenyingKeyring(KeyringBackend):
    """A keychain that exists and answers, but refuses this application every time."""

    @properties.classproperty
    def priority(cls) -> float:
        # keyring considers every imported KeyringBackend subclass; this one must be
        # viable only where PYTHON_KEYRING_BACKEND asks for it, never by accident.
        if os.environ.get("PYTHON_KEYRING_BACKEND") != _SELF:
            raise RuntimeError("only when selected through PYTHON_KEYRING_BACKEND")
        return 10

    def get_password(self, service: str, username: str) -> str | None:
        raise AccessDeniedError("Access to the keychain was denied to this application")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AccessDeniedError("Access to the keychain was denied to this application")

    def delete_password(self, service: str, username: str) -> None:
        raise AccessDeniedError("Access to the keychain was denied to this application")


_PLAINTEXT = f"{__name__}.PlaintextFileKeyring"


class PlaintextFileKeyring(KeyringBackend):
    """A stand-in for keyrings.alt's PlaintextKeyring: keeps passwords in a file in HOME.

    Used when keyrings.alt is not installed (installing it changes keyring's default
    choice for the whole test run). MoeCheck must refuse it; if it ever were used,
    the file ``~/.moecheck-fake-plaintext-keyring`` would appear and the test fails.
    """

    @properties.classproperty
    def priority(cls) -> float:
        if os.environ.get("PYTHON_KEYRING_BACKEND") != _PLAINTEXT:
            raise RuntimeError("only when selected through PYTHON_KEYRING_BACKEND")
        return 1

    def _file(self) -> str:
        return os.path.join(os.path.expanduser("~"), ".moecheck-fake-plaintext-keyring")

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        with open(self._file(), "a", encoding="utf-8") as handle:
            handle.write(f"{service}:{username}:{password}\n")

    def delete_password(self, service: str, username: str) -> None:
        return None
