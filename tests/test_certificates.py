"""Certificates named on a TLS failure: read from real loopback TLS servers (trustme certificates).

Each case is a real server on 127.0.0.1 presenting a certificate with one thing
wrong; the probe reads it with a handshake that sends nothing else, and the
diagnosis must name the problem and give the advice that fits it.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

from moecheck_gui import certificates
from moecheck_gui.certificates import (
    certificate_info,
    explain,
    fetch_presented_certificate,
    parse_certificate,
    pem_to_der,
)
from tests.servers import ScriptedServer, reply, scripted


def _context(cert: trustme.LeafCert) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    return ctx


def _self_signed_context(ca: trustme.CA, tmp_path: Path) -> ssl.SSLContext:
    """The CA's own certificate presented as the server's: subject and issuer are one."""
    pem = tmp_path / "self.pem"
    pem.write_bytes(ca.private_key_pem.bytes() + ca.cert_pem.bytes())
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(pem))
    return ctx


@pytest.fixture
def served() -> Iterator[list[ScriptedServer]]:
    servers: list[ScriptedServer] = []
    yield servers
    for server in servers:
        server.close()


def _serve(served: list[ScriptedServer], ctx: ssl.SSLContext) -> ScriptedServer:
    server = ScriptedServer(reply(200, {"status": "success", "app_name": "x"}), tls=ctx)
    served.append(server)
    return server


def test_probe_reads_the_presented_certificate_and_sends_no_request(
    served: list[ScriptedServer],
) -> None:
    ca = trustme.CA(organization_name="Zscaler Inc.")
    server = _serve(served, _context(ca.issue_cert("127.0.0.1", "localhost")))
    der = fetch_presented_certificate("127.0.0.1", server.port, timeout=5)
    assert der is not None
    cert = parse_certificate(der)
    assert cert is not None
    assert "127.0.0.1" in cert.names and "localhost" in cert.names
    assert ("O", "Zscaler Inc.") in cert.issuer
    assert server.requests == []  # only the handshake happened


def test_inspection_product_is_named_with_honest_advice(served: list[ScriptedServer]) -> None:
    ca = trustme.CA(organization_name="Zscaler Inc.")
    server = _serve(served, _context(ca.issue_cert("127.0.0.1")))
    der = fetch_presented_certificate("127.0.0.1", server.port)
    assert der is not None
    info = certificate_info(der, "127.0.0.1", verify_code=20)
    assert info is not None
    assert info.problem == "untrusted_issuer"
    assert certificates.inspection_product(info) == "Zscaler"
    message, hint = explain(info, "127.0.0.1")
    assert "Zscaler" in message and "does not trust" in message
    assert "trust store" in hint and "Do not switch verification off" in hint


def test_expired_certificate_names_the_date_and_the_clock(served: list[ScriptedServer]) -> None:
    ca = trustme.CA()
    past = datetime.now(UTC) - timedelta(days=400)
    cert = ca.issue_cert("127.0.0.1", not_before=past, not_after=past + timedelta(days=30))
    server = _serve(served, _context(cert))
    der = fetch_presented_certificate("127.0.0.1", server.port)
    assert der is not None
    info = certificate_info(der, "127.0.0.1", verify_code=None)  # as on macOS/Windows
    assert info is not None
    assert info.problem == "expired"
    assert info.not_after is not None and info.not_after.startswith(
        (past + timedelta(days=30)).strftime("%Y-%m-%d")
    )
    message, hint = explain(info, "127.0.0.1")
    assert "expired on" in message and "clock says" in message
    assert "date" in hint


def test_not_yet_valid_points_at_the_clock(served: list[ScriptedServer]) -> None:
    ca = trustme.CA()
    future = datetime.now(UTC) + timedelta(days=30)
    cert = ca.issue_cert("127.0.0.1", not_before=future, not_after=future + timedelta(days=30))
    server = _serve(served, _context(cert))
    der = fetch_presented_certificate("127.0.0.1", server.port)
    assert der is not None
    info = certificate_info(der, "127.0.0.1", verify_code=None)
    assert info is not None and info.problem == "not_yet_valid"
    message, hint = explain(info, "127.0.0.1")
    assert "only valid from" in message and "time is probably wrong" in hint


def test_wrong_names_are_listed(served: list[ScriptedServer]) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("portal.example.net", "*.example.net")
    server = _serve(served, _context(cert))
    der = fetch_presented_certificate(
        "127.0.0.1", server.port, server_hostname="api-01.moengage.com"
    )
    assert der is not None
    info = certificate_info(der, "api-01.moengage.com", verify_code=None)
    assert info is not None and info.problem == "name_mismatch"
    assert set(info.names) == {"portal.example.net", "*.example.net"}
    message, hint = explain(info, "api-01.moengage.com")
    assert "portal.example.net" in message and "not for api-01.moengage.com" in message
    assert "different server" in hint


def test_self_signed_server_certificate(served: list[ScriptedServer], tmp_path: Path) -> None:
    ca = trustme.CA(organization_name="Home Router")
    server = _serve(served, _self_signed_context(ca, tmp_path))
    der = fetch_presented_certificate("127.0.0.1", server.port)
    assert der is not None
    info = certificate_info(der, "127.0.0.1", verify_code=None)
    assert info is not None and info.problem == "self_signed"
    assert info.subject == info.issuer
    assert "self-signed" in explain(info, "127.0.0.1")[0]


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        (10, "expired"),
        (9, "not_yet_valid"),
        (18, "self_signed"),
        (19, "untrusted_issuer"),
        (20, "untrusted_issuer"),
        (62, "name_mismatch"),
    ],
)
def test_openssl_verify_code_decides_when_present(ca: trustme.CA, code: int, problem: str) -> None:
    der = pem_to_der(ca.issue_cert("127.0.0.1").cert_chain_pems[0].bytes())
    info = certificate_info(der, "127.0.0.1", verify_code=code)
    assert info is not None and info.problem == problem


def test_real_verify_failure_carries_the_code(served: list[ScriptedServer]) -> None:
    """The code comes from the exception the real verified handshake raised."""
    ca = trustme.CA()
    server = _serve(served, _context(ca.issue_cert("127.0.0.1")))
    client = ssl.create_default_context(cafile=None)
    client.load_verify_locations(cadata=trustme.CA().cert_pem.bytes().decode())  # another CA
    with (
        pytest.raises(ssl.SSLCertVerificationError) as raised,
        socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw,
    ):
        client.wrap_socket(raw, server_hostname="127.0.0.1")
    assert certificates.verify_code_of(raised.value) in (19, 20, 21)


@pytest.mark.parametrize(
    "blob",
    [b"", b"\x30", b"\x30\x82\xff\xff", b"\x30\x03\x02\x01\x01", b"\xff" * 100, b"\x30" * 5000],
)
def test_garbage_is_not_a_certificate(blob: bytes) -> None:
    assert parse_certificate(blob) is None
    assert certificate_info(blob, "h", None) is None


def test_hostile_names_are_cleaned(ca: trustme.CA) -> None:
    evil = trustme.CA(organization_name="Evil\x1b[31m Corp\u202e\n" + "A" * 500)
    der = pem_to_der(evil.issue_cert("127.0.0.1").cert_chain_pems[0].bytes())
    info = certificate_info(der, "127.0.0.1", None)
    assert info is not None and info.issuer is not None
    assert "\x1b" not in info.issuer and "\n" not in info.issuer and "\u202e" not in info.issuer
    assert len(info.issuer) < 500


def test_nothing_listening_gives_no_certificate() -> None:
    with scripted(reply(200)) as server:
        port = server.port
    assert fetch_presented_certificate("127.0.0.1", port, timeout=2) is None
