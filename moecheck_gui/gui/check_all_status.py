"""The check-all view's status line in words: how many are checked, how many did not work.

Why a function of its own, without widgets: the counting and the plural
forms (``ngettext``) are the part of the status line worth reading and
testing apart; the view adds the pause and notice lines under it. Loaded
with the check-all view (never at start-up).
"""

from __future__ import annotations

from collections.abc import Sequence

from moecheck_gui.batch import BatchResult
from moecheck_gui.i18n import _, format_number, ngettext


def status_text(
    results: Sequence[BatchResult], *, total: int, done: int, running: bool, started: bool
) -> str:
    """The first status line: before the run, while it runs, and once it is over.

    ``results`` are the verdicts so far, ``total`` the rows, ``done`` how many
    have a verdict; ``started`` is False until the batch was started.
    """
    failed = sum(1 for r in results if not r.outcome.ok)
    numbers = {"done": format_number(done), "total": format_number(total)}
    if total == 0:
        return _("There are no saved workspaces yet: check one and tick Remember the key.")
    if running:
        if failed:
            return ngettext(
                "Checked {done} of {total} · {failed} did not work.",
                "Checked {done} of {total} · {failed} did not work.",
                failed,
            ).format(failed=format_number(failed), **numbers)
        return ngettext("Checked {done} of {total}.", "Checked {done} of {total}.", total).format(
            **numbers
        )
    if not started:
        return ngettext(
            "{total} workspace to check.", "{total} workspaces to check.", total
        ).format(**numbers)
    stopped = sum(1 for r in results if r.outcome.kind == "cancelled")
    ok = format_number(done - failed)
    if stopped:
        return ngettext(
            "Done: {ok} of {total} work, {stopped} not checked (stopped).",
            "Done: {ok} of {total} work, {stopped} not checked (stopped).",
            stopped,
        ).format(ok=ok, stopped=format_number(stopped), **numbers)
    return ngettext("Done: {ok} of {total} work.", "Done: {ok} of {total} work.", total).format(
        ok=ok, **numbers
    )
