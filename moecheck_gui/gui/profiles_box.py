"""The saved-workspaces row: pick a profile, or forget it.

Why a separate widget: the main window should only decide *what happens* when
a profile is picked (load its key on a worker thread) or forgotten (delete the
key, drop the profile); listing and labelling profiles is presentation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from moecheck_gui.gui import qtvalues

if TYPE_CHECKING:
    # Only for types: the store (json, platformdirs) loads after the first paint.
    from moecheck_gui.profiles import Profile

PLACEHOLDER = "Choose a saved workspace…"


class ProfilesBox(QWidget):
    """A label, a combo of saved workspaces and a Forget button.

    Signals:
        profileChosen(str): the user picked the profile with this workspace ID.
        forgetRequested(str): the user asked to forget this workspace ID.
    """

    profileChosen = Signal(str)
    forgetRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Sa&ved workspace", self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("profileCombo")
        # (It grows through its layout stretch. Ints, not enums: built before the
        # first paint, see qtvalues.)
        qtvalues.set_props(
            self.combo, sizeAdjustPolicy=qtvalues.COMBO_ADJUST_TO_MIN_LENGTH_WITH_ICON
        )
        self.combo.setMinimumContentsLength(16)
        self.combo.setAccessibleName("Saved workspace")
        self.combo.setAccessibleDescription(
            "Workspaces whose key you saved in the keychain. Picking one fills in the form."
        )
        self.combo.setToolTip(self.combo.accessibleDescription())
        self.label.setBuddy(self.combo)
        self.forget_button = QPushButton(self)  # (text, parent) would build QIcon's enums
        self.forget_button.setText("&Forget")
        self.forget_button.setObjectName("forgetButton")
        self.forget_button.setAccessibleName("Forget saved workspace")
        self.forget_button.setToolTip(
            "Remove this workspace from the list and delete its key from the keychain."
        )
        self.forget_button.setAccessibleDescription(self.forget_button.toolTip())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.forget_button)
        self.combo.activated.connect(self._on_activated)
        self.combo.currentIndexChanged.connect(self._update_forget)
        self.forget_button.clicked.connect(self._on_forget)
        self.set_profiles([], None)

    def set_profiles(self, profiles: Sequence[Profile], current: str | None) -> None:
        """Replace the list; select ``current`` (a workspace ID) if it is listed."""
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            self.combo.addItem(PLACEHOLDER, None)
            for profile in profiles:
                self.combo.addItem(profile.display_name, profile.workspace_id)
            index = self.combo.findData(current) if current else 0
            self.combo.setCurrentIndex(max(index, 0))
        finally:
            self.combo.blockSignals(False)
        self.setVisible(bool(profiles))
        self._update_forget()

    def current_workspace_id(self) -> str | None:
        """The selected profile's workspace ID, or None for the placeholder."""
        data = self.combo.currentData()
        return data if isinstance(data, str) else None

    def select(self, workspace_id: str | None) -> None:
        """Select a profile without emitting profileChosen (e.g. after a successful save)."""
        index = self.combo.findData(workspace_id) if workspace_id else 0
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)
        self._update_forget()

    def _on_activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        if isinstance(data, str):
            self.profileChosen.emit(data)

    def _on_forget(self) -> None:
        workspace_id = self.current_workspace_id()
        if workspace_id:
            self.forgetRequested.emit(workspace_id)

    def _update_forget(self) -> None:
        self.forget_button.setEnabled(self.current_workspace_id() is not None)
