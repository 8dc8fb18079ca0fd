"""Plain-language message and next step for every outcome kind.

Why a module of its own: the words are the product. A marketer reads these,
not a stack trace, so each one says what happened in everyday terms and what
to do next, using what we know about MoEngage (key rotation, data centers,
suspended accounts) and about office networks (proxies, TLS inspection).
The CLI, the JSON output and the window all show the same text.

Every sentence is translated whole (``_()`` from :mod:`moecheck_gui.i18n`,
``str.format`` placeholders): a message is built from whole sentences, never
from pieces of one, so each language can order its words its own way. The
product terms (workspace ID, Data API key, data center, the dashboard's menu
names) follow the glossary in docs/translations.md. MoEngage's own words
(``server_message``) are never translated and never put inside these
sentences; the front ends show them apart, as MoEngage's.
"""

from __future__ import annotations

from dataclasses import dataclass

from moecheck_gui import stages
from moecheck_gui.i18n import N_, _, format_list, format_seconds, join_sentences
from moecheck_gui.outcome import CertificateInfo, Kind, Timings

# Translators: keep the menu names (Settings › Account › APIs, Data) in English: the
# MoEngage dashboard shows them in English.
KEY_LOCATION = N_("Settings › Account › APIs in the MoEngage dashboard (the Data tile)")
"""Where the Data API key is found (translate it where it is shown: ``_(KEY_LOCATION)``)."""


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


def _moengage(ctx: Context) -> str:
    """The subject "MoEngage on DC-01 — US" (or "MoEngage" when the DC is not known)."""
    if ctx.dc_label:
        # Translators: the subject of a sentence, e.g. "MoEngage on DC-01 — US".
        return _("MoEngage on {dc}").format(dc=ctx.dc_label)
    return "MoEngage"


def success(app_name: str, ctx: Context) -> tuple[str, str]:
    """Message and hint for a working set of credentials."""
    if ctx.dc_label:
        message = _(
            'These credentials work: they belong to the workspace "{workspace}" on {dc}.'
        ).format(workspace=app_name, dc=ctx.dc_label)
    else:
        message = _('These credentials work: they belong to the workspace "{workspace}".').format(
            workspace=app_name
        )
    return (
        message,
        _(
            "Check that this is the workspace you meant (production or test) before you use "
            "the key."
        ),
    )


def for_kind(kind: Kind, ctx: Context) -> tuple[str, str]:
    """The message and hint for a failed check of this kind."""
    return _BUILDERS[kind](ctx)


_FIELD_HINTS = {
    "workspace_id": N_("Correct the workspace ID and try again. Nothing was sent to MoEngage."),
    "api_key": N_("Correct the Data API key and try again. Nothing was sent to MoEngage."),
    "dc": N_("Correct the data center and try again. Nothing was sent to MoEngage."),
}
_OTHER_FIELD_HINT = N_("Correct what you entered and try again. Nothing was sent to MoEngage.")


def _invalid(ctx: Context) -> tuple[str, str]:
    message = ctx.detail or _("Something you entered cannot be used, so nothing was sent.")
    if ctx.field == "api_base":
        return message, _(
            "Correct or remove the MOECHECK_API_BASE setting (it is only for tests and API "
            "gateways). Nothing was sent to MoEngage."
        )
    return message, _(_FIELD_HINTS.get(ctx.field or "", _OTHER_FIELD_HINT))


def _dns(ctx: Context) -> tuple[str, str]:
    if ctx.host:
        message = _("Your computer could not look up {host}, so nothing reached MoEngage.").format(
            host=ctx.host
        )
    else:
        message = _(
            "Your computer could not look up MoEngage's API server, so nothing reached MoEngage."
        )
    if ctx.proxy_why and not ctx.proxy:
        # A proxy is configured but this host bypasses it: on networks that only
        # resolve outside names through the proxy, the bypass is the problem.
        # Translators: {why} says why no proxy was used, e.g. "NO_PROXY lists it".
        went_direct = _("The check went direct because {why}.").format(why=ctx.proxy_why)
        return (
            join_sentences(message, went_direct),
            _(
                "This network may only reach the internet through its proxy: ask IT whether "
                "{host} should go through the proxy (remove it from the exceptions), or try "
                "another network."
            ).format(host=ctx.host or _("MoEngage's API server")),
        )
    return (
        message,
        _(
            "Check that you are online (open any website). On a company network or VPN, ask IT "
            "whether *.moengage.com is blocked or whether you must use a proxy."
        ),
    )


