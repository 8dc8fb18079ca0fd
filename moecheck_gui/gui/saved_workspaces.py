"""Saved workspaces in the window: the row that lists them, and what picking or forgetting does.

Why a part of its own: picking a saved workspace fills the form and loads its
key; forgetting one asks first, then deletes the key and clears the form's key
field if it showed that workspace. The keychain work itself is
:class:`~.keychain_flow.KeychainFlow`'s; this part connects it to the form and
to the row, which is built only when there is something to list (after the
first paint, when the list is read from disk).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from moecheck_gui.gui.profiles_box import ProfilesBox, ask_to_forget

if TYPE_CHECKING:
    from moecheck_gui.gui.credentials_form import CredentialsForm
    from moecheck_gui.gui.keychain_flow import KeychainFlow


class SavedWorkspaces(QObject):
    """Keeps the saved-workspace row, the form and the keychain flow in step.

    A QObject child of the window, holding no Python reference to it (which
    would keep the window alive in a reference cycle).

    Signals:
        boxBuilt(object): the row (a :class:`ProfilesBox`) was built, on first
            use; a slot must put it into the window before this returns.
        picked(str): the user picked a saved workspace, before the form is
            filled (a running check is for other details now); its ID.
        keyCleared(): a forgotten workspace's key left the form (the shown
            result is about details no longer there).
    """

    boxBuilt = Signal(object)
    picked = Signal(str)
    keyCleared = Signal()

    def __init__(self, flow: KeychainFlow, form: CredentialsForm, parent: QWidget) -> None:
        super().__init__(parent)
        self.flow = flow
        self.form = form
        self._box: ProfilesBox | None = None
        flow.profilesChanged.connect(self.refresh)
        flow.keyLoaded.connect(self._on_key_loaded)

    @property
    def box(self) -> ProfilesBox:
        """The row, built (and placed) on first use."""
        if self._box is None:
            box = ProfilesBox(self._window())
            box.profileChosen.connect(self.load)
            box.forgetRequested.connect(self.confirm_forget)
            self._box = box
            self.boxBuilt.emit(box)
        return self._box

    @property
    def built(self) -> ProfilesBox | None:
        """The row if it was built, else None (nothing was ever listed)."""
        return self._box

    def refresh(self, select: str | None = None) -> None:
        """List the saved workspaces again, selecting ``select`` (or keeping the selection)."""
        profiles = self.flow.profiles.profiles()
        if self._box is None and not profiles:
            return  # nothing to list: the row is not even built
        current = select or self.box.current_workspace_id()
        self.box.set_profiles(profiles, current)

    def restore(self) -> str | None:
        """List them and fill in the last one used (its key loads later); any problem reading."""
        self.refresh()
        profiles = self.flow.profiles
        last = profiles.last_workspace_id
        profile = profiles.get(last) if last else None
        if profile is not None and not self.form.workspace_edit.text():
            self.form.quietly(lambda: self._fill(profile.workspace_id))
        return profiles.problem

    def load_last(self) -> None:
        """Load the key of the last one used, if the row shows it (after start-up)."""
        last = self.flow.profiles.last_workspace_id
        if last and self._box is not None and self._box.current_workspace_id() == last:
            self.load(last)

    def load(self, workspace_id: str) -> None:
        """Fill the form from a saved workspace; its key is loaded on a worker thread."""
        self.picked.emit(workspace_id)
        self.flow.cancel_load()
        self.form.quietly(lambda: self._fill(workspace_id))
        self.flow.load(workspace_id)

    def confirm_forget(self, workspace_id: str) -> None:
        """Ask first (window-modal, Cancel the default), then :meth:`forget`."""
        profile = self.flow.profiles.get(workspace_id)
        ask_to_forget(
            self._window(),
            workspace_id=workspace_id,
            label=profile.label if profile else "",
            store_name=self.flow.store_name,
            forget=lambda: self.forget(workspace_id),
        )

    def forget(self, workspace_id: str) -> None:
        """Remove a saved workspace and delete its key from the keychain (on a worker)."""
        self.flow.forget(workspace_id)
        if self.form.workspace_edit.text().strip() == workspace_id:
            self.form.quietly(self.form.key_edit.clear)
            self.keyCleared.emit()

    def _window(self) -> QWidget:
        # Built with the window as its Qt parent (never re-parented).
        return cast("QWidget", self.parent())

    def _fill(self, workspace_id: str) -> None:
        profile = self.flow.profiles.get(workspace_id)
        if profile is None:
            return
        self.form.fill(profile.workspace_id, profile.dc, key=None, label=profile.label)
        self.box.select(workspace_id)

    def _on_key_loaded(self, workspace_id: str, key: str) -> None:
        self.form.quietly(lambda: self.form.key_edit.setText(key))
        self.form.update_input_notice()
