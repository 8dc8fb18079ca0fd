"""``moecheck dc VALUE``: how moecheck reads a data center, without checking anything.

Why a command of its own: people find their DC in the dashboard's web address
and write it in many ways; this shows how a value is read (``5`` -> ``05``, a
pasted dashboard URL -> its code) and refuses look-alikes with exit 2. It loads
nothing but :mod:`moecheck_gui.datacenters`, so it is instant.
"""

from __future__ import annotations

import argparse
import json

from moecheck_gui.cli.output import err, prefixed
from moecheck_gui.cli.parser import Command
from moecheck_gui.i18n import N_, _
from moecheck_gui.outcome import EXIT_OK, EXIT_USAGE, Kind
from moecheck_gui.redaction import SecretSet

PROG = "moecheck dc"
"""The command's name before its messages (never translated)."""


def run_dc(args: argparse.Namespace, secrets: SecretSet) -> int:
    """The normalised code on stdout, or a message on stderr and exit 2."""
    from moecheck_gui.datacenters import BY_CODE, DataCenterError, parse_dc

    try:
        code = parse_dc(args.value)
    except DataCenterError as exc:
        if args.json:
            print(
                json.dumps(
                    {
                        "ok": False,
                        "kind": Kind.INVALID_INPUT.value,
                        "dc": None,
                        "message": exc.message,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            err(prefixed(PROG, exc.message))
        return EXIT_USAGE
    if args.json:
        dc = BY_CODE[code]
        print(
            json.dumps(
                {
                    "ok": True,
                    "kind": None,
                    "dc": code,
                    "label": dc.label,
                    "api_host": dc.api_host,
                    "dashboard_host": dc.dashboard_host,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(code)
    return EXIT_OK


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("value", metavar="VALUE", help=_("what you would pass to --dc"))
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))


DC = Command(
    name="dc",
    help=N_("print the data center code for 5, DC-05, a dashboard URL, ..."),
    description=N_(
        "Print the normalised data center code (e.g. 05) for 5, 05, DC-05, dc05, 101, "
        "or a pasted dashboard URL or host. Exit 2 for anything else."
    ),
    add_arguments=_arguments,
    run=run_dc,
)
