"""From a command line to an exit code: refuse key arguments, parse, dispatch, contain errors.

Why :func:`main` never raises: the command is used by scripts that branch on its
exit code (PRODUCT.md 3.2) and by people who must never see a traceback, so
usage errors return 2 (as one JSON object with ``--json``), Ctrl-C 130, a closed
pipe 2, and anything unexpected 70 with a one-line, redacted report. The output
guard is in place for the whole run, so no path can write the key.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading

from moecheck_gui.cli import commands
from moecheck_gui.cli.keys import key_argument, key_refusal
from moecheck_gui.cli.output import err, guarded_output, safe
from moecheck_gui.cli.parser import UsageError
from moecheck_gui.cli.render import emit_interrupted
from moecheck_gui.cli.run import Interrupted, refused
from moecheck_gui.i18n import _
from moecheck_gui.outcome import EXIT_INTERRUPTED, EXIT_USAGE
from moecheck_gui.redaction import SecretSet

EXIT_INTERNAL = 70
"""An unexpected error inside moecheck (BSD ``EX_SOFTWARE``); not part of PRODUCT.md 3.2."""


def _wants_json(argv: list[str]) -> bool:
    """Whether ``--json`` was asked for, even if the rest of the command line is wrong."""
    return "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv


def _workspace_from(argv: list[str]) -> str:
    """The ``--workspace-id`` value, best effort, for usage-error JSON."""
    for i, word in enumerate(argv):
        if word == "--workspace-id" and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--workspace-id="):
            return word.split("=", 1)[1]
    return ""


def _usage_line(prog: str, message: str) -> str:
    """``moecheck check: error: ...`` in the user's language (argparse's usage line: English)."""
    # Translators: a usage error; {prog} is the command (e.g. "moecheck check"), kept as is.
    return _("{prog}: error: {message}").format(prog=prog, message=message)


def _usage_failure(
    message: str, argv: list[str], *, prog: str, usage: str, field: str | None
) -> int:
    """Report a usage error: JSON object (with ``--json``) or argparse-style text; exit 2."""
    if _wants_json(argv):
        outcome = refused(
            message,
            field=field,
            workspace_id=_workspace_from(argv),
            hint=_("Run `moecheck --help` for usage. Nothing was sent to MoEngage."),
        )
        data = outcome.to_json()
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        err(_usage_line(prog, message))
    else:
        if usage:
            sys.stderr.write(usage)
        err(_usage_line(prog, message))
    return EXIT_USAGE


def _dispatch(argv: list[str], secrets: SecretSet) -> int:
    """Refuse key arguments, parse, run the subcommand from the table."""
    name = key_argument(argv)
    if name is not None:
        return _usage_failure(key_refusal(name), argv, prog="moecheck", usage="", field="api_key")
    parser = commands.build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        return _usage_failure(exc.message, argv, prog=exc.prog, usage=exc.usage, field=None)
    try:
        return commands.find(args.command).run(args, secrets)
    except Interrupted as stop:
        # A command that does not report Ctrl-C itself (check and detect do).
        emit_interrupted(stop.outcome, args)
        return EXIT_INTERRUPTED


def _internal_error(exc: BaseException) -> str:
    """The one-line report of a bug: class and sanitised text, never a traceback."""
    text = safe(str(exc))[:300]
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    # Translators: {detail} is the error's class and text, for the bug report (kept in English).
    return _("moecheck: internal error: {detail} — please report this").format(detail=detail)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run ``moecheck`` with ``argv`` (default: the process arguments); return the exit code.

    Never raises and never prints a traceback: usage errors return 2, Ctrl-C 130,
    unexpected errors 70 (see the exit codes in ``--help``).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    secrets = SecretSet()
    previous_sigint = None
    if threading.current_thread() is threading.main_thread():
        # Make sure Ctrl-C raises KeyboardInterrupt even when the parent started
        # us with SIGINT ignored; restored on the way out.
        previous_sigint = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with guarded_output(secrets):
            try:
                return _dispatch(args, secrets)
            except KeyboardInterrupt:
                err(_("Interrupted."))
                return EXIT_INTERRUPTED
            except BrokenPipeError:
                # stdout closed early (`moecheck ... | head`): nothing more to say.
                _silence_stdout()
                return EXIT_USAGE
            except Exception as exc:  # noqa: BLE001 - never a traceback for users
                err(_internal_error(exc))
                return EXIT_INTERNAL
    finally:
        if previous_sigint is not None:
            signal.signal(signal.SIGINT, previous_sigint)
