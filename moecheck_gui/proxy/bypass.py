"""Does a host skip the proxy? The rules of NO_PROXY and of the OS exceptions lists.

Why two functions: ``NO_PROXY`` follows ``requests`` (which every Python tool
behind the user's shell follows, so MoeCheck agrees with them), while the OS
exceptions lists (Windows ProxyOverride, macOS ExceptionsList, GNOME
ignore-hosts) are glob patterns and CIDR ranges as the OS's own dialogs accept.
"""

from __future__ import annotations

import fnmatch
import ipaddress


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _network(pattern: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """A CIDR range, including macOS's short form ``169.254/16``."""
    if "/" not in pattern:
        return None
    address, _, bits = pattern.partition("/")
    if ":" not in address:
        octets = address.split(".")
        if 1 <= len(octets) < 4 and all(o.isdigit() for o in octets):
            address = ".".join(octets + ["0"] * (4 - len(octets)))
    try:
        return ipaddress.ip_network(f"{address}/{bits}", strict=False)
    except ValueError:
        return None


def no_proxy_matches(host: str, port: int | None, no_proxy: str) -> bool:
    """True when ``NO_PROXY`` (``requests``' semantics) exempts ``host``.

    Entries are separated by commas (spaces ignored). ``*`` exempts everything;
    an IP address or CIDR range matches IP hosts; any other entry matches a host
    name that ends with it (``example.com`` and ``.example.com`` both cover
    ``api.example.com``), or ``host:port`` when the entry carries a port.
    """
    host = host.lower().strip("[]")
    entries = [e for e in no_proxy.replace(" ", "").lower().split(",") if e]
    if "*" in entries:
        return True
    address = _ip(host)
    host_with_port = f"{host}:{port}" if port is not None else host
    for entry in entries:
        if address is not None:
            network = _network(entry)
            if network is not None and address.version == network.version:
                if address in network:
                    return True
                continue
            if _ip(entry) == address:
                return True
            continue
        entry = entry.removeprefix("*")
        if host.endswith(entry) or host_with_port.endswith(entry):
            return True
        if entry.startswith(".") and host == entry[1:]:
            return True
    return False


def os_bypass_matches(host: str, patterns: tuple[str, ...], *, simple_hosts: bool) -> bool:
    """True when an OS exceptions list exempts ``host`` from the manual proxy.

    ``simple_hosts``: Windows ``<local>`` / macOS ExcludeSimpleHostnames, which
    exempt names without a dot. Patterns are case-insensitive globs (``*.corp``,
    ``10.*``), bare domains (``corp.example`` also covers its subdomains, as
    GNOME and macOS do), ``.domain``, IP addresses and CIDR ranges.
    """
    host = host.lower().strip("[]")
    address = _ip(host)
    if simple_hosts and address is None and "." not in host:
        return True
    for raw in patterns:
        pattern = raw.strip().lower()
        if not pattern:
            continue
        if pattern == "<local>":
            if address is None and "." not in host:
                return True
            continue
        if "://" in pattern:
            pattern = pattern.split("://", 1)[1]
        network = _network(pattern)
        if network is not None:
            if address is not None and address.version == network.version and address in network:
                return True
            continue
        if any(ch in pattern for ch in "*?["):
            if fnmatch.fnmatchcase(host, pattern):
                return True
            continue
        pattern = pattern.lstrip(".")
        if host == pattern or host.endswith("." + pattern):
            return True
    return False
