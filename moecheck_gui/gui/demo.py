"""Demo mode's settings (see :class:`DemoMode`).

A module of its own so that the window module need not create this dataclass
(~0.6 ms) before its first paint: only ``--demo``, tests and the self-test use it.
``moecheck_gui.gui.DemoMode`` and ``moecheck_gui.gui.main_window.DemoMode``
still work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DemoMode:
    """Demo mode: checks go to an in-process sandbox instead of MoEngage.

    ``workspaces`` are the sandbox's demo credentials (objects with
    ``workspace_id``, ``api_key``, ``dc``, ``note``); ``sandbox`` is kept so the
    app (and tests) can stop or steer it.
    """

    api_base: str
    workspaces: Sequence[Any] = ()
    sandbox: Any = field(default=None, compare=False)

    def api_base_for(self, workspace_id: str) -> str:
        """Where a check of ``workspace_id`` goes.

        The sandbox's certificate and TLS-stall demo workspaces have listeners
        of their own (a certificate is chosen before any request is seen), so
        the sandbox is asked; without one that can route, :attr:`api_base`.
        """
        route = getattr(self.sandbox, "api_base_for", None)
        return str(route(workspace_id)) if callable(route) else self.api_base
