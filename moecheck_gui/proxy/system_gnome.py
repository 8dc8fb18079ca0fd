"""GNOME (and desktops sharing its setting): ``org.gnome.system.proxy``, through ``gsettings``.

Keys: ``mode`` (``none``, ``manual``, ``auto``), ``autoconfig-url`` (empty in
``auto`` mode means WPAD), ``ignore-hosts``, and the ``https``/``http`` child
schemas' ``host`` and ``port``.

Why the ``gsettings`` command rather than Gio bindings: it needs no PyGObject
(which neither the venv nor the frozen app carries), it reads whatever backend
the desktop uses (dconf), and one ``list-recursively`` call returns every key.
:func:`parse_listing` is pure; :func:`read` runs the command with a timeout.
"""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404 - runs one fixed OS tool, never user input
from collections.abc import Mapping

from moecheck_gui.proxy.model import SystemProxy, SystemProxyError

SCHEMA = "org.gnome.system.proxy"


def parse_gvariant(text: str) -> str | int | bool | list[str]:
    """The few GVariant text forms these keys use: strings, ints, booleans, string arrays."""
    text = text.strip()
    if text.startswith("@as "):
        text = text[4:].strip()
    for prefix in ("uint32 ", "int32 ", "uint16 "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if text in ("true", "false"):
        return text == "true"
    if text.lstrip("-").isdigit():
        return int(text)
    if text.startswith("["):
        return _strings(text[1:-1] if text.endswith("]") else text[1:])
    if text[:1] in ("'", '"'):
        items = _strings(text)
        return items[0] if items else ""
    return text


def _strings(text: str) -> list[str]:
    """Quoted strings of a GVariant array body, with backslash escapes undone."""
    items: list[str] = []
    i = 0
    while i < len(text):
        quote = text[i]
        if quote not in ("'", '"'):
            i += 1
            continue
        i += 1
        value = []
        while i < len(text) and text[i] != quote:
            if text[i] == "\\" and i + 1 < len(text):
                i += 1
            value.append(text[i])
            i += 1
        items.append("".join(value))
        i += 1
    return items


def parse_listing(output: str) -> dict[str, dict[str, object]]:
    """``gsettings list-recursively`` lines (``schema key value``) as {schema: {key: value}}."""
    result: dict[str, dict[str, object]] = {}
    for line in output.splitlines():
        parts = line.strip().split(" ", 2)
        if len(parts) != 3:
            continue
        schema, key, value = parts
        result.setdefault(schema, {})[key] = parse_gvariant(value)
    return result


def _host_port(schema: Mapping[str, object]) -> str | None:
    host = str(schema.get("host") or "").strip()
    port = schema.get("port")
    if not host or not isinstance(port, int) or port <= 0:
        return None
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def settings_from_listing(listing: Mapping[str, Mapping[str, object]]) -> SystemProxy | None:
    """The setting from parsed gsettings output; None when the schema is absent."""
    main = listing.get(SCHEMA)
    if main is None:
        return None
    mode = str(main.get("mode") or "none")
    if mode == "auto":
        url = str(main.get("autoconfig-url") or "").strip()
        return SystemProxy(platform="GNOME", pac_url=url or None, auto_detect=not url)
    if mode != "manual":
        return SystemProxy(platform="GNOME")
    ignore = main.get("ignore-hosts")
    bypass = tuple(ignore) if isinstance(ignore, list) else ()
    http_proxy = _host_port(listing.get(f"{SCHEMA}.http", {}))
    https_proxy = _host_port(listing.get(f"{SCHEMA}.https", {}))
    if https_proxy is None and main.get("use-same-proxy") is True:
        https_proxy = http_proxy  # older GNOME: one proxy for every protocol
    return SystemProxy(
        platform="GNOME", https_proxy=https_proxy, http_proxy=http_proxy, bypass=bypass
    )


def read(env: Mapping[str, str] | None = None, timeout: float = 3.0) -> SystemProxy | None:
    """Run ``gsettings list-recursively org.gnome.system.proxy``; None without gsettings/schema.

    ``env`` is the environment for the command (tests point it at a private
    D-Bus session and dconf database).
    """
    environ = dict(os.environ if env is None else env)
    gsettings = shutil.which("gsettings", path=environ.get("PATH"))
    if gsettings is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603 - fixed arguments, no user input
            [gsettings, "list-recursively", SCHEMA],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=environ,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SystemProxyError("gsettings did not answer in time") from exc
    except OSError as exc:
        raise SystemProxyError(f"gsettings could not be run ({exc})") from exc
    if done.returncode != 0:
        if "No such schema" in done.stderr:
            return None
        raise SystemProxyError(f"gsettings failed (exit {done.returncode})")
    return settings_from_listing(parse_listing(done.stdout))
