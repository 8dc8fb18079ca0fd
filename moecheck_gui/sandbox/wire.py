"""MoEngage's wire format as the sandbox checks it: the route, the request, the fail envelope.

Why strict: a client bug (a missing ``MOE-APPKEY``, ``region`` not matching the
host, a wrong Content-Type) must show up as a 400 that names the problem
instead of passing silently. Messages name the problem but never echo a key or
the ``Authorization`` value.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from dataclasses import dataclass
from email.message import Message
from typing import Any

ENDPOINT_PATH = "/v1/integrations/authentication"
MAX_BODY = 64 * 1024
"""Request bodies above this are refused with 413: a credentials check is tiny."""

ROUTE = re.compile(r"/dc-([^/]+)" + re.escape(ENDPOINT_PATH))
AUTH_MISMATCH = "App Secret key mismatch. Please login to the dashboard to verify key"


@dataclass(frozen=True, repr=False)
class RecordedRequest:
    """One request exactly as it arrived, for tests that check the wire format.

    ``headers`` keeps the names as the client sent them; ``dc`` is the DC taken
    from the path, or None when the path was not the endpoint. The repr shows
    header names and the body size only, because ``Authorization`` and the
    body carry the key.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    dc: str | None

    def __repr__(self) -> str:
        names = ", ".join(self.headers)
        return (
            f"RecordedRequest(method={self.method!r}, path={self.path!r}, dc={self.dc!r}, "
            f"headers=[{names}], body=<{len(self.body)} bytes>)"
        )

    def header(self, name: str) -> str | None:
        """The value of header ``name`` compared case-insensitively, or None."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not valid JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


class Problem(Exception):
    """A request that breaks the documented wire format: answered with a fail envelope."""

    def __init__(self, status: int, message: str, error_type: str = "Bad Request") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type


def new_request_id() -> str:
    """A fresh, non-secret request id like MoEngage's, marked as the sandbox's own."""
    return "sbx-" + secrets.token_hex(8)


def fail(message: str, error_type: str, request_id: str) -> dict[str, Any]:
    """MoEngage's failure envelope (PRODUCT.md section 2)."""
    return {
        "status": "fail",
        "error": {"message": message, "type": error_type, "request_id": request_id},
    }


def json_type(value: object) -> str:
    """JSON's name for a value's type, for error messages that never echo the value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _header(headers: Message, name: str) -> str | None:
    value = headers.get(name)
    return None if value is None else str(value)


def validate(headers: Message, dc: str, body: bytes) -> tuple[str, str]:
    """Check the documented wire format strictly; return (workspace_id, api_key).

    ``headers`` are the request's headers (looked up case-insensitively).
    Raises :class:`Problem` naming what is wrong.
    """
    content_type = _header(headers, "Content-Type")
    if content_type is None:
        raise Problem(400, "Content-Type header is missing; it must be application/json")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        shown = media_type[:60] or "empty"
        raise Problem(400, f"Content-Type must be application/json, not '{shown}'")

    auth = _header(headers, "Authorization")
    if auth is None:
        raise Problem(401, "Authentication Header Required", "Authentication Failed")
    scheme, _, token = auth.strip().partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        raise Problem(
            400,
            "Authorization header must be 'Basic ' followed by base64(workspace_id:api_key)",
        )
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise Problem(400, "Authorization header is not valid base64 of UTF-8 text") from None
    auth_user, colon, auth_password = decoded.partition(":")
    if not colon:
        raise Problem(
            400,
            "Authorization header must encode workspace_id:api_key with a colon between them",
        )

    appkey = _header(headers, "MOE-APPKEY")
    if appkey is None:
        raise Problem(400, "MOE-APPKEY header is missing; it must carry the workspace ID")

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "Request body is not valid UTF-8") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        # json's messages give a position, never the text itself.
        raise Problem(400, f"Request body is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise Problem(400, f"Request body must be a JSON object, not {json_type(data)}")
    for field in ("app_id", "app_secret", "source", "region"):
        if field not in data:
            raise Problem(400, f"Field '{field}' is missing from the request body")
        if not isinstance(data[field], str):
            raise Problem(
                400,
                f"Field '{field}' must be a string, not {json_type(data[field])}",
            )
    if not data["source"].strip():
        raise Problem(400, "Field 'source' must not be empty")
    region = data["region"]
    if region != dc:
        raise Problem(
            400,
            f"region '{region[:20]}' does not match the data center of this endpoint ({dc})",
        )
    if appkey != data["app_id"]:
        raise Problem(400, "MOE-APPKEY header does not match app_id in the request body")
    if auth_user != data["app_id"]:
        raise Problem(
            400,
            "Authorization username (workspace ID) does not match app_id in the request body",
        )
    if not secrets.compare_digest(auth_password.encode(), data["app_secret"].encode()):
        raise Problem(
            400,
            "Authorization password (API key) does not match app_secret in the request body",
        )
    return data["app_id"], data["app_secret"]
