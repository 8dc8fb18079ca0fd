"""The table of ``moecheck`` commands, and the parser built from it.

To add a command: write a module that defines a
:class:`~moecheck_gui.cli.parser.Command` (its name, help, arguments and
``run``), and add it to :data:`COMMANDS` below. The order here is the order in
``moecheck --help``.
"""

from __future__ import annotations

import argparse

from moecheck_gui.cli.check_all_cmd import CHECK_ALL
from moecheck_gui.cli.check_cmds import CHECK, DETECT
from moecheck_gui.cli.dc_cmd import DC
from moecheck_gui.cli.forget_cmd import FORGET
from moecheck_gui.cli.parser import Command, add_command, new_root_parser
from moecheck_gui.cli.sandbox_cmd import SANDBOX
from moecheck_gui.i18n import N_, _

COMMANDS: tuple[Command, ...] = (CHECK, DETECT, CHECK_ALL, DC, FORGET, SANDBOX)

DESCRIPTION = N_(
    "Check whether a MoEngage workspace ID and Data API key work, and if not, why and what to do."
)
"""``moecheck --help``'s first sentence (marked here, translated when the parser is built)."""


def build_parser() -> argparse.ArgumentParser:
    """The ``moecheck`` argument parser (also used to render ``--help``)."""
    parser, sub = new_root_parser(_(DESCRIPTION))
    for command in COMMANDS:
        add_command(sub, command)
    return parser


def find(name: str) -> Command:
    """The command called ``name`` (one the parser accepted); KeyError for any other."""
    for command in COMMANDS:
        if command.name == name:
            return command
    raise KeyError(name)
