"""What the sandbox answers to a well-formed request: MoEngage's answer, a scenario's, a mode's.

Why apart from :mod:`.handler`: this is the part that grows with every new
diagnosis (a web filter's page, a brand-new key, a server that goes quiet),
while the connection plumbing stays put.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from moecheck_gui.sandbox import pages
from moecheck_gui.sandbox.modes import large_body, large_size, number
from moecheck_gui.sandbox.pages import BlockPage
from moecheck_gui.sandbox.wire import AUTH_MISMATCH, fail
from moecheck_gui.sandbox.workspaces import NO_ANSWER_ID, PAGE_SCENARIOS, SCENARIO_IDS

if TYPE_CHECKING:
    from moecheck_gui.sandbox.handler import Handler


def answer(
    handler: Handler,
    workspace_id: str,
    api_key: str,
    dc: str,
    mode: str,
    params: Mapping[str, object],
    request_id: str,
) -> None:
    """Answer a request that passed the wire-format checks."""
    sandbox = handler.server.sandbox
    if workspace_id in SCENARIO_IDS:
        _scenario(handler, workspace_id, request_id)
        return
    page = PAGE_SCENARIOS.get(workspace_id)
    if page is not None:
        send_page(handler, page, request_id)
        return
    if workspace_id == NO_ANSWER_ID:
        sandbox._note(f"POST -> never answered ({request_id})")
        handler.hang()
        return
    if workspace_id == "DEMO_SLOW":
        handler.wait(sandbox.slow_scenario_delay)
    if mode not in ("normal", "slow", "reject_then_accept"):
        _mode_response(handler, mode, params, request_id)
        return
    app_name = sandbox._authenticate(workspace_id, api_key, dc)
    if app_name is not None and sandbox._reject_fresh_key(workspace_id, mode, params):
        app_name = None
    if app_name is None:
        handler.send_json(401, fail(AUTH_MISMATCH, "Authentication Failed", request_id), request_id)
    else:
        handler.send_json(200, {"status": "success", "app_name": app_name}, request_id)


def send_page(handler: Handler, page: BlockPage, request_id: str) -> None:
    """A web page in MoEngage's place, with the ``Server`` header of what sent it."""
    handler.server_header = page.server
    try:
        handler.send(page.status, page.body(), "text/html; charset=utf-8", request_id, page.headers)
    finally:
        handler.server_header = None


def _scenario(handler: Handler, workspace_id: str, request_id: str) -> None:
    if workspace_id == "DEMO_SUSPENDED":
        handler.send_json(
            403,
            fail(
                "Your account has been suspended. Please contact your MoEngage account manager.",
                "Account Suspended",
                request_id,
            ),
            request_id,
        )
    elif workspace_id == "DEMO_BLOCKED":
        handler.send_json(
            403,
            fail(
                "This client has been blocked from accessing the API.",
                "Blocked Client",
                request_id,
            ),
            request_id,
        )
    elif workspace_id == "DEMO_RATELIMIT":
        handler.send_json(
            429,
            fail("Rate limit exceeded", "Rate Limit Exceeded", request_id),
            request_id,
            {"Retry-After": "30"},
        )
    elif workspace_id == "DEMO_DOWN":
        handler.send(503, pages.DOWN_HTML.encode(), "text/html", request_id)
    else:  # DEMO_CAPTIVE
        handler.send(200, pages.CAPTIVE_HTML.encode(), "text/html; charset=utf-8", request_id)


def _headers(params: Mapping[str, object]) -> dict[str, str]:
    raw_headers = params.get("headers") or {}
    if not isinstance(raw_headers, Mapping):
        return {}
    return {str(k): str(v) for k, v in raw_headers.items()}


def _mode_response(
    handler: Handler, mode: str, params: Mapping[str, object], request_id: str
) -> None:
    if mode == "status":
        status = int(number(params, "status", 500))
        headers = _headers(params)
        body = params.get("body")
        if body is None:
            reason = handler.responses.get(status, ("Error",))[0]
            body = fail(reason, reason, request_id)
        handler.send_any(status, body, request_id, headers)
    elif mode == "unauthorized":
        handler.send_json(401, fail(AUTH_MISMATCH, "Authentication Failed", request_id), request_id)
    elif mode == "forbidden":
        error_type = str(params.get("error_type", "Account Suspended"))
        message = str(
            params.get(
                "message",
                "Your account has been suspended. Please contact your MoEngage account manager.",
            )
        )
        handler.send_json(403, fail(message, error_type, request_id), request_id)
    elif mode == "rate_limited":
        retry_after = params.get("retry_after", 30)
        extra = {} if retry_after is None else {"Retry-After": str(retry_after)}
        handler.send_json(
            429,
            fail("Rate limit exceeded", "Rate Limit Exceeded", request_id),
            request_id,
            extra,
        )
    elif mode == "server_error":
        status = int(number(params, "status", 500))
        if params.get("html"):
            handler.send(status, pages.SERVER_ERROR_HTML.encode(), "text/html", request_id)
        else:
            reason = handler.responses.get(status, ("Server Error",))[0]
            handler.send_json(
                status,
                fail("Something went wrong. Please try again later.", reason, request_id),
                request_id,
            )
    elif mode == "html":
        handler.send(200, pages.CAPTIVE_HTML.encode(), "text/html; charset=utf-8", request_id)
    elif mode == "redirect":
        status = int(number(params, "status", 302))
        location = str(params.get("location") or handler.server.sandbox._origin() + "/login")
        handler.send(
            status,
            b"<html><body>Redirecting to the login page</body></html>",
            "text/html",
            request_id,
            {"Location": location},
        )
    elif mode == "not_found":
        handler.send_json(404, fail("Not Found", "Not Found", request_id), request_id)
    elif mode == "trickle":
        handler.trickle(
            number(params, "interval", 0.5), int(number(params, "length", 100000)), request_id
        )
    elif mode == "large":
        size, compress = large_size(params)
        extra = {"Content-Encoding": "gzip"} if compress else {}
        handler.send(200, large_body(size, compress), "application/json", request_id, extra)
    elif mode == "json":
        status = int(number(params, "status", 200))
        handler.send(
            status,
            json.dumps(params.get("body")).encode(),
            "application/json",
            request_id,
        )
    elif mode == "page":
        page = BlockPage(
            int(number(params, "status", 403)),
            str(params.get("title", "Access Denied")),
            str(params.get("server", "Zscaler/6.2")),
            headers=_headers(params),
        )
        send_page(handler, page, request_id)
