"""Which certificates MoeCheck trusts, decided in one place.

Why this module exists: corporate networks re-sign TLS with a company CA that IT
installs in the operating system's trust store, so by default we verify against
the OS store (through ``truststore``) rather than a bundled list. When a user or
admin sets ``REQUESTS_CA_BUNDLE`` or ``SSL_CERT_FILE`` that file (or folder)
replaces the roots, as PRODUCT.md 3.5 promises. Verification is never turned off.

Frozen Linux builds carry their own OpenSSL, whose compiled-in certificate path
points into the build machine; :func:`linux_ca_bundle` finds the distribution's
bundle instead, falling back to certifi's when nothing else exists.

Words for people are translated; the report asks for English ones
(``describe(translate=False)``) because MoEngage support reads it.
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
from dataclasses import dataclass

from moecheck_gui.i18n import _

CA_ENV_VARS = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
"""Environment variables that replace the trust roots, in order of precedence."""

LINUX_CA_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Arch, Alpine, Gentoo
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL, CentOS
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # Fedora, RHEL (extracted)
    "/etc/ssl/ca-bundle.pem",  # openSUSE, SLES
    "/var/lib/ca-certificates/ca-bundle.pem",  # openSUSE (extracted)
    "/etc/ssl/cert.pem",  # Alpine, macOS-style layouts
)


class TrustError(Exception):
    """The configured trust roots could not be loaded; ``str()`` is user-facing."""


@dataclass(frozen=True)
class TrustConfig:
    """Where trust roots come from: the OS store, or a file/folder named by an env var."""

    source: str
    """``"os"`` or the environment variable that named the bundle."""
    path: str | None = None

    def describe(self, *, translate: bool = True) -> str:
        """Words for reports and ``-v``: which roots verified the server.

        In the user's language, or English with ``translate=False`` (the report).
        """
        if self.source == "os":
            english = "operating system trust store (truststore)"
            # Translators: "truststore" is the name of a Python library: keep it.
            return _("operating system trust store (truststore)") if translate else english
        if not translate:
            return f"CA bundle from {self.source}: {self.path}"
        # Translators: {variable} is REQUESTS_CA_BUNDLE or SSL_CERT_FILE; {path} a file.
        return _("CA bundle from {variable}: {path}").format(variable=self.source, path=self.path)


def current_config(environ: dict[str, str] | None = None) -> TrustConfig:
    """Read the trust configuration from the environment as it is right now."""
    env = os.environ if environ is None else environ
    for name in CA_ENV_VARS:
        value = env.get(name, "").strip()
        if value:
            return TrustConfig(source=name, path=value)
    return TrustConfig(source="os")


def describe_trust_mode(*, translate: bool = True) -> str:
    """One line naming the trust roots a check started now would use (see ``describe``)."""
    return current_config().describe(translate=translate)


def linux_ca_bundle() -> str | None:
    """The distribution's CA bundle when OpenSSL's own default path is missing.

    Returns None when OpenSSL's compiled-in defaults already point at real
    certificates (the normal, unfrozen case), so nothing is overridden.
    """
    paths = ssl.get_default_verify_paths()
    if (paths.cafile and os.path.isfile(paths.cafile)) or (
        paths.capath and os.path.isdir(paths.capath) and os.listdir(paths.capath)
    ):
        return None
    for candidate in LINUX_CA_BUNDLES:
        if os.path.isfile(candidate):
            return candidate
    try:
        import certifi  # optional, only for odd frozen layouts

        return str(certifi.where())
    except ImportError:
        return None


def build_context(config: TrustConfig) -> ssl.SSLContext:
    """A client TLS context that always verifies certificates and host names.

    Raises :class:`TrustError` when a configured bundle cannot be read, so the
    user hears which variable points where instead of a generic TLS failure.
    """
    if config.source != "os":
        path = config.path or ""
        try:
            if os.path.isdir(path):
                ctx = ssl.create_default_context(capath=path)
            else:
                ctx = ssl.create_default_context(cafile=path)
        except (OSError, ssl.SSLError) as exc:
            raise TrustError(
                _(
                    "The certificate bundle named by {variable} ({path}) could not be read: "
                    "{error}."
                ).format(variable=config.source, path=path, error=exc.__class__.__name__)
            ) from exc
    else:
        import truststore  # deferred: costly import, only when checking

        ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if sys.platform.startswith("linux"):
            bundle = linux_ca_bundle()
            if bundle:
                ctx.load_verify_locations(cafile=bundle)
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


class ContextCache:
    """Builds the TLS context once per trust configuration and hands it out again.

    Building a context (especially loading a system bundle) costs milliseconds;
    checks repeat, so the context is reused until the environment changes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._config: TrustConfig | None = None
        self._context: ssl.SSLContext | None = None

    def get(self) -> tuple[TrustConfig, ssl.SSLContext]:
        """The current configuration and its context (built on first use or change)."""
        config = current_config()
        with self._lock:
            if self._context is None or config != self._config:
                self._context = build_context(config)
                self._config = config
            return config, self._context
