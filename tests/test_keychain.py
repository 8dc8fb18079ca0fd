"""The keychain store: real Secret Service where possible, refusals of every unsafe backend.

Tests marked ``keychain`` talk to the private GNOME Keyring that
``scripts/with-keyring`` starts (``make test`` does this). Outside that session
they skip; inside it, a Secret Service that does not answer is a failure.

Fakes, and why each is one:

* macOS Keychain, Windows Credential Manager, KWallet and libsecret cannot run
  on this Linux machine, so an in-memory backend stands in for them, filed
  under their real module/class names — which is what the store classifies by.
* The plaintext / encrypted-file backends of ``keyrings.alt`` are stood in for
  by a tiny backend under the same module name that really writes the file
  ``keyrings.alt`` writes. Installing ``keyrings.alt`` itself would register it
  with keyring for every test in the venv and change which backend the whole
  app resolves to, so it is not installed.
* A keychain that denies access, or fails with arbitrary text, cannot be
  provoked on gnome-keyring here, so a backend raising those errors stands in.
  (A locked keychain IS provoked for real, in its own keyring session.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, chainer, fail, null
from keyring.errors import InitError, KeyringLocked, NoKeyringError, PasswordSetError

from moecheck_gui.keychain import (
    LOCKED_MESSAGE,
    NO_STORE_NAME,
    SERVICE,
    KeychainDenied,
    KeychainError,
    KeychainInputError,
    KeychainLocked,
    KeychainStore,
    KeychainUnavailable,
    StoreInfo,
    describe_backend,
)

REPO = Path(__file__).resolve().parents[1]
WITH_KEYRING = REPO / "scripts" / "with-keyring"
IN_SESSION = os.environ.get("MOECHECK_IN_KEYRING_SESSION") == "1"
GNOME = "GNOME Keyring / Secret Service"
LINUX_ADVICE = "install and unlock GNOME Keyring (package gnome-keyring) or KWallet"

needs_session = pytest.mark.skipif(
    not IN_SESSION,
    reason="needs the private Secret Service: run via `make test` or "
    "`scripts/with-keyring .venv/bin/python -m pytest`",
)


# --------------------------------------------------------------------------
# Helpers (kept in this file: tests/conftest.py belongs to someone else)


def _canary() -> str:
    """A unique fake key; finding it anywhere it should not be fails a test."""
    return f"CANARY-{uuid.uuid4().hex}"


def _workspace() -> str:
    """A unique workspace ID, so tests never see each other's keychain items."""
    return f"moecheck-test-{uuid.uuid4().hex[:16]}"


def _unregistered(cls: type[Any]) -> type[Any]:
    """Take a test backend class out of keyring's registry of all backends.

    Why: every KeyringBackend subclass registers itself, and keyring's own
    backend detection would otherwise consider our fakes for the whole run.
    """
    registry = getattr(KeyringBackend, "_classes", None)
    if registry is not None:
        registry.discard(cls)
    return cls


def _memory_backend_class(module: str, name: str, priority: float = 5.0) -> type[Any]:
    """An in-memory keychain class filed under ``module.name``.

    Stands in for platform keychains that cannot run on this machine.
    """

    def __init__(self: Any) -> None:
        KeyringBackend.__init__(self)
        self.items = {}  # (service, user) -> key

    def get_password(self: Any, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self: Any, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self: Any, service: str, username: str) -> None:
        del self.items[(service, username)]

    body = {
        "__module__": module,
        "__qualname__": name,
        "priority": priority,
        "__init__": __init__,
        "get_password": get_password,
        "set_password": set_password,
        "delete_password": delete_password,
    }
    return _unregistered(type(name, (KeyringBackend,), body))