def _connect(ctx: Context) -> tuple[str, str]:
    host = ctx.host or "MoEngage"
    if ctx.failed_stage == "tls":
        return (
            _(
                "The connection to {host} was refused or dropped during the secure handshake (TLS)."
            ).format(host=host),
            _(
                "A firewall or proxy that inspects secure traffic may be resetting the "
                "connection. Try another network, or ask IT whether *.moengage.com is allowed."
            ),
        )
    if ctx.failed_stage == "response":
        return (
            _(
                "{host} accepted the connection, then it was refused or dropped before a "
                "complete answer."
            ).format(host=host),
            _(
                "Try again. If it keeps happening, a proxy or firewall may be cutting the "
                "connection; try another network or ask IT."
            ),
        )
    return (
        _("The connection to {host} was refused or dropped before an answer arrived.").format(
            host=host
        ),
        _(
            "Check your internet connection and try again. If it keeps happening on a company "
            "network, a firewall may be blocking outgoing HTTPS (port 443) to *.moengage.com."
        ),
    )


_CERT_WORDS = ("certificate", "verify failed", "hostname", "ip address mismatch", "bundle")
"""Words of the TLS library's error (English, never shown) that mean a certificate problem."""


def _bundle_hint(trust_source: str, root: str) -> str:
    if root == "issuing":
        return _(
            "{setting} replaces this computer's trusted certificates. Add the issuing root "
            "certificate to that file, or remove the {setting} setting to use the computer's own "
            "trust store. Do not switch verification off: your API key travels over this "
            "connection."
        ).format(setting=trust_source)
    return _(
        "{setting} replaces this computer's trusted certificates. Add your company's root "
        "certificate to that file, or remove the {setting} setting to use the computer's own "
        "trust store. Do not switch verification off: your API key travels over this connection."
    ).format(setting=trust_source)


def _tls(ctx: Context) -> tuple[str, str]:
    custom_roots = bool(ctx.trust_source and ctx.trust_source != "os")
    if ctx.certificate is not None:
        from moecheck_gui.certificates import explain

        message, hint = explain(ctx.certificate, ctx.host or _("the server"))
        if custom_roots and ctx.certificate.problem in ("untrusted_issuer", "self_signed"):
            hint = _bundle_hint(ctx.trust_source or "", "issuing")
        return message, hint
    detail = (ctx.detail or "").lower()
    if detail and not any(word in detail for word in _CERT_WORDS):
        # The handshake itself failed (the server hung up, or spoke plain HTTP):
        # blaming a certificate would send the user looking in the wrong place.
        return (
            _(
                "The secure connection could not be set up: the server ended the TLS handshake "
                "or does not speak HTTPS."
            ),
            _(
                "Try again. If it keeps happening on an office network, a proxy or firewall may "
                "be interfering with secure connections: ask IT. If MOECHECK_API_BASE is set, "
                "check that it points at an https:// address that serves HTTPS."
            ),
        )
    if custom_roots:
        return (
            _(
                "The secure connection could not be verified: the server's certificate is not "
                "trusted by the certificate bundle set in {setting}, has expired, or is for "
                "another name."
            ).format(setting=ctx.trust_source),
            _bundle_hint(ctx.trust_source or "", "company"),
        )
    return (
        _(
            "The secure connection could not be verified: the server's certificate is not "
            "trusted by your computer's trusted certificates, has expired, or is for another name."
        ),
        _(
            "On an office network this usually means a proxy inspects secure traffic. Ask IT to "
            "add the company's root certificate to this computer's trust store, then try again. "
            "Do not switch verification off: your API key travels over this connection."
        ),
    )


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _page_words(ctx: Context) -> str:
    from moecheck_gui.webpage import who_answered

    return who_answered(ctx.server_header, ctx.page_title)


def _proxy_server(ctx: Context) -> str:
    """The subject "The proxy server http://p:8080 (why it was chosen)", as much as is known."""
    if ctx.proxy and ctx.proxy_why:
        # Translators: the subject of a sentence; {why} says how the proxy was chosen.
        return _("The proxy server {proxy} ({why})").format(proxy=ctx.proxy, why=ctx.proxy_why)
    if ctx.proxy:
        return _("The proxy server {proxy}").format(proxy=ctx.proxy)
    return _("The proxy server")


