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
from typing import TYPE_CHECKING, Any, NamedTuple

from moecheck_gui import __version__
from moecheck_gui.cli.keys import key_or_refusal
from moecheck_gui.cli.output import err, safe
from moecheck_gui.cli.parser import Command, add_check_options, add_workspace
from moecheck_gui.cli.render import emit, emit_interrupted, tell
from moecheck_gui.cli.run import Interrupted, refused, run_in_thread
from moecheck_gui.datacenters import dc_label
from moecheck_gui.outcome import EXIT_INTERRUPTED, Outcome
from moecheck_gui.redaction import SecretSet

if TYPE_CHECKING:
    from moecheck_gui.cancel import CancelToken
    from moecheck_gui.client import Checker

_DETECT_WORDS = ("auto", "detect", "all", "any")
"""``--dc`` values that mean "find it for me": the refusal then points at ``moecheck detect``."""


class Saved(NamedTuple):
    """What ``--save`` did: lines to tell the user, and fields for the JSON object."""

    lines: list[str]
    json_fields: dict[str, Any]


def parse_dc_or_refusal(args: argparse.Namespace) -> str | Outcome:
    """``check``: the normalised ``--dc``, or an ``invalid_input`` outcome saying what to do."""
    from moecheck_gui.datacenters import DataCenterError, parse_dc

    try:
        return parse_dc(args.dc)
    except DataCenterError as exc:
        if args.dc.strip().lower() in _DETECT_WORDS:
            hint = (
                "To try every data center at once, run: "
                f"moecheck detect --workspace-id {safe(args.workspace_id)}"
            )
        else:
            hint = "Run `moecheck dc VALUE` to see how a value is read, or use 01-06 or 101."
        return refused(exc.message, field="dc", workspace_id=args.workspace_id, hint=hint)


def verbose_logger(enabled: bool) -> Callable[[str], None] | None:
    """A ``log`` callback for the client that prints (already redacted) lines to stderr."""
    if not enabled:
        return None

    def log(line: str) -> None:
        err(f"  {safe(line)}")

    return log


def describe_environment(dc: str) -> None:
    """``-v``: which trust roots, proxy and endpoint the check uses."""
    try:
        from moecheck_gui.inputs import endpoint_url

        url = endpoint_url(dc)
    except Exception as exc:  # noqa: BLE001 - the check itself reports a bad base
        err(f"  Endpoint: not usable ({safe(getattr(exc, 'message', exc))})")
        return
    from moecheck_gui.redaction import redact_url

    err(f"  Endpoint: {safe(redact_url(url))}")
    try:
        from moecheck_gui.trust import describe_trust_mode

        err(f"  Trust: {safe(describe_trust_mode())}")
    except Exception as exc:  # noqa: BLE001 - informational only
        err(f"  Trust: unknown ({type(exc).__name__})")
    try:
        from moecheck_gui.client import describe_proxy

        err(f"  Proxy: {safe(describe_proxy(url))}")
    except Exception as exc:  # noqa: BLE001 - informational only
        err(f"  Proxy: unknown ({type(exc).__name__})")


def save_key(args: argparse.Namespace, outcome: Outcome, key: str, source: str) -> Saved:
    """``--save``: store the key after a successful check; say what happened.

    A failure to save is a warning on stderr, not a failed command: the check
    itself worked, and scripts rely on exit code 0 meaning "the credentials
    work". With ``--json`` the object also gets ``saved_in`` (the store's name or
    null) and, on failure, ``save_error``.
    """
    fields: dict[str, Any] = {"saved_in": None}
    if not outcome.ok:
        err("Not saved: the key is saved only after a successful check.")
        return Saved([], fields)
    if source == "keychain":
        return Saved(["The key already came from the keychain; nothing new to save."], fields)
    try:
        from moecheck_gui.inputs import normalise_credentials

        creds, _ = normalise_credentials(args.workspace_id, key)
        workspace, clean_key = creds.workspace_id, creds.api_key
    except Exception:  # noqa: BLE001 - the check already accepted them; trim like the core
        workspace, clean_key = outcome.workspace_id.strip(), key.strip()
    from moecheck_gui.keychain import KeychainError, KeychainStore

    try:
        store = KeychainStore().save(workspace, clean_key)
    except KeychainError as exc:
        err(f"Warning: the check worked, but the key was not saved: {safe(exc.message)}")
        fields["save_error"] = safe(exc.message)
        return Saved([], fields)
    fields["saved_in"] = store
    return Saved([f"Saved the key in {safe(store)}."], fields)


def _close(checker: Checker) -> None:
    """Release the checker's connections (best effort at exit)."""
    with contextlib.suppress(Exception):  # closing a pool at exit is best effort
        checker.close()


def _announce(args: argparse.Namespace, dc: str | None, source: str) -> None:
    """``-v``: what is about to be checked, and the endpoint, trust roots and proxy."""
    workspace = safe(args.workspace_id)
    if dc is None:
        err(
            f"moecheck {__version__}: trying every data center for workspace "
            f"{workspace} (key from {source})"
        )
        describe_environment("01")  # every DC goes through the same trust roots and proxy
    else:
        err(
            f"moecheck {__version__}: checking workspace {workspace} on "
            f"{dc_label(dc)} (key from {source})"
        )
        describe_environment(dc)


def run_check_flow(args: argparse.Namespace, secrets: SecretSet, *, detect: bool) -> int:
    """Check one DC (``detect=False``, from ``--dc``) or every DC; write the outcome; exit code.

    The order is part of the contract: input that can be refused locally (the
    DC, a missing key) is refused before anything is sent, and the key is
    registered with the output guard before anything else is written.
    """
    dc: str | None = None
    if not detect:
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

    try:
        outcome = run_in_thread(
            work, CancelToken(), timeout=args.timeout, workspace_id=args.workspace_id, dc=dc
        )
    except Interrupted as stop:
        emit_interrupted(stop.outcome, args, detect=detect)
        return EXIT_INTERRUPTED
    _close(checker)
    saved = save_key(args, outcome, key, source) if args.save else Saved([], {})
    emit(outcome, args, detect=detect, extra=saved.json_fields)
    tell(saved.lines, args)
    return outcome.exit_code


def _check_arguments(p: argparse.ArgumentParser) -> None:
    add_workspace(p)
    p.add_argument(
        "--dc",
        required=True,
        metavar="DC",
        help="data center: 01-06 or 101, DC-05, dc5, or your dashboard's address",
    )
    add_check_options(p)


def _detect_arguments(p: argparse.ArgumentParser) -> None:
    add_workspace(p)
    add_check_options(p)


CHECK = Command(
    name="check",
    help="check credentials against one data center",
    description="Check a workspace ID and Data API key against one MoEngage data center.",
    add_arguments=_check_arguments,
    run=lambda args, secrets: run_check_flow(args, secrets, detect=False),
    full_help=True,
)

DETECT = Command(
    name="detect",
    help="try every data center at once and report which one accepts the credentials",
    description="Try every MoEngage data center at once and report which accepts the key.",
    add_arguments=_detect_arguments,
    run=lambda args, secrets: run_check_flow(args, secrets, detect=True),
    full_help=True,
)
