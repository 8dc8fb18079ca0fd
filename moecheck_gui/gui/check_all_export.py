"""Check-all's "Export…": the rows shown, to a CSV or JSON file the user picks (never a key).

Why apart from the view: the file dialog, the choice of format and the
writing are one small story, and the content is exactly the command's
``moecheck check-all --csv``/``--json`` output (:func:`moecheck_gui.batch.csv_text`,
:func:`moecheck_gui.batch.to_json_document`), so the two front ends export
the same thing. Loaded with the check-all view (never at start-up).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from moecheck_gui.batch import BatchResult, csv_text, to_json_document
from moecheck_gui.i18n import _, format_number, ngettext

EXPORT_FORMATS = ("csv", "json")


def write_results(results: Sequence[BatchResult], path: Path, fmt: str | None = None) -> int:
    """Write ``results`` to ``path`` as CSV or JSON (by ``fmt`` or the suffix).

    Returns how many rows were written. Raises OSError when the file cannot
    be written. The content is the command's ``--csv``/``--json`` output.
    """
    kind = (fmt or path.suffix.lstrip(".") or "csv").lower()
    if kind not in EXPORT_FORMATS:
        kind = "csv"
    if kind == "json":
        text = json.dumps(to_json_document(results), indent=2, ensure_ascii=False) + "\n"
    else:
        text = csv_text(results)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return len(results)


def ask_and_export(parent: QWidget, results: Sequence[BatchResult]) -> str | None:
    """Ask where to save, write there, and return the status line ("Saved 3 rows to …").

    None when the user cancelled the dialog or the file could not be written
    (then a warning said why).
    """
    name, chosen = QFileDialog.getSaveFileName(
        parent,
        _("Export results"),
        "moecheck-results.csv",
        # Translators: keep the ";;" between the two choices and each "(*.csv)" as it is.
        _("CSV spreadsheet (*.csv);;JSON (*.json)"),
    )
    if not name:
        return None
    path = Path(name)
    fmt = "json" if "json" in chosen.lower() or path.suffix.lower() == ".json" else "csv"
    if not path.suffix:
        path = path.with_suffix("." + fmt)
    try:
        count = write_results(results, path, fmt)
    except OSError as exc:
        QMessageBox.warning(
            parent,
            _("Export failed"),
            # Translators: {error} is the operating system's reason (often English).
            _("The results could not be saved to {path}: {error}.").format(
                path=path, error=exc.strerror or exc
            ),
        )
        return None
    return ngettext("Saved {count} row to {path}.", "Saved {count} rows to {path}.", count).format(
        count=format_number(count), path=path
    )
