"""Proxy sign-in (HTTP 407): which scheme the proxy asked for, and what the user can do.

Decision (docs/proxies.md has the evidence): MoeCheck signs in to proxies with
Basic only. Windows sign-in proxies (Negotiate/NTLM) are named as such, and the
advice says which setting or IT request resolves them, because no library can
do that reliably for HTTPS through ``requests``/``urllib3``: the tunnel
(CONNECT) is sent once with fixed headers, so NTLM's challenge-response on the
same connection cannot happen, and a Kerberos-only token needs a proxy name
registered in the domain, which MoeCheck cannot check.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable
from urllib.parse import urlsplit

from moecheck_gui.i18n import _

KNOWN_SCHEMES = ("basic", "negotiate", "ntlm", "kerberos", "digest", "bearer")


def challenge_schemes(headers: Iterable[str]) -> list[str]:
    """The schemes named in ``Proxy-Authenticate`` values, lower case, in order, once each.

    Each header may hold several challenges (``Negotiate, NTLM``) and parameters
    (``Basic realm="corp", charset="UTF-8"``); only scheme tokens are kept.
    """
    schemes: list[str] = []
    for header in headers:
        for piece in header.split(","):
            token = piece.strip().split(" ", 1)[0].split("=", 1)
            if len(token) != 1 or not token[0]:
                continue  # a parameter (realm="x"), not a scheme
            name = token[0].strip().lower()
            if name and name.isascii() and name.replace("-", "").isalnum():
                if name not in schemes:
                    schemes.append(name)
    return schemes


def scheme_label(scheme: str | None) -> str:
    """How to name a scheme to a person."""
    key = (scheme or "").lower()
    if key == "basic":
        return _("a user name and password (Basic)")
    if key == "negotiate":
        return _("your Windows sign-in (Negotiate: Kerberos or NTLM)")
    if key == "ntlm":
        return _("your Windows sign-in (NTLM)")
    if key == "kerberos":
        return _("your Windows sign-in (Kerberos)")
    if key == "digest":
        return _("a user name and password (Digest)")
    if scheme:
        # Translators: {scheme} is the proxy's own name for a sign-in method.
        return _("sign-in ({scheme})").format(scheme=scheme)
    return _("sign-in")


def preferred_scheme(schemes: Iterable[str]) -> str | None:
    """The scheme to talk about: Basic if offered (MoeCheck can do it), else the first."""
    listed = [s.lower() for s in schemes]
    if "basic" in listed:
        return "basic"
    return listed[0] if listed else None


def sign_in_advice(scheme: str | None) -> str:
    """What resolves a 407 for ``scheme`` (plain words; never contains a credential)."""
    key = (scheme or "").lower()
    if key == "basic":
        # Translators: keep {example} (a setting), {escape} and {at} (URL escapes) as they are.
        return _(
            "The proxy asks for a user name and password. In the window, enter them when "
            "MoeCheck asks (you can keep them in the system keychain). For the moecheck "
            "command, put them in the proxy address: {example} (write special characters "
            "in the password as {escape}, e.g. @ as {at})."
        ).format(
            example="HTTPS_PROXY=http://USER:PASSWORD@proxy.example:8080", escape="%XX", at="%40"
        )
    if key in ("negotiate", "ntlm", "kerberos"):
        # Translators: {method} is NEGOTIATE, NTLM or KERBEROS; keep DIRECT, HTTPS_PROXY,
        # Px and Cntlm (names) as they are.
        return _(
            "The proxy asks for your Windows sign-in ({method}), which MoeCheck "
            "cannot use. Ask IT for one of these: let api-*.moengage.com through the proxy "
            "without sign-in (a proxy exception for that host, or a PAC file that sends it "
            "DIRECT); or a proxy address that accepts a user name and password (Basic). If "
            "IT provides a local sign-in helper (such as Px or Cntlm), set HTTPS_PROXY (or "
            "MoeCheck's PAC setting) to that helper's address, e.g. http://127.0.0.1:3128."
        ).format(method=key.upper())
    if key == "digest":
        return _(
            "The proxy asks for Digest sign-in, which MoeCheck does not support. Ask IT for a "
            "proxy address that accepts Basic sign-in, or an exception for api-*.moengage.com."
        )
    return _(
        "The proxy asks for a kind of sign-in MoeCheck does not support. Ask IT for a proxy "
        "address that accepts a user name and password (Basic), or an exception for "
        "api-*.moengage.com."
    )


MAX_PROBE_HEAD = 16 * 1024


def probe_proxy_challenge(
    proxy_url: str,
    target_host: str,
    target_port: int,
    *,
    timeout: float,
    ssl_context: ssl.SSLContext | None = None,
) -> tuple[int | None, list[str]]:
    """Ask the proxy for a tunnel without credentials; return (status, challenge schemes).

    Why: when ``requests`` gets a 407 to its CONNECT, ``http.client`` keeps
    only the status line and drops ``Proxy-Authenticate``, so the scheme the
    proxy wants is lost. This one short CONNECT (no credentials, nothing sent
    through the tunnel; the head read is capped) recovers it, so the verdict
    can say "the proxy wants your Windows sign-in (NTLM)". ``ssl_context`` is
    needed for an ``https://`` proxy. Returns ``(None, [])`` when the proxy
    cannot be reached or answers nonsense.
    """
    parts = urlsplit(proxy_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        sock: socket.socket = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return None, []
    try:
        if parts.scheme == "https":
            context = ssl_context or ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=host)
        target = f"[{target_host}]" if ":" in target_host else target_host
        request = (
            f"CONNECT {target}:{target_port} HTTP/1.1\r\n"
            f"Host: {target}:{target_port}\r\n"
            "Proxy-Connection: close\r\n\r\n"
        )
        sock.sendall(request.encode("ascii", "replace"))
        head = b""
        while b"\r\n\r\n" not in head and len(head) < MAX_PROBE_HEAD:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    except (OSError, ssl.SSLError):
        return None, []
    finally:
        try:
            sock.close()
        except OSError:
            pass
    lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status_words = lines[0].split(" ", 2)
    if len(status_words) < 2 or not status_words[1].isdigit():
        return None, []
    challenges = [
        value.strip()
        for name, _colon, value in (line.partition(":") for line in lines[1:])
        if name.strip().lower() == "proxy-authenticate"
    ]
    return int(status_words[1]), challenge_schemes(challenges)
