"""The web pages the sandbox answers with when something other than MoEngage is to speak.

Why: MoEngage answers in JSON. On real networks an HTML page comes back when a
web filter, a proxy, a captive portal or an edge in front of MoEngage answers
instead, and MoeCheck must then say the credentials were *not judged*
(PRODUCT.md 3.1 ``proxy``). These pages imitate the common ones closely enough
(title, ``Server`` header, status) for the demo and the tests to show that.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

CAPTIVE_HTML = (
    "<!DOCTYPE html>\n<html><head><title>Guest Wi-Fi - Sign in</title></head>\n"
    "<body><h1>Welcome to Guest Wi-Fi</h1>\n"
    "<p>Please accept the terms of use to continue to the internet.</p>\n"
    '<form method="post" action="/login"><input type="text" name="room">'
    '<button type="submit">Connect</button></form>\n</body></html>\n'
)
DOWN_HTML = (
    "<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>\n"
    "<body><center><h1>503 Service Temporarily Unavailable</h1></center>\n"
    "<hr><center>nginx</center></body></html>\n"
)
SERVER_ERROR_HTML = (
    "<!DOCTYPE html>\n<html><head><title>Internal Server Error</title></head>\n"
    "<body><h1>Internal Server Error</h1><p>The server encountered an internal error.</p>"
    "</body></html>\n"
)


def page_html(title: str, text: str = "") -> str:
    """A small HTML page. ``title`` goes in *as given* (tests send hostile markup on purpose)."""
    paragraph = f"<p>{html.escape(text)}</p>" if text else ""
    return (
        f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n"
        f"<body><h1>{html.escape(title)}</h1>{paragraph}</body></html>\n"
    )


@dataclass(frozen=True)
class BlockPage:
    """A web page answered in MoEngage's place: status, title, ``Server`` header, extras."""

    status: int
    title: str
    server: str
    text: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        """The page as UTF-8 bytes."""
        return page_html(self.title, self.text).encode("utf-8")


WEB_FILTER_403 = BlockPage(
    403,
    "Access Denied",
    "Zscaler/6.2",
    "Your organization has selected Zscaler to protect you from internet threats. "
    "This site has been blocked by your company's internet use policy.",
)
EDGE_401 = BlockPage(
    401,
    "401 Authorization Required",
    "nginx",
    "A server in front of the API asks for a sign-in of its own.",
    {"WWW-Authenticate": 'Basic realm="Restricted"'},
)
PROXY_407 = BlockPage(
    407,
    "ERROR: Cache Access Denied",
    "squid/5.7",
    "Sorry, you are not currently allowed to request this page until you have "
    "authenticated yourself to the proxy.",
    {"Proxy-Authenticate": 'Basic realm="Company proxy"'},
)
EDGE_429 = BlockPage(
    429,
    "Error 1015 | You are being rate limited",
    "cloudflare",
    "The owner of this website has banned you temporarily from accessing it.",
    {"Retry-After": "60"},
)
LEGAL_451 = BlockPage(
    451,
    "451 Unavailable For Legal Reasons",
    "FortiGate",
    "Access to this site is not allowed from this network for legal reasons.",
)
