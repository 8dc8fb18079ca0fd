"""The command table: every command comes from it, and a new one plugs in with one entry.

These run ``moecheck_gui.cli.main`` in-process (no network): a command added to
:data:`moecheck_gui.cli.commands.COMMANDS` gets parsing, the output guard, usage
errors and Ctrl-C handling without touching the dispatcher.
"""

from __future__ import annotations

import argparse
import json
import pkgutil
import subprocess
import sys

import pytest

import moecheck_gui.cli
from moecheck_gui.cli import commands, main
from moecheck_gui.cli.parser import Command
from moecheck_gui.cli.run import Interrupted
from moecheck_gui.outcome import Kind, Outcome
from moecheck_gui.redaction import SecretSet

KEY = "PLUGIN-KEY-5e1d0b"


def _subcommands(parser: argparse.ArgumentParser) -> list[str]:
    """The subcommand names of ``parser``, in the order ``--help`` lists them."""
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(action.choices)


def test_parser_offers_exactly_the_table_in_table_order() -> None:
    names = [command.name for command in commands.COMMANDS]
    assert names == ["check", "detect", "check-all", "dc", "forget", "sandbox"]
    assert _subcommands(commands.build_parser()) == names
    for name in names:
        assert commands.find(name).name == name


def _hello(args: argparse.Namespace, secrets: SecretSet) -> int:
    """A made-up command: registers a key, then (wrongly) writes it everywhere."""
    secrets.add(KEY)
    print(f"hello {args.who} {KEY}")
    print(f"stderr {KEY}", file=sys.stderr)
    return 3


def _hello_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--who", default="world")
    p.add_argument("--json", action="store_true")


def _interrupted(args: argparse.Namespace, secrets: SecretSet) -> int:
    raise Interrupted(Outcome(ok=False, kind=Kind.CANCELLED.value, dc=None, workspace_id="W1"))


@pytest.fixture
def plugged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Add two commands to the table, the way a new command module would (one entry each)."""
    hello = Command("hello", "say hello", "Say hello.", _hello_arguments, _hello)
    stop = Command("stop", "be interrupted", "Be interrupted.", _hello_arguments, _interrupted)
    monkeypatch.setattr(commands, "COMMANDS", (*commands.COMMANDS, hello, stop))


@pytest.mark.usefixtures("plugged")
def test_a_new_command_is_parsed_run_and_guarded(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["hello", "--who", "there"])
    out, err = capsys.readouterr()
    assert rc == 3
    assert out == "hello there [redacted]\n"
    assert err == "stderr [redacted]\n"


@pytest.mark.usefixtures("plugged")
def test_a_new_command_gets_usage_errors_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["hello", "--json", "--bogus"])
    out, err = capsys.readouterr()
    assert rc == 2
    assert json.loads(out)["kind"] == "invalid_input"
    assert "unknown option(s): --bogus" in err


@pytest.mark.usefixtures("plugged")
def test_ctrl_c_in_a_new_command_is_130_with_the_outcome(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rc = main(["stop", "--json"])
    out, err = capsys.readouterr()
    assert rc == 130
    assert json.loads(out)["kind"] == "cancelled"
    assert err == "Interrupted.\n"


def test_every_cli_module_imports_alone_without_the_network_stack_or_qt() -> None:
    # Each module first in a fresh interpreter: an import cycle inside the package
    # shows up as an ImportError for at least one of these orders.
    names = [f"moecheck_gui.cli.{m.name}" for m in pkgutil.iter_modules(moecheck_gui.cli.__path__)]
    assert "moecheck_gui.cli.check_cmds" in names
    code = (
        "import importlib, sys\n"
        "importlib.import_module(sys.argv[1])\n"
        "heavy = ('requests', 'keyring', 'PySide6', 'moecheck_gui.client')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    for name in names:
        if name.endswith("__main__"):
            continue
        proc = subprocess.run(
            [sys.executable, "-c", code, name], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0, f"{name}: {proc.stderr}"
        assert proc.stdout.strip() == "[]", name
