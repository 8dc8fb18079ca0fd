"""How an outcome is written: one JSON object for scripts, a short answer for people.

Why here and nowhere else: every command that ends in an :class:`Outcome`
(``check``, ``detect``, refusals, usage errors with ``--json``, Ctrl-C) writes it
through :func:`emit`, so the promise of PRODUCT.md 3.4 -- with ``--json``,
stdout holds that one object and nothing else -- is kept in one function.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Any

from moecheck_gui.cli.output import Style, err, safe
from moecheck_gui.datacenters import dc_label
from moecheck_gui.outcome import Kind, Outcome, describe_attempt


def _render_failure_details(outcome: Outcome, style: Style) -> list[str]:
    """The indented lines under a failure headline: what happened, what to do, IDs."""
    lines: list[str] = []
    if outcome.message:
        lines.append(f"  {safe(outcome.message)}")
    if outcome.server_message and outcome.server_message not in (outcome.message or ""):
        lines.append(f"  MoEngage said: {safe(outcome.server_message)}")
    if outcome.hint:
        lines.append(f"  {style.bold('What to do:')} {safe(outcome.hint)}")
    if outcome.retry_after_s is not None:
        lines.append(f"  MoEngage asks to wait {outcome.retry_after_s} s before trying again.")
    if outcome.request_id:
        lines.append(f"  Request ID: {safe(outcome.request_id)} (give this to MoEngage support)")
    return lines


def _certificate_lines(outcome: Outcome) -> list[str]:
    """``-v``: the certificate the server presented (issuer, names, validity, problem)."""
    cert = outcome.certificate
    if cert is None:
        return []
    lines = [f"  Certificate: {safe(cert.subject) or 'no subject'}"]
    lines.append(f"    issued by: {safe(cert.issuer) or 'unknown'}")
    if cert.names:
        names = ", ".join(safe(n) for n in cert.names[:8])
        more = f" and {len(cert.names) - 8} more" if len(cert.names) > 8 else ""
        lines.append(f"    for names: {names}{more}")
    if cert.not_before or cert.not_after:
        lines.append(f"    valid: {safe(cert.not_before) or '?'} to {safe(cert.not_after) or '?'}")
    lines.append(f"    problem: {safe(cert.problem).replace('_', ' ')}")
    return lines


def render_verbose_failure(outcome: Outcome) -> list[str]:
    """``-v`` on a failure: what answered, the certificate, the stage that failed, the proxy.

    The JSON object carries all of these as fields; here they are short,
    cleaned plain-text lines for the person reading the terminal.
    """
    from moecheck_gui import stages

    lines: list[str] = []
    title, server = safe(outcome.page_title) or None, safe(outcome.server_header) or None
    if title:
        from moecheck_gui.webpage import who_answered

        lines.append(f"  What answered: {who_answered(server, title)}")
    elif server:
        lines.append(f"  Answered by: a server that calls itself '{server}'")
    lines += _certificate_lines(outcome)
    sentence = stages.describe(outcome.timings, outcome.failed_stage)
    if sentence:
        lines.append(f"  Where it stopped: {safe(sentence)}")
    if outcome.proxy:
        why = f" ({safe(outcome.proxy_why)})" if outcome.proxy_why else ""
        lines.append(f"  Proxy used: {safe(outcome.proxy)}{why}")
    elif outcome.host is not None:
        why = f" ({safe(outcome.proxy_why)})" if outcome.proxy_why else ""
        lines.append(f"  Proxy used: none, a direct connection{why}")
    return lines


def _render_attempts(outcome: Outcome, style: Style) -> list[str]:
    """``detect``: one aligned line per data center tried."""
    if not outcome.attempts:
        return []
    lines = ["  Data centers tried:"]
    width = max(len(dc_label(dc)) for dc in outcome.attempts)
    for dc, attempt in outcome.attempts.items():
        words = describe_attempt(attempt, found=outcome.ok)
        result = style.good(words) if attempt.ok else words
        http = f" (HTTP {attempt.http_status})" if attempt.http_status is not None else ""
        lines.append(
            f"    {dc_label(dc).ljust(width)}  {result}{http}, {round(attempt.elapsed_ms)} ms"
        )
    return lines


def render_human(
    outcome: Outcome, style: Style, *, detect: bool = False, verbose: bool = False
) -> str:
    """The short, friendly answer for people (not for scripts: use ``--json``).

    ``verbose`` (``-v``) adds, on a failure, what answered, the certificate, the
    stage that failed and the proxy (see :func:`render_verbose_failure`).
    """
    lines: list[str] = [f"Note: {safe(n)}" for n in outcome.notices]
    elapsed = f"{round(outcome.elapsed_ms)} ms"
    if outcome.ok:
        where = f"workspace {safe(outcome.workspace_id)}, {dc_label(outcome.dc)}"
        if detect:
            lines.append(
                style.good(
                    f"{style.tick} Found it: {dc_label(outcome.dc)} accepts these credentials"
                )
                + f' ("{safe(outcome.app_name)}", workspace {safe(outcome.workspace_id)})'
                + f" in {elapsed}"
            )
        else:
            lines.append(
                style.good(f'{style.tick} Connected to "{safe(outcome.app_name)}"')
                + f" ({where}) in {elapsed}"
            )
        if outcome.hint:
            lines.append(f"  {safe(outcome.hint)}")
    else:
        http = f" (HTTP {outcome.http_status})" if outcome.http_status is not None else ""
        lines.append(style.bad(f"{style.cross} {outcome.title}") + http)
        lines += _render_failure_details(outcome, style)
        if verbose:
            lines += render_verbose_failure(outcome)
        if outcome.kind == Kind.AUTH and not detect:
            workspace = safe(outcome.workspace_id)
            lines.append(f"  Try all data centers: moecheck detect --workspace-id {workspace}")
    if detect:
        lines += _render_attempts(outcome, style)
    return "\n".join(lines)


def emit(
    outcome: Outcome,
    args: argparse.Namespace,
    *,
    detect: bool = False,
    extra: Mapping[str, Any] | None = None,
    verbose: bool = False,
) -> None:
    """Write the outcome to stdout: one JSON object (``--json``), or the human answer.

    ``detect`` outcomes always carry ``attempts`` in JSON (PRODUCT.md 3.4), even
    when nothing was tried; ``extra`` adds command-specific JSON fields (``saved_in``);
    ``verbose`` adds the ``-v`` lines to a human failure.
    """
    if getattr(args, "json", False):
        data = outcome.to_json()
        if detect:
            data.setdefault("attempts", {})
        if extra:
            data.update(extra)
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        text = render_human(outcome, Style(sys.stdout), detect=detect, verbose=verbose)
        sys.stdout.write(text + "\n")
    sys.stdout.flush()


def emit_interrupted(outcome: Outcome, args: argparse.Namespace, *, detect: bool = False) -> None:
    """After Ctrl-C: the cancelled outcome as JSON (scripts), and ``Interrupted.`` on stderr."""
    if getattr(args, "json", False):
        try:
            emit(outcome, args, detect=detect)
        except (OSError, ValueError):
            pass
    err("Interrupted.")


def tell(lines: list[str], args: argparse.Namespace) -> None:
    """Follow-up lines after the result: stdout for people, stderr in ``--json`` mode."""
    for line in lines:
        if args.json:
            err(line)
        else:
            print(line, flush=True)
