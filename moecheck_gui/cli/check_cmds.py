"""``moecheck check`` and ``moecheck detect``: one path for both, parametrised by the DC.

Why one path: the two commands differ only in which data centers are tried --
``check`` parses ``--dc`` first (a bad DC is refused before the key is asked
for), ``detect`` tries every DC at once. Everything else (where the key comes
from, ``-v``, the worker thread and deadline, ``--save``, the output and the
exit code) is the same and lives once, in :func:`run_check_flow`.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from moecheck_gui import __version__
from moecheck_gui.cli import until_ok
from moecheck_gui.cli.keys import key_or_refusal
from moecheck_gui.cli.output import command_line, err, safe
from moecheck_gui.cli.parser import Command, add_check_options, add_workspace
from moecheck_gui.cli.render import emit, emit_interrupted, tell
from moecheck_gui.cli.run import Interrupted, refused, run_in_thread
from moecheck_gui.cli.workspaces import Saved, clean_credentials, save_key, with_history
from moecheck_gui.datacenters import dc_label
from moecheck_gui.i18n import N_, _
from moecheck_gui.outcome import EXIT_INTERRUPTED, Kind, Outcome
from moecheck_gui.redaction import SecretSet

if TYPE_CHECKING:
    from moecheck_gui.cancel import CancelToken
    from moecheck_gui.client import Checker

_DETECT_WORDS = ("auto", "detect", "all", "any")
"""``--dc`` values that mean "find it for me": the refusal then points at ``moecheck detect``."""


def parse_dc_or_refusal(args: argparse.Namespace) -> str | Outcome:
    """``check``: the normalised ``--dc``, or an ``invalid_input`` outcome saying what to do."""
    from moecheck_gui.datacenters import DataCenterError, parse_dc

    try:
        return parse_dc(args.dc)
    except DataCenterError as exc:
        if args.dc.strip().lower() in _DETECT_WORDS:
            command = command_line("moecheck", "detect", "--workspace-id", safe(args.workspace_id))
            hint = _("To try every data center at once, run: {command}").format(command=command)
        else:
            hint = _("Run `moecheck dc VALUE` to see how a value is read, or use 01-06 or 101.")
        return refused(exc.message, field="dc", workspace_id=args.workspace_id, hint=hint)


def verbose_logger(enabled: bool) -> Callable[[str], None] | None:
    """A ``log`` callback for the client that prints (already redacted) lines to stderr."""
    if not enabled:
        return None

    def log(line: str) -> None:
        err(f"  {safe(line)}")

    return log


def describe_environment(dc: str) -> None:
    """``-v``: which trust roots, proxy and endpoint the check uses.

    These lines are for people (translated, like the sentences they hold); the
    client's own ``-v`` log lines stay English for support.
    """
    try:
        from moecheck_gui.inputs import endpoint_url

        url = endpoint_url(dc)
    except Exception as exc:  # noqa: BLE001 - the check itself reports a bad base
        problem = safe(getattr(exc, "message", exc))
        err("  " + _("Endpoint: not usable ({problem})").format(problem=problem))
        return
    from moecheck_gui.redaction import redact_url

    err("  " + _("Endpoint: {url}").format(url=safe(redact_url(url))))
    try:
        from moecheck_gui.trust import describe_trust_mode

        err("  " + _("Trust: {trust}").format(trust=safe(describe_trust_mode())))
    except Exception as exc:  # noqa: BLE001 - informational only
        # Translators: {error} is a Python error class name, e.g. OSError.
        err("  " + _("Trust: unknown ({error})").format(error=type(exc).__name__))
    try:
        from moecheck_gui.client import describe_proxy

        err("  " + _("Proxy: {proxy}").format(proxy=safe(describe_proxy(url))))
    except Exception as exc:  # noqa: BLE001 - informational only
        # Translators: {error} is a Python error class name, e.g. OSError.
        err("  " + _("Proxy: unknown ({error})").format(error=type(exc).__name__))


def _close(checker: Checker) -> None:
    """Release the checker's connections (best effort at exit)."""
    with contextlib.suppress(Exception):  # closing a pool at exit is best effort
        checker.close()


def _announce(args: argparse.Namespace, dc: str | None, source: str) -> None:
    """``-v``: what is about to be checked, and the endpoint, trust roots and proxy."""
    workspace = safe(args.workspace_id)
    # source: obtain_key's word (stdin, keychain, env, prompt), shown as it is, like an option.
    if dc is None:
        # Translators: a -v header line; {source} is one of stdin, keychain, env, prompt (kept).
        line = _(
            "moecheck {version}: trying every data center for workspace {workspace} "
            "(key from {source})"
        )
        err(line.format(version=__version__, workspace=workspace, source=source))
        describe_environment("01")  # every DC goes through the same trust roots and proxy
    else:
        # Translators: a -v header line; {source} is one of stdin, keychain, env, prompt (kept).
        line = _("moecheck {version}: checking workspace {workspace} on {dc} (key from {source})")
        err(line.format(version=__version__, workspace=workspace, dc=dc_label(dc), source=source))
        describe_environment(dc)