def _plaintext_file_backend_class(
    module: str = "keyrings.alt.file", name: str = "PlaintextKeyring"
) -> type[Any]:
    """A plaintext-file backend that really writes where keyrings.alt does.

    If the store ever used it, the key would land in
    ``$XDG_DATA_HOME/python_keyring/keyring_pass.cfg`` — which the tests look for.
    """

    def _file() -> Path:
        return Path(os.environ["XDG_DATA_HOME"]) / "python_keyring" / "keyring_pass.cfg"

    def get_password(self: Any, service: str, username: str) -> str | None:
        path = _file()
        if not path.exists():
            return None
        for line in path.read_text().splitlines():
            svc, _, rest = line.partition(" ")
            user, _, password = rest.partition("=")
            if (svc, user) == (service, username):
                return password
        return None

    def set_password(self: Any, service: str, username: str, password: str) -> None:
        path = _file()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as fh:
            fh.write(f"{service} {username}={password}\n")

    def delete_password(self: Any, service: str, username: str) -> None:
        _file().unlink()

    body = {
        "__module__": module,
        "__qualname__": name,
        "priority": 10.0,  # eager, as a misconfigured machine's file backend would be
        "get_password": get_password,
        "set_password": set_password,
        "delete_password": delete_password,
    }
    return _unregistered(type(name, (KeyringBackend,), body))


def _chainer_of(*members: Any) -> Any:
    """A keyring ChainerBackend over exactly ``members`` (keyring discovers its own otherwise)."""
    cls = _unregistered(type("ChainerBackend", (chainer.ChainerBackend,), {"backends": members}))
    return cls()


def _raising_backend(exc_factory: Callable[[str], BaseException]) -> Any:
    """A "macOS Keychain" whose every operation raises ``exc_factory(key_or_user)``.

    Stands in for keychain failures (access denied, odd backend errors) that
    cannot be provoked on this machine.
    """
    base = _memory_backend_class("keyring.backends.macOS", "Keyring")

    def get_password(self: Any, service: str, username: str) -> str | None:
        raise exc_factory(username)

    def set_password(self: Any, service: str, username: str, password: str) -> None:
        raise exc_factory(password)

    cls = _unregistered(
        type(
            "Keyring",
            (base,),
            {
                "__module__": "keyring.backends.macOS",
                "get_password": get_password,
                "set_password": set_password,
                "delete_password": get_password,
            },
        )
    )
    return cls()


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _assert_key_nowhere(root: Path, key: str) -> None:
    """No file was written under ``root`` at all, so the key is in none."""
    files = _files_under(root)
    holding = [p for p in files if key.encode() in p.read_bytes()]
    assert holding == [], f"the key was written to {holding}"
    assert files == [], f"a refused save still wrote files: {files}"


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and every XDG / Windows profile folder point into one empty temp folder."""
    home = tmp_path / "home"
    for sub in ("", ".local/share", ".config", ".cache", ".local/state", "AppData"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    monkeypatch.setenv("APPDATA", str(home / "AppData"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "AppData"))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    return home


@pytest.fixture
def secret_service() -> Any:
    """keyring's real Secret Service backend, talking to scripts/with-keyring's daemon.

    Inside the keyring session a silent Secret Service is a broken test setup,
    so it fails rather than skips.
    """
    import secretstorage

    try:
        connection = secretstorage.dbus_init()
        try:
            answering = secretstorage.check_service_availability(connection)
        finally:
            connection.close()
    except Exception as exc:
        pytest.fail(f"MOECHECK_IN_KEYRING_SESSION=1 but no D-Bus session answers: {exc!r}")
    if not answering:
        pytest.fail("MOECHECK_IN_KEYRING_SESSION=1 but no Secret Service answers on D-Bus")
    return SecretService.Keyring()


@pytest.fixture
def workspace_id() -> Iterator[str]:
    """A fresh workspace ID; any item left under it in the real keychain is removed after."""
    ws = _workspace()
    yield ws
    if IN_SESSION:
        _remove_real_items(ws)


def _remove_real_items(ws: str) -> None:
    import secretstorage

    try:
        connection = secretstorage.dbus_init()
    except Exception:
        return
    try:
        collection = secretstorage.get_default_collection(connection)
        if not collection.is_locked():
            for item in collection.search_items({"service": SERVICE, "username": ws}):
                item.delete()
    finally:
        connection.close()


def _real_items(ws: str) -> list[tuple[dict[str, str], bytes]]:
    """What the real Secret Service holds for (moecheck, ws): attributes and secret."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        return [
            (item.get_attributes(), item.get_secret())
            for item in collection.search_items({"service": SERVICE, "username": ws})
        ]
    finally:
        connection.close()


