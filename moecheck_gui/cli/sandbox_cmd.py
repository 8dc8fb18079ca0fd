"""``moecheck sandbox``: a local stand-in for MoEngage's endpoint, for trying moecheck out.

Why in the command: IT staff can try every outcome (and their scripts) without
real credentials or network. Ctrl-C and SIGTERM are the normal ways to stop it,
so both end with exit 0 and ``Sandbox stopped.``
"""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType

from moecheck_gui.cli.output import err, prefixed, safe
from moecheck_gui.cli.parser import Command, port_value
from moecheck_gui.i18n import N_, _
from moecheck_gui.outcome import EXIT_OK, EXIT_USAGE
from moecheck_gui.redaction import SecretSet

PROG = "moecheck sandbox"
"""The command's name before its messages (never translated)."""


def run_sandbox(args: argparse.Namespace, secrets: SecretSet) -> int:
    """Serve until Ctrl-C or SIGTERM (exit 0); exit 2 if the address cannot be used."""
    from moecheck_gui.sandbox import Sandbox, describe

    stop = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, on_term)
    try:
        try:
            sandbox = Sandbox(host=args.host, port=args.port)
            sandbox.__enter__()
        except OSError as exc:
            # Translators: {error} is the operating system's reason (often English).
            message = _("could not listen on {address}: {error}").format(
                address=f"{safe(args.host)}:{args.port}", error=safe(exc.strerror or exc)
            )
            err(prefixed(PROG, message))
            return EXIT_USAGE
        try:
            print(describe(sandbox), flush=True)
            err(_("Press Ctrl-C to stop the sandbox."))
            try:
                while not stop.wait(0.2):
                    pass
            except KeyboardInterrupt:
                pass
        finally:
            sandbox.__exit__(None, None, None)
        err(_("Sandbox stopped."))
        return EXIT_OK
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help=_("address to listen on"))
    p.add_argument(
        "--port", type=port_value, default=0, help=_("port to listen on (default: any free port)")
    )


SANDBOX = Command(
    name="sandbox",
    help=N_("run a local stand-in for MoEngage's endpoint, for trying moecheck out"),
    description=N_(
        "Run a local stand-in for MoEngage's credential check on this computer and print "
        "the MOECHECK_API_BASE to use with it and the demo credentials. Stop it with Ctrl-C."
    ),
    add_arguments=_arguments,
    run=run_sandbox,
)
