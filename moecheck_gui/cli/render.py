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

from moecheck_gui.cli.output import Style, command_line, err, safe, seconds_short
from moecheck_gui.datacenters import dc_label
from moecheck_gui.i18n import _, format_list, format_ms, format_number, ngettext
from moecheck_gui.outcome import Kind, Outcome, describe_attempt


def _render_failure_details(outcome: Outcome, style: Style) -> list[str]:
    """The indented lines under a failure headline: what happened, what to do, IDs.

    MoEngage's own words (``server_message``) are never translated: the label
    saying they are MoEngage's is, and the text follows it as MoEngage wrote it.
    """
    lines: list[str] = []
    if outcome.message:
        lines.append(f"  {safe(outcome.message)}")
    if outcome.server_message and outcome.server_message not in (outcome.message or ""):
        # Translators: {server_message} is MoEngage's own text, shown untranslated.
        said = _("MoEngage said: {server_message}")
        lines.append("  " + said.format(server_message=safe(outcome.server_message)))
    if outcome.hint:
        lines.append(f"  {style.bold(_('What to do:'))} {safe(outcome.hint)}")
    if outcome.retry_after_s is not None:
        wait = seconds_short(outcome.retry_after_s)
        lines.append(
            "  " + _("MoEngage asks to wait {duration} before trying again.").format(duration=wait)
        )
    if outcome.request_id:
        line = _("Request ID: {request_id} (give this to MoEngage support)")
        lines.append("  " + line.format(request_id=safe(outcome.request_id)))
    return lines


def _certificate_lines(outcome: Outcome) -> list[str]:
    """``-v``: the certificate the server presented (issuer, names, validity, problem)."""
    cert = outcome.certificate
    if cert is None:
        return []
    subject = safe(cert.subject) or _("no subject")
    lines = ["  " + _("Certificate: {subject}").format(subject=subject)]
    issuer = safe(cert.issuer) or _("unknown")
    lines.append("    " + _("issued by: {issuer}").format(issuer=issuer))
    if cert.names:
        names = format_list(safe(n) for n in cert.names[:8])
        if len(cert.names) > 8:
            more = len(cert.names) - 8
            names = ngettext("{names} and {count} more", "{names} and {count} more", more).format(
                names=names, count=format_number(more)
            )
        lines.append("    " + _("for names: {names}").format(names=names))
    if cert.not_before or cert.not_after:
        start, end = safe(cert.not_before) or "?", safe(cert.not_after) or "?"
        lines.append("    " + _("valid: {start} to {end}").format(start=start, end=end))
    # Translators: {problem} is the contract's problem code (expired, self signed...), kept.
    problem = safe(cert.problem).replace("_", " ")
    lines.append("    " + _("problem: {problem}").format(problem=problem))
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

        who = who_answered(server, title)
        lines.append("  " + _("What answered: {who}").format(who=who))
    elif server:
        # Translators: {server} is the Server header the answer carried, shown as sent.
        line = _("Answered by: a server that calls itself '{server}'")
        lines.append("  " + line.format(server=server))
    lines += _certificate_lines(outcome)
    sentence = stages.describe(outcome.timings, outcome.failed_stage)
    if sentence:
        lines.append("  " + _("Where it stopped: {stage}").format(stage=safe(sentence)))
    why = f" ({safe(outcome.proxy_why)})" if outcome.proxy_why else ""
    if outcome.proxy:
        # Translators: {why} is empty or " (the reason)", e.g. " (HTTPS_PROXY is set)".
        line = _("Proxy used: {proxy}{why}").format(proxy=safe(outcome.proxy), why=why)
        lines.append("  " + line)
    elif outcome.host is not None:
        # Translators: {why} is empty or " (the reason)", e.g. " (NO_PROXY matches)".
        lines.append("  " + _("Proxy used: none, a direct connection{why}").format(why=why))
    return lines


def _render_attempts(outcome: Outcome, style: Style) -> list[str]:
    """``detect``: one aligned line per data center tried."""
    if not outcome.attempts:
        return []
    lines = ["  " + _("Data centers tried:")]
    width = max(len(dc_label(dc)) for dc in outcome.attempts)
    for dc, attempt in outcome.attempts.items():
        words = describe_attempt(attempt, found=outcome.ok)
        result = style.good(words) if attempt.ok else words
        http = f" (HTTP {attempt.http_status})" if attempt.http_status is not None else ""
        elapsed = format_ms(attempt.elapsed_ms)
        lines.append(f"    {dc_label(dc).ljust(width)}  {result}{http}, {elapsed}")
    return lines


def render_human(
    outcome: Outcome, style: Style, *, detect: bool = False, verbose: bool = False
) -> str:
    """The short, friendly answer for people (not for scripts: use ``--json``).

    ``verbose`` (``-v``) adds, on a failure, what answered, the certificate, the
    stage that failed and the proxy (see :func:`render_verbose_failure`).
    """
    lines: list[str] = [_("Note: {text}").format(text=safe(n)) for n in outcome.notices]
    words = {
        "app_name": safe(outcome.app_name),
        "workspace": safe(outcome.workspace_id),
        "dc": dc_label(outcome.dc),
        "elapsed": format_ms(outcome.elapsed_ms),
    }
    if outcome.ok:
        if detect:
            # Translators: {app_name} is the workspace's name in MoEngage (kept in quotes).
            found = _(
                'Found it: {dc} accepts these credentials ("{app_name}", workspace {workspace}) '
                "in {elapsed}"
            ).format(**words)
            lines.append(style.good(f"{style.tick} {found}"))
        else:
            # Translators: {app_name} is the workspace's name in MoEngage (kept in quotes).
            connected = _('Connected to "{app_name}" (workspace {workspace}, {dc}) in {elapsed}')
            lines.append(style.good(f"{style.tick} {connected.format(**words)}"))
        if outcome.hint:
            lines.append(f"  {safe(outcome.hint)}")
    else:
        http = f" (HTTP {outcome.http_status})" if outcome.http_status is not None else ""
        lines.append(style.bad(f"{style.cross} {outcome.title}") + http)
        lines += _render_failure_details(outcome, style)
        if verbose:
            lines += render_verbose_failure(outcome)
        if outcome.kind == Kind.AUTH and not detect:
            command = command_line("moecheck", "detect", "--workspace-id", words["workspace"])
            lines.append("  " + _("Try all data centers: {command}").format(command=command))
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
    err(_("Interrupted."))


def tell(lines: list[str], args: argparse.Namespace) -> None:
    """Follow-up lines after the result: stdout for people, stderr in ``--json`` mode."""
    for line in lines:
        if args.json:
            err(line)
        else:
            print(line, flush=True)
