"""Plain-language message and next step for every outcome kind.

Why a module of its own: the words are the product. A marketer reads these,
not a stack trace, so each one says what happened in everyday terms and what
to do next, using what we know about MoEngage (key rotation, data centers,
suspended accounts) and about office networks (proxies, TLS inspection).
The CLI, the JSON output and the window all show the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from moecheck_gui.outcome import Kind

KEY_LOCATION = "Settings › Account › APIs in the MoEngage dashboard (the Data tile)"


@dataclass(frozen=True)
class Context:
    """Facts that sharpen the wording; everything is optional."""

    dc_label: str | None = None
    host: str | None = None
    http_status: int | None = None
    server_message: str | None = None
    server_error_type: str | None = None
    retry_after_s: int | None = None
    detected: bool = False
    """True when every data center was tried, so "try another DC" makes no sense."""
    html: bool = False
    redirect_to: str | None = None
    detail: str | None = None
    timeout_s: float | None = None
    proxy: str | None = None
    trust_source: str | None = None
    field: str | None = None
    """For refused input: which field (``workspace_id``, ``api_key``, ``dc``, ``api_base``)."""


def _on(ctx: Context) -> str:
    return f" on {ctx.dc_label}" if ctx.dc_label else ""


def success(app_name: str, ctx: Context) -> tuple[str, str]:
    """Message and hint for a working set of credentials."""
    return (
        f'These credentials work: they belong to the workspace "{app_name}"{_on(ctx)}.',
        "Check that this is the workspace you meant (production or test) before you use the key.",
    )


def for_kind(kind: Kind, ctx: Context) -> tuple[str, str]:
    """The message and hint for a failed check of this kind."""
    return _BUILDERS[kind](ctx)


_FIELD_WORDS = {"workspace_id": "Workspace ID", "api_key": "Data API key", "dc": "data center"}


def _invalid(ctx: Context) -> tuple[str, str]:
    message = ctx.detail or "Something you entered cannot be used, so nothing was sent."
    if ctx.field == "api_base":
        return message, (
            "Correct or remove the MOECHECK_API_BASE setting (it is only for tests and API "
            "gateways). Nothing was sent to MoEngage."
        )
    what = _FIELD_WORDS.get(ctx.field or "", "what you entered")
    return message, f"Correct the {what} and try again. Nothing was sent to MoEngage."


def _dns(ctx: Context) -> tuple[str, str]:
    host = ctx.host or "MoEngage's API server"
    return (
        f"Your computer could not look up {host}, so nothing reached MoEngage.",
        "Check that you are online (open any website). On a company network or VPN, ask IT "
        "whether *.moengage.com is blocked or whether you must use a proxy.",
    )


def _connect(ctx: Context) -> tuple[str, str]:
    host = ctx.host or "MoEngage"
    return (
        f"The connection to {host} was refused or dropped before an answer arrived.",
        "Check your internet connection and try again. If it keeps happening on a company "
        "network, a firewall may be blocking outgoing HTTPS (port 443) to *.moengage.com.",
    )


_CERT_WORDS = ("certificate", "verify failed", "hostname", "ip address mismatch", "bundle")


def _tls(ctx: Context) -> tuple[str, str]:
    if ctx.trust_source and ctx.trust_source != "os":
        where = f"the certificate bundle set in {ctx.trust_source}"
    else:
        where = "your computer's trusted certificates"
    detail = (ctx.detail or "").lower()
    if detail and not any(word in detail for word in _CERT_WORDS):
        # The handshake itself failed (the server hung up, or spoke plain HTTP):
        # blaming a certificate would send the user looking in the wrong place.
        return (
            "The secure connection could not be set up: the server ended the TLS handshake "
            "or does not speak HTTPS.",
            "Try again. If it keeps happening on an office network, a proxy or firewall may be "
            "interfering with secure connections: ask IT. If MOECHECK_API_BASE is set, check "
            "that it points at an https:// address that serves HTTPS.",
        )
    if ctx.trust_source and ctx.trust_source != "os":
        return (
            f"The secure connection could not be verified: the server's certificate is not "
            f"trusted by {where}, has expired, or is for another name.",
            f"{ctx.trust_source} replaces this computer's trusted certificates. Add your "
            f"company's root certificate to that file, or remove the {ctx.trust_source} setting "
            "to use the computer's own trust store. Do not switch verification off: your API "
            "key travels over this connection.",
        )
    return (
        f"The secure connection could not be verified: the server's certificate is not "
        f"trusted by {where}, has expired, or is for another name.",
        "On an office network this usually means a proxy inspects secure traffic. Ask IT to add "
        "the company's root certificate to this computer's trust store, then try again. Do not "
        "switch verification off: your API key travels over this connection.",
    )


def _proxy(ctx: Context) -> tuple[str, str]:
    via = f" ({ctx.proxy})" if ctx.proxy else ""
    if ctx.http_status == 407:
        return (
            f"The proxy server{via} asked for a sign-in before letting the check through.",
            "Ask IT for the proxy address with your user name, or for *.moengage.com to be "
            "allowed without sign-in. MoeCheck uses the HTTPS_PROXY setting of this computer.",
        )
    return (
        f"The proxy server{via} refused or failed to connect to MoEngage.",
        "Check the proxy settings (HTTPS_PROXY / system proxy) with IT, or try from a network "
        "without a proxy.",
    )


def _timeout(ctx: Context) -> tuple[str, str]:
    secs = f" within {ctx.timeout_s:g} seconds" if ctx.timeout_s else " in time"
    return (
        f"No complete answer arrived{secs}.",
        "Your connection may be slow or a firewall may silently drop the traffic. Try again, "
        "or allow more time (--timeout).",
    )


def _auth(ctx: Context) -> tuple[str, str]:
    server = (ctx.server_message or "").lower()
    if ctx.detected:
        msg = "No MoEngage data center accepted this workspace ID and Data API key."
        hint = (
            f"Copy both again from {KEY_LOCATION}. If someone regenerated the Data API key, "
            "the old one stopped working at once: use the new key."
        )
        return msg, hint
    if "header" in server:
        return (
            f"MoEngage{_on(ctx)} did not receive the workspace ID and key it expects.",
            "Make sure both fields are filled in and try again. If a proxy sits in between, it "
            "may strip the Authorization header: ask IT.",
        )
    msg = f"MoEngage{_on(ctx)} rejected this workspace ID and Data API key."
    if "mismatch" in server or "secret" in server:
        msg = f"MoEngage{_on(ctx)} says the Data API key does not match this workspace."
    hint = (
        f"Copy the key again from {KEY_LOCATION}. If it worked before, the key was probably "
        "regenerated: a new key invalidates the old one at once. If the workspace may live in "
        "another data center, try all data centers."
    )
    return msg, hint


def _forbidden(ctx: Context) -> tuple[str, str]:
    text = f"{ctx.server_error_type or ''} {ctx.server_message or ''}".lower()
    if "payment" in text:
        reason = "the workspace is suspended for a payment issue"
    elif "suspend" in text:
        reason = "the account is suspended"
    elif "block" in text:
        reason = "this client or network is blocked"
    elif "ip" in text and ("whitelist" in text or "allow" in text):
        reason = "your network's IP address is not on the workspace's allowed list"
    else:
        reason = "the account is blocked or suspended, or your IP address is not allowed"
    return (
        f"MoEngage{_on(ctx)} recognised the credentials but refused access: {reason}.",
        "This is not fixed by a new key. Contact your MoEngage admin or account manager and "
        "give them the request ID below.",
    )


def _not_found(ctx: Context) -> tuple[str, str]:
    server = f"The server {ctx.host}" if ctx.host else "The server"
    return (
        f"{server} answered that the address was not found (HTTP 404).",
        "The data center or API address is probably wrong. Check the data center in your "
        "dashboard's web address, or try all data centers. If MOECHECK_API_BASE is set, "
        "check its value.",
    )


def _rate_limited(ctx: Context) -> tuple[str, str]:
    if ctx.retry_after_s is not None:
        wait = f"Wait {ctx.retry_after_s} seconds, then try again."
    else:
        wait = "Wait a minute, then try again."
    return (
        f"MoEngage{_on(ctx)} is limiting requests for this workspace right now (HTTP 429).",
        f"{wait} Other tools using the same key count towards the limit too.",
    )


def _server_error(ctx: Context) -> tuple[str, str]:
    status = f" (HTTP {ctx.http_status})" if ctx.http_status else ""
    return (
        f"MoEngage{_on(ctx)} had a problem on its side{status}. Your credentials were not judged.",
        "This is usually temporary: try again in a few minutes. If it persists, check MoEngage's "
        "status page or contact support with the request ID.",
    )


def _bad_response(ctx: Context) -> tuple[str, str]:
    if ctx.redirect_to is not None:
        return (
            f"The server sent a redirect to {ctx.redirect_to or 'another address'} instead of an "
            "answer. MoeCheck never follows redirects, because the request carries your key.",
            "A proxy, captive portal or wrong API address is in the way. Sign in to the network "
            "(open a website in your browser), or check MOECHECK_API_BASE.",
        )
    if ctx.html:
        return (
            "A web page came back instead of MoEngage's answer.",
            "You are probably behind a hotel/guest Wi-Fi sign-in page or a company proxy login. "
            "Open any website in your browser, sign in, then try again.",
        )
    status = f" (HTTP {ctx.http_status})" if ctx.http_status else ""
    detail = f" {ctx.detail}" if ctx.detail else ""
    return (
        f"The answer{status} was not what MoEngage's API sends.{detail}",
        "Something between you and MoEngage may have changed the answer (a proxy or gateway), "
        "or the API address is wrong. Try another network; if it persists, contact MoEngage "
        "support with the details.",
    )


def _cancelled(ctx: Context) -> tuple[str, str]:
    return ("The check was stopped before it finished.", "Start it again when you are ready.")


_BUILDERS = {
    Kind.INVALID_INPUT: _invalid,
    Kind.DNS: _dns,
    Kind.CONNECT: _connect,
    Kind.TLS: _tls,
    Kind.PROXY: _proxy,
    Kind.TIMEOUT: _timeout,
    Kind.AUTH: _auth,
    Kind.FORBIDDEN: _forbidden,
    Kind.NOT_FOUND: _not_found,
    Kind.RATE_LIMITED: _rate_limited,
    Kind.SERVER_ERROR: _server_error,
    Kind.BAD_RESPONSE: _bad_response,
    Kind.CANCELLED: _cancelled,
}
