"""Name the certificate behind a failed TLS check: who issued it, for what names, what is wrong.

Why: "the secure connection was not trusted" leaves a marketer guessing. On a
company network the usual cause is a TLS-inspecting proxy (Zscaler, Netskope,
a FortiGate...) whose own root is missing from this computer's trust store;
elsewhere it is a wrong clock or traffic routed to the wrong server. Each has a
different fix, so the verdict must say which one it is.

How, and the rules it keeps:

* The certificate is read by a **second handshake that only reads it**: the
  probe connects, completes a TLS handshake without verification, takes the
  server's certificate and closes. It never sends the request (the request
  carries the key) over an unverified connection.
* The certificate is decoded by a small, bounded DER reader written here, so
  the core needs no ``cryptography`` wheel (about 12 MB in the frozen bundles)
  for a few fields. Anything it cannot read becomes ``None``, never an exception.
* The problem comes from OpenSSL's verify code when there is one, and from the
  certificate itself otherwise (macOS and Windows report trust failures
  through their own APIs, without OpenSSL's codes).
* The words (:func:`explain`) are translated; the certificate's fields, the
  contract's ``problem`` values and the probe's OSError texts (never shown: the
  probe returns None) stay as they are.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from moecheck_gui.exc_chain import chain
from moecheck_gui.i18n import N_, _, format_list, join_sentences, ngettext
from moecheck_gui.outcome import CertificateInfo

MAX_CERT_BYTES = 64 * 1024
"""A certificate larger than this is not decoded (real ones are 1-4 KiB)."""

INSPECTION_PRODUCTS: tuple[tuple[str, str], ...] = (
    ("zscaler", "Zscaler"),
    ("netskope", "Netskope"),
    ("palo alto", "Palo Alto Networks"),
    ("paloalto", "Palo Alto Networks"),
    ("fortinet", "Fortinet (FortiGate)"),
    ("fortigate", "Fortinet (FortiGate)"),
    ("blue coat", "Symantec / Blue Coat"),
    ("bluecoat", "Symantec / Blue Coat"),
    ("symantec", "Symantec / Blue Coat"),
    ("cisco umbrella", "Cisco Umbrella"),
    ("opendns", "Cisco Umbrella"),
    ("sophos", "Sophos"),
    ("forcepoint", "Forcepoint"),
    ("websense", "Forcepoint"),
    ("mcafee", "McAfee / Skyhigh Web Gateway"),
    ("skyhigh", "McAfee / Skyhigh Web Gateway"),
    ("check point", "Check Point"),
    ("checkpoint", "Check Point"),
    ("barracuda", "Barracuda"),
    ("cloudflare for teams", "Cloudflare Zero Trust"),
    ("cloudflare gateway", "Cloudflare Zero Trust"),
    ("menlo security", "Menlo Security"),
    ("iboss", "iboss"),
    ("lightspeed", "Lightspeed"),
    ("securly", "Securly"),
    ("contentkeeper", "ContentKeeper"),
    ("smoothwall", "Smoothwall"),
    ("sonicwall", "SonicWall"),
    ("watchguard", "WatchGuard"),
    ("untangle", "Untangle"),
    ("kaspersky", "Kaspersky (HTTPS scanning)"),
    ("eset ssl filter", "ESET (HTTPS scanning)"),
    ("avast", "Avast (HTTPS scanning)"),
    ("avg web", "AVG (HTTPS scanning)"),
    ("bitdefender", "Bitdefender (HTTPS scanning)"),
    ("mitmproxy", "mitmproxy"),
    ("charles proxy", "Charles Proxy"),
    ("fiddler", "Fiddler"),
)
"""Well-known TLS-inspecting products, matched (lower-case) in the issuer's name."""

