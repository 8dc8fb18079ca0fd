"""Plain-language message and next step for every outcome kind.

Why a module of its own: the words are the product. A marketer reads these,
not a stack trace, so each one says what happened in everyday terms and what
to do next, using what we know about MoEngage (key rotation, data centers,
suspended accounts) and about office networks (proxies, TLS inspection).
The CLI, the JSON output and the window all show the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

from moecheck_gui import stages
from moecheck_gui.outcome import CertificateInfo, Kind, Timings

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
    proxy_why: str | None = None
    """Where the way was chosen ("chosen by the PAC file at ...", "HTTPS_PROXY is set ...")."""
    not_judged: bool = False
    """A web page answered with a status that would judge the credentials (401/403/407/429/451)."""
    page_title: str | None = None
    server_header: str | None = None
    failed_stage: str | None = None
    timings: Timings | None = None
    certificate: CertificateInfo | None = None
    proxy_scheme: str | None = None
    """The sign-in scheme a proxy asked for (``Basic``, ``Negotiate``, ``NTLM``)."""
    proxy_config_error: str | None = None
    """Why the proxy could not be chosen (PAC file unreachable or broken, bad setting)."""
    skipped_proxies: tuple[str, ...] = ()
    """Proxies from a PAC answer that could not be reached before the one used."""


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
    message = f"Your computer could not look up {host}, so nothing reached MoEngage."
    if ctx.proxy_why and not ctx.proxy:
        # A proxy is configured but this host bypasses it: on networks that only
        # resolve outside names through the proxy, the bypass is the problem.
        return (
            f"{message} The check went direct because {ctx.proxy_why}.",
            "This network may only reach the internet through its proxy: ask IT whether "
            f"{host} should go through the proxy (remove it from the exceptions), or try "
            "another network.",
        )
    return (
        message,
        "Check that you are online (open any website). On a company network or VPN, ask IT "
        "whether *.moengage.com is blocked or whether you must use a proxy.",
    )


def _connect(ctx: Context) -> tuple[str, str]:
    host = ctx.host or "MoEngage"
    if ctx.failed_stage == "tls":
        return (
            f"The connection to {host} was refused or dropped during the secure handshake (TLS).",
            "A firewall or proxy that inspects secure traffic may be resetting the connection. "
            "Try another network, or ask IT whether *.moengage.com is allowed.",
        )
    if ctx.failed_stage == "response":
        return (
            f"{host} accepted the connection, then it was refused or dropped before a complete "
            "answer.",
            "Try again. If it keeps happening, a proxy or firewall may be cutting the "
            "connection; try another network or ask IT.",
        )
    return (
        f"The connection to {host} was refused or dropped before an answer arrived.",
        "Check your internet connection and try again. If it keeps happening on a company "
        "network, a firewall may be blocking outgoing HTTPS (port 443) to *.moengage.com.",
    )


_CERT_WORDS = ("certificate", "verify failed", "hostname", "ip address mismatch", "bundle")


def _tls(ctx: Context) -> tuple[str, str]:
    if ctx.certificate is not None:
        from moecheck_gui.certificates import explain

        message, hint = explain(ctx.certificate, ctx.host or "the server")
        if (
            ctx.trust_source
            and ctx.trust_source != "os"
            and ctx.certificate.problem
            in (
                "untrusted_issuer",
                "self_signed",
            )
        ):
            hint = (
                f"{ctx.trust_source} replaces this computer's trusted certificates. Add the "
                f"issuing root certificate to that file, or remove the {ctx.trust_source} "
                "setting to use the computer's own trust store. Do not switch verification "
                "off: your API key travels over this connection."
            )
        return message, hint
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


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _page_words(ctx: Context) -> str:
    from moecheck_gui.webpage import who_answered

    return who_answered(ctx.server_header, ctx.page_title)


def _proxy(ctx: Context) -> tuple[str, str]:
    if ctx.proxy_config_error:
        return (
            f"The proxy could not be chosen, so nothing was sent: {ctx.proxy_config_error}",
            "Your browser may be failing the same way. Ask IT for the right proxy (PAC) address, "
            "or correct it in Help › Network settings (MOECHECK_PAC_URL for the command).",
        )
    if ctx.not_judged:
        status = f"HTTP {ctx.http_status}" if ctx.http_status else "a refusal"
        return (
            f"{_upper_first(_page_words(ctx))} answered with {status} instead of MoEngage: your "
            "credentials were not judged. A web filter or proxy on this network, or an edge in "
            "front of MoEngage, stopped the request.",
            "Do not regenerate your key: it was never checked. If you are on a company, hotel or "
            "public network, a web filter or proxy blocked the request: ask IT to allow "
            f"{ctx.host or '*.moengage.com'}, or try another network. If the page names "
            "MoEngage or a network edge (Cloudflare, Akamai, CloudFront), it came from in front "
            "of MoEngage: try again later, and contact MoEngage support with the time of the "
            "check if it persists.",
        )
    via = f" {ctx.proxy}" if ctx.proxy else ""
    why = f" ({ctx.proxy_why})" if ctx.proxy_why and ctx.proxy else ""
    if ctx.http_status == 407:
        from moecheck_gui.proxy import scheme_label, sign_in_advice

        scheme = f" with {scheme_label(ctx.proxy_scheme)}" if ctx.proxy_scheme else ""
        return (
            f"The proxy server{via}{why} asked for a sign-in{scheme} before letting the check "
            "through.",
            sign_in_advice(ctx.proxy_scheme),
        )
    skipped = ""
    if ctx.skipped_proxies:
        skipped = f" Before it, {', '.join(ctx.skipped_proxies)} could not be reached."
    if ctx.failed_stage in ("dns", "connect"):
        return (
            f"The proxy server{via}{why} could not be reached.{skipped}",
            "Check that you are connected to the company network or VPN the proxy belongs to, "
            "or ask IT for the current proxy settings.",
        )
    return (
        f"The proxy server{via}{why} refused or failed to connect to MoEngage.{skipped}",
        "Ask IT whether the proxy allows *.moengage.com, or try from a network without a proxy.",
    )


_TIMEOUT_HINTS = {
    "proxy": "Choosing the proxy took too long (a slow or unreachable PAC file or proxy "
    "auto-detection). Ask IT for the proxy settings, or try another network.",
    "dns": "The name lookup did not finish: this network's DNS is slow or blocked. Try "
    "another network, or ask IT.",
    "connect": "The name was found but the connection never opened: a firewall is probably "
    "dropping traffic to MoEngage (HTTPS, port 443) silently. Ask IT whether *.moengage.com "
    "is allowed, or try another network.",
    "tls": "The connection opened but the secure handshake stalled: this usually points at a "
    "proxy or firewall that inspects secure traffic. Ask IT, or try another network.",
    "response": "The request was sent but no answer came: MoEngage or something in between "
    "is slow right now. Try again in a minute, or allow more time (--timeout).",
}


def _timeout(ctx: Context) -> tuple[str, str]:
    secs = f" within {ctx.timeout_s:g} seconds" if ctx.timeout_s else " in time"
    message = f"No complete answer arrived{secs}."
    if ctx.timings is not None:
        sentence = stages.describe(ctx.timings, ctx.failed_stage)
        if sentence:
            message += f" {sentence}"
    hint = _TIMEOUT_HINTS.get(
        ctx.failed_stage or "",
        "Your connection may be slow or a firewall may silently drop the traffic. Try again, "
        "or allow more time (--timeout).",
    )
    return message, hint


def _auth(ctx: Context) -> tuple[str, str]:
    server = (ctx.server_message or "").lower()
    if ctx.detected:
        msg = "No MoEngage data center accepted this workspace ID and Data API key."
        hint = (
            f"Copy both again from {KEY_LOCATION}. If the key was just created, it can take a "
            "few minutes to start working: keep checking. If someone regenerated it in the "
            "classic settings, the old key stopped working: use the current one."
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
        f"Copy the key again from {KEY_LOCATION}. If it was just created, a new key can take a "
        "few minutes to start working: keep checking. If it worked before, it may have been "
        "regenerated (in the classic settings a new key replaces the old one at once) or "
        "revoked; newer accounts can hold several keys, so check you copied the one meant for "
        "this use. Older accounts may show a separate Data API ID: use the workspace ID here. "
        "If the workspace may live in another data center, try all data centers."
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
        "give them the request ID below. If the workspace may live in another data center, try "
        "all data centers: what another data center answers is not documented.",
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
