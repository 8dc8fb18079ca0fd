"""What the window hands to the desktop: web pages, the log folder, the clipboard.

Why here and not in the window: these are one-shot actions with no state, and
each imports what it needs (QDesktopServices, the report renderer) only when
the user asks for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from moecheck_gui import applog

if TYPE_CHECKING:
    from moecheck_gui.outcome import Outcome


def open_credentials_docs() -> None:
    """MoEngage's page on where the workspace ID and Data API key are."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    from moecheck_gui.gui.about import CREDENTIALS_DOCS_URL

    QDesktopServices.openUrl(QUrl(CREDENTIALS_DOCS_URL))


def open_log_folder() -> None:
    """The folder of the log file (to attach it to a support request)."""
    path = applog.current_log_file()
    folder = path.parent if path is not None else applog.log_dir()
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def copy_report(outcome: Outcome, *, api_key: str, api_base: str | None, demo: bool) -> None:
    """Put the redacted plain-text report of ``outcome`` on the clipboard.

    ``api_key`` (what the key field holds) is removed from the text, as are
    registered secrets and credential-looking fields.
    """
    from PySide6.QtGui import QGuiApplication

    from moecheck_gui.redaction import redact
    from moecheck_gui.report import render_report

    # The report stays English for MoEngage support (report.py), its extra field too.
    extra = {"Mode": "demo (practice server, not MoEngage)"} if demo else None
    text = render_report(outcome, api_base=api_base or None, extra=extra)
    text = applog.redact(redact(text, [api_key]))
    QGuiApplication.clipboard().setText(text)
