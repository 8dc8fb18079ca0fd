"""The saved-workspaces row: pick a profile, or forget it (after :func:`ask_to_forget`).

Why a separate widget: the main window should only decide *what happens* when
a profile is picked (load its key on a worker thread) or forgotten (delete the
key, drop the profile); listing and labelling profiles is presentation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from moecheck_gui.gui import qtvalues
from moecheck_gui.i18n import N_, _

if TYPE_CHECKING:
    # Only for types: the store (json, platformdirs) loads after the first paint.
    from moecheck_gui.profiles import Profile

PLACEHOLDER = N_("Choose a saved workspace…")
"""The combo's first item (English; shown translated)."""


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
        self.label = QLabel(_("Sa&ved workspace"), self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("profileCombo")
        # (It grows through its layout stretch. Ints, not enums: built before the
        # first paint, see qtvalues.)
        qtvalues.set_props(
            self.combo, sizeAdjustPolicy=qtvalues.COMBO_ADJUST_TO_MIN_LENGTH_WITH_ICON
        )
        self.combo.setMinimumContentsLength(16)
        self.combo.setAccessibleName(_("Saved workspace"))
        self.combo.setAccessibleDescription(
            _("Workspaces whose key you saved in the keychain. Picking one fills in the form.")
        )
        self.combo.setToolTip(self.combo.accessibleDescription())
        self.label.setBuddy(self.combo)
        self.forget_button = QPushButton(self)  # (text, parent) would build QIcon's enums
        self.forget_button.setText(_("&Forget"))
        self.forget_button.setObjectName("forgetButton")
        self.forget_button.setAccessibleName(_("Forget saved workspace"))
        self.forget_button.setToolTip(
            _("Remove this workspace from the list and delete its key from the keychain.")
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
            self.combo.addItem(_(PLACEHOLDER), None)
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


def ask_to_forget(
    parent: QWidget,
    *,
    workspace_id: str,
    label: str,
    store_name: str,
    forget: Callable[[], object],
) -> QMessageBox:
    """Ask before forgetting: it deletes a key the user may not have anywhere else.

    Window-modal, Cancel the default, opened with ``open()`` (not ``exec()``)
    so the event loop keeps running and tests can answer it like a user;
    ``forget`` runs only when the user confirms. objectNames ``forgetConfirm``
    and ``forgetConfirmButton``.
    """
    from PySide6.QtCore import Qt  # after first paint: the namespace is built by now

    # Translators: a saved workspace: its ID and the label the user gave it.
    shown = (
        _("{workspace} ({label})").format(workspace=workspace_id, label=label)
        if label
        else workspace_id
    )
    box = QMessageBox(parent)
    box.setObjectName("forgetConfirm")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_("Forget saved workspace?"))
    box.setText(_("Forget {workspace}?").format(workspace=shown))
    box.setInformativeText(
        _(
            "MoeCheck will delete its Data API key from {keychain} and remove it from the list. "
            "To check it again you will need to paste the key from the MoEngage dashboard."
        ).format(keychain=store_name)
    )
    confirm = box.addButton(_("Forget"), QMessageBox.ButtonRole.DestructiveRole)
    confirm.setObjectName("forgetConfirmButton")
    keep = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

    def answered(button: object) -> None:
        if button is confirm:
            forget()

    box.buttonClicked.connect(answered)
    box.open()
    return box
