"""``moecheck forget``: remove the key saved in the OS keychain for a workspace.

Why a missing key is not an error (exit 0): the user's goal -- no key saved for
this workspace -- is reached either way, and scripts can run it unconditionally.
Keychain trouble (locked, unavailable, refused backend) is exit 2, like every
other keychain problem of the command.
"""

from __future__ import annotations

import argparse

from moecheck_gui.cli.output import err, safe
from moecheck_gui.cli.parser import Command, add_workspace
from moecheck_gui.outcome import EXIT_OK, EXIT_USAGE
from moecheck_gui.redaction import SecretSet


def run_forget(args: argparse.Namespace, secrets: SecretSet) -> int:
    """Delete the saved key; say whether there was one."""
    workspace = args.workspace_id.strip()
    if not workspace:
        err("moecheck forget: --workspace-id is empty.")
        return EXIT_USAGE
    from moecheck_gui.keychain import KeychainError, KeychainStore

    try:
        store = KeychainStore()
        removed = store.delete(workspace)
    except KeychainError as exc:
        err(f"moecheck forget: {safe(exc.message)}")
        return EXIT_USAGE
    if removed:
        print(f"Removed the saved key for {safe(workspace)}.")
    else:
        print(f"No saved key for {safe(workspace)}")
    return EXIT_OK


FORGET = Command(
    name="forget",
    help="remove the key saved in the OS keychain for a workspace",
    description=(
        "Remove the key saved in the OS keychain for a workspace. Exit 0 whether or not "
        "a key was saved; exit 2 if the keychain cannot be used."
    ),
    add_arguments=add_workspace,
    run=run_forget,
)
