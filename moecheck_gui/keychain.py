"""Keep a Data API key in the operating system's keychain, and nowhere else.

PRODUCT.md 3.7: the key is stored only when the user asks, only in the OS
keychain (service ``moecheck``, user name = workspace ID), and never through a
plaintext or "fail" keyring backend. ``keyring`` picks a backend on its own and
will happily pick a file on disk (``keyrings.alt``), a backend that silently
drops everything (``null``), or one that raises on every call (``fail``). A
marketer cannot tell these apart, so this module classifies the backend first
and refuses the unsafe ones with a reason in words they know, plus what to do.

Why ``keyring`` is imported inside functions: the window builds a
:class:`KeychainStore` on the GUI thread before first paint, and resolving a
backend talks to D-Bus / the Security framework. All of that happens on the
first method call, which the window makes from a worker thread.

Nothing here ever puts the key into an exception message, a ``repr`` or a log
line: backend error text is passed on only after checking it does not contain
the key.

Languages: messages, reasons and advice are translated (whole sentences with
placeholders); the keychains' product names (macOS Keychain, KWallet, ...),
backend class names, file paths, environment variable names and the backends'
own error text (``detail``) are not.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moecheck_gui.i18n import N_, _, format_list, join_sentences
from moecheck_gui.outcome import clean_server_text

if TYPE_CHECKING:  # pragma: no cover - typing only; keyring stays lazily imported
    from keyring.backend import KeyringBackend

SERVICE = "moecheck"
"""The keychain service name every saved key is filed under (PRODUCT.md 3.7)."""

PROXY_SERVICE = "moecheck-proxy"
"""The service proxy sign-ins are filed under (user name = the proxy's ``host:port``)."""

ENV_BACKEND = "PYTHON_KEYRING_BACKEND"
"""keyring's own override; when it forces an unsafe backend the reason names it."""

NO_STORE_NAME = N_("No secure keychain")
"""``StoreInfo.name`` when there is nothing MoeCheck is willing to save to (English here;
``StoreInfo.name`` holds it in the user's language)."""

# Product names: never translated.
GNOME_KEYRING_NAME = "GNOME Keyring / Secret Service"
KWALLET_NAME = "KWallet"
MACOS_NAME = "macOS Keychain"
WINDOWS_NAME = "Windows Credential Manager"

# Translators: "Passwords and Keys" is the name of GNOME's keychain application.
LOCKED_MESSAGE = N_(
    "Your keychain is locked. Unlock it (log in to your desktop session or open "
    "Passwords and Keys) and try again."
)
"""The locked-keychain message in English; errors carry it in the user's language."""

_MAX_WORKSPACE_ID = 256
_DETAIL_LIMIT = 300

# Fully qualified class names (module.Class) of the backends that really are the
# operating system's keychain. Matched against the whole MRO, so subclasses
# (keyring's own DBusKeyringKWallet4, a company's wrapper) count too.
_SECURE: dict[str, str] = {
    "keyring.backends.SecretService.Keyring": GNOME_KEYRING_NAME,
    "keyring.backends.libsecret.Keyring": GNOME_KEYRING_NAME,
    "keyring.backends.kwallet.DBusKeyring": KWALLET_NAME,
    "keyring.backends.kwallet.DBusKeyringKWallet4": KWALLET_NAME,
    "keyring.backends.macOS.Keyring": MACOS_NAME,
    "keyring.backends.Windows.WinVaultKeyring": WINDOWS_NAME,
}
_FAIL = "keyring.backends.fail.Keyring"
_NULL = "keyring.backends.null.Keyring"
_CHAINER = "keyring.backends.chainer.ChainerBackend"
# Base classes every backend shares; they say nothing about where secrets go.
_NEUTRAL_MODULES = frozenset({"builtins", "abc", "keyring.backend"})

# Serialises keyring.get_keyring(): its first call mutates keyring's globals.
_RESOLVE_LOCK = threading.Lock()


class KeychainError(Exception):
    """A keychain operation failed; ``message`` is safe to show the user.

    ``str(error) == error.message``, and neither ever contains the API key.
    ``detail`` is optional technical text (backend exception class and text,
    checked not to contain the key) for the details area and logs.
    """

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class KeychainUnavailable(KeychainError):
    """There is no usable secure keychain (missing, not running, or unsafe)."""


class KeychainLocked(KeychainError):
    """The keychain is locked, or the user dismissed the unlock prompt."""


class KeychainDenied(KeychainError):
    """The keychain refused MoeCheck access."""


class KeychainInputError(KeychainError):
    """The workspace ID or key is unusable; raised before the keychain is touched."""


@dataclass(frozen=True)
class StoreInfo:
    """Which store keys would go to, in words a user knows.

    ``name`` is e.g. ``"macOS Keychain"``, or :data:`NO_STORE_NAME` when
    ``usable`` is false; ``reason`` then says why and what to do (``None``
    when usable). ``backend_id`` is the dotted class name, for logs/reports.
    """

    name: str
    usable: bool
    reason: str | None
    backend_id: str


def _class_id(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _backend_id(backend: object) -> str:
    return _class_id(type(backend))


def _mro_ids(backend: object) -> list[str]:
    return [_class_id(c) for c in type(backend).__mro__ if c.__module__ not in _NEUTRAL_MODULES]


def _what_to_do() -> str:
    """The platform's fix for "no secure keychain", in the user's words."""
    if sys.platform == "darwin":
        return _(
            "Make sure you are logged in to your Mac and that Keychain Access opens, "
            "then restart MoeCheck."
        )
    if sys.platform == "win32":
        return _(
            "Make sure Windows Credential Manager works for your account, then restart MoeCheck."
        )
    return _(
        "To let MoeCheck remember keys, install and unlock GNOME Keyring "
        "(package gnome-keyring) or KWallet, then restart MoeCheck."
    )


def _insecure_reason(backend: object) -> str | None:
    """Why this backend must never receive a key, or None if nothing is wrong with it.

    Why by name: keyrings.alt and similar packages are optional and may not be
    importable, and a backend's module path is what tells a file from a keychain.
    """
    ids = _mro_ids(backend)
    if _FAIL in ids:
        return _("No secure keychain was found on this computer.")
    if _NULL in ids:
        return _(
            "Keychain access is switched off (keyring's “null” backend is selected), "
            "so a saved key would silently be lost."
        )
    for cls in type(backend).__mro__:
        if cls.__module__ in _NEUTRAL_MODULES:
            continue
        module = cls.__module__.lower()
        name = cls.__name__.lower()
        if (
            "keyrings.alt" in module
            or "file" in module
            or "plaintext" in module
            or "plaintext" in name
            or "encrypted" in name
        ):
            return _(
                "The selected keyring backend ({backend}) keeps passwords in "
                "a file on disk, not in your system keychain, so MoeCheck will not "
                "save your key there."
            ).format(backend=_backend_id(backend))
    return None


def _priority(backend: object) -> tuple[float | None, str | None]:
    """The backend's keyring priority, or None and why it is not viable here."""
    try:
        value = backend.priority  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - any failure means "not viable", reported below
        return None, _safe_text(exc, ())
    try:
        return float(value), None
    except (TypeError, ValueError):
        return None, _("it reports no usable priority")


def _chain_members(backend: object) -> tuple[list[Any], str | None]:
    try:
        return list(backend.backends), None  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - a broken chain is simply unusable
        return [], _safe_text(exc, ())


def _describe(backend: object, todo: str | None = None) -> tuple[StoreInfo, Any]:
    """Classify ``backend``; return its StoreInfo and the backend to actually use.

    For a chainer the backend to use is its first secure member, so a plaintext
    backend later (or earlier) in the chain is never written to or read from.
    ``todo`` is the advice appended to a refusal (default: the platform's).
    """
    advice = _what_to_do() if todo is None else todo
    backend_id = _backend_id(backend)

    def refuse(problem: str) -> tuple[StoreInfo, Any]:
        reason = join_sentences(problem, advice)
        return StoreInfo(_(NO_STORE_NAME), False, reason, backend_id), None

    if _CHAINER in _mro_ids(backend):
        members, problem = _chain_members(backend)
        for member in members:
            info, chosen = _describe(member, advice)
            if info.usable:
                via = f"{info.backend_id} (chosen from {backend_id})"  # for logs: English
                return StoreInfo(info.name, True, None, via), chosen
        found = format_list(_backend_id(m) for m in members) or _("none")
        reason = _(
            "None of the keyring backends found is a secure system keychain (found: {found})."
        ).format(found=found)
        if problem:
            reason = _("{reason} ({problem})").format(reason=reason, problem=problem)
        return refuse(reason)

    insecure = _insecure_reason(backend)
    if insecure is not None:
        return refuse(insecure)

    known = next((_SECURE[i] for i in _mro_ids(backend) if i in _SECURE), None)
    priority, problem = _priority(backend)
    if known is not None:
        if priority is None:
            if problem:
                why = _("{keychain} is not available here ({problem}).").format(
                    keychain=known, problem=problem
                )
            else:
                why = _("{keychain} is not available here.").format(keychain=known)
            return refuse(why)
        return StoreInfo(known, True, None, backend_id), backend

    if priority is None or priority <= 0:
        return refuse(
            _(
                "The keyring backend {backend} is not a recommended, secure keychain, "
                "so MoeCheck will not save your key there."
            ).format(backend=backend_id)
        )
    # An unfamiliar backend that keyring itself recommends (a third-party
    # keychain such as a password manager bridge): usable, named as it is.
    name = _("Keyring backend {backend}").format(backend=backend_id)
    return StoreInfo(name, True, None, backend_id), backend


def describe_backend(backend: object) -> StoreInfo:
    """Say which store ``backend`` is and whether MoeCheck will save keys to it."""
    return _describe(backend)[0]


def _config_file_backend() -> tuple[str, str] | None:
    """(path, backend name) when keyring's own settings file picks the backend."""
    try:
        from keyring.util import platform_

        path = platform_.config_root() / "keyringrc.cfg"
        if not path.is_file():
            return None
        import configparser

        parser = configparser.RawConfigParser()
        parser.read(path, encoding="utf-8")
        name = parser.get("backend", "default-keyring", fallback="").strip()
    except Exception:  # noqa: BLE001 - best effort: only used to word a reason
        return None
    return (str(path), name) if name else None


def _env_value() -> str:
    return clean_server_text(os.environ.get(ENV_BACKEND), limit=200) or ""


def _source_advice() -> tuple[str, str] | None:
    """(what chose the backend, what to do) when an env var or settings file chose it.

    Why: when PYTHON_KEYRING_BACKEND or keyringrc.cfg forces a plaintext backend,
    "install GNOME Keyring" is the wrong advice — the fix is to remove the setting.
    """
    if os.environ.get(ENV_BACKEND):
        return (
            _("The {variable} environment variable selects {backend}.").format(
                variable=ENV_BACKEND, backend=_env_value()
            ),
            _("Remove {variable} (or set it to your system keychain) and restart MoeCheck.").format(
                variable=ENV_BACKEND
            ),
        )
    config = _config_file_backend()
    if config is not None:
        path, name = config
        return (
            # Translators: "keyring" is the name of a Python library; {path} is a file.
            _("keyring's settings file {path} selects {backend}.").format(
                path=path, backend=clean_server_text(name, 200)
            ),
            _("Remove that setting (or point it at your system keychain) and restart MoeCheck."),
        )
    return None


def _safe_text(exc: BaseException, secrets: Iterable[str]) -> str | None:
    """``Class: text`` of ``exc`` made printable, or None if it holds a secret."""
    raw = f"{type(exc).__name__}: {exc}"
    cleaned = clean_server_text(raw, limit=_DETAIL_LIMIT)
    for secret in secrets:
        if secret and (secret in raw or (cleaned is not None and secret in cleaned)):
            return None
    return cleaned


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from (cause/context), nearest first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 8:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _class_ids(exc: BaseException) -> set[str]:
    return {_class_id(c) for c in type(exc).__mro__}


def _is_locked(exc: BaseException) -> bool:
    ids = _class_ids(exc)
    if {
        "keyring.errors.KeyringLocked",
        "secretstorage.exceptions.LockedException",
        "secretstorage.exceptions.PromptDismissedException",
    } & ids:
        return True
    if getattr(exc, "name", None) == "org.freedesktop.Secret.Error.IsLocked":
        return True
    # KWallet says this when the user cancels its unlock dialog.
    return (
        bool({"keyring.errors.PasswordSetError", "keyring.errors.PasswordDeleteError"} & ids)
        and str(exc) == "Cancelled by user"
    )


def _is_denied(exc: BaseException) -> bool:
    if isinstance(exc, PermissionError):
        return True
    name = getattr(exc, "name", None)
    if isinstance(name, str) and name.endswith(".AccessDenied"):
        return True
    if "keyring.backends.macOS.api.SecAuthFailure" in _class_ids(exc):
        return True
    # pywintypes.error from Windows Credential Manager: ERROR_ACCESS_DENIED.
    return type(exc).__name__ == "error" and getattr(exc, "winerror", None) == 5


def _is_unavailable(exc: BaseException) -> bool:
    ids = _class_ids(exc)
    if {
        "keyring.errors.InitError",
        "keyring.errors.NoKeyringError",
        "secretstorage.exceptions.SecretServiceNotAvailableException",
    } & ids:
        return True
    name = getattr(exc, "name", None)
    if isinstance(name, str) and name in {
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NoReply",
        "org.freedesktop.DBus.Error.Disconnected",
        "org.freedesktop.DBus.Error.NoServer",
    }:
        return True
    return isinstance(exc, ConnectionError | FileNotFoundError)


def _translate(
    exc: BaseException, action: str, store: str, secrets: Iterable[str]
) -> KeychainError:
    """Turn whatever a backend raised into a KeychainError the user can act on."""
    secrets = tuple(secrets)
    detail = _safe_text(exc, secrets)
    chain = list(_chain(exc))
    if any(_is_locked(e) for e in chain):
        return KeychainLocked(_(LOCKED_MESSAGE), detail)
    if any(_is_denied(e) for e in chain):
        return KeychainDenied(_denied_words(action).format(store=store), detail)
    if any(_is_unavailable(e) for e in chain):
        unreachable = _unreachable_words(action).format(store=store)
        return KeychainUnavailable(join_sentences(unreachable, _what_to_do()), detail)
    message = _failed_words(action).format(store=store)
    if detail:
        # Translators: {detail} is the keychain's own error text (not translated).
        message = join_sentences(message, _("The keychain said: {detail}").format(detail=detail))
    return KeychainError(message, detail)


# Whole sentences per action (save, load, delete), so translators never assemble
# a sentence from pieces. {store} is a keychain's product name, e.g. "macOS Keychain".


def _denied_words(action: str) -> str:
    if action == "load":
        return _(
            "{store} did not allow MoeCheck to read the saved key from it. Allow access when "
            "your system asks (or check the keychain's access settings) and try again."
        )
    if action == "delete":
        return _(
            "{store} did not allow MoeCheck to remove the saved key from it. Allow access when "
            "your system asks (or check the keychain's access settings) and try again."
        )
    return _(
        "{store} did not allow MoeCheck to save the key in it. Allow access when "
        "your system asks (or check the keychain's access settings) and try again."
    )


def _unreachable_words(action: str) -> str:
    if action == "load":
        return _("{store} could not be reached, so MoeCheck could not read the saved key from it.")
    if action == "delete":
        return _(
            "{store} could not be reached, so MoeCheck could not remove the saved key from it."
        )
    return _("{store} could not be reached, so MoeCheck could not save the key in it.")


def _failed_words(action: str) -> str:
    if action == "load":
        return _("MoeCheck could not read the saved key from {store}.")
    if action == "delete":
        return _("MoeCheck could not remove the saved key from {store}.")
    return _("MoeCheck could not save the key in {store}.")


def _workspace(workspace_id: object) -> str:
    """The workspace ID as the keychain user name, or KeychainInputError."""
    if not isinstance(workspace_id, str) or not workspace_id.strip():
        raise KeychainInputError(_("Enter a workspace ID first: the key is saved under it."))
    value = workspace_id.strip()
    if len(value) > _MAX_WORKSPACE_ID or not value.isprintable():
        raise KeychainInputError(
            _(
                "The workspace ID is not valid (it is too long or holds invisible characters), "
                "so no key can be saved under it."
            )
        )
    return value


class KeychainStore:
    """Save, load and delete a workspace's API key in the OS keychain.

    ``backend=None`` means keyring's own choice (``keyring.get_keyring()``,
    which honours ``PYTHON_KEYRING_BACKEND`` and keyringrc.cfg), resolved on
    the first method call, not here: the window constructs this on the GUI
    thread. Every method is thread-safe (one lock per store) because the
    window calls them from worker threads. Unsafe backends are refused for
    every operation with :class:`KeychainUnavailable`; there is no fallback
    to a file.

    ``service``: the keychain service entries are filed under: :data:`SERVICE`
    for API keys, :data:`PROXY_SERVICE` for the window's proxy sign-in.
    """

    def __init__(self, backend: KeyringBackend | None = None, *, service: str = SERVICE) -> None:
        self._service = service
        self._explicit = backend
        self._resolved: Any = backend
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"KeychainStore(backend={self._backend_label()})"

    def opens_the_same_elsewhere(self) -> bool:
        """True when ``KeychainStore()`` in another process reaches the same keys.

        (The OS keychain under MoeCheck's service name: the check-all child
        process builds its own store; a store given a backend object or another
        service cannot be rebuilt there.)
        """
        return self._explicit is None and self._service == SERVICE

    def _backend_label(self) -> str:
        return "auto" if self._resolved is None else _backend_id(self._resolved)

    def _raw_backend(self) -> tuple[Any, StoreInfo | None]:
        """The configured backend, or (None, why it could not be loaded)."""
        if self._resolved is not None:
            return self._resolved, None
        with _RESOLVE_LOCK:
            try:
                import keyring

                self._resolved = keyring.get_keyring()
            except Exception as exc:  # noqa: BLE001 - reported to the user as "unavailable"
                problem = _safe_text(exc, ())
                if os.environ.get(ENV_BACKEND):
                    reason = _(
                        "The {variable} environment variable selects {backend}, "
                        "which could not be loaded ({problem}). Remove {variable} (or set "
                        "it to your system keychain) and restart MoeCheck."
                    ).format(variable=ENV_BACKEND, backend=_env_value(), problem=problem)
                    backend_id = _env_value() or "unresolved"
                else:
                    reason = join_sentences(
                        _("The keychain could not be opened ({problem}).").format(problem=problem),
                        _what_to_do(),
                    )
                    backend_id = "unresolved"
                return None, StoreInfo(_(NO_STORE_NAME), False, reason, backend_id)
        return self._resolved, None

    def _target(self) -> tuple[StoreInfo, Any]:
        raw, failure = self._raw_backend()
        if failure is not None:
            return failure, None
        source = None if self._explicit is not None else _source_advice()
        if source is None:
            return _describe(raw)
        chosen_by, advice = source
        info, chosen = _describe(raw, advice)
        if not info.usable:
            reason = join_sentences(chosen_by, info.reason or "")
            info = StoreInfo(info.name, False, reason, info.backend_id)
        return info, chosen

    def _usable(self) -> tuple[StoreInfo, Any]:
        info, chosen = self._target()
        if not info.usable or chosen is None:
            reason = info.reason or join_sentences(
                _("No secure keychain is available."), _what_to_do()
            )
            raise KeychainUnavailable(reason, info.backend_id)
        return info, chosen

    def info(self) -> StoreInfo:
        """Which store this is and whether keys can be saved there; never raises."""
        with self._lock:
            return self._target()[0]

    def save(self, workspace_id: str, api_key: str) -> str:
        """Store ``api_key`` for ``workspace_id`` (replacing any old one); return the store name."""
        user = _workspace(workspace_id)
        if not isinstance(api_key, str) or not api_key.strip():
            raise KeychainInputError(_("There is no Data API key to save."))
        key = api_key.strip()
        with self._lock:
            info, backend = self._usable()
            try:
                backend.set_password(self._service, user, key)
            except Exception as exc:
                error = _translate(exc, "save", info.name, (api_key, key))
                # Chain the backend error only if its text is provably key-free.
                if error.detail is None:
                    raise error from None
                raise error from exc
            return info.name

    def load(self, workspace_id: str) -> str | None:
        """The saved key for ``workspace_id``, or None if none is saved."""
        user = _workspace(workspace_id)
        with self._lock:
            info, backend = self._usable()
            try:
                value = backend.get_password(self._service, user)
            except Exception as exc:  # noqa: BLE001 - translated for the user
                raise _translate(exc, "load", info.name, ()) from None
            return value if isinstance(value, str) and value else None

    def delete(self, workspace_id: str) -> bool:
        """Remove the saved key for ``workspace_id``; False if there was none.

        Why look first: backends report "not found" in different ways (an
        exception with backend-specific text), and a missing key is not an error.
        """
        user = _workspace(workspace_id)
        with self._lock:
            info, backend = self._usable()
            try:
                if backend.get_password(self._service, user) is None:
                    return False
                backend.delete_password(self._service, user)
            except Exception as exc:  # noqa: BLE001 - translated for the user
                raise _translate(exc, "delete", info.name, ()) from None
            return True