def _proxy(ctx: Context) -> tuple[str, str]:
    if ctx.proxy_config_error:
        return (
            _("The proxy could not be chosen, so nothing was sent: {reason}").format(
                reason=ctx.proxy_config_error
            ),
            _(
                "Your browser may be failing the same way. Ask IT for the right proxy (PAC) "
                "address, or correct it in Help › Network settings (MOECHECK_PAC_URL for the "
                "command)."
            ),
        )
    if ctx.not_judged:
        who = _upper_first(_page_words(ctx))
        if ctx.http_status:
            # Translators: {who} is who answered, e.g. "A web page from Cloudflare".
            first = _(
                "{who} answered with HTTP {status} instead of MoEngage: your credentials were "
                "not judged."
            ).format(who=who, status=ctx.http_status)
        else:
            first = _(
                "{who} answered with a refusal instead of MoEngage: your credentials were not "
                "judged."
            ).format(who=who)
        return (
            join_sentences(
                first,
                _(
                    "A web filter or proxy on this network, or an edge in front of MoEngage, "
                    "stopped the request."
                ),
            ),
            _(
                "Do not regenerate your key: it was never checked. If you are on a company, "
                "hotel or public network, a web filter or proxy blocked the request: ask IT to "
                "allow {host}, or try another network. If the page names MoEngage or a network "
                "edge (Cloudflare, Akamai, CloudFront), it came from in front of MoEngage: try "
                "again later, and contact MoEngage support with the time of the check if it "
                "persists."
            ).format(host=ctx.host or "*.moengage.com"),
        )
    server = _proxy_server(ctx)
    if ctx.http_status == 407:
        from moecheck_gui.proxy import scheme_label, sign_in_advice

        if ctx.proxy_scheme:
            message = _(
                "{proxy_server} asked for a sign-in with {scheme} before letting the check through."
            ).format(proxy_server=server, scheme=scheme_label(ctx.proxy_scheme))
        else:
            message = _(
                "{proxy_server} asked for a sign-in before letting the check through."
            ).format(proxy_server=server)
        return message, sign_in_advice(ctx.proxy_scheme)
    skipped = ""
    if ctx.skipped_proxies:
        skipped = _("Before it, {proxies} could not be reached.").format(
            proxies=format_list(ctx.skipped_proxies)
        )
    if ctx.failed_stage in ("dns", "connect"):
        return (
            join_sentences(
                _("{proxy_server} could not be reached.").format(proxy_server=server), skipped
            ),
            _(
                "Check that you are connected to the company network or VPN the proxy belongs "
                "to, or ask IT for the current proxy settings."
            ),
        )
    return (
        join_sentences(
            _("{proxy_server} refused or failed to connect to MoEngage.").format(
                proxy_server=server
            ),
            skipped,
        ),
        _("Ask IT whether the proxy allows *.moengage.com, or try from a network without a proxy."),
    )


_TIMEOUT_HINTS = {
    "proxy": N_(
        "Choosing the proxy took too long (a slow or unreachable PAC file or proxy "
        "auto-detection). Ask IT for the proxy settings, or try another network."
    ),
    "dns": N_(
        "The name lookup did not finish: this network's DNS is slow or blocked. Try "
        "another network, or ask IT."
    ),
    "connect": N_(
        "The name was found but the connection never opened: a firewall is probably "
        "dropping traffic to MoEngage (HTTPS, port 443) silently. Ask IT whether *.moengage.com "
        "is allowed, or try another network."
    ),
    "tls": N_(
        "The connection opened but the secure handshake stalled: this usually points at a "
        "proxy or firewall that inspects secure traffic. Ask IT, or try another network."
    ),
    "response": N_(
        "The request was sent but no answer came: MoEngage or something in between "
        "is slow right now. Try again in a minute, or allow more time (--timeout)."
    ),
}
_TIMEOUT_HINT = N_(
    "Your connection may be slow or a firewall may silently drop the traffic. Try again, "
    "or allow more time (--timeout)."
)


def _timeout(ctx: Context) -> tuple[str, str]:
    if ctx.timeout_s:
        # Translators: {duration} is e.g. "15 seconds".
        message = _("No complete answer arrived within {duration}.").format(
            duration=format_seconds(ctx.timeout_s)
        )
    else:
        message = _("No complete answer arrived in time.")
    if ctx.timings is not None:
        message = join_sentences(message, stages.describe(ctx.timings, ctx.failed_stage) or "")
    return message, _(_TIMEOUT_HINTS.get(ctx.failed_stage or "", _TIMEOUT_HINT))


def _auth(ctx: Context) -> tuple[str, str]:
    server = (ctx.server_message or "").lower()
    if ctx.detected:
        msg = _("No MoEngage data center accepted this workspace ID and Data API key.")
        hint = _(
            "Copy both again from {key_location}. If the key was just created, it can take a "
            "few minutes to start working: keep checking. If someone regenerated it in the "
            "classic settings, the old key stopped working: use the current one."
        ).format(key_location=_(KEY_LOCATION))
        return msg, hint
    if "header" in server:
        return (
            _("{moengage} did not receive the workspace ID and key it expects.").format(
                moengage=_moengage(ctx)
            ),
            _(
                "Make sure both fields are filled in and try again. If a proxy sits in between, "
                "it may strip the Authorization header: ask IT."
            ),
        )
    if "mismatch" in server or "secret" in server:
        msg = _("{moengage} says the Data API key does not match this workspace.").format(
            moengage=_moengage(ctx)
        )
    else:
        msg = _("{moengage} rejected this workspace ID and Data API key.").format(
            moengage=_moengage(ctx)
        )
    hint = _(
        "Copy the key again from {key_location}. If it was just created, a new key can take a "
        "few minutes to start working: keep checking. If it worked before, it may have been "
        "regenerated (in the classic settings a new key replaces the old one at once) or "
        "revoked; newer accounts can hold several keys, so check you copied the one meant for "
        "this use. Older accounts may show a separate Data API ID: use the workspace ID here. "
        "If the workspace may live in another data center, try all data centers."
    ).format(key_location=_(KEY_LOCATION))
    return msg, hint


