"""What a check-all child process is told to build: settings only, never live objects.

Why a module of its own: both sides read it, the window's side
(:mod:`.process`, which sends it) and the child's (:mod:`.child`, which builds
the checker, keychain and history from it), and neither should import the
other for it. A recipe crosses a pipe (pickled), so it holds plain values: a
:class:`~moecheck_gui.client.Checker` or a keychain object could not cross.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class BatchRecipe:
    """How the child builds what a check-all needs: settings only, so it can cross a pipe.

    The same settings the window's own checks use: where checks go
    (``api_base``, None for MoEngage), the PAC override and the proxy sign-ins
    given this session (``proxy_credentials``, never shown in ``repr``),
    whether saved keys come from the OS keychain, the history file
    (None keeps no history), the language of the messages, and the least
    level of the log records the child sends back (the window's own).
    """

    api_base: str | None = None
    pac_url: str | None = None
    proxy_credentials: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    use_keychain: bool = True
    history_path: Path | None = None
    language: str | None = None
    log_level: int = logging.INFO
