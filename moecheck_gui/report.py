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

Languages, on purpose: the report is pasted into support tickets that MoEngage
support reads, so its field labels ("Result:", "Data center:", "Timeline:"...),
the timeline's stage names, the data center's region and the trust-root words
are always English (``translate=False``), whatever language the user has. The
sentences inside it -- the title, ``message``, ``hint``, ``detail``, notices
and the proxy's ``why`` -- are the outcome's, in the user's language, and
MoEngage's own text is always as MoEngage sent it.
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
from moecheck_gui.redaction import redact_url
from moecheck_gui.stages import timeline_lines


def _clean(value: object) -> str:
    """One display-safe line for any value; ``-`` for nothing."""
    text = clean_server_text(value)
    return text if text is not None else "-"


def _trust_mode() -> str:
    """How TLS certificates are verified, or why that could not be determined."""
    try:
        from moecheck_gui.trust import describe_trust_mode

        return describe_trust_mode(translate=False)
    except Exception as exc:  # noqa: BLE001 - a report must never fail
        return f"unknown ({type(exc).__name__})"


def _proxy_lines(outcome: Outcome) -> list[str]:
    """Which way the check went and why, from the outcome itself (a report never runs a PAC)."""
    if outcome.proxy:
        way = f"through proxy {outcome.proxy}"
    else:
        way = "direct (no proxy)"
    lines = [f"Proxy: {_clean(way)}"]
    if outcome.proxy_why:
        lines.append(f"Proxy chosen because: {_clean(outcome.proxy_why)}")
    if outcome.proxy_source:
        lines.append(f"Proxy source: {_clean(outcome.proxy_source)}")
    return lines


def _diagnosis_lines(outcome: Outcome) -> list[str]:
    """What answered, the stage timeline and the certificate, when the check got that far."""
    lines: list[str] = []
    if outcome.page_title:
        lines.append(f"Page title: {_clean(outcome.page_title)}")
    if outcome.server_header:
        lines.append(f"Answered by (Server header): {_clean(outcome.server_header)}")
    if outcome.failed_stage:
        lines.append(f"Failed stage: {_clean(outcome.failed_stage)}")
    if outcome.kind not in ("invalid_input", "cancelled") and outcome.timings.total_ms is not None:
        lines += ["", "Timeline:"]
        lines += [
            f"  {_clean(line)}"
            for line in timeline_lines(outcome.timings, outcome.failed_stage, translate=False)
        ]
    cert = outcome.certificate
    if cert is not None:
        lines += [
            "",
            "Certificate presented:",
            f"  Problem: {_clean(cert.problem)}",
            f"  Subject: {_clean(cert.subject)}",
            f"  Issuer: {_clean(cert.issuer)}",
            f"  Names: {_clean(', '.join(cert.names))}",
            f"  Valid: {_clean(cert.not_before)} to {_clean(cert.not_after)}",
        ]
    return lines


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
        f"Data center: {dc_label(outcome.dc, translate=False)}",
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
    lines += _diagnosis_lines(outcome)
    lines += ["", f"Trust: {_clean(_trust_mode())}", *_proxy_lines(outcome)]
    if outcome.previously_worked_at:
        lines.append(f"Key last worked: {_clean(outcome.previously_worked_at)}")
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
                f"  {dc_label(dc, translate=False)}: {_clean(result)} "
                f"({http}{round(attempt.elapsed_ms)} ms)"
            )
    if extra:
        lines += [""]
        lines += [f"{_clean(k)}: {_clean(v)}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"
