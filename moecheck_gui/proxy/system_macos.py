"""macOS: System Settings > Network > Proxies, read through ``scutil --proxy``.

Why ``scutil``: it prints the effective setting of the current network
service (what Safari uses) and ships with every macOS; reading it needs no
PyObjC. :func:`parse_scutil` is pure and tested with recorded output;
:func:`read` runs the command (macOS only), bounded by a timeout.
"""

from __future__ import annotations

import subprocess  # nosec B404 - runs one fixed OS tool, never user input
import sys
from typing import Any

from moecheck_gui.proxy.model import SystemProxy, SystemProxyError

SCUTIL = "/usr/sbin/scutil"


def _parse_block(lines: list[str], index: int) -> tuple[dict[str, Any], int]:
    """Parse the body of a ``<dictionary> {`` or ``<array> {`` block starting at ``index``."""
    result: dict[str, Any] = {}
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line:
            continue
        if line == "}":
            return result, index
        key, sep, value = line.partition(" : ")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if value in ("<dictionary> {", "<array> {"):
            child, index = _parse_block(lines, index)
            if value == "<array> {":
                order = sorted(child, key=lambda k: int(k) if k.isdigit() else 0)
                result[key] = [child[k] for k in order]
            else:
                result[key] = child
        else:
            result[key] = value
    return result, index


def parse_scutil(output: str) -> dict[str, Any]:
    """``scutil --proxy`` output as a dict (arrays become lists, values stay strings)."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.strip() == "<dictionary> {":
            parsed, _ = _parse_block(lines, index + 1)
            return parsed
    raise ValueError("not scutil --proxy output")


def _on(data: dict[str, Any], key: str) -> bool:
    return str(data.get(key, "0")).strip() == "1"


def _host_port(data: dict[str, Any], prefix: str) -> str | None:
    if not _on(data, f"{prefix}Enable"):
        return None
    host = str(data.get(f"{prefix}Proxy", "")).strip()
    if not host:
        return None
    port = str(data.get(f"{prefix}Port", "")).strip()
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port.isdigit() else shown


def settings_from_output(output: str) -> SystemProxy:
    """The setting from recorded ``scutil --proxy`` output."""
    data = parse_scutil(output)
    exceptions = data.get("ExceptionsList", [])
    bypass = tuple(str(e) for e in exceptions) if isinstance(exceptions, list) else ()
    pac_url = None
    if _on(data, "ProxyAutoConfigEnable"):
        pac_url = str(data.get("ProxyAutoConfigURLString", "")).strip() or None
    return SystemProxy(
        platform="macOS",
        https_proxy=_host_port(data, "HTTPS"),
        http_proxy=_host_port(data, "HTTP"),
        bypass=bypass,
        bypass_simple_hosts=_on(data, "ExcludeSimpleHostnames"),
        pac_url=pac_url,
        auto_detect=_on(data, "ProxyAutoDiscoveryEnable"),
    )


def read(timeout: float = 3.0) -> SystemProxy:  # pragma: no cover - runs on macOS only
    """Run ``scutil --proxy`` and read its output (macOS only)."""
    if sys.platform != "darwin":
        raise SystemProxyError("the macOS proxy setting exists only on macOS")
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603 - fixed system tool, no user input
            [SCUTIL, "--proxy"], capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SystemProxyError(f"scutil --proxy could not be run ({exc})") from exc
    if done.returncode != 0:
        raise SystemProxyError(f"scutil --proxy failed (exit {done.returncode})")
    try:
        return settings_from_output(done.stdout)
    except ValueError as exc:
        raise SystemProxyError(f"scutil --proxy printed something unexpected ({exc})") from exc
