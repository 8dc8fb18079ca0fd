"""The values the proxy choice hands around: a route, a system setting, the errors.

Why separate: the OS readers, the PAC runner and the chooser all speak these
types, and the client only ever needs this module's names to use a route.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol
from urllib.parse import quote, urlsplit

from moecheck_gui.i18n import _

Source = Literal["env", "pac", "system"]
"""Where a choice came from, as PRODUCT.md 3.4 ``proxy_source`` spells it."""


class CancelLike(Protocol):
    """What the proxy choice needs of a cancel token (the client's CancelToken fits)."""

    @property
    def cancelled(self) -> bool: ...  # pragma: no cover - protocol


class ProxyConfigError(Exception):
    """The proxy setting could not be used: a PAC that cannot be fetched or run, a bad URL.

    ``str()`` is one user-facing sentence that names the PAC URL (or the
    setting) and the error. The client turns it into a ``proxy`` outcome with
    ``failed_stage`` ``proxy``; it is never a reason to go direct silently.
    """

    def __init__(
        self,
        message: str,
        *,
        source: Source | None,
        pac_url: str | None = None,
        setting: str | None = None,
        timed_out: bool = False,
        reason: str = "fetch",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        """``"fetch"``, ``"too_large"``, ``"run"``, ``"answer"`` or ``"setting"``."""
        self.source: Source | None = source
        self.pac_url = pac_url
        self.setting = setting
        """The variable or OS setting that was at fault, e.g. ``"HTTPS_PROXY"``."""
        self.timed_out = timed_out
        """True when the overall deadline (not the PAC itself) ended the work."""


class ProxyCancelled(Exception):
    """The caller's cancel token fired while the proxy was being chosen."""


@dataclass(frozen=True)
class ProxyRoute:
    """One way to reach the target: through one proxy, or direct (``proxy_url`` None).

    ``proxy_url`` is ``scheme://host:port`` without credentials: safe to show,
    log and put in JSON. Credentials (from a proxy URL in the environment, or
    given later with :meth:`with_credentials`) live in fields that ``repr``
    never shows; only :meth:`connect_url` puts them back, for the HTTP library.
    """

    proxy_url: str | None
    source: Source | None
    pac_url: str | None
    why: str
    username: str | None = field(default=None, repr=False, compare=False)
    password: str | None = field(default=None, repr=False, compare=False)

    @property
    def is_direct(self) -> bool:
        """True for a direct connection (no proxy)."""
        return self.proxy_url is None

    @property
    def has_credentials(self) -> bool:
        """True when a user name (and maybe password) goes with this proxy."""
        return self.username is not None

    @property
    def host_port(self) -> str | None:
        """``host:port`` of the proxy, for sentences like "through proxy.corp:8080"."""
        if self.proxy_url is None:
            return None
        return self.proxy_url.split("://", 1)[-1]

    def connect_url(self) -> str | None:
        """The proxy URL for ``requests``' ``proxies`` (credentials included). Never show it."""
        if self.proxy_url is None or self.username is None:
            return self.proxy_url
        scheme, rest = self.proxy_url.split("://", 1)
        userinfo = quote(self.username, safe="")
        if self.password is not None:
            userinfo += ":" + quote(self.password, safe="")
        return f"{scheme}://{userinfo}@{rest}"

    def requests_proxies(self) -> dict[str, str]:
        """The ``proxies`` mapping for ``requests`` (empty for a direct route)."""
        url = self.connect_url()
        return {"http": url, "https": url} if url else {}

    def with_credentials(self, username: str, password: str | None) -> ProxyRoute:
        """The same route, signing in to the proxy with these (e.g. from the keychain)."""
        return replace(self, username=username, password=password)

    def describe(self) -> str:
        """Words for ``-v``, the window and the report: which way, and why."""
        if self.proxy_url is None:
            # Translators: {why} says where the choice came from.
            return _("direct (no proxy): {why}").format(why=self.why)
        return _("through proxy {proxy} ({url}): {why}").format(
            proxy=self.host_port, url=self.proxy_url, why=self.why
        )


@dataclass(frozen=True)
class SystemProxy:
    """The operating system's proxy setting, as read (not yet applied to a URL).

    Every OS reader produces this, so the chooser applies one set of rules:
    automatic detection first, then the PAC URL, then the manual proxy (the
    order browsers use), with the exceptions list for the manual proxy.
    """

    platform: str
    """``"Windows"``, ``"macOS"`` or ``"GNOME"``: named in the route's ``why``."""
    https_proxy: str | None = None
    """Manual proxy for https URLs, as ``host:port`` or ``scheme://host:port``."""
    http_proxy: str | None = None
    """Manual proxy for plain http URLs."""
    bypass: tuple[str, ...] = ()
    """Exceptions to the manual proxy: host patterns, IPs, CIDR ranges."""
    bypass_simple_hosts: bool = False
    """Windows ``<local>`` / macOS ExcludeSimpleHostnames: no proxy for dot-less names."""
    pac_url: str | None = None
    auto_detect: bool = False
    """WPAD: look for ``http://wpad.<domain>/wpad.dat``."""

    @property
    def is_empty(self) -> bool:
        """True when the setting says "no proxy" (direct)."""
        return not (self.https_proxy or self.http_proxy or self.pac_url or self.auto_detect)


class SystemProxyError(Exception):
    """The OS proxy setting exists but could not be read; ``str()`` says what failed."""


class Deadline:
    """An absolute point in ``time.monotonic()`` time, shared by every step of a plan."""

    def __init__(self, at: float) -> None:
        self.at = at

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """A deadline ``seconds`` from now."""
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.at - time.monotonic())

    @property
    def passed(self) -> bool:
        """True once the deadline is reached."""
        return time.monotonic() >= self.at


def split_proxy_url(
    value: str, *, default_scheme: str = "http"
) -> tuple[str, str | None, str | None]:
    """Split a proxy setting into (display URL, user, password).

    Accepts ``host:port``, ``scheme://host:port`` and ``scheme://user:pass@host:port``
    (user and password percent-decoded). The display URL always has a port.
    Raises ValueError with a message that never contains the password.
    """
    from urllib.parse import unquote

    text = value.strip()
    if "://" not in text:
        text = f"{default_scheme}://{text}"
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(
            _("the proxy scheme '{scheme}' is not supported (use http:// or https://)").format(
                scheme=scheme
            )
        )
    try:
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise ValueError(_("the proxy address has an invalid port")) from exc
    if not host:
        raise ValueError(_("the proxy address has no host name"))
    if port is None:
        port = 443 if scheme == "https" else 80
    shown_host = f"[{host}]" if ":" in host else host
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return f"{scheme}://{shown_host}:{port}", user, password
