"""Guard against the PySide6 6.12.0 bug that leaks a reference to True per Signal.emit().

On CPython 3.11, PySide6 6.12.0 drops one reference to ``True`` every time a
``Signal(bool)`` carrying True reaches a Python slot; after a few hundred
emits the refcount underflows and the interpreter aborts in ``bool_dealloc``.
The window emits such signals all the time (toggles, checkboxes), so the
installed version is pinned below 6.12 and this test proves the installed one
is sound. On 3.12+ ``True`` is immortal (its refcount never changes), so the
count check passes trivially there, and the version check is skipped.
"""

from __future__ import annotations

import sys

import PySide6
import pytest
from PySide6.QtCore import QObject, Signal

EMITS = 5000


class _Emitter(QObject):
    """Signals: fired(bool)."""

    fired = Signal(bool)


def test_emitting_true_keeps_its_refcount(qapp: object) -> None:
    emitter = _Emitter()
    received: list[bool] = []

    def slot(value: bool) -> None:
        received.append(value)

    emitter.fired.connect(slot)
    before = sys.getrefcount(True)
    for _ in range(EMITS):
        emitter.fired.emit(True)
    received.clear()  # the list held references to True; drop them before counting
    after = sys.getrefcount(True)
    assert after >= before, (
        f"{EMITS} emits of True lost {before - after} references to True: this PySide6 "
        f"({PySide6.__version__}) would crash the app (see pyproject.toml)."
    )
    assert after - before < EMITS // 10, "emitting True leaked references to True"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="True is immortal on 3.12+")
def test_pyside6_is_not_the_broken_release() -> None:
    assert PySide6.__version__ != "6.12.0", (
        "PySide6 6.12.0 on CPython < 3.12 drops a reference to True on every Signal.emit() "
        "that reaches a Python slot and aborts the interpreter after a few hundred emits. "
        "Install 6.11.x (pyproject pins <6.12) or use Python 3.12+."
    )
