"""The product-wide limits: one home, the contract's numbers, nothing heavy to import."""

from __future__ import annotations

import subprocess
import sys

from moecheck_gui import client, datacenters, inputs, limits, outcome


def test_limits_module_imports_nothing_else() -> None:
    script = "import moecheck_gui.limits, sys; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert sorted(m for m in out if m.startswith("moecheck_gui")) == [
        "moecheck_gui",
        "moecheck_gui.limits",
    ]


def test_contract_numbers() -> None:
    assert limits.DEFAULT_TIMEOUT == 15.0  # PRODUCT.md 3.3
    assert limits.MAX_ANSWER_BYTES == 64 * 1024  # PRODUCT.md 3.1 bad_response
    assert limits.MAX_FIELD_LENGTH == 256  # PRODUCT.md 3.1 invalid_input
    assert limits.MAX_TIMEOUT >= limits.DEFAULT_TIMEOUT


def test_core_uses_the_one_definition() -> None:
    """No core module keeps a copy of its own (the names may be imported, not redefined)."""
    assert client.DEFAULT_TIMEOUT is limits.DEFAULT_TIMEOUT
    assert inputs.MAX_FIELD_LENGTH is limits.MAX_FIELD_LENGTH
    assert outcome.SERVER_TEXT_LIMIT is limits.SERVER_TEXT_LIMIT
    assert datacenters.MAX_DC_INPUT is limits.MAX_DC_INPUT
