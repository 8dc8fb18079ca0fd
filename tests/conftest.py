"""Fixtures shared by every test: a clean environment, and trustme certificates."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from moecheck_gui import i18n

# The suite asserts English words. A developer whose locale picks another language
# gets LANGUAGE=en for this run (inherited by the commands tests start); where the
# environment already means English (CI: C.UTF-8) nothing is changed, so tests that
# set LANG for a child see exactly what a user would. In this process English is
# installed explicitly (the i18n tests choose their languages themselves).
if i18n.choose_language(None, os.environ, os_languages=()) != "en":
    os.environ["LANGUAGE"] = "en"
i18n.install("en")

_ENV_TO_CLEAR = (
    "MOECHECK_API_BASE",
    "MOECHECK_API_KEY",
    "MOECHECK_PAC_URL",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "https_proxy",
    "http_proxy",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test inherits the developer's proxy, API base or key."""
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    """A private certificate authority that nothing trusts unless a test says so."""
    return trustme.CA()


@pytest.fixture(scope="session")
def server_context(ca: trustme.CA) -> ssl.SSLContext:
    """A server TLS context with a certificate for 127.0.0.1 and localhost."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost", "::1").configure_cert(ctx)
    return ctx


@pytest.fixture
def ca_bundle(ca: trustme.CA, tmp_path: Path) -> Path:
    """The private CA as a PEM file."""
    path = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def trust_test_ca(ca_bundle: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Make the client trust the private CA (and only it) through REQUESTS_CA_BUNDLE."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_bundle))
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    yield ca_bundle
