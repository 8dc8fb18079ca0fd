"""Helpers the command still keeps for itself until the core offers them once for everyone.

Why a module of its own: issue 9 moves each of these into the core (one
stopped outcome in ``moecheck_gui.outcome``, one DC label in
``moecheck_gui.datacenters``). Until then the command's copies live here, in
one place, so switching to the core's version is a change of imports and the
deletion of this file.
"""

from __future__ import annotations

from moecheck_gui.outcome import Kind, Outcome


def dc_label(dc: str | None) -> str:
    """``DC-01 — US`` for a code; the code itself if unknown."""
    if not dc:
        return "unknown data center"
    from moecheck_gui.datacenters import BY_CODE

    known = BY_CODE.get(dc)
    return known.label if known is not None else f"DC-{dc}"


def stopped(kind: Kind, workspace_id: str, dc: str | None, timeout: float) -> Outcome:
    """An outcome made up by the command when the core did not answer in time (or at all)."""
    try:
        from moecheck_gui.messages import Context, for_kind

        message, hint = for_kind(kind, Context(dc_label=dc_label(dc), timeout_s=timeout))
    except Exception:  # noqa: BLE001 - wording is a nicety; the kind is what matters
        message, hint = {
            Kind.TIMEOUT: (
                f"No complete answer within {timeout:g} s.",
                "Try again; if it keeps happening, check your network or proxy.",
            ),
        }.get(kind, ("The check was stopped.", "Run it again when you are ready."))
    return Outcome(
        ok=False,
        kind=kind.value,
        dc=dc,
        workspace_id=workspace_id,
        message=message,
        hint=hint,
        elapsed_ms=timeout * 1000 if kind is Kind.TIMEOUT else 0.0,
    )
