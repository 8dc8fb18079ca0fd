"""What a running check-all says besides its results: checking, paused, resumed, notices.

Why a module of its own: both front ends (the command's progress lines and the
window's status line) read these events, and neither needs the runner's threads
to do so. A 429 pause would otherwise look like a hang: the events say why
nothing moves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BatchEvent:
    """Progress that is not a result, for a front end to show.

    ``kind`` is one of:

    - ``"checking"``: row ``index`` (``workspace_id``) is being sent now;
    - ``"paused"``: a 429 on ``dc``: no further checks there for ``wait_s`` seconds;
    - ``"resumed"``: the pause on ``dc`` has passed and checks go on;
    - ``"notice"``: a sentence from the history store (e.g. it started a new history).

    ``message`` is a ready-made sentence for people.
    """

    kind: str
    message: str
    index: int | None = None
    workspace_id: str | None = None
    dc: str | None = None
    wait_s: float | None = None


EventFn = Callable[[BatchEvent], None]