def _child_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a fresh interpreter: our package importable, private HOME."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHON_KEYRING_BACKEND", "PYTHONPATH"}
        and not k.startswith(("XDG_", "KEYRING_PROPERTY_"))
    }
    env.update(
        PYTHONPATH=str(REPO),
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    env.update(extra)
    return env


_CHILD_PROBE = textwrap.dedent(
    """
    import json, sys
    imported_early = "keyring" in sys.modules
    from moecheck_gui.keychain import KeychainError, KeychainStore
    store = KeychainStore()
    imported_by_ctor = "keyring" in sys.modules
    info = store.info()
    out = {
        "imported_early": imported_early,
        "imported_by_ctor": imported_by_ctor,
        "info": {"name": info.name, "usable": info.usable, "reason": info.reason,
                 "backend_id": info.backend_id},
    }
    key, ws = sys.argv[1], sys.argv[2]
    def attempt(name, fn):
        try:
            value = fn()
            out[name] = {"ok": True, "value": value == key if name == "load" else value}
        except KeychainError as exc:
            out[name] = {"ok": False, "type": type(exc).__name__, "message": str(exc)}
    attempt("save", lambda: store.save(ws, key))
    attempt("load", lambda: store.load(ws))
    attempt("delete", lambda: store.delete(ws))
    print(json.dumps(out))
    """
)


def _run_probe(env: dict[str, str], key: str, ws: str) -> dict[str, Any]:
    """Run the probe in a fresh interpreter; it must exit cleanly with one JSON line."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD_PROBE, key, ws],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(REPO),
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert key not in done.stderr
    return dict(json.loads(done.stdout))


# --------------------------------------------------------------------------
# Real Secret Service


@pytest.mark.keychain
@needs_session
def test_round_trip_lands_in_the_real_secret_service(
    secret_service: Any, workspace_id: str
) -> None:
    store = KeychainStore(secret_service)
    key = _canary()

    assert store.save(workspace_id, key) == GNOME
    # Filed where Seahorse and other tools will show it: service moecheck, user = workspace ID.
    items = _real_items(workspace_id)
    assert len(items) == 1
    attributes, secret = items[0]
    assert attributes["service"] == SERVICE
    assert attributes["username"] == workspace_id
    assert secret == key.encode()

    assert store.load(workspace_id) == key
    assert store.delete(workspace_id) is True
    assert _real_items(workspace_id) == []
    assert store.load(workspace_id) is None


@pytest.mark.keychain
@needs_session
def test_missing_key_loads_as_none_and_delete_reports_nothing_removed(
    secret_service: Any, workspace_id: str
) -> None:
    store = KeychainStore(secret_service)
    assert store.load(workspace_id) is None
    assert store.delete(workspace_id) is False


@pytest.mark.keychain
@needs_session
def test_second_save_replaces_the_key(secret_service: Any, workspace_id: str) -> None:
    store = KeychainStore(secret_service)
    old, new = _canary(), _canary()
    store.save(workspace_id, old)
    store.save(workspace_id, new)
    assert store.load(workspace_id) == new
    assert [secret for _, secret in _real_items(workspace_id)] == [new.encode()]


@pytest.mark.keychain
@needs_session
def test_pasted_whitespace_is_trimmed_from_workspace_id_and_key(
    secret_service: Any, workspace_id: str
) -> None:
    store = KeychainStore(secret_service)
    key = _canary()
    store.save(f"  {workspace_id}\n", f"{key}\n")
    assert store.load(workspace_id) == key
    assert store.load(f" {workspace_id} ") == key


@pytest.mark.keychain
@needs_session
def test_default_store_uses_the_secret_service_and_imports_keyring_lazily(
    secret_service: Any, tmp_path: Path
) -> None:
    """What the app does: KeychainStore() in a fresh process, keyring's own choice."""
    key, ws = _canary(), _workspace()
    try:
        out = _run_probe(_child_env(tmp_path), key, ws)
    finally:
        _remove_real_items(ws)
    assert out["imported_early"] is False
    assert out["imported_by_ctor"] is False, "KeychainStore() must not import keyring"
    assert out["info"] == {
        "name": GNOME,
        "usable": True,
        "reason": None,
        "backend_id": "keyring.backends.SecretService.Keyring",
    }
    assert out["save"] == {"ok": True, "value": GNOME}
    assert out["load"] == {"ok": True, "value": True}
    assert out["delete"] == {"ok": True, "value": True}


@pytest.mark.keychain
@needs_session
def test_concurrent_callers_each_get_their_own_key_back(secret_service: Any) -> None:
    """The window calls from worker threads; one shared store must keep keys apart."""
    store = KeychainStore(secret_service)
    pairs = [(_workspace(), _canary()) for _ in range(6)]
    results: dict[str, tuple[str | None, bool, str | None]] = {}
    errors: list[BaseException] = []

    def work(ws: str, key: str) -> None:
        try:
            store.save(ws, key)
            loaded = store.load(ws)
            removed = store.delete(ws)
            results[ws] = (loaded, removed, store.load(ws))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=pair) for pair in pairs]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        for ws, _ in pairs:
            _remove_real_items(ws)
    assert errors == []
    assert results == {ws: (key, True, None) for ws, key in pairs}


