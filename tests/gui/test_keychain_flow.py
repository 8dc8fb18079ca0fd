"""The keychain flow on its own, without a window: store info, save, load, forget, and its words.

Most tests give the flow an in-memory keychain (a fake, on purpose: they are
about the flow's order of events and the sentences it sends, and they must run
on machines without a Secret Service). The real KeychainStore is used where it
can run anywhere (keyring's "fail" backend, which is what a machine without a
keychain has) and, under ``scripts/with-keyring``, against a real Secret Service.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from moecheck_gui.gui.keychain_flow import ANY_KEYCHAIN, KeychainFlow
from moecheck_gui.gui.providers import Providers
from moecheck_gui.gui.tasks import TaskRunner
from moecheck_gui.gui.theme import Tone
from moecheck_gui.keychain import KeychainLocked, KeychainStore, StoreInfo
from moecheck_gui.profiles import ProfileStore
from tests.gui.conftest import needs_keyring


class MemoryKeychain:
    """A usable keychain held in a dict (a fake: see the module docstring)."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}
        self.fail_with: BaseException | None = None
        self.gate: dict[str, threading.Event] = {}
        self.loads: list[str] = []

    def info(self) -> StoreInfo:
        return StoreInfo("Test Keyring", True, None, "tests.MemoryKeychain")

    def save(self, workspace_id: str, api_key: str) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        self.keys[workspace_id] = api_key
        return "Test Keyring"

    def load(self, workspace_id: str) -> str | None:
        self.loads.append(workspace_id)
        gate = self.gate.get(workspace_id)
        if gate is not None:
            gate.wait(5)
        if self.fail_with is not None:
            raise self.fail_with
        return self.keys.get(workspace_id)

    def delete(self, workspace_id: str) -> bool:
        if self.fail_with is not None:
            raise self.fail_with
        return self.keys.pop(workspace_id, None) is not None


class Recorder:
    """Every signal the flow emits, in order (the words with their tone)."""

    def __init__(self, flow: KeychainFlow) -> None:
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        for name in (
            "storeInfoReady",
            "status",
            "keySaved",
            "keyLoaded",
            "loadFinished",
            "loadingChanged",
            "profilesChanged",
            "forgotten",
        ):
            getattr(flow, name).connect(lambda *args, name=name: self.events.append((name, args)))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def statuses(self) -> list[tuple[str, Tone]]:
        return [(args[0], args[1]) for name, args in self.events if name == "status"]


@pytest.fixture
def runner(qapp: Any) -> Any:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def make(
    runner: TaskRunner, keychain: Any, tmp_path: Path, *, demo: bool = False
) -> tuple[KeychainFlow, Recorder, ProfileStore]:
    profiles = ProfileStore(tmp_path / "profiles.json", in_memory=demo)
    flow = KeychainFlow(runner, Providers(keychain=keychain), profiles=profiles, demo=demo)
    return flow, Recorder(flow), profiles


def idle(qtbot: Any, runner: TaskRunner) -> None:
    qtbot.waitUntil(lambda: runner.running_count() == 0, timeout=5000)


def test_store_info_names_the_keychain(qtbot: Any, runner: TaskRunner, tmp_path: Path) -> None:
    flow, _, _ = make(runner, MemoryKeychain(), tmp_path)
    assert flow.store_info is None and flow.store_name == ANY_KEYCHAIN
    with qtbot.waitSignal(flow.storeInfoReady, timeout=5000) as ready:
        flow.request_store_info()
    assert ready.args[0].usable and flow.store_name == "Test Keyring"


def test_no_secure_keychain_is_reported_as_unusable(
    qtbot: Any, runner: TaskRunner, tmp_path: Path
) -> None:
    import keyring.backends.fail

    # The real KeychainStore with keyring's real "fail" backend.
    flow, _, _ = make(runner, KeychainStore(backend=keyring.backends.fail.Keyring()), tmp_path)
    with qtbot.waitSignal(flow.storeInfoReady, timeout=5000) as ready:
        flow.request_store_info()
    info = ready.args[0]
    assert info is not None and not info.usable and info.reason
    assert flow.store_name == ANY_KEYCHAIN, "sentences never name a refused store"


