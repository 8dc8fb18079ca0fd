"""Saved workspaces ("profiles"): the non-secret half of what the window remembers.

A profile is a workspace ID, its data center and an optional label such as
"Prod" or "Test". The API key is *not* part of a profile: it lives only in the
OS keychain (see :mod:`moecheck_gui.keychain`), keyed by workspace ID. This
module never sees a key, so it cannot write one to disk.

The profiles live in one small JSON file in the platform's config folder
(``platformdirs.user_config_dir("moecheck")``). Why so careful with that file:
it is the only thing the app writes, and a marketer must never lose their saved
workspaces to a half-written or hand-edited file, nor see a traceback because
of one.

Failure policy (documented because callers show it to users):

- **Missing file**: start empty, silently.
- **Corrupt or unreadable file** (bad JSON, wrong shape, too large, permission
  denied, not UTF-8): start empty, set :attr:`ProfileStore.problem`, and leave
  the file untouched. It is moved aside to ``profiles.json.corrupt-<timestamp>``
  only at the next successful save, so nothing is destroyed unless the user has
  saved something new in its place, and the old content stays recoverable.
- **Read-only folder** (or any save failure): keep the profiles in memory for
  this session, set :attr:`ProfileStore.problem`; nothing is half-written
  because every save goes to a temporary file that is then atomically renamed.

The class is Qt-free and not thread-safe; the window uses it on the GUI thread
only (file I/O here is a few hundred bytes on local disk, not network or
keychain I/O).

Languages: ``problem`` and the reasons in it are translated; log lines (for
developers) and the file's contents are not.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from moecheck_gui.atomic_file import move_aside, write_atomically
from moecheck_gui.i18n import _

log = logging.getLogger(__name__)

FILE_NAME = "profiles.json"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 256 * 1024
"""A profiles file bigger than this is not ours (or was damaged): treat it as corrupt."""
MAX_PROFILES = 200
MAX_LABEL = 40
_LABEL_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_WORKSPACE_RE = re.compile(r"[\x21-\x7e]{1,256}")


def default_path() -> Path:
    """Where profiles live: the platform config folder, resolved now (tests change HOME/XDG)."""
    return Path(platformdirs.user_config_dir("moecheck", appauthor=False)) / FILE_NAME


def clean_label(label: str) -> str:
    """A label safe to show and store: no control/bidi characters, trimmed, at most 40 chars."""
    text = _LABEL_UNSAFE.sub(" ", label)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_LABEL].rstrip()


def now_iso() -> str:
    """The current time as an ISO 8601 string in UTC, the format of ``last_used``."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Profile:
    """One saved workspace. Deliberately has no field for the API key."""

    workspace_id: str
    dc: str
    """A DC code (``"01"``, ``"101"``) or ``"auto"`` when it was never determined."""
    label: str = ""
    last_used: str = ""
    """ISO 8601 UTC timestamp of the last check with this workspace; sorts newest first."""

    @property
    def display_name(self) -> str:
        """How the profile is listed: ``"Prod · 12AB34 · DC-01"``."""
        dc = "auto" if self.dc == "auto" else f"DC-{self.dc}"
        parts = [self.label, self.workspace_id, dc] if self.label else [self.workspace_id, dc]
        return " · ".join(parts)

    def to_json(self) -> dict[str, str]:
        """The on-disk shape of one profile."""
        return {
            "workspace_id": self.workspace_id,
            "dc": self.dc,
            "label": self.label,
            "last_used": self.last_used,
        }


class ProfileFileError(ValueError):
    """The profiles file exists but cannot be used; ``str()`` is written for the user."""


def _profile_from_json(item: object) -> Profile:
    if not isinstance(item, dict):
        raise ProfileFileError(_("an entry is not an object"))
    ws = item.get("workspace_id")
    dc = item.get("dc", "auto")
    label = item.get("label", "")
    last_used = item.get("last_used", "")
    if not isinstance(ws, str) or not _WORKSPACE_RE.fullmatch(ws):
        raise ProfileFileError(_("an entry has no valid workspace ID"))
    if not isinstance(dc, str) or not re.fullmatch(r"auto|[0-9]{2,3}", dc):
        raise ProfileFileError(_("an entry has an invalid data center"))
    if not isinstance(label, str) or not isinstance(last_used, str):
        raise ProfileFileError(_("an entry has an invalid label or date"))
    return Profile(ws, dc, clean_label(label), last_used[:40])


def parse_profiles(data: object) -> tuple[list[Profile], str | None]:
    """Validate decoded JSON; return the profiles and the last-used workspace ID.

    Raises :class:`ProfileFileError` for anything that is not a file we wrote.
    """
    if not isinstance(data, dict):
        raise ProfileFileError(_("it is not a MoeCheck profiles file"))
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise ProfileFileError(
            _("it has an unknown format version ({version})").format(version=repr(version))
        )
    items = data.get("profiles", [])
    if not isinstance(items, list):
        raise ProfileFileError(_("its profile list is damaged"))
    profiles: dict[str, Profile] = {}
    for item in items[:MAX_PROFILES]:
        profile = _profile_from_json(item)
        profiles[profile.workspace_id] = profile
    last = data.get("last_workspace_id")
    if last is not None and (not isinstance(last, str) or last not in profiles):
        last = None
    return list(profiles.values()), last