@pytest.mark.keychain
@needs_session
def test_chain_with_a_plaintext_file_first_writes_only_to_the_secret_service(
    secret_service: Any, workspace_id: str, isolated_home: Path
) -> None:
    plaintext = _plaintext_file_backend_class()()
    store = KeychainStore(_chainer_of(plaintext, secret_service))
    key = _canary()

    info = store.info()
    assert (info.name, info.usable) == (GNOME, True)
    assert store.save(workspace_id, key) == GNOME
    assert store.load(workspace_id) == key
    assert [secret for _, secret in _real_items(workspace_id)] == [key.encode()]
    _assert_key_nowhere(isolated_home, key)
    assert store.delete(workspace_id) is True


def _have_keyring_tools() -> bool:
    return all(shutil.which(tool) for tool in ("dbus-run-session", "gnome-keyring-daemon"))


_LOCKED_CHILD = textwrap.dedent(
    """
    import json, sys
    import secretstorage
    from moecheck_gui.keychain import KeychainError, KeychainStore
    key, ws = sys.argv[1], sys.argv[2]
    store = KeychainStore()
    out = {"saved_unlocked": store.save(ws, key)}
    connection = secretstorage.dbus_init()
    collection = secretstorage.get_default_collection(connection)
    collection.lock()
    out["locked"] = collection.is_locked()
    def attempt(name, fn):
        try:
            value = fn()
            out[name] = {"ok": True, "value": value == key if name == "load" else value}
        except KeychainError as exc:
            out[name] = {"ok": False, "type": type(exc).__name__, "message": str(exc),
                         "repr": repr(exc), "detail": exc.detail}
    attempt("save", lambda: store.save(ws, key + "-new"))
    attempt("load", lambda: store.load(ws))
    attempt("delete", lambda: store.delete(ws))
    info = store.info()
    out["info"] = [info.name, info.usable]
    # Unlocking needs a password prompt; with no display gnome-keyring's
    # prompter cannot show, so the prompt counts as dismissed.
    out["unlock_dismissed"] = collection.unlock()
    out["still_locked"] = collection.is_locked()
    print(json.dumps(out))
    """
)