# OpenSSL X509_V_ERR_* codes (ssl.SSLCertVerificationError.verify_code).
_PROBLEM_BY_VERIFY_CODE: dict[int, str] = {
    2: "untrusted_issuer",  # unable to get issuer certificate
    9: "not_yet_valid",
    10: "expired",
    18: "self_signed",  # depth zero self-signed
    19: "untrusted_issuer",  # self-signed certificate in chain: an untrusted root
    20: "untrusted_issuer",  # unable to get local issuer certificate
    21: "untrusted_issuer",  # unable to verify the first certificate
    62: "name_mismatch",
    64: "name_mismatch",  # IP address mismatch
}


# --------------------------------------------------------------------------- DER reading


class _DerError(ValueError):
    """The bytes are not the DER this reader understands."""


def _read_tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """Read one tag-length header at ``pos``: (tag, start of value, end of value)."""
    if pos + 2 > len(data):
        raise _DerError("truncated header")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise _DerError("multi-byte tags are not used in certificates")
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise _DerError("bad length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise _DerError("value runs past the end")
    return tag, pos, end


def _children(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """The TLVs inside a constructed value."""
    pos = start
    while pos < end:
        tag, vstart, vend = _read_tlv(data, pos)
        if vend > end:
            raise _DerError("child runs past its parent")
        yield tag, vstart, vend
        pos = vend


def _oid(raw: bytes) -> str:
    if not raw:
        raise _DerError("empty OID")
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


_NAME_ATTRS = {
    "2.5.4.3": "CN",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
}


def _string(tag: int, raw: bytes) -> str:
    if tag == 0x1E:  # BMPString
        return raw.decode("utf-16-be", "replace")
    if tag == 0x1C:  # UniversalString
        return raw.decode("utf-32-be", "replace")
    return raw.decode("utf-8", "replace")


def _name(data: bytes, start: int, end: int) -> list[tuple[str, str]]:
    """A Name as (attribute, value) pairs, in certificate order."""
    pairs: list[tuple[str, str]] = []
    for _set_tag, sstart, send in _children(data, start, end):
        for _seq_tag, astart, aend in _children(data, sstart, send):
            items = list(_children(data, astart, aend))
            if len(items) < 2 or items[0][0] != 0x06:
                continue
            attr = _NAME_ATTRS.get(_oid(data[items[0][1] : items[0][2]]))
            if attr is None:
                continue
            vtag, vstart, vend = items[1]
            pairs.append((attr, _string(vtag, data[vstart:vend])))
    return pairs


def _time(tag: int, raw: bytes) -> datetime:
    text = raw.decode("ascii", "replace").rstrip("Z")
    if tag == 0x17:  # UTCTime: YYMMDDHHMM[SS]
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text
    elif tag != 0x18:
        raise _DerError("not a time")
    fmt = "%Y%m%d%H%M%S" if len(text) >= 14 else "%Y%m%d%H%M"
    return datetime.strptime(text[: 14 if len(text) >= 14 else 12], fmt).replace(tzinfo=UTC)


@dataclass(frozen=True)
class ParsedCertificate:
    """The few fields of an X.509 certificate the diagnosis needs."""

    subject: tuple[tuple[str, str], ...]
    issuer: tuple[tuple[str, str], ...]
    not_before: datetime | None
    not_after: datetime | None
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]

    @property
    def self_signed(self) -> bool:
        """Subject and issuer are the same name (the server signed its own certificate)."""
        return bool(self.subject) and self.subject == self.issuer

    @property
    def names(self) -> tuple[str, ...]:
        """The names the certificate is valid for (SAN first, CN when there is no SAN)."""
        if self.dns_names or self.ip_addresses:
            return self.dns_names + self.ip_addresses
        return tuple(v for k, v in self.subject if k == "CN")


def _extensions(data: bytes, start: int, end: int) -> tuple[list[str], list[str]]:
    dns: list[str] = []
    ips: list[str] = []
    for _tag, estart, eend in _children(data, start, end):
        items = list(_children(data, estart, eend))
        if not items or items[0][0] != 0x06:
            continue
        if _oid(data[items[0][1] : items[0][2]]) != "2.5.29.17":
            continue
        octet = items[-1]
        if octet[0] != 0x04:
            continue
        _seq, sstart, send = _read_tlv(data, octet[1])
        for gtag, gstart, gend in _children(data, sstart, send):
            raw = data[gstart:gend]
            if gtag == 0x82:
                dns.append(raw.decode("ascii", "replace"))
            elif gtag == 0x87 and len(raw) in (4, 16):
                ips.append(str(ipaddress.ip_address(raw)))
    return dns, ips


def parse_certificate(der: bytes) -> ParsedCertificate | None:
    """Decode a DER certificate's subject, issuer, validity and names; None if unreadable."""
    if not der or len(der) > MAX_CERT_BYTES:
        return None
    try:
        _tag, cstart, cend = _read_tlv(der, 0)
        tbs_tag, tstart, tend = next(_children(der, cstart, cend))
        if tbs_tag != 0x30:
            raise _DerError("no TBSCertificate")
        fields = list(_children(der, tstart, tend))
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        # serial, signature algorithm, issuer, validity, subject, key, then optionals
        if len(fields) < 6:
            raise _DerError("too few fields")
        issuer = _name(der, fields[2][1], fields[2][2])
        validity = list(_children(der, fields[3][1], fields[3][2]))
        not_before = not_after = None
        if len(validity) == 2:
            not_before = _time(validity[0][0], der[validity[0][1] : validity[0][2]])
            not_after = _time(validity[1][0], der[validity[1][1] : validity[1][2]])
        subject = _name(der, fields[4][1], fields[4][2])
        dns: list[str] = []
        ips: list[str] = []
        for tag, start, _end in fields[6:]:
            if tag == 0xA3:  # [3] extensions
                _seq, xstart, xend = _read_tlv(der, start)
                dns, ips = _extensions(der, xstart, xend)
    except (_DerError, ValueError, StopIteration, IndexError):
        return None
    return ParsedCertificate(
        subject=tuple(subject),
        issuer=tuple(issuer),
        not_before=not_before,
        not_after=not_after,
        dns_names=tuple(dns),
        ip_addresses=tuple(ips),
    )


def pem_to_der(pem: str | bytes) -> bytes:
    """The DER bytes of the first certificate in a PEM text (for tests and tools)."""
    text = pem.decode("ascii") if isinstance(pem, bytes) else pem
    body = text.split("-----BEGIN CERTIFICATE-----", 1)[1].split("-----END CERTIFICATE-----", 1)[0]
    return base64.b64decode("".join(body.split()))


# --------------------------------------------------------------------------- naming


def _clean(text: str) -> str:
    """Certificate text is server-supplied: printable, one line, bounded."""
    shown = "".join(ch if ch.isprintable() else " " for ch in text)
    shown = " ".join(shown.split())
    return shown[:200]


def format_name(pairs: tuple[tuple[str, str], ...]) -> str | None:
    """A Name as ``CN=..., O=...`` (most specific first), or None when empty."""
    if not pairs:
        return None
    return ", ".join(f"{k}={_clean(v)}" for k, v in reversed(pairs))


def display_name(pairs: tuple[tuple[str, str], ...]) -> str | None:
    """The name people know a certificate holder by: its CN, else its organisation."""
    for wanted in ("CN", "O", "OU"):
        for key, value in pairs:
            if key == wanted and value.strip():
                return _clean(value)
    return None


def inspection_product(info: CertificateInfo | ParsedCertificate) -> str | None:
    """The TLS-inspecting product whose name appears in the issuer, if one does."""
    if isinstance(info, ParsedCertificate):
        haystack = " ".join(v for _k, v in info.issuer)
    else:
        haystack = info.issuer or ""
    haystack = haystack.lower()
    for needle, product in INSPECTION_PRODUCTS:
        if needle in haystack:
            return product
    return None


def _matches(pattern: str, host: str) -> bool:
    pattern = pattern.lower().rstrip(".")
    host = host.lower().rstrip(".")
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return host.endswith(suffix) and "." not in host[: -len(suffix)] and host != suffix[1:]
    return pattern == host


def covers(cert: ParsedCertificate, host: str) -> bool:
    """Whether the certificate is made for ``host`` (wildcards as browsers read them)."""
    return any(_matches(name, host) for name in cert.names)


def problem_of(
    cert: ParsedCertificate | None,
    host: str,
    verify_code: int | None,
    now: datetime | None = None,
) -> str:
    """Which of the contract's certificate problems applies.

    OpenSSL's verify code wins when there is one; without it (macOS and
    Windows trust stores) the certificate itself is examined, in the order a
    user can act on: self-signed, dates, names, and otherwise an issuer this
    computer does not trust (verification failed, so something was untrusted).
    """
    if verify_code is not None and verify_code in _PROBLEM_BY_VERIFY_CODE:
        return _PROBLEM_BY_VERIFY_CODE[verify_code]
    if cert is None:
        return "other"
    now = now or datetime.now(UTC)
    if cert.self_signed:
        return "self_signed"
    if cert.not_after is not None and now > cert.not_after:
        return "expired"
    if cert.not_before is not None and now < cert.not_before:
        return "not_yet_valid"
    if host and not covers(cert, host):
        return "name_mismatch"
    return "untrusted_issuer"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def certificate_info(
    der: bytes, host: str, verify_code: int | None, now: datetime | None = None
) -> CertificateInfo | None:
    """The contract's ``certificate`` object for the DER a server presented, or None."""
    cert = parse_certificate(der)
    if cert is None:
        return None
    return CertificateInfo(
        subject=format_name(cert.subject),
        issuer=format_name(cert.issuer),
        names=tuple(_clean(n) for n in cert.names[:50]),
        not_before=_iso(cert.not_before),
        not_after=_iso(cert.not_after),
        problem=problem_of(cert, host, verify_code, now),
    )


def verify_code_of(exc: BaseException | None) -> int | None:
    """OpenSSL's verify code from anywhere in an exception's chain, if it carries one."""
    for item in chain(exc):
        if isinstance(item, ssl.SSLCertVerificationError):
            code = getattr(item, "verify_code", None)
            if isinstance(code, int) and code:
                return code
    return None


# --------------------------------------------------------------------------- the probe


def _tunnel(sock: socket.socket, host: str, port: int, timeout: float) -> None:
    """Ask an HTTP proxy for a CONNECT tunnel on an open socket; raise OSError if refused."""
    sock.settimeout(timeout)
    sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode("ascii"))
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1024)
        if not chunk:
            raise OSError("the proxy closed the tunnel")
        head += chunk
        if len(head) > 16 * 1024:
            raise OSError("the proxy's answer is too long")
    status_line = head.split(b"\r\n", 1)[0].split()
    if len(status_line) < 2 or status_line[1] != b"200":
        raise OSError("the proxy refused the tunnel")


