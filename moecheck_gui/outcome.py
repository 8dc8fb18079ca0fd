"""The result of one check: an immutable value that the CLI, JSON and window all render.

Every check ends in exactly one :class:`Outcome` (PRODUCT.md 3.1). The fields of
PRODUCT.md 3.4 are attributes of the same name; the few extra fields (``host``,
``server_error_type``, ``detail``, ``notices``, ``attempts``) feed the details
area and the redacted report. Nothing here ever holds the API key.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from moecheck_gui.i18n import N_, _
from moecheck_gui.limits import SERVER_TEXT_LIMIT


class Kind(StrEnum):
    """Why a check did not succeed. The values are the contract's ``kind`` strings."""

    INVALID_INPUT = "invalid_input"
    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    PROXY = "proxy"
    TIMEOUT = "timeout"
    AUTH = "auth"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    BAD_RESPONSE = "bad_response"
    CANCELLED = "cancelled"


EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_NETWORK = 3
EXIT_SERVICE = 4
EXIT_INTERRUPTED = 130

_EXIT_BY_KIND: dict[Kind, int] = {
    Kind.AUTH: EXIT_REJECTED,
    Kind.FORBIDDEN: EXIT_REJECTED,
    Kind.INVALID_INPUT: EXIT_USAGE,
    Kind.DNS: EXIT_NETWORK,
    Kind.CONNECT: EXIT_NETWORK,
    Kind.TLS: EXIT_NETWORK,
    Kind.PROXY: EXIT_NETWORK,
    Kind.TIMEOUT: EXIT_NETWORK,
    Kind.NOT_FOUND: EXIT_SERVICE,
    Kind.RATE_LIMITED: EXIT_SERVICE,
    Kind.SERVER_ERROR: EXIT_SERVICE,
    Kind.BAD_RESPONSE: EXIT_SERVICE,
    Kind.CANCELLED: EXIT_INTERRUPTED,
}

NOT_JUDGED_TITLE = N_("A web page answered instead of MoEngage")
"""The headline when a web page answered in MoEngage's place (``not_judged``): not "the proxy
blocked", because the page may come from an edge in front of MoEngage."""

TITLES: dict[Kind | None, str] = {
    None: N_("Connection works"),
    Kind.INVALID_INPUT: N_("Check what you entered"),
    Kind.DNS: N_("MoEngage's server could not be found"),
    Kind.CONNECT: N_("Could not connect to MoEngage"),
    Kind.TLS: N_("The secure connection was not trusted"),
    Kind.PROXY: N_("The proxy blocked the connection"),
    Kind.TIMEOUT: N_("MoEngage did not answer in time"),
    Kind.AUTH: N_("MoEngage rejected these credentials"),
    Kind.FORBIDDEN: N_("Access to this workspace is blocked"),
    Kind.NOT_FOUND: N_("MoEngage did not recognise the address"),
    Kind.RATE_LIMITED: N_("Too many requests right now"),
    Kind.SERVER_ERROR: N_("MoEngage had a problem on its side"),
    Kind.BAD_RESPONSE: N_("The answer did not come from MoEngage's API"),
    Kind.CANCELLED: N_("Check stopped"),
}
"""A short headline per outcome, for the window's result panel and the CLI.

Marked with ``N_``: :attr:`Outcome.title` translates them when shown.
"""


# C0/C1 controls (keeping none: server text is shown on one line or wrapped by
# us), DEL, and the Unicode bidi embeddings/overrides/isolates plus other
# invisible formatting characters that can make text read differently than it is.
_UNSAFE_TEXT = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)


