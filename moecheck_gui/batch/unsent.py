"""The outcomes of rows a check-all never sends: refused (``invalid_input``) and not checked.

Why a module of its own: these outcomes are made here, not by the client, so
their words (which line to correct, how to save a key, why a row was skipped
after Stop) are the batch's own and are kept together. Nothing is sent to
MoEngage for either.
"""

from __future__ import annotations

from moecheck_gui import messages
from moecheck_gui.batch.rows import BatchRow
from moecheck_gui.datacenters import BY_CODE
from moecheck_gui.i18n import _
from moecheck_gui.outcome import Kind, Outcome


def _row_dc(row: BatchRow) -> str | None:
    return row.dc if row.dc in BY_CODE else None


def refused_outcome(row: BatchRow, problem: str, field_name: str) -> Outcome:
    """``invalid_input`` for a row that cannot be checked; nothing was sent."""
    message, hint = messages.for_kind(
        Kind.INVALID_INPUT, messages.Context(detail=problem, field=field_name)
    )
    if field_name == "api_key" and row.line is None:
        # Translators: keep the command as it is; "Remember the key" is the window's check box.
        hint = _(
            "Save the key for this workspace (check it once in the window with Remember the "
            "key ticked, or moecheck check --workspace-id ID --dc DC --save), then check again."
        )
    elif row.line is not None:
        hint = _(
            "Correct line {line} of the file and try again. Nothing was sent to MoEngage."
        ).format(line=row.line)
    return Outcome(
        ok=False,
        kind=Kind.INVALID_INPUT.value,
        dc=_row_dc(row),
        workspace_id=row.workspace_id,
        message=message,
        hint=hint,
        field=field_name,
    )


def not_checked_outcome(row: BatchRow) -> Outcome:
    """``cancelled`` for a row whose turn never came."""
    return Outcome(
        ok=False,
        kind=Kind.CANCELLED.value,
        dc=_row_dc(row),
        workspace_id=row.workspace_id,
        message=_("Not checked: checking was stopped before this workspace's turn."),
        hint=_("Check all again when you are ready."),
    )
