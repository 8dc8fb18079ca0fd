"""Automatic proxy discovery (WPAD) by DNS: ``http://wpad.<domain>/wpad.dat``, within the deadline.

Why only DNS: WPAD through DHCP (option 252) needs raw DHCP requests that an
unprivileged app cannot send portably; browsers on Windows get it from the OS.
The DNS form is what pypac (and Chrome on Linux/macOS) use: walk up the
machine's own domain, never past the organisation's registrable domain (the
public suffix list stops ``wpad.co.uk``-style hijacks).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from moecheck_gui.proxy.model import CancelLike, Deadline, ProxyCancelled, ProxyConfigError

DNS_STEP_LIMIT = 3.0
"""Seconds one ``wpad.*`` name lookup may take (a missing name is usually answered at once)."""


@dataclass(frozen=True)
class WpadResult:
    """What discovery found: the PAC URL and its text, or None and what was tried."""

    pac_url: str | None
    pac_text: str | None
    tried: tuple[str, ...]


def candidate_urls(hostname: str | None = None) -> list[str]:
    """The WPAD URLs to try, most specific first, for this machine (or ``hostname``)."""
    from pypac.wpad import proxy_urls_from_dns  # deferred: loads the public suffix list

    name = hostname if hostname is not None else socket.getfqdn()
    return list(proxy_urls_from_dns(name))


def resolves(host: str, deadline: Deadline, cancel: CancelLike | None = None) -> bool:
    """True when ``host`` has an address; gives up (False) after DNS_STEP_LIMIT or the deadline."""
    found: list[bool] = []
    done = threading.Event()

    def work() -> None:
        try:
            socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM)
            found.append(True)
        except (OSError, UnicodeError):
            found.append(False)
        finally:
            done.set()

    threading.Thread(target=work, name="moecheck-wpad-dns", daemon=True).start()
    limit = min(DNS_STEP_LIMIT, deadline.remaining())
    waited = 0.0
    while not done.wait(0.05):
        waited += 0.05
        if cancel is not None and cancel.cancelled:
            raise ProxyCancelled()
        if waited >= limit:
            return False
    return bool(found and found[0])


def discover(
    deadline: Deadline,
    *,
    cancel: CancelLike | None = None,
    candidates: Sequence[str] | None = None,
    fetch: Callable[[str], str],
    resolve: Callable[[str], bool] | None = None,
) -> WpadResult:
    """Find a WPAD PAC file: the first candidate whose host resolves and that serves a PAC.

    A candidate that does not resolve or cannot be fetched is passed over, as
    browsers do (that is "no WPAD here"); a PAC that was found but is too big
    is an error (``fetch`` raises it), since the network did offer it.
    """
    urls = list(candidates) if candidates is not None else candidate_urls()
    tried: list[str] = []
    for url in urls:
        if deadline.passed:
            break
        host = urlsplit(url).hostname or ""
        tried.append(url)
        ok = resolve(host) if resolve is not None else resolves(host, deadline, cancel)
        if not ok:
            continue
        try:
            text = fetch(url)
        except ProxyConfigError as exc:
            if exc.reason == "too_large":
                raise
            continue
        return WpadResult(url, text, tuple(tried))
    return WpadResult(None, None, tuple(tried))
