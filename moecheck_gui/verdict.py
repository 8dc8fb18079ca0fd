"""Judge what came back: an HTTP answer or a transport error becomes a kind and its facts.

Why a module of its own, and pure: the verdict is the product's value, and its
rules are subtle enough to deserve a home that can be read (and tested) apart
from sockets and threads. The rules, in the order they apply:

* **Only MoEngage's own answer judges the credentials.** A 401, 403, 407, 429
  or 451 that comes back as a *web page* was sent by something else (a web
  filter, a proxy, a captive portal, an edge in front of MoEngage): the verdict
  is ``proxy`` -- "not judged" -- naming the page's title and ``Server``. JSON
  and empty bodies keep their meaning (``auth``, ``forbidden``,
  ``rate_limited``), because that is how MoEngage itself answers.
* Redirects are never followed (the body carries the key): ``bad_response``.
* ``ok`` only for a 2xx JSON object with ``status == "success"`` and a non-empty
  string ``app_name``; a 2xx whose ``status`` is ``fail``/``error`` is ``auth``.

The ``detail`` sentences are translated; :func:`error_detail` is the
exception's own text (technical, for support) and is not.
"""

from __future__ import annotations

import email.utils
import json
import math
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from moecheck_gui.exc_chain import chain
from moecheck_gui.i18n import _
from moecheck_gui.limits import MAX_ANSWER_BYTES, MAX_RETRY_AFTER_S
from moecheck_gui.outcome import Kind, clean_server_text
from moecheck_gui.transport import Answer
from moecheck_gui.webpage import NOT_JUDGED_STATUSES, looks_like_page, page_title, server_name


@dataclass
class Verdict:
    """The kind (None for success) and every fact the message and the outcome need."""

    kind: Kind | None
    app_name: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    """Outcome fields: http_status, server_message, server_error_type, request_id, retry_after_s,
    page_title, server_header."""
    html: bool = False
    not_judged: bool = False
    """A web page answered with a status that would otherwise judge the credentials."""
    redirect_to: str | None = None
    detail: str | None = None


# --------------------------------------------------------------------------- transport errors


def is_proxy_error(exc: BaseException) -> bool:
    """True when the failure was reported by (or about) the proxy."""
    return any(
        isinstance(e, requests.exceptions.ProxyError | urllib3.exceptions.ProxyError)
        for e in chain(exc)
    )


def classify_error(exc: BaseException) -> tuple[Kind, int | None]:
    """Map a transport exception to an outcome kind (and a proxy's HTTP status, if any)."""
    links = chain(exc)
    text = " ".join(str(e) for e in links)
    if is_proxy_error(exc):
        status = 407 if "407" in text else None
        return Kind.PROXY, status
    if any(isinstance(e, urllib3.exceptions.NameResolutionError | socket.gaierror) for e in links):
        return Kind.DNS, None
    if any(
        isinstance(e, ssl.SSLError | ssl.CertificateError | urllib3.exceptions.SSLError)
        for e in links
    ):
        return Kind.TLS, None
    if any(isinstance(e, requests.exceptions.SSLError) for e in links):
        return Kind.TLS, None
    # urllib3's NewConnectionError subclasses its ConnectTimeoutError, so refusals
    # must be recognised before anything that merely looks like a timeout.
    if any(isinstance(e, urllib3.exceptions.NewConnectionError | ConnectionError) for e in links):
        return Kind.CONNECT, None
    if any(isinstance(e, TimeoutError | urllib3.exceptions.TimeoutError) for e in links):
        return Kind.TIMEOUT, None
    return Kind.CONNECT, None


def error_detail(exc: BaseException) -> str:
    """One line for the details area: the innermost useful exception, cleaned."""
    links = chain(exc)
    inner = next(
        (e for e in reversed(links) if isinstance(e, OSError | ssl.SSLError) and str(e)), links[0]
    )
    text = clean_server_text(f"{inner.__class__.__name__}: {inner}", limit=300)
    return text or inner.__class__.__name__


# --------------------------------------------------------------------------- answers


def retry_after(value: str | None) -> int | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(int(value), MAX_RETRY_AFTER_S)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0, math.ceil(when.timestamp() - time.time()))


def _parse_json(body: bytes) -> tuple[Any, bool]:
    try:
        return json.loads(body.decode("utf-8")), True
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, False


