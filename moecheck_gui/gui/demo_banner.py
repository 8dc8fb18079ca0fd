"""The demo banner: says checks go to a practice server, and offers the demo workspaces.

Why a module of its own: only ``--demo``, tests and the self-test show it, so
the window imports it only in demo mode (outside it, the window's banner slot
is an empty hidden frame that costs nothing to build).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from moecheck_gui.gui import qtvalues, theme
from moecheck_gui.gui.result_panel import plain_label
from moecheck_gui.gui.theme import Tone
from moecheck_gui.i18n import _

if TYPE_CHECKING:
    from PySide6.QtGui import QPalette

    from moecheck_gui.gui.credentials_form import CredentialsForm


class DemoBanner(QFrame):
    """The banner saying "this is not MoEngage", and a combo of demo workspaces.

    Picking one fills ``form`` with its credentials (as a user's edit: a
    running check stops, the shown result turns stale).
    objectNames: ``demoBanner``, ``demoBannerTitle``, ``demoWorkspaceCombo``.

    Signals:
        workspaceChosen(str): the user picked the demo workspace with this ID.
    """

    workspaceChosen = Signal(str)

    def __init__(
        self, workspaces: Sequence[Any], form: CredentialsForm, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.workspaces = tuple(workspaces)
        self.form = form
        self.setObjectName("demoBanner")
        self.setAccessibleName(_("Demo mode"))
        title = plain_label(_("Demo mode — this is not MoEngage"), self)
        title.setObjectName("demoBannerTitle")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        body = plain_label(
            _(
                "Checks go to a practice server on this computer, so you can try every result "
                "safely. Nothing is sent to MoEngage and no key is saved."
            ),
            self,
        )
        combo = QComboBox(self)
        self.combo = combo
        combo.setObjectName("demoWorkspaceCombo")
        combo.setAccessibleName(_("Demo workspace"))
        qtvalues.set_props(combo, sizeAdjustPolicy=qtvalues.COMBO_ADJUST_TO_MIN_LENGTH_WITH_ICON)
        combo.setMinimumContentsLength(16)
        combo.setAccessibleDescription(_("Fills in demo credentials that show one result."))
        demo_label = QLabel(_("Try a &demo workspace:"), self)
        demo_label.setBuddy(combo)
        pick = QHBoxLayout()
        pick.addWidget(demo_label)
        pick.addWidget(combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        layout.addWidget(title)
        layout.addWidget(body)
        layout.addLayout(pick)
        for workspace in workspaces:
            # The note is marked in sandbox/workspaces.py; the ID is never translated.
            combo.addItem(f"{workspace.workspace_id} — {_(workspace.note)}", workspace.workspace_id)
        combo.activated.connect(self._on_activated)
        self.title = title

    def fill(self, workspace_id: str | None = None) -> None:
        """Fill the form with a demo workspace (default: the first) and show it as chosen."""
        for workspace in self.workspaces:
            if workspace_id in (None, workspace.workspace_id):
                self.form.fill(workspace.workspace_id, workspace.dc, key=workspace.api_key)
                self.combo.setCurrentIndex(max(self.combo.findData(workspace.workspace_id), 0))
                return

    def restyle(self, palette: QPalette) -> None:
        """Amber, in the light or dark variant for the window's ``palette``.

        (The window's, not the banner's own: its style sheet sets its background.)
        """
        colors = theme.tone_colors(Tone.WARNING, palette)
        self.setStyleSheet(
            f"QFrame#demoBanner {{ background: {colors.bg}; border: 1px solid {colors.border};"
            " border-radius: 8px; }"
            f" QLabel#demoBannerTitle {{ color: {colors.fg}; }}"
        )

    def _on_activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        if isinstance(data, str):
            self.fill(data)
            self.workspaceChosen.emit(data)
