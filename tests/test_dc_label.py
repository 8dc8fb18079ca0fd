"""The one data-center label: table names for known codes, one plain fallback for the rest."""

from __future__ import annotations

import pytest

from moecheck_gui.datacenters import DATA_CENTERS, UNKNOWN_DC_LABEL, dc_label
from moecheck_gui.outcome import Outcome
from moecheck_gui.report import render_report


def test_known_codes_use_the_table_label() -> None:
    assert dc_label("01") == "DC-01 — US"
    assert dc_label("101") == "DC-101"
    assert [dc_label(dc.code) for dc in DATA_CENTERS] == [dc.label for dc in DATA_CENTERS]


def test_an_unknown_code_shaped_like_a_dc_is_named() -> None:
    assert dc_label("07") == "DC-07"


@pytest.mark.parametrize("value", [None, "", "auto", "DC-\x1b[31m01", "12345", "٠٧"])
def test_anything_else_is_the_plain_fallback(value: str | None) -> None:
    assert UNKNOWN_DC_LABEL == "unknown data center"
    assert dc_label(value) == UNKNOWN_DC_LABEL


def test_the_report_uses_it() -> None:
    outcome = Outcome(ok=False, kind="timeout", dc=None, workspace_id="WS1", message="m")
    line = next(
        line for line in render_report(outcome).splitlines() if line.startswith("Data center:")
    )
    assert line == f"Data center: {UNKNOWN_DC_LABEL}"