def test_save_stores_the_key_lists_the_workspace_and_says_where(
    qtbot: Any, runner: TaskRunner, tmp_path: Path
) -> None:
    keychain = MemoryKeychain()
    flow, seen, profiles = make(runner, keychain, tmp_path)
    with qtbot.waitSignal(flow.keySaved, timeout=5000) as saved:
        flow.save("WS_ONE", "key-0001-abcdef", "03", "Prod")
    assert saved.args == ["Test Keyring"]
    assert keychain.keys == {"WS_ONE": "key-0001-abcdef"}
    profile = profiles.get("WS_ONE")
    assert profile is not None and (profile.dc, profile.label) == ("03", "Prod")
    assert seen.names() == ["profilesChanged", "status", "keySaved"]
    assert seen.events[0][1] == ("WS_ONE",), "the saved workspace is selected"
    text, tone = seen.statuses()[0]
    assert "Saved the key for WS_ONE in Test Keyring" in text and tone == Tone.SUCCESS
    saved_file = tmp_path / "profiles.json"
    assert not saved_file.exists() or "key-0001-abcdef" not in saved_file.read_text()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (KeychainLocked("The keychain is locked. Unlock it and try again."), "is locked"),
        (RuntimeError("something internal"), "The key was not saved."),
    ],
)
def test_a_failed_save_says_why_in_words(
    qtbot: Any, runner: TaskRunner, tmp_path: Path, error: BaseException, words: str
) -> None:
    keychain = MemoryKeychain()
    keychain.fail_with = error
    flow, seen, profiles = make(runner, keychain, tmp_path)
    with qtbot.waitSignal(flow.status, timeout=5000) as status:
        flow.save("WS_ONE", "key-0001-abcdef", "01", "")
    text, tone = status.args
    assert words in text and tone == Tone.ERROR
    assert "something internal" not in text, "an unexpected error's own text is not shown"
    assert profiles.get("WS_ONE") is None and "keySaved" not in seen.names()


def test_load_brings_the_key_and_says_so(qtbot: Any, runner: TaskRunner, tmp_path: Path) -> None:
    keychain = MemoryKeychain()
    keychain.keys["WS_ONE"] = "key-0001-abcdef"
    flow, seen, profiles = make(runner, keychain, tmp_path)
    profiles.upsert("WS_ONE", "01")
    with qtbot.waitSignal(flow.loadFinished, timeout=5000):
        flow.load("WS_ONE")
        assert flow.is_loading, "checking waits while the key loads"
    assert not flow.is_loading
    assert profiles.last_workspace_id == "WS_ONE"
    assert seen.names() == [
        "loadingChanged",
        "status",
        "loadingChanged",
        "keyLoaded",
        "status",
        "loadFinished",
    ]
    assert [args for name, args in seen.events if name == "loadingChanged"] == [(True,), (False,)]
    assert ("WS_ONE", "key-0001-abcdef") in [a for n, a in seen.events if n == "keyLoaded"]
    assert seen.statuses()[0] == ("Loading the saved key…", Tone.INFO)
    assert seen.statuses()[1] == ("Loaded the saved key for WS_ONE.", Tone.SUCCESS)


def test_load_of_a_missing_key_warns(qtbot: Any, runner: TaskRunner, tmp_path: Path) -> None:
    flow, seen, _ = make(runner, MemoryKeychain(), tmp_path)
    with qtbot.waitSignal(flow.loadFinished, timeout=5000):
        flow.load("WS_GONE")
    assert "keyLoaded" not in seen.names()
    text, tone = seen.statuses()[-1]
    assert "No key is saved for WS_GONE" in text and tone == Tone.WARNING


def test_a_newer_pick_drops_the_older_load(qtbot: Any, runner: TaskRunner, tmp_path: Path) -> None:
    keychain = MemoryKeychain()
    keychain.keys.update({"WS_A": "key-a-000001", "WS_B": "key-b-000002"})
    keychain.gate["WS_A"] = threading.Event()  # WS_A's load waits until released
    flow, seen, _ = make(runner, keychain, tmp_path)
    flow.load("WS_A")
    qtbot.waitUntil(lambda: "WS_A" in keychain.loads, timeout=5000)
    with qtbot.waitSignal(flow.loadFinished, timeout=5000):
        flow.load("WS_B")
    keychain.gate["WS_A"].set()
    idle(qtbot, runner)
    loaded = [args for name, args in seen.events if name == "keyLoaded"]
    assert loaded == [("WS_B", "key-b-000002")]
    assert [args for name, args in seen.events if name == "loadFinished"] == [("WS_B",)]
    assert not flow.is_loading


