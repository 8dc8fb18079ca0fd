"""Windows: the Internet Options proxy setting (what Edge, Chrome and WinHTTP-aware apps use).

Where it lives: ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings``
(``ProxyEnable``, ``ProxyServer``, ``ProxyOverride``, ``AutoConfigURL``) and the
flags of the binary ``Connections\\DefaultConnectionSettings`` value, which is
the only place "Automatically detect settings" is stored.

Why split: :func:`parse_settings` is pure (tested everywhere with recorded
values); :func:`read` is the thin ``winreg`` part, imported only on Windows.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from moecheck_gui.proxy.model import SystemProxy, SystemProxyError

KEY = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
CONNECTIONS_KEY = KEY + r"\Connections"
FLAG_PROXY = 0x02
"""DefaultConnectionSettings flag: "Use a proxy server"."""
FLAG_AUTO_PROXY_URL = 0x04
"""DefaultConnectionSettings flag: "Use automatic configuration script"."""
FLAG_AUTO_DETECT = 0x08
"""DefaultConnectionSettings flag: "Automatically detect settings"."""


def connection_flags(blob: bytes | None) -> int | None:
    """The flags DWORD of DefaultConnectionSettings (little-endian at offset 8), or None."""
    if not blob or len(blob) < 12:
        return None
    return int.from_bytes(blob[8:12], "little")


def parse_proxy_server(value: str) -> tuple[str | None, str | None]:
    """``ProxyServer`` to (https proxy, http proxy).

    ``host:port`` serves every protocol; ``http=a:1;https=b:2;socks=c:3`` names
    one per protocol (SOCKS is not used: MoeCheck speaks HTTP to proxies).
    """
    value = value.strip()
    if not value:
        return None, None
    if "=" not in value:
        return value, value
    per: dict[str, str] = {}
    for part in value.replace(" ", "").split(";"):
        name, _, address = part.partition("=")
        if name and address:
            per[name.lower()] = address
    return per.get("https"), per.get("http")


def parse_override(value: str) -> tuple[tuple[str, ...], bool]:
    """``ProxyOverride`` to (patterns, bypass dot-less names because of ``<local>``)."""
    patterns = [p.strip() for p in value.replace(",", ";").split(";") if p.strip()]
    local = any(p.lower() == "<local>" for p in patterns)
    return tuple(p for p in patterns if p.lower() != "<local>"), local


def parse_settings(values: Mapping[str, object], connection_blob: bytes | None) -> SystemProxy:
    """The setting from recorded registry values (names as in the Internet Settings key).

    When the DefaultConnectionSettings blob is present, its flags decide which
    of manual / script / auto-detect are on (they are what the dialog shows);
    ``ProxyEnable`` is the fallback for the manual proxy, and a non-empty
    ``AutoConfigURL`` counts as on when there is no blob.
    """
    flags = connection_flags(connection_blob)
    enable_value = values.get("ProxyEnable")
    manual_on = bool(enable_value) if isinstance(enable_value, int) else False
    pac_url = str(values.get("AutoConfigURL") or "").strip() or None
    auto_detect = False
    if flags is not None:
        manual_on = bool(flags & FLAG_PROXY) or manual_on
        if not flags & FLAG_AUTO_PROXY_URL:
            pac_url = None
        auto_detect = bool(flags & FLAG_AUTO_DETECT)
    https_proxy = http_proxy = None
    bypass: tuple[str, ...] = ()
    local = False
    if manual_on:
        https_proxy, http_proxy = parse_proxy_server(str(values.get("ProxyServer") or ""))
        bypass, local = parse_override(str(values.get("ProxyOverride") or ""))
    return SystemProxy(
        platform="Windows",
        https_proxy=https_proxy,
        http_proxy=http_proxy,
        bypass=bypass,
        bypass_simple_hosts=local,
        pac_url=pac_url,
        auto_detect=auto_detect,
    )


def read() -> SystemProxy:  # pragma: no cover - runs on Windows only
    """Read the current user's setting from the registry (Windows only)."""
    if sys.platform != "win32":
        raise SystemProxyError("the Windows proxy setting exists only on Windows")
    import winreg

    values: dict[str, object] = {}
    blob: bytes | None = None
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, KEY) as key:
            for name in ("ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL"):
                try:
                    values[name], _ = winreg.QueryValueEx(key, name)
                except FileNotFoundError:
                    continue
    except FileNotFoundError:
        return SystemProxy(platform="Windows")
    except OSError as exc:
        raise SystemProxyError(f"the Windows proxy setting could not be read ({exc})") from exc
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, CONNECTIONS_KEY) as key:
            data, _ = winreg.QueryValueEx(key, "DefaultConnectionSettings")
            blob = bytes(data) if isinstance(data, bytes | bytearray) else None
    except OSError:
        blob = None
    return parse_settings(values, blob)
