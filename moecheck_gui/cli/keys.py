"""Where the Data API key comes from -- and the one place it may never come from.

Why it looks the way it does: **the key never travels on the command line.**
Arguments sit in shell history and are visible to every user through ``ps``.
The key comes from ``--api-key-stdin``, ``--keychain``, ``MOECHECK_API_KEY`` or
a hidden prompt (first that applies), and anything that looks like
``--api-key VALUE`` is refused before parsing, without echoing the value.

Whatever the source, the key is registered with the output guard
(:class:`~moecheck_gui.redaction.SecretSet`) the moment it is read.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from moecheck_gui.cli.output import command_line, isatty, safe
from moecheck_gui.cli.run import refused
from moecheck_gui.i18n import N_, _
from moecheck_gui.outcome import Outcome
from moecheck_gui.redaction import SecretSet

NO_KEY_MESSAGE = N_(
    "No API key: set MOECHECK_API_KEY, pipe it with --api-key-stdin, or use --keychain"
)

# Translators: the prompt for the key in a terminal (what is typed is not shown).
PROMPT = N_("Data API key (input hidden): ")

PIPE_EXAMPLE = "printf '%s\\n' \"$KEY\" | moecheck check ..."
"""How to pipe the key in: a command line, typed as written (never translated)."""

_KEY_OPTION = re.compile(
    r"--?(?:api[-_]?key|apikey|key|secret|app[-_]?secret|data[-_]?api[-_]?key|"
    r"moe[-_]?api[-_]?key|api[-_]?secret|password|passwd|pass|token|k)",
    re.IGNORECASE,
)
"""Option names someone might use to pass the key as an argument (refused)."""


def key_argument(argv: list[str]) -> str | None:
    """The option name if argv tries to pass the key as an argument, else None."""
    for word in argv:
        if word == "--":
            break
        name = word.split("=", 1)[0]
        if _KEY_OPTION.fullmatch(name):
            return name
    return None


def key_refusal(name: str) -> str:
    """Why ``name`` is refused and what to do instead; never repeats the value."""
    # Translators: {name} is the refused option as typed (e.g. --api-key).
    return _(
        "{name} is not accepted: moecheck never takes the API key as a command-line "
        "argument, because arguments are saved in your shell history and visible to other "
        "users in `ps`. Instead set MOECHECK_API_KEY, pipe the key with --api-key-stdin, "
        "use --keychain, or run in a terminal without these to be asked for it (hidden)."
    ).format(name=name)


class NoKey(Exception):
    """No usable key could be obtained; the message is for the user."""

    def __init__(self, message: str, *, field: str = "api_key") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def read_stdin_line() -> str:
    """Exactly one line of stdin, with only its line ending removed.

    Other whitespace is left for the core, which removes it and says so.
    """
    stdin = sys.stdin
    if stdin is None:
        raise NoKey(_("--api-key-stdin was given, but there is no standard input."))
    if isatty(stdin):
        import getpass

        return getpass.getpass(_(PROMPT))
    try:
        line = stdin.readline()
    except UnicodeDecodeError:
        raise NoKey(
            _(
                "The key on standard input is not text (it could not be decoded). "
                "Copy it again from the MoEngage dashboard."
            )
        ) from None
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    if not line:
        raise NoKey(
            _(
                "--api-key-stdin was given, but standard input was empty. "
                "Pipe the key in, e.g. {example}"
            ).format(example=PIPE_EXAMPLE)
        )
    return line


def _from_keychain(workspace_id: str) -> str:
    """The key saved for ``workspace_id`` (trimmed), or :class:`NoKey` saying how to save one."""
    from moecheck_gui.keychain import KeychainError, KeychainStore

    workspace = workspace_id.strip()
    try:
        key = KeychainStore().load(workspace)
    except KeychainError as exc:
        raise NoKey(
            _("Could not read the keychain: {problem}").format(problem=safe(exc.message))
        ) from None
    if key is None:
        command = command_line("moecheck", "check", "--workspace-id", safe(workspace))
        raise NoKey(
            _(
                "No saved key for workspace {workspace} in the keychain. Save one with "
                "`{command} --dc DC --save`."
            ).format(workspace=safe(workspace), command=command)
        )
    return key


def obtain_key(args: argparse.Namespace) -> tuple[str, str]:
    """The raw key and where it came from (``stdin``, ``keychain``, ``env``, ``prompt``)."""
    if args.api_key_stdin:
        return read_stdin_line(), "stdin"
    if args.keychain:
        return _from_keychain(args.workspace_id), "keychain"
    env = os.environ.get("MOECHECK_API_KEY")
    if env:
        return env, "env"
    if isatty(sys.stdin):
        import getpass

        try:
            return getpass.getpass(_(PROMPT)), "prompt"
        except EOFError:
            raise NoKey(_(NO_KEY_MESSAGE)) from None
    raise NoKey(_(NO_KEY_MESSAGE))


def key_or_refusal(
    args: argparse.Namespace, secrets: SecretSet, dc: str | None
) -> tuple[str, str] | Outcome:
    """The key and its source, registered with the output guard; or a refusal outcome."""
    try:
        key, source = obtain_key(args)
    except NoKey as exc:
        return refused(
            exc.message,
            field=exc.field,
            workspace_id=args.workspace_id,
            dc=dc,
            hint=_("Provide the key as described; nothing was sent to MoEngage."),
        )
    secrets.add(key, args.workspace_id)
    return key, source
