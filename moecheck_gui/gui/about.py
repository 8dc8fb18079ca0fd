"""The About dialog: version, license, publisher, and where MoEngage documents the credentials."""

from __future__ import annotations

import html
import platform

from PySide6.QtCore import QSize, Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from moecheck_gui import APP_NAME, __version__, publisher
from moecheck_gui.gui import theme
from moecheck_gui.i18n import LANGUAGES, _, format_list

CREDENTIALS_DOCS_URL = "https://moengage.com/docs/api/introduction"
"""MoEngage's page on workspace IDs, API keys and data centers."""
LICENSE = "MIT License"  # the license's name, never translated
TRANSLATIONS_DOC = "docs/translations.md"
"""Where translators start (in MoeCheck's source; the glossary and how to add a language)."""


class AboutDialog(QDialog):
    """Shows what MoeCheck is, its version and license, and links to MoEngage's docs.

    Signals: none beyond QDialog's.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(_("About {app}").format(app=APP_NAME))
        icon = QLabel(self)
        icon.setPixmap(theme.app_icon_pixmap(64, self.devicePixelRatioF() or 1.0))
        icon.setAccessibleName(_("{app} icon").format(app=APP_NAME))
        title = QLabel(f"{APP_NAME} {__version__}", self)
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        blurb = QLabel(
            _(
                "Checks in one click whether a MoEngage workspace ID and Data API key work, "
                "and explains exactly what to do when they don't."
            )
            + "\n\n"
            + _(
                "MoeCheck is not made by MoEngage. Your key is sent only to MoEngage's API "
                "(or to the address in MOECHECK_API_BASE) and is kept only in your system "
                "keychain, and only when you ask."
            ),
            self,
        )
        blurb.setTextFormat(Qt.TextFormat.PlainText)
        blurb.setWordWrap(True)
        # Our own fixed text, so rich text is safe here: it makes the link clickable.
        link = QLabel(
            '<a href="{url}">{text}</a> {source}'.format(
                url=CREDENTIALS_DOCS_URL,
                text=html.escape(
                    _("Where to find your workspace ID, Data API key and data center")
                ),
                source=html.escape(_("(MoEngage documentation)")),
            ),
            self,
        )
        link.setTextFormat(Qt.TextFormat.RichText)
        link.setOpenExternalLinks(True)
        link.setWordWrap(True)
        link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        languages = format_list(LANGUAGES.values())
        contribute = QLabel(
            _(
                "MoeCheck speaks {languages}. Translations are welcome: {doc} in MoeCheck's "
                "source says how to improve one or add a language."
            ).format(languages=languages, doc=TRANSLATIONS_DOC),
            self,
        )
        contribute.setObjectName("aboutTranslations")
        contribute.setTextFormat(Qt.TextFormat.PlainText)
        contribute.setWordWrap(True)
        contribute.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The publisher comes from moecheck_gui/publisher.py, like the installers' metadata.
        contact = f" · {publisher.CONTACT}" if publisher.is_set() else ""
        published = QLabel(
            _("Published by {publisher}").format(publisher=publisher.display_name()) + contact, self
        )
        published.setObjectName("aboutPublisher")
        published.setTextFormat(Qt.TextFormat.PlainText)
        published.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        versions = QLabel(f"{LICENSE} · Qt {qVersion()} · Python {platform.python_version()}", self)
        versions.setTextFormat(Qt.TextFormat.PlainText)
        versions.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)

        text = QVBoxLayout()
        text.setSpacing(10)
        text.addWidget(title)
        text.addWidget(blurb)
        text.addWidget(link)
        text.addWidget(contribute)
        text.addWidget(published)
        text.addWidget(versions)
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 14)
        layout.addLayout(row)
        layout.addWidget(buttons)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setMinimumSize(self.sizeHint().expandedTo(QSize(480, 0)))
