"""The pieces of the ``moecheck`` command line: the parser class, shared options, the help text.

Why a parser that never exits: argparse prints and calls ``sys.exit(2)`` on a
mistake, which would skip the ``--json`` promise (one JSON object on stdout,
even for usage errors) and could echo a key typed by mistake. :class:`Parser`
raises :class:`UsageError` with a sanitised message instead, and
:func:`moecheck_gui.cli.app.main` reports it.

Each command describes itself as a :class:`Command` (in its own module); the
table of commands and ``build_parser`` are in :mod:`moecheck_gui.cli.commands`.

Languages (issue 14): our words -- descriptions, option help, the epilog's
sections, our own error messages -- are translated (``N_()`` where a command
is defined, ``_()`` when the parser is built, which is after the language is
known). argparse's *own* words ("usage:", "options:", "show this help message
and exit", "the following arguments are required: ...") come from Python's
``argparse`` gettext domain, for which Python ships no catalogues: they stay
English, as in most command-line tools, and :func:`sanitise_argparse_message`
relies on that. Option names, metavars (``ID``, ``SECONDS``), command names and
the example command lines are never translated: they are typed as written.
argparse %-formats help strings; :class:`HelpFormatter` does not, so a ``%``
in a translation ("100 %") cannot break ``--help``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, NoReturn

from moecheck_gui import __version__
from moecheck_gui.i18n import N_, _, format_list, format_number, ngettext
from moecheck_gui.limits import DEFAULT_TIMEOUT, MAX_TIMEOUT

if TYPE_CHECKING:
    from moecheck_gui.redaction import SecretSet

# Translators: a section of `moecheck --help`: keep options (--save), environment variables,
# commands in backquotes and kind values (auth, not_found) as they are; lines under 80 columns.
KEY_SOURCES = N_("""\
where the Data API key comes from (first that applies):
  --api-key-stdin    one line read from standard input
  --keychain         the key saved earlier with --save (OS keychain)
  MOECHECK_API_KEY   environment variable
  a hidden prompt    when standard input is a terminal
The key is never accepted as a command-line argument: it would stay in your
shell history and be visible to other users in `ps`.""")

# Translators: a section of `moecheck --help`: keep options (--save), environment variables,
# commands in backquotes and kind values (auth, not_found) as they are; lines under 80 columns.
EXIT_CODES = N_("""\
exit codes:
  0    the credentials work
  1    credentials rejected (auth, forbidden)
  2    usage error or invalid input; keychain problems (no saved key,
       keychain unavailable)
  3    network problem (dns, connect, tls, proxy, timeout)
  4    MoEngage service problem (not_found, rate_limited, server_error,
       bad_response)
  70   internal error in moecheck (please report it)
  130  interrupted (Ctrl-C)""")

# Translators: the heading of the example commands in `moecheck --help`.
EXAMPLES_HEADING = N_("examples:")

EXAMPLES = """\
  MOECHECK_API_KEY=... moecheck check --workspace-id ABC123 --dc 01
  moecheck check --workspace-id ABC123 --dc 01 --keychain --until-ok 10m --every 30
  printf '%s\\n' "$KEY" | moecheck check --workspace-id ABC123 --dc DC-05 --api-key-stdin --json
  moecheck check --workspace-id ABC123 --dc https://dashboard-02.moengage.com/ --save \\
      --label Prod
  moecheck check --workspace-id ABC123 --dc 01 --keychain -v
  moecheck detect --workspace-id ABC123 --keychain
  moecheck dc dashboard-05.moengage.com
  moecheck check-all
  moecheck check-all --from workspaces.csv --csv > results.csv
  moecheck forget --workspace-id ABC123
  moecheck sandbox --port 8765"""
"""The example command lines: typed as written, so never translated."""

# Translators: a section of `moecheck --help`: keep options (--save), environment variables,
# commands in backquotes and kind values (auth, not_found) as they are; lines under 80 columns.
SAVED_WORKSPACES = N_("""\
saved workspaces:
  --save stores the key in the OS keychain and adds the workspace (ID, DC,
  --label) to the saved workspaces, the list the window shows; `check-all`
  checks them all, `forget` removes the key, the workspace and its history.
  Checks of saved workspaces are kept in a short history, so a rejected key
  that worked before says when it last worked.""")

# Translators: a section of `moecheck --help`: keep options (--save), environment variables,
# commands in backquotes and kind values (auth, not_found) as they are; lines under 80 columns.
ENVIRONMENT = N_("""\
environment:
  MOECHECK_API_BASE  replaces {api_base} (plain http only for
                     loopback hosts), e.g. for `moecheck sandbox`
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, SSL_CERT_FILE as usual
  NO_COLOR           disables colour""")


def epilog() -> str:
    """The text under ``moecheck --help`` (and ``check``/``detect``): key sources, exit codes, ...

    Each section is one message, so translators can re-wrap its lines; the
    example command lines stay as they are typed, untranslated.
    """
    sections = [
        _(KEY_SOURCES),
        _(EXIT_CODES),
        _(EXAMPLES_HEADING) + "\n" + EXAMPLES,
        _(SAVED_WORKSPACES),
        _(ENVIRONMENT).format(api_base="https://api-{dc}.moengage.com"),
    ]
    return "\n\n".join(sections) + "\n"


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
    """Show :func:`epilog` (key sources, exit codes, examples) under this command's ``--help``."""
    epilog: Callable[[], str] | None = None
    """This command's own text under its ``--help``, made in the user's language (used when
    ``full_help`` is False)."""


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
    argparse's own messages are English (see the module docstring), so the
    prefix is matched in English.
    """
    prefix = "unrecognized arguments: "
    if not message.startswith(prefix):
        return message
    words = message[len(prefix) :].split(" ")
    options = [w.split("=", 1)[0] for w in words if w.startswith("-")]
    hidden = sum(1 for w in words if not w.startswith("-") or "=" in w)
    parts = []
    if options:
        parts.append(_("unknown option(s): {options}").format(options=format_list(options)))
    if hidden:
        parts.append(
            ngettext(
                "{count} unexpected value (not shown, in case it is a key)",
                "{count} unexpected values (not shown, in case it is a key)",
                hidden,
            ).format(count=format_number(hidden))
        )
    return "; ".join(parts) or _("unexpected arguments")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs as written, and help texts shown without ``%``-formatting.

    Why: argparse expands ``%(default)s`` in help texts, so a translation with a
    plain ``%`` (Spanish "100 %") would raise when ``--help`` is shown; our help
    texts put numbers in with ``str.format`` instead.
    """

    def _expand_help(self, action: argparse.Action) -> str:
        return self._get_help_string(action) or ""


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
        epilog=epilog(),
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    # "moecheck 1.2.3": the program's name and version, the same in every language.
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    return parser, sub


