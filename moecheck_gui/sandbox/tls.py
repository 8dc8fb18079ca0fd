"""The sandbox's TLS scenarios: certificates with something wrong, and handshakes that stall.

Why: the diagnosis names the certificate a server presented (an inspecting
proxy's CA, self-signed, expired, made for other names) and the stage that
stalled (the TLS handshake, or the answer after it). Each scenario is served
by its own small listener (a :class:`Sandbox` of its own, started on first
use by :meth:`Sandbox.tls_api_base`), because a certificate is chosen before
any request -- and so any workspace ID -- is seen.

The certificates are the pre-made, test-only ones in :mod:`.certs` (the
standard library cannot make certificates, and ``cryptography`` is not in the
frozen app). ``ssl`` can load a certificate only from a file, so each context
writes its PEMs into a private temporary folder, loads them and deletes them.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from dataclasses import dataclass

from moecheck_gui.sandbox import certs

SANDBOX_CA_PEM = certs.SANDBOX_CA_PEM
"""The CA behind ``tls_ok``, ``tls_silent`` and the expired/not-yet-valid/other-name certificates.

Trust it (``REQUESTS_CA_BUNDLE`` pointing at a file with this text) to see
those certificates' own problems rather than an untrusted issuer.
"""
INSPECTION_CA_PEM = certs.INSPECTION_CA_PEM
"""The look-alike "Zscaler Root CA" behind ``cert_inspected`` (nothing should trust it)."""


@dataclass(frozen=True)
class TlsScenario:
    """One TLS listener: the certificate it presents, or a handshake that never completes.

    ``mode`` is the sandbox mode the listener runs in once a request arrives
    (only reachable when the client trusts the certificate).
    """

    note: str
    cert_pem: str | None
    stall_handshake: bool = False
    mode: str = "normal"


TLS_SCENARIOS: dict[str, TlsScenario] = {
    "tls_ok": TlsScenario(
        "a valid certificate from the sandbox CA; answers normally", certs.LOCAL_PEM
    ),
    "tls_silent": TlsScenario(
        "completes the TLS handshake (sandbox CA), then never answers", certs.LOCAL_PEM, mode="hang"
    ),
    "tls_stall": TlsScenario("accepts TCP, never completes the TLS handshake", None, True),
    "cert_inspected": TlsScenario(
        "certificate issued by a look-alike 'Zscaler Root CA'", certs.INSPECTED_PEM
    ),
    "cert_self_signed": TlsScenario("a self-signed certificate", certs.SELF_SIGNED_PEM),
    "cert_expired": TlsScenario(
        "a certificate (sandbox CA) that expired on 2020-02-01", certs.EXPIRED_PEM
    ),
    "cert_not_yet_valid": TlsScenario(
        "a certificate (sandbox CA) valid only from 2098", certs.NOT_YET_VALID_PEM
    ),
    "cert_other_name": TlsScenario(
        "a certificate (sandbox CA) for portal.guest-wifi.example", certs.OTHER_NAME_PEM
    ),
}
"""Every TLS scenario :meth:`Sandbox.tls_api_base` serves, by name."""


def server_context(cert_pem: str) -> ssl.SSLContext:
    """A server TLS context presenting ``cert_pem`` with the shared test key."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory(prefix="moecheck-sandbox-") as folder:
        cert_path = os.path.join(folder, "cert.pem")
        key_path = os.path.join(folder, "key.pem")
        with open(cert_path, "w", encoding="ascii") as cert_file:
            cert_file.write(cert_pem)
        with open(key_path, "w", encoding="ascii") as key_file:
            key_file.write(certs.LEAF_KEY_PEM)
        context.load_cert_chain(cert_path, key_path)
    return context
