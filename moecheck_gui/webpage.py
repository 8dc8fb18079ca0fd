"""Recognise a web page that answered in MoEngage's place, and name what sent it.

Why: MoEngage's API answers in JSON. When a 401, 403, 407, 429 or 451 comes
back as an HTML page, something else spoke -- a company web filter, a proxy, a
captive portal, or an edge in front of MoEngage -- and the credentials were
never judged. Reading that page's ``<title>`` and the ``Server`` header lets
the verdict say *who* answered ("Access Denied" from "Zscaler") instead of
blaming the key.

Everything here reads hostile input: the title is parsed by the standard
library's tolerant HTML parser from at most the capped answer, stripped of
markup, entities decoded, control and bidi characters removed, and cut to
120 characters.

The descriptions of known senders and :func:`who_answered`'s phrase are
translated; the page's title and ``Server`` header are the sender's own text and
are never translated.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from moecheck_gui.i18n import N_, _
from moecheck_gui.outcome import clean_server_text

TITLE_LIMIT = 120
"""The longest page title shown (PRODUCT.md 3.4 ``page_title``)."""

NOT_JUDGED_STATUSES = frozenset({401, 403, 407, 429, 451})
"""Statuses that, as a web page, mean the credentials were not judged (PRODUCT.md 3.1 ``proxy``)."""

_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<title")
_SCAN_LIMIT = 64 * 1024

# Names seen in the Server header or a block page's title, and what they are.
_KNOWN_SENDERS: tuple[tuple[str, str], ...] = (
    ("zscaler", N_("Zscaler (a company web filter)")),
    ("netskope", N_("Netskope (a company web filter)")),
    ("forcepoint", N_("Forcepoint (a company web filter)")),
    ("websense", N_("Forcepoint (a company web filter)")),
    ("bluecoat", N_("Symantec / Blue Coat (a company web proxy)")),
    ("blue coat", N_("Symantec / Blue Coat (a company web proxy)")),
    ("fortiguard", N_("FortiGuard (a FortiGate web filter)")),
    ("fortigate", N_("FortiGate (a company firewall)")),
    ("palo alto", N_("Palo Alto Networks (a company firewall)")),
    ("pan-os", N_("Palo Alto Networks (a company firewall)")),
    ("squid", N_("Squid (a web proxy)")),
    ("sophos", N_("Sophos (a web filter)")),
    ("mcafee", N_("McAfee / Skyhigh (a web gateway)")),
    ("skyhigh", N_("McAfee / Skyhigh (a web gateway)")),
    ("cisco umbrella", N_("Cisco Umbrella (a DNS and web filter)")),
    ("opendns", N_("Cisco Umbrella (a DNS and web filter)")),
    ("barracuda", N_("Barracuda (a web filter)")),
    ("cloudflare", N_("Cloudflare (a network edge)")),
    ("cloudfront", N_("Amazon CloudFront (a network edge)")),
    ("akamai", N_("Akamai (a network edge)")),
    ("awselb", N_("an Amazon load balancer (a network edge)")),
    ("nginx", N_("an nginx web server")),
    ("apache", N_("an Apache web server")),
    ("microsoft-iis", N_("a Microsoft IIS web server")),
)


def looks_like_page(headers: dict[str, str], body: bytes) -> bool:
    """True for an HTML answer: by Content-Type, or by how the body starts."""
    ctype = headers.get("content-type", "").lower()
    if "html" in ctype:
        return True
    head = body[:512].lstrip().lower()
    return any(head.startswith(marker) for marker in _HTML_MARKERS)


class _TitleParser(HTMLParser):
    """Collects the text of the first ``<title>``; ignores everything else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self.done:
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.inside:
            self.inside = False
            self.done = True

    def handle_data(self, data: str) -> None:
        if self.inside and sum(len(p) for p in self.parts) < 4 * TITLE_LIMIT:
            self.parts.append(data)


def _decode(body: bytes, headers: dict[str, str]) -> str:
    match = re.search(r"charset=([\w.-]+)", headers.get("content-type", ""), re.IGNORECASE)
    encoding = match.group(1) if match else "utf-8"
    try:
        return body[:_SCAN_LIMIT].decode(encoding, "replace")
    except LookupError:
        return body[:_SCAN_LIMIT].decode("utf-8", "replace")


def page_title(body: bytes, headers: dict[str, str] | None = None) -> str | None:
    """The page's ``<title>`` as safe plain text (at most :data:`TITLE_LIMIT` characters)."""
    text = _decode(body, headers or {})
    parser = _TitleParser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):  # very old parsers raised on broken markup
        pass
    raw = "".join(parser.parts)
    # Markup smuggled inside the title as text (``<title>&lt;b&gt;x</title>``) stays text,
    # but tags left over from broken pages are removed so only words remain.
    raw = re.sub(r"<[^>]{0,200}>", " ", html.unescape(raw))
    return clean_server_text(raw, limit=TITLE_LIMIT)


def server_name(headers: dict[str, str]) -> str | None:
    """The ``Server`` header (or a proxy's ``Via``), cleaned, for naming what answered."""
    value = headers.get("server") or headers.get("via")
    return clean_server_text(value, limit=80)


def known_sender(server: str | None, title: str | None) -> str | None:
    """What a known product looks like from its Server header or page title, if it is one."""
    haystack = f"{server or ''} {title or ''}".lower()
    for needle, words in _KNOWN_SENDERS:
        if needle in haystack:
            return _(words)
    return None


def who_answered(server: str | None, title: str | None) -> str:
    """A short phrase naming what sent the page, for the verdict's message."""
    # Whole phrases per case (not pieces), so translators can order them freely.
    if title and server:
        words = _("a page titled '{title}' from a server that calls itself '{server}'").format(
            title=title, server=server
        )
    elif title:
        words = _("a page titled '{title}'").format(title=title)
    elif server:
        words = _("a web page from a server that calls itself '{server}'").format(server=server)
    else:
        words = _("a web page")
    known = known_sender(server, title)
    if known:
        # Translators: {who} is "a page titled ..."; {known} names the product, e.g.
        # "Zscaler (a company web filter)".
        words = _("{who} ({known})").format(who=words, known=known)
    return words
