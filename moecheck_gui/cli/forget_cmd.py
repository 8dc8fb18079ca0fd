"""``moecheck forget``: remove a workspace's saved key, its saved-list entry and its history.

Why all three (PRODUCT.md 3.3, 3.7): "forget this workspace" means MoeCheck
keeps nothing about it -- not the key in the OS keychain, not the entry in the
saved workspaces the window shows and ``check-all`` checks, not the history of
its checks. Why a missing key is not an error (exit 0): the user's goal is
reached either way, and scripts can run it unconditionally. Keychain trouble
(locked, unavailable, refused backend) is exit 2, like every other keychain
problem of the command; the list entry and history are removed even then.
"""

from __future__ import annotations

import argparse

from moecheck_gui.cli.output import err, prefixed, safe
from moecheck_gui.cli.parser import Command, add_workspace
from moecheck_gui.i18n import N_, _
from moecheck_gui.outcome import EXIT_OK, EXIT_USAGE
from moecheck_gui.redaction import SecretSet

PROG = "moecheck forget"
"""The command's name before its messages (never translated)."""


def run_forget(args: argparse.Namespace, secrets: SecretSet) -> int:
    """Delete the saved key; say whether there was one."""
    workspace = args.workspace_id.strip()
    if not workspace:
        err(prefixed(PROG, _("--workspace-id is empty.")))
        return EXIT_USAGE
    from moecheck_gui.cli.workspaces import forget_everywhere
    from moecheck_gui.keychain import KeychainError, KeychainStore

    for line in forget_everywhere(workspace):
        print(line)
    try:
        store = KeychainStore()
        removed = store.delete(workspace)
    except KeychainError as exc:
        err(prefixed(PROG, safe(exc.message)))
        return EXIT_USAGE
    if removed:
        print(_("Removed the saved key for {workspace}.").format(workspace=safe(workspace)))
    else:
        print(_("No saved key for {workspace}").format(workspace=safe(workspace)))
    return EXIT_OK


FORGET = Command(
    name="forget",
    help=N_("remove a workspace's saved key, its place in the saved workspaces and its history"),
    description=N_(
        "Remove the key saved in the OS keychain for a workspace, the workspace from the "
        "saved workspaces, and the history of its checks. Exit 0 whether or not a key was "
        "saved; exit 2 if the keychain cannot be used."
    ),
    add_arguments=add_workspace,
    run=run_forget,
)
