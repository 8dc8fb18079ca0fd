"""Write ``moecheck_gui/sandbox/certs.py``: the sandbox's made-up, test-only certificates.

Run it (``.venv/bin/python -m tests.sandbox.make_certs``) only to change that set;
the output is committed. Why pre-made: the sandbox runs inside the frozen app's demo
mode, where ``cryptography`` (used here, through its X.509 builder) is not bundled,
and the standard library cannot make certificates. Why a Python module rather than
``.pem`` package data: every ``moecheck_gui`` module reaches the wheel and the
frozen bundles by itself; data files would need their own entries in both.

Every key here is a TEST KEY, public on purpose: it protects nothing. The CA keys are
thrown away after signing, so nobody can issue more certificates from these CAs.
The one CA named like an inspection product ("Zscaler Root CA") is a look-alike made
here, not Zscaler's: it lets the demo show how MoeCheck names an inspecting proxy.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

OUT = Path(__file__).resolve().parents[2] / "moecheck_gui" / "sandbox" / "certs.py"
LONG_AGO = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
FAR_AHEAD = dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
EXPIRED = (dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime(2020, 2, 1, tzinfo=dt.UTC))
NOT_YET = (dt.datetime(2098, 1, 1, tzinfo=dt.UTC), FAR_AHEAD)
LOCAL_NAMES: list[x509.GeneralName] = [
    x509.DNSName("localhost"),
    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    x509.IPAddress(ipaddress.ip_address("::1")),
]


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _ca(cn: str, org: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(cn, org)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(LONG_AGO)
        .not_valid_after(FAR_AHEAD)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _leaf(
    leaf_key: ec.EllipticCurvePrivateKey,
    subject: x509.Name,
    names: list[x509.GeneralName],
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    valid: tuple[dt.datetime, dt.datetime] = (LONG_AGO, FAR_AHEAD),
) -> x509.Certificate:
    """A server certificate; ``issuer`` None makes it self-signed (by the leaf key)."""
    issuer_name = subject if issuer is None else issuer[0].subject
    signing_key = leaf_key if issuer is None else issuer[1]
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),
            critical=False,
        )
    return builder.sign(signing_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def main() -> None:
    sandbox_ca = _ca("MoeCheck Sandbox Test CA", "MoeCheck sandbox (test only)")
    inspection_ca = _ca("Zscaler Root CA", "Zscaler Inc.")
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    local = _name("localhost", "MoeCheck sandbox (test only)")
    leaves = {
        "LOCAL_PEM": _leaf(leaf_key, local, LOCAL_NAMES, sandbox_ca),
        "EXPIRED_PEM": _leaf(leaf_key, local, LOCAL_NAMES, sandbox_ca, EXPIRED),
        "NOT_YET_VALID_PEM": _leaf(leaf_key, local, LOCAL_NAMES, sandbox_ca, NOT_YET),
        "OTHER_NAME_PEM": _leaf(
            leaf_key,
            _name("portal.guest-wifi.example", "Guest Wi-Fi (test only)"),
            [x509.DNSName("portal.guest-wifi.example"), x509.DNSName("*.guest-wifi.example")],
            sandbox_ca,
        ),
        "INSPECTED_PEM": _leaf(leaf_key, local, LOCAL_NAMES, inspection_ca),
        "SELF_SIGNED_PEM": _leaf(
            leaf_key, _name("localhost", "Self-signed server (test only)"), LOCAL_NAMES, None
        ),
    }
    key_pem = leaf_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    parts = [
        '"""The sandbox\'s made-up certificates: TEST ONLY, the private key is public on purpose.\n'
        "\n"
        "Generated by ``tests/sandbox/make_certs.py`` (do not edit by hand). Every server\n"
        "certificate shares :data:`LEAF_KEY_PEM`, which protects nothing. The two CAs' keys\n"
        "were thrown away after signing. ``Zscaler Root CA`` is a look-alike made for the\n"
        "demo, not Zscaler's certificate. Valid until 2099 except the expired (January\n"
        "2020) and not-yet-valid (from 2098) ones.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n",
        _const(
            "SANDBOX_CA_PEM",
            _pem(sandbox_ca[0]),
            "The sandbox's own test CA (trusted only by tests that say so).",
        ),
        _const(
            "INSPECTION_CA_PEM",
            _pem(inspection_ca[0]),
            "A look-alike 'Zscaler Root CA' (made here; nothing trusts it).",
        ),
    ]
    notes = {
        "LOCAL_PEM": "localhost, 127.0.0.1 and ::1, from the sandbox CA: valid.",
        "EXPIRED_PEM": "The same names, from the sandbox CA, valid only in January 2020.",
        "NOT_YET_VALID_PEM": "The same names, from the sandbox CA, valid only from 2098.",
        "OTHER_NAME_PEM": "portal.guest-wifi.example (and *.), from the sandbox CA.",
        "INSPECTED_PEM": "localhost, 127.0.0.1 and ::1, from the look-alike 'Zscaler Root CA'.",
        "SELF_SIGNED_PEM": "localhost, 127.0.0.1 and ::1, signed by its own key.",
    }
    for name, cert in leaves.items():
        parts.append(_const(name, _pem(cert), notes[name]))
    parts.append(_const("LEAF_KEY_PEM", key_pem, "TEST KEY of every server certificate above."))
    OUT.write_text("".join(parts).rstrip() + "\n", encoding="ascii")


def _const(name: str, pem: str, doc: str) -> str:
    return f'{name} = """\\\n{pem}"""\n"""{doc}"""\n\n'


if __name__ == "__main__":
    main()
