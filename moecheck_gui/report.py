"""The redacted plain-text report: "Copy details" in the window, and support tickets.

Why it exists: when a check fails, the person who can fix it (MoEngage support,
IT, a colleague) needs the facts — which host, which data center, what the
server said, the request ID, how the machine reaches the network — without the
user having to describe them. Everything here is safe to paste anywhere:

* :func:`render_report` takes **no key argument**, on purpose. The key cannot
  end up in a report because the report never has it. An :class:`Outcome` never
  holds the key either.
* Every value is passed through :func:`clean_server_text`, so a hostile server
  cannot smuggle terminal escapes or bidi overrides into a ticket.
* Credentials inside URLs (``https://user:pass@gateway/...``) are redacted.

How secrets are recognised and removed is defined once, in
:mod:`moecheck_gui.redaction`.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping
from datetime import UTC, datetime

from moecheck_gui import __version__
from moecheck_gui.datacenters import dc_label
from moecheck_gui.outcome import Outcome, clean_server_text

# ``redact`` is a compatibility re-export: cli.py and gui/main_window.py still import
# it from here; its home is moecheck_gui.redaction (remove once they import it there).
from moecheck_gui.redaction import redact as redact
from moecheck_gui.redaction import redact_url

AUTH_PATH = "/v1/integrations/authentication"


def _clean(value: object) -> str:
    """One display-safe line for any value; ``-`` for nothing."""
    text = clean_server_text(value)
    return text if text is not None else "-"


def _endpoint(outcome: Outcome, api_base: str | None) -> str:
    """The URL the check asked (or would ask), for describing the proxy that applies to it."""
    dc = outcome.dc or "01"
    try:
        from moecheck_gui.inputs import endpoint_url

        return endpoint_url(dc, api_base)
    except Exception:  # noqa: BLE001 - fall back to the documented default host
        host = outcome.host or f"api-{dc}.moengage.com"
        return f"https://{host}{AUTH_PATH}"


def _trust_mode() -> str:
    """How TLS certificates are verified, or why that could not be determined."""
    try:
        from moecheck_gui.trust import describe_trust_mode

        return describe_trust_mode()
    except Exception as exc:  # noqa: BLE001 - a report must never fail
        return f"unknown ({type(exc).__name__})"


def _proxy_mode(url: str) -> str:
    """Which proxy (if any) applies to ``url``; proxy credentials are redacted by the client."""
    try:
        from moecheck_gui.client import describe_proxy

        return describe_proxy(url)
    except Exception as exc:  # noqa: BLE001 - a report must never fail
        return f"unknown ({type(exc).__name__})"


def _qt_version() -> str | None:
    """The Qt/PySide6 versions, only when the window already loaded them (never imports Qt)."""
    pyside = sys.modules.get("PySide6")
    if pyside is None:
        return None
    version = str(getattr(pyside, "__version__", "?"))
    core = sys.modules.get("PySide6.QtCore")
    qt = getattr(core, "qVersion", None) if core is not None else None
    try:
        qt_text = str(qt()) if callable(qt) else "?"
    except Exception:  # noqa: BLE001 - version lookup is best effort
        qt_text = "?"
    return f"{qt_text} (PySide6 {version})"


def render_report(
    outcome: Outcome,
    *,
    api_base: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> str:
    """The redacted plain-text report for one finished check.

    There is deliberately no parameter for the API key: a report built only
    from the outcome and the environment cannot contain it. ``api_base`` is the
    ``MOECHECK_API_BASE`` in effect (defaults to the environment); ``extra`` adds
    caller-supplied lines (e.g. the window's profile label) and must hold nothing
    secret. Never raises for anything an outcome can contain.
    """
    base = api_base if api_base is not None else os.environ.get("MOECHECK_API_BASE") or None
    status = "OK" if outcome.ok else "FAILED"
    kind = outcome.kind or "-"
    lines: list[str] = [
        "MoeCheck report (the Data API key is never included)",
        f"Generated: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S')} UTC",
        f"MoeCheck: {__version__}",
        f"OS: {_clean(platform.platform())}",
        f"Python: {platform.python_version()} ({platform.python_implementation()})",
    ]
    qt = _qt_version()
    if qt is not None:
        lines.append(f"Qt: {_clean(qt)}")
    lines += [
        "",
        f"Result: {status} — {_clean(outcome.title)} (kind: {_clean(kind)})",
        f"Workspace ID: {_clean(outcome.workspace_id)}",
        f"Data center: {dc_label(outcome.dc)}",
        f"API host: {_clean(outcome.host)}",
    ]
    if outcome.app_name:
        lines.append(f"Workspace name: {_clean(outcome.app_name)}")
    lines += [
        f"HTTP status: {outcome.http_status if outcome.http_status is not None else '-'}",
        f"MoEngage message: {_clean(outcome.server_message)}",
        f"MoEngage error type: {_clean(outcome.server_error_type)}",
        f"Request ID: {_clean(outcome.request_id)}",
    ]
    if outcome.retry_after_s is not None:
        lines.append(f"Retry after: {outcome.retry_after_s} s")
    lines.append(f"Elapsed: {round(outcome.elapsed_ms)} ms")
    if outcome.message:
        lines.append(f"Summary: {_clean(outcome.message)}")
    if outcome.hint:
        lines.append(f"What to do: {_clean(outcome.hint)}")
    if outcome.detail:
        lines.append(f"Detail: {_clean(outcome.detail)}")
    if outcome.field:
        lines.append(f"Field: {_clean(outcome.field)}")
    lines += [
        "",
        f"Trust: {_clean(_trust_mode())}",
        f"Proxy: {_clean(_proxy_mode(_endpoint(outcome, base)))}",
    ]
    if base:
        lines.append(f"MOECHECK_API_BASE: {_clean(redact_url(base))}")
    if outcome.notices:
        lines += ["", "Notes:"]
        lines += [f"  - {_clean(n)}" for n in outcome.notices]
    if outcome.attempts:
        lines += ["", "Data centers tried:"]
        for dc, attempt in outcome.attempts.items():
            result = "ok" if attempt.ok else (attempt.kind or "failed")
            http = f"HTTP {attempt.http_status}, " if attempt.http_status is not None else ""
            lines.append(
                f"  {dc_label(dc)}: {_clean(result)} ({http}{round(attempt.elapsed_ms)} ms)"
            )
    if extra:
        lines += [""]
        lines += [f"{_clean(k)}: {_clean(v)}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"