def fetch_presented_certificate(
    host: str,
    port: int,
    *,
    server_hostname: str | None = None,
    timeout: float = 5.0,
    proxy: tuple[str, int] | None = None,
) -> bytes | None:
    """Complete one TLS handshake without verification and return the server's certificate.

    Sends nothing but the handshake (and a CONNECT to ``proxy`` when given):
    the request, which carries the key, is never sent over a connection that
    was not verified. Returns None when there is no certificate to read.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # read-only probe; nothing is sent over it
    target = proxy or (host, port)
    try:
        with socket.create_connection(target, timeout=timeout) as raw:
            if proxy is not None:
                _tunnel(raw, host, port, timeout)
            raw.settimeout(timeout)
            with context.wrap_socket(raw, server_hostname=server_hostname or host) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError, ValueError):
        return None
    return der or None


# --------------------------------------------------------------------------- words


_NEVER_OFF = N_("Do not switch verification off: your API key travels over this connection.")


def _day(value: str | None) -> str:
    """A certificate date as ISO ``YYYY-MM-DD`` (the same in every language: no month names)."""
    return value[:10] if value else _("an unknown date")


def explain(info: CertificateInfo, host: str, now: datetime | None = None) -> tuple[str, str]:
    """What is wrong with the certificate, and what to do, in plain words (message, hint).

    The advice is honest per case: an inspecting proxy's root belongs in the
    OS trust store (never "turn verification off"); a wrong clock is fixed on
    this computer; a certificate for other names means the traffic went
    somewhere else (routing, DNS or a proxy), not that MoEngage is broken.
    Both texts are in the user's language; the names in them (issuer, host,
    certificate names, product) are the certificate's and the network's own.
    """
    now = now or datetime.now(UTC)
    issuer = _issuer_words(info)
    product = inspection_product(info)
    if info.problem == "untrusted_issuer":
        message = _(
            "The certificate {host} presented is not trusted: it was issued by {issuer}, "
            "which this computer does not trust."
        ).format(host=host, issuer=issuer)
        if product:
            message = join_sentences(
                message,
                _(
                    "That is {product}, a security product that inspects encrypted traffic on "
                    "company networks."
                ).format(product=product),
            )
            hint = join_sentences(
                _(
                    "Ask your IT team to install the {product} root certificate in this "
                    "computer's trust store (it is usually installed on managed computers)."
                ).format(product=product),
                _(_NEVER_OFF),
            )
        else:
            hint = join_sentences(
                _(
                    "If your company inspects encrypted traffic, ask IT to add its root "
                    "certificate to this computer's trust store. On a hotel or public network, "
                    "try another network."
                ),
                _(_NEVER_OFF),
            )
        return message, hint
    if info.problem == "self_signed":
        return (
            _(
                "{host} presented a self-signed certificate ({issuer}), which nothing vouches for."
            ).format(host=host, issuer=issuer),
            # Translators: MOECHECK_API_BASE is an environment variable: keep it as it is.
            _(
                "Something on this network is answering in MoEngage's place. Try another network "
                "or ask your IT team; if you use MOECHECK_API_BASE, check the address."
            ),
        )
    # ISO date and time, the same in every language (a clock to compare, not prose).
    clock = now.strftime("%Y-%m-%d %H:%M UTC")
    if info.problem == "expired":
        return (
            _(
                "The certificate {host} presented expired on {date} "
                "(this computer's clock says {clock})."
            ).format(host=host, date=_day(info.not_after), clock=clock),
            _(
                "If this computer's date is wrong, correct it and try again; otherwise something "
                "on this network answers with an outdated certificate: try another network or "
                "ask IT."
            ),
        )
    if info.problem == "not_yet_valid":
        return (
            _(
                "The certificate {host} presented is only valid from {date} "
                "(this computer's clock says {clock})."
            ).format(host=host, date=_day(info.not_before), clock=clock),
            _("This computer's date or time is probably wrong: correct it and try again."),
        )
    if info.problem == "name_mismatch":
        shown = list(info.names[:6])
        if len(info.names) > 6:
            extra = len(info.names) - 6
            names = ngettext("{names} and {count} more", "{names} and {count} more", extra).format(
                names=format_list(shown), count=extra
            )
        else:
            names = format_list(shown) or _("no names")
        return (
            _(
                "The certificate presented is made for another name ({names}), not for {host}."
            ).format(names=names, host=host),
            # Translators: MOECHECK_API_BASE is an environment variable: keep it as it is.
            _(
                "The connection reached a different server than MoEngage's: a proxy, a DNS entry "
                "or MOECHECK_API_BASE sends the traffic elsewhere. Try another network or ask IT."
            ),
        )
    return (
        _("The certificate {host} presented (issued by {issuer}) could not be verified.").format(
            host=host, issuer=issuer
        ),
        _("Try another network, or ask your IT team whether encrypted traffic is inspected here."),
    )


def _issuer_words(info: CertificateInfo) -> str:
    if not info.issuer:
        return _("an unnamed authority")
    cn = next(
        (part[3:] for part in info.issuer.split(", ") if part.startswith("CN=")),
        None,
    )
    org = next((part[2:] for part in info.issuer.split(", ") if part.startswith("O=")), None)
    # Translators: a certificate holder's name in quotes; use your language's quotation marks.
    return _("'{name}'").format(name=cn or org or info.issuer)