def add_command(sub: argparse._SubParsersAction[Parser], command: Command) -> None:
    """Add ``command``'s subparser, with the shared help text when it asks for it.

    ``help`` and ``description`` are marked with ``N_()`` where the command is
    defined and translated here, when the language is known.
    """
    if command.full_help:
        text: str | None = epilog()
    else:
        text = command.epilog() if command.epilog else None
    p = sub.add_parser(
        command.name,
        help=_(command.help),
        description=_(command.description),
        epilog=text,
        formatter_class=HelpFormatter,
        allow_abbrev=False,
    )
    command.add_arguments(p)


def timeout_value(text: str) -> float:
    """``--timeout``: a positive number of seconds, at most :data:`MAX_TIMEOUT`."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a number of seconds (e.g. --timeout 15)").format(value=repr(text))
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(_("must be a positive number of seconds (e.g. 15)"))
    if value > MAX_TIMEOUT:
        most = int(MAX_TIMEOUT)
        raise argparse.ArgumentTypeError(
            ngettext(
                "must be at most {number} second", "must be at most {number} seconds", most
            ).format(number=format_number(most))
        )
    return value


def port_value(text: str) -> int:
    """``--port``: 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value} is not a port number").format(value=repr(text))
        ) from None
    if not 0 <= value <= 65535:
        # Translators: keep 65535 as it is (a port number, no digit grouping).
        raise argparse.ArgumentTypeError(_("must be between 0 (any free port) and 65535"))
    return value


def add_workspace(p: argparse.ArgumentParser) -> None:
    """``--workspace-id``, required by every command that touches a workspace."""
    p.add_argument(
        "--workspace-id",
        required=True,
        metavar="ID",
        help=_("the workspace ID (App ID) from the MoEngage dashboard"),
    )


def add_check_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``check`` and ``detect``: output, deadline, key source, saving."""
    p.add_argument("--json", action="store_true", help=_("print one JSON object (for scripts)"))
    p.add_argument(
        "--timeout",
        type=timeout_value,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=_("overall deadline for the whole check (default {seconds})").format(
            seconds=format_number(DEFAULT_TIMEOUT)
        ),
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help=_("show the request, timings, trust store and proxy on stderr (key redacted)"),
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--api-key-stdin",
        action="store_true",
        help=_("read the Data API key from one line of standard input"),
    )
    source.add_argument(
        "--keychain",
        action="store_true",
        help=_("use the key saved in the OS keychain for this workspace"),
    )
    p.add_argument(
        "--save",
        action="store_true",
        help=_(
            "after a successful check, save the key in the OS keychain and add the "
            "workspace to the saved workspaces (if saving fails you get a warning; the exit "
            "code still reflects the check)"
        ),
    )
    p.add_argument(
        "--label",
        metavar="TEXT",
        help=_("with --save: a label for the saved workspace, e.g. Prod or Test"),
    )
