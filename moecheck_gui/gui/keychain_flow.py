"""Keys in the keychain and the saved-workspace list: store info, save, load, forget.

Why a QObject without widgets: every keychain call can block (D-Bus, an
unlock prompt), so each runs on a worker thread through the window's one
:class:`~moecheck_gui.gui.tasks.TaskRunner`; what comes back is words for the
user (signals carry the sentence and its tone) and changes to the saved list.
The window decides where those words appear; tests drive this flow with a
fake keychain and no window at all.

The saved list (:class:`~moecheck_gui.profiles.ProfileStore`: json,
platformdirs) is read from disk on first use, which the window arranges to be
after its first paint.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from moecheck_gui.gui.theme import Tone
from moecheck_gui.i18n import N_, _

if TYPE_CHECKING:
    from moecheck_gui.gui.providers import Providers
    from moecheck_gui.gui.tasks import TaskRunner
    from moecheck_gui.keychain import StoreInfo
    from moecheck_gui.profiles import ProfileStore

log = logging.getLogger(__name__)

ANY_KEYCHAIN = N_("the keychain")
"""How the words name the store when no usable one is known."""


class KeychainFlow(QObject):
    """Store info, saving, loading and forgetting keys, and the saved workspaces they belong to.

    ``demo``: the saved list lives in memory only and no key is ever loaded.

    Signals:
        storeInfoReady(object): the keychain's StoreInfo, or None when asking failed.
        status(str, object): a sentence for the user and its :class:`Tone`
            (saved, loading, loaded, no key any more, forgotten, failed).
        keySaved(str): a key was saved after a successful check; the store's name.
        keyLoaded(str, str): a saved workspace's key was found: its workspace ID, the key.
        loadFinished(str): loading a saved key ended (found, missing or failed);
            its workspace ID.
        loadingChanged(bool): a key is being loaded (checking waits for it).
        profilesChanged(object): the saved list changed; the workspace ID to
            select, or None to keep the selection.
        forgotten(str): a workspace was forgotten (its key deleted, or deleting
            it failed and the status said so); its workspace ID.
    """

    storeInfoReady = Signal(object)
    status = Signal(str, object)
    keySaved = Signal(str)
    keyLoaded = Signal(str, str)
    loadFinished = Signal(str)
    loadingChanged = Signal(bool)
    profilesChanged = Signal(object)
    forgotten = Signal(str)

    def __init__(
        self,
        runner: TaskRunner,
        providers: Providers,
        *,
        profiles: ProfileStore | None = None,
        demo: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.providers = providers
        self.demo = demo
        self._profiles = profiles
        self._store_info: StoreInfo | None = None
        self._load_task: int | None = None

    # ------------------------------------------------------------------ state

    @property
    def profiles(self) -> ProfileStore:
        """The saved workspaces; read from disk on first use."""
        if self._profiles is None:
            from moecheck_gui.profiles import ProfileStore

            self._profiles = ProfileStore(in_memory=self.demo)
        return self._profiles

    @property
    def profiles_loaded(self) -> bool:
        """True once the saved list exists in memory (injected, demo, or read)."""
        return self._profiles is not None

    @property
    def store_info(self) -> StoreInfo | None:
        """The keychain's StoreInfo once known (None before, or when asking failed)."""
        return self._store_info

    @property
    def store_name(self) -> str:
        """The keychain's name for sentences, when it is a usable one."""
        info = self._store_info
        return info.name if info is not None and info.usable else _(ANY_KEYCHAIN)

    @property
    def is_loading(self) -> bool:
        """True while a saved key is being loaded."""
        return self._load_task is not None

    # ------------------------------------------------------------------ store info

    def request_store_info(self) -> None:
        """Ask which keychain there is (on a worker: it may talk to D-Bus)."""
        providers = self.providers
        self.runner.start(
            lambda: providers.keychain().info(),
            self._on_store_info,
            self._on_store_info_failed,
            name="keychain-info",
        )

    def _on_store_info(self, info: StoreInfo | None) -> None:
        self._store_info = info
        self.storeInfoReady.emit(info)

    def _on_store_info_failed(self, exc: BaseException) -> None:
        log.warning("Keychain lookup failed: %s", type(exc).__name__)
        self._on_store_info(None)

    # ------------------------------------------------------------------ save

    def save(self, workspace_id: str, api_key: str, dc: str, label: str) -> None:
        """Save the key of a workspace that just worked, and list the workspace."""
        providers = self.providers

        def saved(store_name: str) -> None:
            self.profiles.upsert(workspace_id, dc, label or None)
            self.profilesChanged.emit(workspace_id)
            self.status.emit(
                _(
                    "Saved the key for {workspace} in {keychain}. Pick it from "
                    "Saved workspace next time."
                ).format(workspace=workspace_id, keychain=store_name),
                Tone.SUCCESS,
            )
            self.keySaved.emit(store_name)

        def failed(exc: BaseException) -> None:
            self.status.emit(keychain_message(exc, _("The key was not saved.")), Tone.ERROR)

        self.runner.start(
            lambda: providers.keychain().save(workspace_id, api_key),
            saved,
            failed,
            name="keychain-save",
        )

    # ------------------------------------------------------------------ load

    def load(self, workspace_id: str) -> None:
        """Make ``workspace_id`` the last used; load its key (not in demo mode).

        A load still running for another workspace is dropped.
        """
        self.cancel_load()
        self.profiles.set_last(workspace_id)
        if self.demo:
            return
        providers = self.providers

        def loaded(key: object) -> None:
            self._set_load_task(None)
            if isinstance(key, str) and key:
                self.keyLoaded.emit(workspace_id, key)
                self.status.emit(
                    _("Loaded the saved key for {workspace}.").format(workspace=workspace_id),
                    Tone.SUCCESS,
                )
            else:
                self.status.emit(
                    _("No key is saved for {workspace} any more. Enter it and test again.").format(
                        workspace=workspace_id
                    ),
                    Tone.WARNING,
                )
            self.loadFinished.emit(workspace_id)

        def failed(exc: BaseException) -> None:
            self._set_load_task(None)
            self.status.emit(
                keychain_message(exc, _("The saved key could not be loaded.")), Tone.ERROR
            )
            self.loadFinished.emit(workspace_id)

        self._set_load_task(
            self.runner.start(
                lambda: providers.keychain().load(workspace_id),
                loaded,
                failed,
                name="keychain-load",
            )
        )
        self.status.emit(_("Loading the saved key…"), Tone.INFO)

    def cancel_load(self) -> None:
        """Drop a running load: its key, whenever it arrives, is not used."""
        if self._load_task is not None:
            self.runner.discard(self._load_task)
            self._set_load_task(None)

    def _set_load_task(self, task_id: int | None) -> None:
        was = self._load_task is not None
        self._load_task = task_id
        if was != (task_id is not None):
            self.loadingChanged.emit(task_id is not None)

    # ------------------------------------------------------------------ forget

    def forget(self, workspace_id: str) -> None:
        """Remove a saved workspace from the list and delete its key (on a worker)."""
        self.profiles.remove(workspace_id)
        self.profilesChanged.emit(None)
        providers = self.providers

        def done(deleted: object) -> None:
            if deleted:
                text = _("Forgot {workspace} and deleted its key from {keychain}.")
            else:
                text = _("Forgot {workspace} (no key was saved in {keychain}).")
            text = text.format(workspace=workspace_id, keychain=self.store_name)
            self.status.emit(text, Tone.SUCCESS)
            self.forgotten.emit(workspace_id)

        def failed(exc: BaseException) -> None:
            self.status.emit(
                keychain_message(
                    exc,
                    _(
                        "{workspace} was removed from the list, but its key "
                        "could not be deleted from the keychain."
                    ).format(workspace=workspace_id),
                ),
                Tone.ERROR,
            )
            self.forgotten.emit(workspace_id)

        self.runner.start(
            lambda: providers.keychain().delete(workspace_id),
            done,
            failed,
            name="keychain-delete",
        )


def keychain_message(exc: BaseException, fallback: str) -> str:
    """A KeychainError's user-facing message, or ``fallback`` for anything else (logged)."""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    log.warning("Keychain operation failed: %s", type(exc).__name__)
    return fallback