def test_demo_mode_never_touches_the_keychain(
    qtbot: Any, runner: TaskRunner, tmp_path: Path
) -> None:
    keychain = MemoryKeychain()
    keychain.fail_with = AssertionError("no keychain in demo mode")
    flow, seen, profiles = make(runner, keychain, tmp_path, demo=True)
    profiles.upsert("DEMO_US", "01")
    flow.load("DEMO_US")
    idle(qtbot, runner)
    assert keychain.loads == [] and seen.names() == []
    assert profiles.last_workspace_id == "DEMO_US"


def test_forget_removes_the_workspace_and_deletes_its_key(
    qtbot: Any, runner: TaskRunner, tmp_path: Path
) -> None:
    keychain = MemoryKeychain()
    keychain.keys["WS_ONE"] = "key-0001-abcdef"
    flow, seen, profiles = make(runner, keychain, tmp_path)
    profiles.upsert("WS_ONE", "01")
    with qtbot.waitSignal(flow.storeInfoReady, timeout=5000):
        flow.request_store_info()
    with qtbot.waitSignal(flow.forgotten, timeout=5000) as forgotten:
        flow.forget("WS_ONE")
        assert profiles.get("WS_ONE") is None, "the list changes at once"
    assert forgotten.args == ["WS_ONE"] and keychain.keys == {}
    assert ("profilesChanged", (None,)) in seen.events
    text, tone = seen.statuses()[-1]
    assert text == "Forgot WS_ONE and deleted its key from Test Keyring." and tone == Tone.SUCCESS


def test_forget_without_a_saved_key_says_so(qtbot: Any, runner: TaskRunner, tmp_path: Path) -> None:
    flow, seen, profiles = make(runner, MemoryKeychain(), tmp_path)
    profiles.upsert("WS_ONE", "01")
    with qtbot.waitSignal(flow.forgotten, timeout=5000):
        flow.forget("WS_ONE")
    assert seen.statuses()[-1][0] == "Forgot WS_ONE (no key was saved in the keychain)."


def test_a_failed_delete_still_reports_the_workspace_forgotten(
    qtbot: Any, runner: TaskRunner, tmp_path: Path
) -> None:
    keychain = MemoryKeychain()
    keychain.fail_with = RuntimeError("dbus went away")
    flow, seen, profiles = make(runner, keychain, tmp_path)
    profiles.upsert("WS_ONE", "01")
    with qtbot.waitSignal(flow.forgotten, timeout=5000):
        flow.forget("WS_ONE")
    text, tone = seen.statuses()[-1]
    assert "removed from the list, but its key could not be deleted" in text
    assert tone == Tone.ERROR and "dbus" not in text


@needs_keyring
@pytest.mark.keychain
def test_save_load_forget_with_the_real_secret_service(
    qtbot: Any, runner: TaskRunner, tmp_path: Path
) -> None:
    store = KeychainStore()
    if not store.info().usable:
        pytest.skip("no usable Secret Service")
    workspace_id, key = "TEST_" + uuid.uuid4().hex[:12].upper(), "key-" + uuid.uuid4().hex
    flow, seen, _ = make(runner, store, tmp_path)
    with qtbot.waitSignal(flow.keySaved, timeout=10000):
        flow.save(workspace_id, key, "01", "")
    with qtbot.waitSignal(flow.loadFinished, timeout=10000):
        flow.load(workspace_id)
    assert (workspace_id, key) in [args for name, args in seen.events if name == "keyLoaded"]
    with qtbot.waitSignal(flow.forgotten, timeout=10000):
        flow.forget(workspace_id)
    assert store.load(workspace_id) is None
    assert "deleted its key from" in seen.statuses()[-1][0]