class ProfileStore:
    """Loads and saves profiles; never raises for file problems (see module docstring).

    ``problem`` holds a user-facing sentence when the file could not be read or
    written, for the window to show once; None when all is well.
    """

    def __init__(self, path: Path | None = None, *, in_memory: bool = False) -> None:
        """Load profiles from ``path`` (default: :func:`default_path`).

        ``in_memory=True`` never touches the disk (demo mode, tests).
        """
        self.path = path if path is not None else default_path()
        self.in_memory = in_memory
        self.problem: str | None = None
        self._profiles: dict[str, Profile] = {}
        self._last: str | None = None
        self._corrupt = False
        if not in_memory:
            self._load()

    # --- reading ----------------------------------------------------------

    def _load(self) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        except OSError as exc:
            self._mark_corrupt(
                _("it could not be read ({error})").format(error=exc.strerror or exc)
            )
            return
        try:
            if size > MAX_FILE_BYTES:
                raise ProfileFileError(_("it is unexpectedly large"))
            raw = self.path.read_bytes()
            data = json.loads(raw.decode("utf-8"))
            profiles, last = parse_profiles(data)
        except FileNotFoundError:
            return
        except OSError as exc:
            self._mark_corrupt(
                _("it could not be read ({error})").format(error=exc.strerror or exc)
            )
            return
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._mark_corrupt(_("it is not valid JSON"))
            return
        except ProfileFileError as exc:
            self._mark_corrupt(str(exc))
            return
        self._profiles = {p.workspace_id: p for p in profiles}
        self._last = last

    def _mark_corrupt(self, why: str) -> None:
        self._corrupt = True
        # Translators: {kept} is a file name such as "profiles.json.corrupt-<date>".
        self.problem = _(
            "Your saved workspaces could not be loaded from {path}: {why}. "
            "MoeCheck started without them and left the file as it is; it will be kept "
            "as {kept} when you next save a workspace."
        ).format(path=self.path, why=why, kept=f"{self.path.name}.corrupt-<date>")
        log.warning("Profiles file unusable (%s): %s", self.path, why)

    def profiles(self) -> list[Profile]:
        """All profiles, most recently used first."""
        return sorted(self._profiles.values(), key=lambda p: p.last_used, reverse=True)

    def get(self, workspace_id: str) -> Profile | None:
        """The profile for a workspace ID, or None."""
        return self._profiles.get(workspace_id)

    @property
    def last_workspace_id(self) -> str | None:
        """The workspace the user checked or picked most recently, if it is still saved."""
        return self._last if self._last in self._profiles else None

    # --- writing ----------------------------------------------------------

    def upsert(self, workspace_id: str, dc: str, label: str | None = None) -> Profile:
        """Add or update a profile, mark it last used, and save. Keeps an existing label if None."""
        old = self._profiles.get(workspace_id)
        new_label = clean_label(label) if label is not None else (old.label if old else "")
        profile = Profile(workspace_id, dc, new_label, now_iso())
        self._profiles[workspace_id] = profile
        if len(self._profiles) > MAX_PROFILES:
            oldest = self.profiles()[-1]
            self._profiles.pop(oldest.workspace_id, None)
        self._last = workspace_id
        self.save()
        return profile

    def set_label(self, workspace_id: str, label: str) -> Profile | None:
        """Rename a profile (labels such as Prod/Test) and save."""
        old = self._profiles.get(workspace_id)
        if old is None:
            return None
        profile = replace(old, label=clean_label(label))
        self._profiles[workspace_id] = profile
        self.save()
        return profile

    def set_last(self, workspace_id: str | None) -> None:
        """Remember which profile was picked last (restored at the next start)."""
        if workspace_id == self._last:
            return
        self._last = workspace_id
        self.save()

    def remove(self, workspace_id: str) -> bool:
        """Forget a profile; True if there was one."""
        if self._profiles.pop(workspace_id, None) is None:
            return False
        if self._last == workspace_id:
            self._last = None
        self.save()
        return True

    def to_json(self) -> dict[str, Any]:
        """The whole file's content."""
        return {
            "version": FORMAT_VERSION,
            "last_workspace_id": self.last_workspace_id,
            "profiles": [p.to_json() for p in self.profiles()],
        }

    def save(self) -> bool:
        """Write the file atomically; False (and ``problem`` set) if it could not be written."""
        if self.in_memory:
            return False
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=True) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._write_atomically(text)
        except OSError as exc:
            self.in_memory = True
            self.problem = _(
                "Could not save your workspaces to {folder} "
                "({error}). They are kept until MoeCheck closes."
            ).format(folder=self.path.parent, error=exc.strerror or exc)
            log.warning("Profiles not saved (%s): %s", self.path, exc)
            return False
        return True

    def _write_atomically(self, text: str) -> None:
        if self._corrupt:
            self._move_aside()
        write_atomically(self.path, text, prefix=".profiles-")

    def _move_aside(self) -> None:
        """Keep the unusable file next to the new one instead of overwriting it."""
        move_aside(self.path, "profiles")
        self._corrupt = False
        self.problem = None