def server_fields(data: Any, headers: dict[str, str]) -> dict[str, str | None]:
    """MoEngage's own message, error type and request id, cleaned; whatever shape came back."""
    message = etype = request_id = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            message = clean_server_text(error.get("message"))
            etype = clean_server_text(error.get("type"))
            request_id = clean_server_text(error.get("request_id"), limit=200)
        elif isinstance(error, str):
            message = clean_server_text(error)
        message = message or clean_server_text(data.get("message"))
        request_id = request_id or clean_server_text(data.get("request_id"), limit=200)
    header_id = headers.get("x-request-id") or headers.get("x-moe-request-id")
    request_id = request_id or clean_server_text(header_id, limit=200)
    return {"server_message": message, "server_error_type": etype, "request_id": request_id}


_BY_STATUS = {
    401: Kind.AUTH,
    403: Kind.FORBIDDEN,
    404: Kind.NOT_FOUND,
    407: Kind.PROXY,
    429: Kind.RATE_LIMITED,
}


def judge(answer: Answer) -> Verdict:
    """The verdict on an HTTP answer (``answer.error`` must be None)."""
    status = answer.status or 0
    headers = answer.headers
    fields: dict[str, Any] = {"http_status": status, "server_header": server_name(headers)}
    if answer.too_large:
        limit = MAX_ANSWER_BYTES // 1024
        return Verdict(
            Kind.BAD_RESPONSE,
            fields=fields,
            detail=_("The answer was over {limit} KiB and was not read.").format(limit=limit),
        )
    if answer.encoding_problem:
        return Verdict(
            Kind.BAD_RESPONSE,
            fields=fields,
            detail=_("The answer could not be read: {problem}.").format(
                problem=answer.encoding_problem
            ),
        )
    data, is_json = _parse_json(answer.body)
    fields.update(server_fields(data, headers))
    html = not is_json and bool(answer.body.strip()) and looks_like_page(headers, answer.body)
    if html:
        fields["page_title"] = page_title(answer.body, headers)
    if 300 <= status < 400:
        location = clean_server_text(headers.get("location"), limit=200)
        target = urlsplit(location).netloc if location else ""
        return Verdict(
            Kind.BAD_RESPONSE,
            fields=fields,
            redirect_to=target or location or "",
            detail=_("HTTP {status} redirect (not followed).").format(status=status),
        )
    if html and status in NOT_JUDGED_STATUSES:
        return Verdict(
            Kind.PROXY,
            fields=fields,
            html=True,
            not_judged=True,
            detail=_("HTTP {status} answered with a web page, not MoEngage's JSON.").format(
                status=status
            ),
        )
    if status in _BY_STATUS:
        if status == 429:
            fields["retry_after_s"] = retry_after(headers.get("retry-after"))
        return Verdict(_BY_STATUS[status], fields=fields, html=html)
    if 500 <= status < 600:
        return Verdict(Kind.SERVER_ERROR, fields=fields, html=html)
    if not 200 <= status < 300:
        return Verdict(
            Kind.BAD_RESPONSE,
            fields=fields,
            html=html,
            detail=_("Unexpected HTTP status {status}.").format(status=status),
        )
    if not is_json:
        detail = _("The answer is a web page, not JSON.") if html else _("The answer is not JSON.")
        return Verdict(Kind.BAD_RESPONSE, fields=fields, html=html, detail=detail)
    if not isinstance(data, dict):
        return Verdict(
            Kind.BAD_RESPONSE, fields=fields, detail=_("The answer is JSON but not an object.")
        )
    api_status = data.get("status")
    if isinstance(api_status, str) and api_status.strip().lower() in ("fail", "error"):
        return Verdict(Kind.AUTH, fields=fields)
    app_name = data.get("app_name")
    shown_name = clean_server_text(app_name)
    if api_status == "success" and isinstance(app_name, str) and app_name.strip() and shown_name:
        return Verdict(None, app_name=shown_name, fields=fields)
    if api_status != "success":
        # Translators: "status": "success" is JSON from MoEngage's answer: keep it as it is.
        detail = _('The answer has no "status": "success".')
    else:
        # Translators: app_name is a JSON field name: keep it as it is.
        detail = _("The answer has no workspace name (app_name).")
    return Verdict(Kind.BAD_RESPONSE, fields=fields, detail=detail)
