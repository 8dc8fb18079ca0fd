"""The command's side of saved workspaces: the list, the keychain entry and the history.

Why one module: PRODUCT.md 3.3 and 3.7 tie three stores together -- ``--save``
puts the key in the keychain *and* the workspace (ID, DC, label) in the saved
workspaces the window shows and ``check-all`` checks; ``forget`` removes all
three (key, list entry, history); and only saved workspaces have a history, so
``moecheck check`` of a random ID never leaves a trace on disk. Keeping the
rules here means ``check``, ``detect`` and ``forget`` apply them the same way.

File problems (a corrupt list, an unwritable data folder) never fail a check:
they are warnings on stderr, and the exit code still says whether the
credentials work.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, NamedTuple

from moecheck_gui.cli.output import err, safe
from moecheck_gui.i18n import _
from moecheck_gui.outcome import Outcome

if TYPE_CHECKING:
    from moecheck_gui.profiles import ProfileStore


class Saved(NamedTuple):
    """What ``--save`` did: lines to tell the user, and fields for the JSON object."""

    lines: list[str]
    json_fields: dict[str, Any]


def clean_credentials(raw_workspace: str, raw_key: str = "placeholder") -> tuple[str, str]:
    """The workspace ID and key as the check sends them (trimmed like the core), for the stores."""
    from moecheck_gui.inputs import InputError, normalise_credentials

    try:
        creds, _notes = normalise_credentials(raw_workspace, raw_key)
    except InputError:
        return raw_workspace.strip(), raw_key.strip()
    return creds.workspace_id, creds.api_key


def profile_store() -> ProfileStore:
    """The saved workspaces (shared with the window); its problem, if any, said on stderr."""
    from moecheck_gui.profiles import ProfileStore

    store = ProfileStore()
    if store.problem:
        err(warning(store.problem))
    return store


def warning(text: str) -> str:
    """``Warning: text`` (a file problem said on stderr) in the user's language."""
    return _("Warning: {warning}").format(warning=safe(text))


def is_saved(workspace_id: str) -> bool:
    """Whether ``workspace_id`` is in the saved workspaces (quietly False on file trouble)."""
    from moecheck_gui.profiles import ProfileStore

    return ProfileStore().get(workspace_id) is not None


def _add_to_list(workspace: str, dc: str | None, label: str | None) -> tuple[str | None, bool]:
    """Add or update the saved workspace; (a line for the user, whether it is in the list)."""
    if not dc:
        return None, False
    store = profile_store()
    store.upsert(workspace, dc, label)
    if store.problem:
        err(warning(store.problem))
        return None, False
    # Translators: {dc} is a data center code such as DC-01 (kept).
    line = _("Added workspace {workspace} ({dc}) to your saved workspaces.")
    return line.format(workspace=safe(workspace), dc="DC-" + dc), True


def save_key(args: argparse.Namespace, outcome: Outcome, key: str, source: str) -> Saved:
    """``--save``: store the key and add the workspace to the saved list after a success.

    A failure to save is a warning on stderr, not a failed command: the check
    itself worked, and scripts rely on exit code 0 meaning "the credentials
    work". With ``--json`` the object also gets ``saved_in`` (the keychain's
    name or null), ``saved_workspace`` (whether it is in the saved list) and,
    on failure, ``save_error``.
    """
    fields: dict[str, Any] = {"saved_in": None, "saved_workspace": False}
    if not outcome.ok:
        err(_("Not saved: the key is saved only after a successful check."))
        return Saved([], fields)
    workspace, clean_key = clean_credentials(args.workspace_id, key)
    label = getattr(args, "label", None)
    lines: list[str] = []
    if source == "keychain":
        lines.append(_("The key already came from the keychain; nothing new to save."))
    else:
        from moecheck_gui.keychain import KeychainError, KeychainStore

        try:
            store = KeychainStore().save(workspace, clean_key)
        except KeychainError as exc:
            warn = _("Warning: the check worked, but the key was not saved: {problem}")
            err(warn.format(problem=safe(exc.message)))
            fields["save_error"] = safe(exc.message)
            return Saved([], fields)
        fields["saved_in"] = store
        # Translators: {keychain} is the keychain's name, e.g. "Secret Service" (kept).
        lines.append(_("Saved the key in {keychain}.").format(keychain=safe(store)))
    line, listed = _add_to_list(workspace, outcome.dc, label)
    fields["saved_workspace"] = listed
    if line:
        lines.append(line)
    return Saved(lines, fields)


def with_history(outcome: Outcome, workspace: str) -> Outcome:
    """For a saved workspace: the outcome annotated from its history, and recorded in it.

    A rejected key that worked before then says when it last worked
    (``previously_worked_at``); the history's notice (e.g. a corrupt file was
    replaced by a new history) goes to stderr. Unsaved workspaces are left
    alone: checking a random ID must not create history for it.
    """
    if not workspace or not is_saved(workspace):
        return outcome
    from moecheck_gui.history import HistoryStore, annotate_and_record

    annotated, notice = annotate_and_record(outcome.replace(workspace_id=workspace), HistoryStore())
    if notice:
        err(_("Note: {text}").format(text=safe(notice)))
    return annotated.replace(workspace_id=outcome.workspace_id)


def forget_everywhere(workspace: str) -> list[str]:
    """``forget``: remove the workspace from the saved list and its history; lines to print."""
    from moecheck_gui.history import HistoryStore

    lines: list[str] = []
    store = profile_store()
    if store.remove(workspace):
        if store.problem:
            err(warning(store.problem))
        else:
            line = _("Removed {workspace} from your saved workspaces.")
            lines.append(line.format(workspace=safe(workspace)))
    history = HistoryStore()
    had_history = bool(history.entries(workspace))
    notice = history.forget(workspace)
    if notice:
        err(warning(notice))
    elif had_history:
        line = _("Removed the history of checks of {workspace}.")
        lines.append(line.format(workspace=safe(workspace)))
    return lines
