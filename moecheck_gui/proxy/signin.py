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

from collections.abc import Iterable

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
    return {
        "basic": "a user name and password (Basic)",
        "negotiate": "your Windows sign-in (Negotiate: Kerberos or NTLM)",
        "ntlm": "your Windows sign-in (NTLM)",
        "kerberos": "your Windows sign-in (Kerberos)",
        "digest": "a user name and password (Digest)",
    }.get((scheme or "").lower(), f"sign-in ({scheme})" if scheme else "sign-in")


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
        return (
            "The proxy asks for a user name and password. In the window, enter them when "
            "MoeCheck asks (you can keep them in the system keychain). For the moecheck "
            "command, put them in the proxy address: "
            "HTTPS_PROXY=http://USER:PASSWORD@proxy.example:8080 (write special characters "
            "in the password as %XX, e.g. @ as %40)."
        )
    if key in ("negotiate", "ntlm", "kerberos"):
        return (
            "The proxy asks for your Windows sign-in (" + key.upper() + "), which MoeCheck "
            "cannot use. Ask IT for one of these: let api-*.moengage.com through the proxy "
            "without sign-in (a proxy exception for that host, or a PAC file that sends it "
            "DIRECT); or a proxy address that accepts a user name and password (Basic). If "
            "IT provides a local sign-in helper (such as Px or Cntlm), set HTTPS_PROXY (or "
            "MoeCheck's PAC setting) to that helper's address, e.g. http://127.0.0.1:3128."
        )
    if key == "digest":
        return (
            "The proxy asks for Digest sign-in, which MoeCheck does not support. Ask IT for a "
            "proxy address that accepts Basic sign-in, or an exception for api-*.moengage.com."
        )
    return (
        "The proxy asks for a kind of sign-in MoeCheck does not support. Ask IT for a proxy "
        "address that accepts a user name and password (Basic), or an exception for "
        "api-*.moengage.com."
    )
