"""Write a small file so that readers see the old text or the new, never half of either.

Why one module: the saved workspaces and the history of checks are both small
JSON files that two MoeCheck processes (the window and the command) may touch,
and both must survive a crash or a full disk mid-write. The recipe is the same:
a temporary file in the same folder, flushed and synced, then ``os.replace``;
and an unreadable file is kept next to the new one rather than overwritten, so
nothing the user had is destroyed by MoeCheck.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)


def write_atomically(path: Path, text: str, *, prefix: str = ".moecheck-") -> None:
    """Replace ``path`` with ``text`` in one step; raises OSError (the old file is untouched)."""
    fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def move_aside(path: Path, what: str) -> str:
    """Keep an unusable file next to where the new one will go; return its new name."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    with contextlib.suppress(FileNotFoundError):
        os.replace(path, target)
        log.warning("Moved the unusable %s file aside to %s", what, target)
    return target.name