@pytest.mark.keychain
@pytest.mark.skipif(
    not IN_SESSION and not _have_keyring_tools(),
    reason="needs dbus-run-session and gnome-keyring-daemon (run via `make test`)",
)
def test_locked_keychain_gives_the_unlock_message_and_never_the_key(tmp_path: Path) -> None:
    """Locks a real GNOME Keyring, in a throwaway keyring session of its own.

    Why a separate session: a locked collection can only be unlocked through a
    password prompt, which cannot show here, so locking the shared session's
    keyring would break every later keychain test.
    """
    if not _have_keyring_tools():
        pytest.fail("inside the keyring session but dbus-run-session/gnome-keyring-daemon missing")
    key, ws = _canary(), _workspace()
    env = _child_env(tmp_path)
    for name in (
        "MOECHECK_IN_KEYRING_SESSION",
        "DBUS_SESSION_BUS_ADDRESS",
        "GNOME_KEYRING_CONTROL",
    ):
        env.pop(name, None)
    script = tmp_path / "locked_child.py"
    script.write_text(_LOCKED_CHILD)
    done = subprocess.run(
        [str(WITH_KEYRING), sys.executable, str(script), key, ws],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        cwd=str(REPO),
    )
    assert done.returncode == 0, done.stderr
    assert key not in done.stdout + done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])

    assert out["saved_unlocked"] == GNOME
    assert out["locked"] is True
    for action in ("save", "load", "delete"):
        result = out[action]
        assert result["ok"] is False, f"{action} went through a locked keychain: {result}"
        assert result["type"] == "KeychainLocked"
        assert result["message"] == LOCKED_MESSAGE
    # Locked is not "missing": the window still names the store and offers to retry.
    assert out["info"] == [GNOME, True]
    assert (out["unlock_dismissed"], out["still_locked"]) == (True, True)


# --------------------------------------------------------------------------
# Refusing unsafe backends (no keyring session needed)

_PlaintextKeyring = _plaintext_file_backend_class()
_EncryptedKeyring = _plaintext_file_backend_class("keyrings.alt.file", "EncryptedKeyring")
_CompanyFileStore = _plaintext_file_backend_class("acme_tools.file_store", "Store")
_UnknownLowPriority = _memory_backend_class("acme_tools.vault", "Vault", priority=0)


@pytest.mark.parametrize(
    ("make_backend", "words"),
    [
        pytest.param(fail.Keyring, "No secure keychain was found", id="fail"),
        pytest.param(null.Keyring, "switched off", id="null"),
        pytest.param(_PlaintextKeyring, "file on disk", id="keyrings.alt-plaintext"),
        pytest.param(_EncryptedKeyring, "file on disk", id="keyrings.alt-encrypted-file"),
        pytest.param(_CompanyFileStore, "file on disk", id="any-file-module"),
        pytest.param(_UnknownLowPriority, "not a recommended", id="unknown-priority-0"),
        pytest.param(
            lambda: _chainer_of(_PlaintextKeyring(), null.Keyring()),
            "None of the keyring backends found is a secure system keychain",
            id="chainer-of-unsafe",
        ),
        pytest.param(lambda: _chainer_of(), "(found: none)", id="empty-chainer"),
    ],
)
def test_unsafe_backends_are_refused_with_a_reason_and_nothing_is_written(
    make_backend: Callable[[], Any], words: str, isolated_home: Path
) -> None:
    store = KeychainStore(make_backend())
    key, ws = _canary(), _workspace()

    info = store.info()
    assert info.usable is False
    assert info.name == NO_STORE_NAME
    assert info.reason is not None and words in info.reason
    if sys.platform.startswith("linux"):
        assert LINUX_ADVICE in info.reason

    with pytest.raises(KeychainUnavailable) as raised:
        store.save(ws, key)
    assert str(raised.value) == raised.value.message == info.reason
    assert key not in repr(raised.value)
    _assert_key_nowhere(isolated_home, key)

    # Reading and forgetting go nowhere near an unsafe backend either.
    with pytest.raises(KeychainUnavailable):
        store.load(ws)
    with pytest.raises(KeychainUnavailable):
        store.delete(ws)


