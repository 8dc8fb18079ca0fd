"""The pieces of the ``moecheck`` command line: the parser class, shared options, the help text.

Why a parser that never exits: argparse prints and calls ``sys.exit(2)`` on a
mistake, which would skip the ``--json`` promise (one JSON object on stdout,
even for usage errors) and could echo a key typed by mistake. :class:`Parser`
raises :class:`UsageError` with a sanitised message instead, and
:func:`moecheck_gui.cli.app.main` reports it.

Each command describes itself as a :class:`Command` (in its own module); the
table of commands and ``build_parser`` are in :mod:`moecheck_gui.cli.commands`.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, NoReturn

from moecheck_gui import __version__
from moecheck_gui.limits import DEFAULT_TIMEOUT, MAX_TIMEOUT

if TYPE_CHECKING:
    from moecheck_gui.redaction import SecretSet

EPILOG = """\
where the Data API key comes from (first that applies):
  --api-key-stdin    one line read from standard input
  --keychain         the key saved earlier with --save (OS keychain)
  MOECHECK_API_KEY   environment variable
  a hidden prompt    when standard input is a terminal
The key is never accepted as a command-line argument: it would stay in your
shell history and be visible to other users in `ps`.

exit codes:
  0    the credentials work
  1    credentials rejected (auth, forbidden)
  2    usage error or invalid input; keychain problems (no saved key,
       keychain unavailable)
  3    network problem (dns, connect, tls, proxy, timeout)
  4    MoEngage service problem (not_found, rate_limited, server_error,
       bad_response)
  70   internal error in moecheck (please report it)
  130  interrupted (Ctrl-C)

examples:
  MOECHECK_API_KEY=... moecheck check --workspace-id ABC123 --dc 01
  moecheck check --workspace-id ABC123 --dc 01 --keychain --until-ok 10m --every 30
  printf '%s\\n' "$KEY" | moecheck check --workspace-id ABC123 --dc DC-05 --api-key-stdin --json
  moecheck check --workspace-id ABC123 --dc https://dashboard-02.moengage.com/ --save \
      --label Prod
  moecheck check --workspace-id ABC123 --dc 01 --keychain -v
  moecheck detect --workspace-id ABC123 --keychain
  moecheck dc dashboard-05.moengage.com
  moecheck check-all
  moecheck check-all --from workspaces.csv --csv > results.csv
  moecheck forget --workspace-id ABC123
  moecheck sandbox --port 8765

saved workspaces:
  --save stores the key in the OS keychain and adds the workspace (ID, DC,
  --label) to the saved workspaces, the list the window shows; `check-all`
  checks them all, `forget` removes the key, the workspace and its history.
  Checks of saved workspaces are kept in a short history, so a rejected key
  that worked before says when it last worked.

environment:
  MOECHECK_API_BASE  replaces https://api-{dc}.moengage.com (plain http only for
                     loopback hosts), e.g. for `moecheck sandbox`
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, SSL_CERT_FILE as usual
  NO_COLOR           disables colour
"""


class Command(NamedTuple):
    """One ``moecheck`` subcommand: how it is spelled, its help, and what runs it.

    ``run`` gets the parsed arguments and the output guard's secret registry (a
    command that reads a key registers it there before anything is written) and
    returns the exit code (PRODUCT.md 3.2).
    """

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, SecretSet], int]
    full_help: bool = False
    """Show :data:`EPILOG` (key sources, exit codes, examples) under this command's ``--help``."""
    epilog: str | None = None
    """This command's own text under its ``--help`` (used when ``full_help`` is False)."""


class UsageError(Exception):
    """A problem with how moecheck was called; the message is already safe to show."""

    def __init__(self, message: str, prog: str, usage: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.prog = prog
        self.usage = usage


def sanitise_argparse_message(message: str) -> str:
    """argparse's message, minus anything that might be a key typed by mistake.

    Why: ``unrecognized arguments: X`` echoes X, and a stray positional after
    ``--workspace-id`` is very often the key itself. Only option names are shown.
    """
    prefix = "unrecognized arguments: "
    if not message.startswith(prefix):
        return message
    words = message[len(prefix) :].split(" ")
    options = [w.split("=", 1)[0] for w in words if w.startswith("-")]
    hidden = sum(1 for w in words if not w.startswith("-") or "=" in w)
    parts = []
    if options:
        parts.append("unknown option(s): " + ", ".join(options))
    if hidden:
        noun = "value" if hidden == 1 else "values"
        parts.append(f"{hidden} unexpected {noun} (not shown, in case it is a key)")
    return "; ".join(parts) or "unexpected arguments"


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that reports errors to ``main`` instead of exiting.

    So that ``--json`` still gets one JSON object for usage errors, and so that
    messages are sanitised (see :func:`sanitise_argparse_message`).
    """

    def error(self, message: str) -> NoReturn:
        """Raise a :class:`UsageError` (argparse would print and exit 2)."""
        raise UsageError(sanitise_argparse_message(message), self.prog, self.format_usage())


def new_root_parser(description: str) -> tuple[Parser, argparse._SubParsersAction[Parser]]:
    """The top-level ``moecheck`` parser (``--version``, ``--help``) and its subcommand slot."""
    parser = Parser(
        prog="moecheck",
        description=description,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"moecheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    return parser, sub


def add_command(sub: argparse._SubParsersAction[Parser], command: Command) -> None:
    """Add ``command``'s subparser, with the shared help text when it asks for it."""
    if command.full_help:
        p = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )
    else:
        p = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            epilog=command.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )
    command.add_arguments(p)


def timeout_value(text: str) -> float:
    """``--timeout``: a positive number of seconds, at most :data:`MAX_TIMEOUT`."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds (e.g. --timeout 15)"
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds (e.g. 15)")
    if value > MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be at most {int(MAX_TIMEOUT)} seconds")
    return value


def port_value(text: str) -> int:
    """``--port``: 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 (any free port) and 65535")
    return value


def add_workspace(p: argparse.ArgumentParser) -> None:
    """``--workspace-id``, required by every command that touches a workspace."""
    p.add_argument(
        "--workspace-id",
        required=True,
        metavar="ID",
        help="the workspace ID (App ID) from the MoEngage dashboard",
    )


def add_check_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``check`` and ``detect``: output, deadline, key source, saving."""
    p.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")
    p.add_argument(
        "--timeout",
        type=timeout_value,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"overall deadline for the whole check (default {DEFAULT_TIMEOUT:g})",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show the request, timings, trust store and proxy on stderr (key redacted)",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--api-key-stdin",
        action="store_true",
        help="read the Data API key from one line of standard input",
    )
    source.add_argument(
        "--keychain",
        action="store_true",
        help="use the key saved in the OS keychain for this workspace",
    )
    p.add_argument(
        "--save",
        action="store_true",
        help="after a successful check, save the key in the OS keychain and add the "
        "workspace to the saved workspaces (if saving fails you get a warning; the exit "
        "code still reflects the check)",
    )
    p.add_argument(
        "--label",
        metavar="TEXT",
        help="with --save: a label for the saved workspace, e.g. Prod or Test",
    )
