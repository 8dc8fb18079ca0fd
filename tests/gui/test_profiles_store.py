"""The Qt-free profile store: round trips, and never losing or corrupting the user's file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moecheck_gui.profiles import ProfileStore, default_path
from tests.platform_support import needs_folder_permissions, needs_xdg_dirs


@needs_xdg_dirs
def test_default_path_is_in_the_platform_config_folder(private_home: Path) -> None:
    assert default_path() == private_home / ".config" / "moecheck" / "profiles.json"


def test_round_trip_newest_first_and_last_used(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "profiles.json"
    store = ProfileStore(path)
    store.upsert("WS_A", "01", "Prod")
    store.upsert("WS_B", "101", None)
    again = ProfileStore(path)
    assert [p.workspace_id for p in again.profiles()] == ["WS_B", "WS_A"]
    assert again.get("WS_A").label == "Prod" and again.get("WS_B").dc == "101"
    assert again.last_workspace_id == "WS_B"
    assert again.get("WS_A").display_name == "Prod · WS_A · DC-01"
    assert again.remove("WS_B") and not again.remove("WS_B")
    assert ProfileStore(path).last_workspace_id is None


def test_labels_are_cleaned(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "p.json")
    profile = store.upsert("WS", "02", "  Test\u202e\n" + "x" * 80)
    assert "\u202e" not in profile.label and "\n" not in profile.label
    assert len(profile.label) <= 40


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe", b'{"version": 99}', b'{"version": 1, "profiles": [{"x": 1}]}'],
)
def test_corrupt_file_is_kept_and_moved_aside_only_on_next_save(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "profiles.json"
    path.write_bytes(content)
    store = ProfileStore(path)
    assert store.profiles() == []
    assert store.problem and "could not be loaded" in store.problem
    assert path.read_bytes() == content, "loading must not touch the file"
    store.upsert("WS_NEW", "03")
    kept = list(tmp_path.glob("profiles.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert json.loads(path.read_text())["profiles"][0]["workspace_id"] == "WS_NEW"
    assert store.problem is None


@needs_folder_permissions
def test_read_only_folder_keeps_profiles_in_memory(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        store = ProfileStore(folder / "profiles.json")
        store.upsert("WS", "01")
        assert store.get("WS") is not None
        assert store.in_memory and store.problem and "kept until MoeCheck closes" in store.problem
    finally:
        folder.chmod(0o700)


def test_unwritable_location_keeps_profiles_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder should be")
    store = ProfileStore(blocker / "profiles.json")
    store.upsert("WS", "01")
    assert store.get("WS") is not None
    assert store.in_memory and store.problem and "kept until MoeCheck closes" in store.problem


def test_in_memory_store_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    store = ProfileStore(path, in_memory=True)
    store.upsert("WS", "01")
    assert not path.exists()