def clean_server_text(value: object, limit: int = SERVER_TEXT_LIMIT) -> str | None:
    """Return server-supplied text made safe to show anywhere, or None.

    Why: a hostile or broken server can send ANSI escapes (which repaint a
    terminal), bidi overrides (which make text read backwards) or megabytes of
    text. Non-strings become None so that ``{"message": {...}}`` is never shown
    as a Python repr.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = _UNSAFE_TEXT.sub(" ", value)
    text = re.sub(r" {2,}", " ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or None


_ATTEMPT_WORDS: dict[str, str] = {
    Kind.AUTH: N_("rejected the credentials"),
    Kind.FORBIDDEN: N_("blocked"),
    Kind.NOT_FOUND: N_("not found (404)"),
    Kind.RATE_LIMITED: N_("rate limited"),
    Kind.SERVER_ERROR: N_("server error"),
    Kind.BAD_RESPONSE: N_("unexpected answer"),
    Kind.DNS: N_("host not found"),
    Kind.CONNECT: N_("could not connect"),
    Kind.TLS: N_("secure connection failed"),
    Kind.PROXY: N_("proxy failed"),
    Kind.TIMEOUT: N_("no answer in time"),
    Kind.INVALID_INPUT: N_("not tried"),
}


def describe_attempt(attempt: Attempt, *, found: bool) -> str:
    """How one data center fared during detection, in words for people.

    ``found`` says whether another DC accepted: then a cancelled attempt was
    simply no longer needed, which "cancelled" alone would not tell a user.
    """
    if attempt.ok:
        return _("works")
    if attempt.kind == Kind.CANCELLED:
        return _("not needed (found elsewhere)") if found else _("stopped")
    words = _ATTEMPT_WORDS.get(attempt.kind or "")
    if words is not None:
        return _(words)
    return attempt.kind or _("failed")


@dataclass(frozen=True)
class Attempt:
    """How one data center answered during detection."""

    dc: str
    ok: bool
    kind: str | None
    http_status: int | None = None
    elapsed_ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The contract's per-DC shape, ``{"ok": bool, "kind": str|None}``, plus extras."""
        return {
            "ok": self.ok,
            "kind": self.kind,
            "http_status": self.http_status,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


STAGES: tuple[str, ...] = ("proxy", "dns", "connect", "tls", "response")
"""The stages a check passes through, in order; ``failed_stage`` is one of them."""


@dataclass(frozen=True)
class Timings:
    """How long each stage of one check took, in milliseconds (PRODUCT.md 3.4 ``timings``).

    Why a value of its own: the diagnosis reads the stages ("connected in 40 ms,
    then the TLS handshake stalled") and the window draws them as a timeline.
    A stage is None when it was not reached, does not apply (TLS over plain
    http) or was skipped because a kept-alive connection was reused. Through a
    proxy, DNS and connect are those of the proxy.
    """

    dns_ms: float | None = None
    connect_ms: float | None = None
    tls_ms: float | None = None
    first_byte_ms: float | None = None
    total_ms: float | None = None

    def to_json(self) -> dict[str, float | None]:
        """The contract's ``timings`` object, every key present."""
        return {
            name: (None if value is None else round(value, 1))
            for name, value in (
                ("dns_ms", self.dns_ms),
                ("connect_ms", self.connect_ms),
                ("tls_ms", self.tls_ms),
                ("first_byte_ms", self.first_byte_ms),
                ("total_ms", self.total_ms),
            )
        }


CERT_PROBLEMS: tuple[str, ...] = (
    "untrusted_issuer",
    "self_signed",
    "expired",
    "not_yet_valid",
    "name_mismatch",
    "other",
)
"""The values of ``certificate.problem`` (PRODUCT.md 3.4)."""


@dataclass(frozen=True)
class CertificateInfo:
    """The certificate a server presented on a failed TLS check (PRODUCT.md 3.4 ``certificate``).

    Read by a second handshake that only reads it and sends nothing. Dates are
    ISO 8601 strings; ``problem`` is one of :data:`CERT_PROBLEMS`.
    """

    subject: str | None
    issuer: str | None
    names: tuple[str, ...] = ()
    not_before: str | None = None
    not_after: str | None = None
    problem: str = "other"

    def to_json(self) -> dict[str, Any]:
        """The contract's ``certificate`` object."""
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "names": list(self.names),
            "not_before": self.not_before,
            "not_after": self.not_after,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class Outcome:
    """Everything known about one finished check.

    ``ok`` is true only for a 2xx JSON object with ``status == "success"`` and a
    non-empty string ``app_name``; otherwise ``kind`` says why. All text that
    came from the server has already passed through :func:`clean_server_text`.
    """

    ok: bool
    kind: str | None
    dc: str | None
    workspace_id: str
    app_name: str | None = None
    http_status: int | None = None
    server_message: str | None = None
    request_id: str | None = None
    retry_after_s: int | None = None
    message: str = ""
    hint: str = ""
    elapsed_ms: float = 0.0
    # Extras beyond PRODUCT.md 3.4 (added freely, never secret):
    server_error_type: str | None = None
    host: str | None = None
    """The API host that was asked (``api-01.moengage.com``), or None if nothing was sent."""
    detail: str | None = None
    """One line of technical detail (exception class and text), for the details area."""
    notices: tuple[str, ...] = ()
    """What input normalisation changed, e.g. ``removed a trailing newline from the key``."""
    field: str | None = None
    """For ``invalid_input``: which field was refused (``workspace_id``, ``api_key``, ``dc``)."""
    attempts: Mapping[str, Attempt] | None = None
    """Detection only: how every data center answered, keyed by DC code."""
    timings: Timings = Timings()
    """How long each stage took (PRODUCT.md 3.4 ``timings``)."""
    failed_stage: str | None = None
    """The stage (:data:`STAGES`) that failed or was running at the deadline; None when an
    HTTP answer arrived, and for ``invalid_input``/``cancelled``."""
    proxy: str | None = None
    """The proxy used, as ``scheme://host:port`` (never credentials), or None for direct."""
    proxy_source: str | None = None
    """Why that proxy: ``env``, ``pac``, ``system`` or None."""
    not_judged: bool = False
    """A web page answered a 401/403/407/429/451 in MoEngage's place: the credentials were not
    judged (kind ``proxy``)."""
    proxy_auth_scheme: str | None = None
    """On a proxy sign-in demand (407): the scheme the proxy asked for (``basic``, ``ntlm``...)."""
    proxy_why: str | None = None
    """Where the way was chosen, in words ("chosen by the PAC file at http://wpad/wpad.dat")."""
    certificate: CertificateInfo | None = None
    """On ``tls`` outcomes: the certificate the server presented, when it presented one."""
    page_title: str | None = None
    """The ``<title>`` of an HTML answer, as plain text (at most 120 characters)."""
    server_header: str | None = None
    """The ``Server`` header of the answer (cleaned), naming what answered."""
    previously_worked_at: str | None = None
    """For a saved workspace whose key is now rejected: when it last worked (ISO 8601)."""
    tries: int | None = None
    """``--until-ok`` only: how many checks were made."""

    @property
    def title(self) -> str:
        """A short headline for this outcome."""
        if self.ok:
            return _(TITLES[None])
        if self.not_judged:
            # Not "the proxy blocked": the page may come from an edge in front of MoEngage.
            return _(NOT_JUDGED_TITLE)
        try:
            return _(TITLES[Kind(self.kind or "")])
        except ValueError:
            return _("Check failed")

    @property
    def exit_code(self) -> int:
        """The ``moecheck`` exit code of PRODUCT.md 3.2."""
        if self.ok:
            return EXIT_OK
        try:
            return _EXIT_BY_KIND[Kind(self.kind or "")]
        except ValueError:
            return EXIT_SERVICE

    def replace(self, **changes: Any) -> Outcome:
        """A copy with some fields changed (outcomes are immutable)."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object of PRODUCT.md 3.4 (plus extras); never holds the key."""
        data: dict[str, Any] = {
            "ok": self.ok,
            "kind": self.kind,
            "dc": self.dc,
            "workspace_id": self.workspace_id,
            "app_name": self.app_name,
            "http_status": self.http_status,
            "server_message": self.server_message,
            "request_id": self.request_id,
            "retry_after_s": self.retry_after_s,
            "message": self.message,
            "hint": self.hint,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "title": self.title,
            "server_error_type": self.server_error_type,
            "host": self.host,
            "detail": self.detail,
            "notices": list(self.notices),
            "field": self.field,
            "timings": self.timings.to_json(),
            "failed_stage": self.failed_stage,
            "proxy": self.proxy,
            "proxy_source": self.proxy_source,
            "proxy_why": self.proxy_why,
            "proxy_auth_scheme": self.proxy_auth_scheme,
            "not_judged": self.not_judged,
            "certificate": None if self.certificate is None else self.certificate.to_json(),
            "page_title": self.page_title,
            "server_header": self.server_header,
            "previously_worked_at": self.previously_worked_at,
        }
        if self.tries is not None:
            data["tries"] = self.tries
        if self.attempts is not None:
            data["attempts"] = {dc: a.to_json() for dc, a in self.attempts.items()}
        return data
