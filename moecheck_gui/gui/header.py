"""The window's header: the app icon, what MoeCheck does, in one line each.

Why a widget of its own: it is presentation only, and its icon is painted
after the first frame (QtSvg and the renderings would delay it), which the
window asks for with :meth:`Header.paint_icon`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from moecheck_gui import APP_NAME
from moecheck_gui.gui import qtvalues, theme
from moecheck_gui.gui.result_panel import plain_label
from moecheck_gui.i18n import _


class Header(QWidget):
    """Icon, title and subtitle (objectNames ``headerIcon``, ``headerTitle``, ``headerSubtitle``).

    Signals: none.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel(self)
        self.icon.setObjectName("headerIcon")
        self.icon.setFixedSize(48, 48)  # the same before and after the icon arrives
        self.icon.setAccessibleName(_("{app} icon").format(app=APP_NAME))
        self.title = QLabel(_("Test your MoEngage credentials"), self)
        self.title.setObjectName("headerTitle")
        qtvalues.set_props(self.title, textFormat=qtvalues.PLAIN_TEXT)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = plain_label(
            _(
                "Find out in one click whether a workspace ID and Data API key work, "
                "and exactly what to fix if they don't."
            ),
            self,
        )
        self.subtitle.setObjectName("headerSubtitle")
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.subtitle)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        icon_column = QVBoxLayout()  # keeps the icon at the top when the text wraps
        icon_column.addWidget(self.icon)
        icon_column.addStretch(1)
        row.addLayout(icon_column)
        row.addLayout(text, 1)

    def paint_icon(self) -> None:
        """Show the app icon, rendered for this screen's pixel ratio."""
        self.icon.setPixmap(theme.app_icon_pixmap(48, self.devicePixelRatioF() or 1.0))