def test_secret_service_that_is_not_running_is_reported_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """keyring's real Secret Service backend, pointed at a D-Bus that does not exist."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/moecheck-no-bus")
    store = KeychainStore(SecretService.Keyring())
    info = store.info()
    assert (info.name, info.usable) == (NO_STORE_NAME, False)
    assert info.reason is not None
    assert info.reason.startswith(f"{GNOME} is not available here")
    if sys.platform.startswith("linux"):
        assert LINUX_ADVICE in info.reason
    with pytest.raises(KeychainUnavailable) as raised:
        store.save(_workspace(), "some-key-value")
    assert raised.value.message == info.reason


def test_machine_without_any_keychain_says_what_to_install(tmp_path: Path) -> None:
    """Real keyring detection in a fresh process with no D-Bus session at all."""
    env = _child_env(tmp_path, DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/moecheck-no-bus")
    key, ws = _canary(), _workspace()
    out = _run_probe(env, key, ws)
    assert out["info"]["usable"] is False
    assert out["info"]["name"] == NO_STORE_NAME
    if sys.platform.startswith("linux"):
        assert LINUX_ADVICE in out["info"]["reason"]
    assert out["save"]["ok"] is False and out["save"]["type"] == "KeychainUnavailable"
    assert _files_under(tmp_path) == []


def test_env_var_forcing_the_fail_backend_is_named_in_the_reason(tmp_path: Path) -> None:
    env = _child_env(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    key, ws = _canary(), _workspace()
    out = _run_probe(env, key, ws)
    info = out["info"]
    assert info["usable"] is False
    assert info["backend_id"] == "keyring.backends.fail.Keyring"
    assert "PYTHON_KEYRING_BACKEND" in info["reason"]
    assert "keyring.backends.fail.Keyring" in info["reason"]
    assert "Remove PYTHON_KEYRING_BACKEND" in info["reason"]
    assert out["save"] == {"ok": False, "type": "KeychainUnavailable", "message": info["reason"]}
    assert out["load"]["type"] == out["delete"]["type"] == "KeychainUnavailable"


def test_env_var_forcing_a_plaintext_file_backend_is_refused(tmp_path: Path) -> None:
    """PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring, as a real importable module."""
    plugins = tmp_path / "plugins"
    module_dir = plugins / "keyrings" / "alt"
    module_dir.mkdir(parents=True)
    (module_dir / "file.py").write_text(
        textwrap.dedent(
            """
            import os
            from pathlib import Path
            from keyring.backend import KeyringBackend

            class PlaintextKeyring(KeyringBackend):
                priority = 0.5

                def _file(self):
                    return Path(os.environ["XDG_DATA_HOME"]) / "python_keyring" / "keyring_pass.cfg"

                def get_password(self, service, username):
                    path = self._file()
                    return path.read_text() if path.exists() else None

                def set_password(self, service, username, password):
                    self._file().parent.mkdir(parents=True, exist_ok=True)
                    self._file().write_text(password)

                def delete_password(self, service, username):
                    self._file().unlink()
            """
        )
    )
    home = tmp_path / "home"
    home.mkdir()
    env = _child_env(home, PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(plugins)])
    key, ws = _canary(), _workspace()
    out = _run_probe(env, key, ws)
    info = out["info"]
    assert info["usable"] is False
    assert info["backend_id"] == "keyrings.alt.file.PlaintextKeyring"
    assert "PYTHON_KEYRING_BACKEND" in info["reason"] and "file on disk" in info["reason"]
    assert out["save"]["type"] == "KeychainUnavailable"
    _assert_key_nowhere(home, key)


def test_env_var_naming_a_backend_that_cannot_load_is_explained(tmp_path: Path) -> None:
    env = _child_env(tmp_path, PYTHON_KEYRING_BACKEND="moecheck_no_such_module.Keyring")
    out = _run_probe(env, _canary(), _workspace())
    info = out["info"]
    assert info["usable"] is False
    assert "PYTHON_KEYRING_BACKEND" in info["reason"]
    assert "moecheck_no_such_module.Keyring" in info["reason"]
    assert "could not be loaded" in info["reason"]
    assert out["save"]["type"] == "KeychainUnavailable"


def test_importing_and_constructing_the_store_does_not_touch_keyring(tmp_path: Path) -> None:
    """The window builds the store on the GUI thread; keyring must wait for the first call."""
    code = (
        "import sys; from moecheck_gui.keychain import KeychainStore; "
        "KeychainStore(); print('keyring' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_child_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(REPO),
    )
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr


# --------------------------------------------------------------------------
# Store names for platforms that cannot run here (in-memory stand-ins)


@pytest.mark.parametrize(
    ("module", "name", "expected"),
    [
        ("keyring.backends.macOS", "Keyring", "macOS Keychain"),
        ("keyring.backends.Windows", "WinVaultKeyring", "Windows Credential Manager"),
        ("keyring.backends.kwallet", "DBusKeyring", "KWallet"),
        ("keyring.backends.kwallet", "DBusKeyringKWallet4", "KWallet"),
        ("keyring.backends.libsecret", "Keyring", GNOME),
        ("keyring.backends.SecretService", "Keyring", GNOME),
    ],
)
def test_platform_keychains_are_named_in_user_words(
    module: str, name: str, expected: str, isolated_home: Path
) -> None:
    backend = _memory_backend_class(module, name)()
    store = KeychainStore(backend)
    key, ws = _canary(), _workspace()

    assert store.info() == StoreInfo(expected, True, None, f"{module}.{name}")
    assert store.save(ws, key) == expected
    assert backend.items == {(SERVICE, ws): key}
    assert store.load(ws) == key
    assert store.delete(ws) is True
    assert store.delete(ws) is False
    assert backend.items == {}
    _assert_key_nowhere(isolated_home, key)


def test_subclass_of_a_platform_keychain_keeps_its_name() -> None:
    base = _memory_backend_class("keyring.backends.macOS", "Keyring")
    sub = _unregistered(type("CorpKeychain", (base,), {"__module__": "acme_tools.keychain"}))
    assert describe_backend(sub()).name == "macOS Keychain"


def test_chain_uses_its_secure_member_and_never_the_plaintext_file(isolated_home: Path) -> None:
    plaintext = _PlaintextKeyring()
    secure = _memory_backend_class("keyring.backends.Windows", "WinVaultKeyring")()
    store = KeychainStore(_chainer_of(plaintext, null.Keyring(), secure))
    key, ws = _canary(), _workspace()

    info = store.info()
    assert (info.name, info.usable, info.reason) == ("Windows Credential Manager", True, None)
    assert "keyring.backends.Windows.WinVaultKeyring" in info.backend_id
    assert store.save(ws, key) == "Windows Credential Manager"
    assert secure.items == {(SERVICE, ws): key}
    assert store.load(ws) == key
    assert store.delete(ws) is True
    _assert_key_nowhere(isolated_home, key)


def test_unfamiliar_recommended_backend_is_used_under_its_own_name() -> None:
    backend = _memory_backend_class("keyring_pass", "PasswordStoreBackend", priority=1)()
    info = describe_backend(backend)
    assert info.usable is True
    assert "keyring_pass.PasswordStoreBackend" in info.name


# --------------------------------------------------------------------------
# Errors: friendly, specific, and never the key


@pytest.mark.parametrize(
    ("make_exc", "expected"),
    [
        pytest.param(lambda _: KeyringLocked("Failed to unlock"), KeychainLocked, id="keyring"),
        pytest.param(
            lambda _: _secretstorage_error("LockedException"), KeychainLocked, id="ss-locked"
        ),
        pytest.param(
            lambda _: _secretstorage_error("PromptDismissedException"),
            KeychainLocked,
            id="prompt-dismissed",
        ),
        pytest.param(
            lambda _: PasswordSetError("Cancelled by user"), KeychainLocked, id="kwallet-cancel"
        ),
        pytest.param(lambda _: PermissionError(13, "denied"), KeychainDenied, id="denied"),
        pytest.param(lambda _: InitError("no collection"), KeychainUnavailable, id="init"),
        pytest.param(lambda _: NoKeyringError("nothing"), KeychainUnavailable, id="no-keyring"),
        pytest.param(
            lambda _: _secretstorage_error("SecretServiceNotAvailableException"),
            KeychainUnavailable,
            id="no-service",
        ),
        pytest.param(lambda _: _wrapped(KeyringLocked("x")), KeychainLocked, id="wrapped"),
    ],
)
def test_keychain_failures_become_specific_errors(
    make_exc: Callable[[str], BaseException], expected: type[KeychainError]
) -> None:
    store = KeychainStore(_raising_backend(make_exc))
    key = _canary()
    for call in (lambda: store.save("ws-1", key), lambda: store.load("ws-1")):
        with pytest.raises(KeychainError) as raised:
            call()
        error = raised.value
        assert type(error) is expected
        assert str(error) == error.message
        assert key not in f"{error} {error!r} {error.detail}"
        if expected is KeychainLocked:
            assert error.message == LOCKED_MESSAGE
        elif expected is KeychainDenied:
            assert "macOS Keychain did not allow MoeCheck" in error.message
        else:
            assert "macOS Keychain could not be reached" in error.message


def _secretstorage_error(name: str) -> BaseException:
    import secretstorage.exceptions

    error: BaseException = getattr(secretstorage.exceptions, name)("from the test")
    return error


def _wrapped(inner: BaseException) -> BaseException:
    try:
        raise inner
    except BaseException as exc:
        try:
            raise RuntimeError("backend wrapper") from exc
        except RuntimeError as outer:
            return outer


def test_backend_error_text_holding_the_key_is_never_shown() -> None:
    store = KeychainStore(_raising_backend(lambda secret: PasswordSetError(f"bad value {secret}")))
    key = _canary()
    with pytest.raises(KeychainError) as raised:
        store.save("ws-1", key)
    error = raised.value
    assert type(error) is KeychainError
    assert error.message == "MoeCheck could not save the key in macOS Keychain."
    assert error.detail is None
    assert key not in repr(error)
    # The raw backend error is not chained for a traceback to print.
    assert error.__cause__ is None and error.__suppress_context__ is True


def test_backend_error_text_without_the_key_is_passed_on() -> None:
    store = KeychainStore(_raising_backend(lambda _: PasswordSetError("disk quota\x1b[31m full")))
    with pytest.raises(KeychainError) as raised:
        store.save("ws-1", _canary())
    assert raised.value.message == (
        "MoeCheck could not save the key in macOS Keychain. "
        "The keychain said: PasswordSetError: disk quota [31m full"
    )
    assert isinstance(raised.value.__cause__, PasswordSetError)


@pytest.mark.parametrize("bad", ["", "   ", "\n", "ws\nid", "x" * 300])
def test_bad_workspace_id_is_refused_before_the_keychain_is_touched(
    bad: str, isolated_home: Path
) -> None:
    backend = _PlaintextKeyring()  # would both refuse AND write a file if reached
    store = KeychainStore(backend)
    for call in (lambda: store.save(bad, "k"), lambda: store.load(bad), lambda: store.delete(bad)):
        with pytest.raises(KeychainInputError) as raised:
            call()
        assert "workspace ID" in raised.value.message
    _assert_key_nowhere(isolated_home, "k")


def test_empty_key_is_refused_with_a_clear_message() -> None:
    backend = _memory_backend_class("keyring.backends.macOS", "Keyring")()
    store = KeychainStore(backend)
    with pytest.raises(KeychainInputError, match="There is no Data API key to save"):
        store.save("ws-1", "  \n")
    assert backend.items == {}


def test_repr_of_the_store_and_info_never_holds_a_key() -> None:
    backend = _memory_backend_class("keyring.backends.macOS", "Keyring")()
    store = KeychainStore(backend)
    key = _canary()
    store.save("ws-1", key)
    assert key not in repr(store)
    assert key not in repr(store.info())