def run_check_flow(args: argparse.Namespace, secrets: SecretSet, *, detect: bool) -> int:
    """Check one DC (``detect=False``, from ``--dc``) or every DC; write the outcome; exit code.

    The order is part of the contract: input that can be refused locally (the
    DC, a missing key) is refused before anything is sent, and the key is
    registered with the output guard before anything else is written.
    """
    dc: str | None = None
    if not detect:
        refused_every = _refuse_every_alone(args)
        if refused_every is not None:
            emit(refused_every, args)
            return refused_every.exit_code
        parsed = parse_dc_or_refusal(args)
        if isinstance(parsed, Outcome):
            emit(parsed, args)
            return parsed.exit_code
        dc = parsed
    got = key_or_refusal(args, secrets, dc)
    if isinstance(got, Outcome):
        emit(got, args, detect=detect)
        return got.exit_code
    key, source = got
    if args.verbose:
        _announce(args, dc, source)

    from moecheck_gui.cancel import CancelToken
    from moecheck_gui.client import Checker

    checker = Checker()
    log = verbose_logger(args.verbose)

    def work(token: CancelToken) -> Outcome:
        if dc is None:
            return checker.detect(
                args.workspace_id, key, timeout=args.timeout, cancel=token, log=log
            )
        return checker.check(
            args.workspace_id, key, dc, timeout=args.timeout, cancel=token, log=log
        )

    def once() -> Outcome:
        return run_in_thread(
            work, CancelToken(), timeout=args.timeout, workspace_id=args.workspace_id, dc=dc
        )

    try:
        outcome = once() if getattr(args, "until_ok", None) is None else _until_ok(args, once, dc)
    except Interrupted as stop:
        emit_interrupted(stop.outcome, args, detect=detect)
        return EXIT_INTERRUPTED
    _close(checker)
    return _finish(args, outcome, key, source, detect=detect)


def _until_ok(args: argparse.Namespace, once: Callable[[], Outcome], dc: str | None) -> Outcome:
    """``--until-ok``: check again while it may still change; one line per try."""
    from moecheck_gui.stopped import stopped_outcome

    def report(line: str) -> None:
        tell([line], args)

    def stopped(tries: int) -> Outcome:
        cancelled = stopped_outcome(Kind.CANCELLED, args.workspace_id, dc, elapsed_ms=0.0)
        return cancelled.replace(tries=tries)

    every = args.every if args.every is not None else until_ok.DEFAULT_EVERY_S
    return until_ok.keep_checking(
        once, duration_s=args.until_ok, every_s=every, report=report, stopped=stopped
    )


def _finish(
    args: argparse.Namespace, outcome: Outcome, key: str, source: str, *, detect: bool
) -> int:
    """After the check: ``--save``, the history of a saved workspace, the output, the exit code.

    The history is only for saved workspaces (and the check that saves one), so
    it is written after ``--save`` has added the workspace to the list.
    """
    saved = save_key(args, outcome, key, source) if args.save else Saved([], {})
    workspace, _key = clean_credentials(args.workspace_id, key)
    outcome = with_history(outcome, workspace)
    emit(outcome, args, detect=detect, extra=saved.json_fields, verbose=args.verbose)
    tell(saved.lines, args)
    return outcome.exit_code


def _refuse_every_alone(args: argparse.Namespace) -> Outcome | None:
    """``--every`` without ``--until-ok``: refused (exit 2) before anything is asked or sent."""
    if getattr(args, "every", None) is not None and getattr(args, "until_ok", None) is None:
        return refused(
            _("--every goes with --until-ok DURATION (e.g. --until-ok 10m --every 30)."),
            field=None,
            workspace_id=args.workspace_id,
            hint=_("Add --until-ok DURATION, or leave out --every. Nothing was sent to MoEngage."),
        )
    return None


def _check_arguments(p: argparse.ArgumentParser) -> None:
    add_workspace(p)
    p.add_argument(
        "--dc",
        required=True,
        metavar="DC",
        help=_("data center: 01-06 or 101, DC-05, dc5, or your dashboard's address"),
    )
    add_check_options(p)
    until_ok.add_arguments(p)


def _detect_arguments(p: argparse.ArgumentParser) -> None:
    add_workspace(p)
    add_check_options(p)


CHECK = Command(
    name="check",
    help=N_("check credentials against one data center"),
    description=N_("Check a workspace ID and Data API key against one MoEngage data center."),
    add_arguments=_check_arguments,
    run=lambda args, secrets: run_check_flow(args, secrets, detect=False),
    full_help=True,
)

DETECT = Command(
    name="detect",
    help=N_("try every data center at once and report which one accepts the credentials"),
    description=N_("Try every MoEngage data center at once and report which accepts the key."),
    add_arguments=_detect_arguments,
    run=lambda args, secrets: run_check_flow(args, secrets, detect=True),
    full_help=True,
)