_FORBIDDEN_REASONS = {
    "payment": N_("the workspace is suspended for a payment issue"),
    "suspend": N_("the account is suspended"),
    "block": N_("this client or network is blocked"),
    "ip": N_("your network's IP address is not on the workspace's allowed list"),
    "other": N_("the account is blocked or suspended, or your IP address is not allowed"),
}


def _forbidden(ctx: Context) -> tuple[str, str]:
    text = f"{ctx.server_error_type or ''} {ctx.server_message or ''}".lower()
    if "payment" in text:
        reason = "payment"
    elif "suspend" in text:
        reason = "suspend"
    elif "block" in text:
        reason = "block"
    elif "ip" in text and ("whitelist" in text or "allow" in text):
        reason = "ip"
    else:
        reason = "other"
    return (
        # Translators: {reason} is one of the reasons below, e.g. "the account is suspended".
        _("{moengage} recognised the credentials but refused access: {reason}.").format(
            moengage=_moengage(ctx), reason=_(_FORBIDDEN_REASONS[reason])
        ),
        _(
            "This is not fixed by a new key. Contact your MoEngage admin or account manager and "
            "give them the request ID below. If the workspace may live in another data center, "
            "try all data centers: what another data center answers is not documented."
        ),
    )


def _not_found(ctx: Context) -> tuple[str, str]:
    if ctx.host:
        message = _("The server {host} answered that the address was not found (HTTP 404).")
    else:
        message = _("The server answered that the address was not found (HTTP 404).")
    return (
        message.format(host=ctx.host),
        _(
            "The data center or API address is probably wrong. Check the data center in your "
            "dashboard's web address, or try all data centers. If MOECHECK_API_BASE is set, "
            "check its value."
        ),
    )


def _rate_limited(ctx: Context) -> tuple[str, str]:
    if ctx.retry_after_s is not None:
        # Translators: {duration} is e.g. "30 seconds".
        wait = _("Wait {duration}, then try again.").format(
            duration=format_seconds(ctx.retry_after_s)
        )
    else:
        wait = _("Wait a minute, then try again.")
    return (
        _("{moengage} is limiting requests for this workspace right now (HTTP 429).").format(
            moengage=_moengage(ctx)
        ),
        join_sentences(wait, _("Other tools using the same key count towards the limit too.")),
    )


def _server_error(ctx: Context) -> tuple[str, str]:
    if ctx.http_status:
        first = _("{moengage} had a problem on its side (HTTP {status}).").format(
            moengage=_moengage(ctx), status=ctx.http_status
        )
    else:
        first = _("{moengage} had a problem on its side.").format(moengage=_moengage(ctx))
    return (
        join_sentences(first, _("Your credentials were not judged.")),
        _(
            "This is usually temporary: try again in a few minutes. If it persists, check "
            "MoEngage's status page or contact support with the request ID."
        ),
    )


def _bad_response(ctx: Context) -> tuple[str, str]:
    if ctx.redirect_to is not None:
        if ctx.redirect_to:
            first = _("The server sent a redirect to {address} instead of an answer.").format(
                address=ctx.redirect_to
            )
        else:
            first = _("The server sent a redirect to another address instead of an answer.")
        return (
            join_sentences(
                first,
                _("MoeCheck never follows redirects, because the request carries your key."),
            ),
            _(
                "A proxy, captive portal or wrong API address is in the way. Sign in to the "
                "network (open a website in your browser), or check MOECHECK_API_BASE."
            ),
        )
    if ctx.html:
        return (
            _("A web page came back instead of MoEngage's answer."),
            _(
                "You are probably behind a hotel/guest Wi-Fi sign-in page or a company proxy "
                "login. Open any website in your browser, sign in, then try again."
            ),
        )
    if ctx.http_status:
        first = _("The answer (HTTP {status}) was not what MoEngage's API sends.").format(
            status=ctx.http_status
        )
    else:
        first = _("The answer was not what MoEngage's API sends.")
    return (
        join_sentences(first, ctx.detail or ""),
        _(
            "Something between you and MoEngage may have changed the answer (a proxy or "
            "gateway), or the API address is wrong. Try another network; if it persists, contact "
            "MoEngage support with the details."
        ),
    )


def _cancelled(ctx: Context) -> tuple[str, str]:
    return (_("The check was stopped before it finished."), _("Start it again when you are ready."))


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
