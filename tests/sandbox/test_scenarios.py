"""The sandbox's diagnosis scenarios give the intended verdict through the real client.

Issue 10: who answered (web pages with 401/403/407/429/451), which stage failed
(a stalled TLS handshake, a server that never answers), which certificate (an
inspecting proxy's CA, self-signed, expired, not yet valid, other names), and a
brand-new key that starts working after a few tries. Each runs against the
real sandbox on 127.0.0.1 with the project's own ``Checker`` -- the same path
the window's demo mode takes -- so a scenario that stops demonstrating its
diagnosis fails here. Timings are asserted by presence and order, never by
duration.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from moecheck_gui.certificates import ParsedCertificate, parse_certificate, pem_to_der
from moecheck_gui.client import Checker
from moecheck_gui.outcome import Kind, Outcome
from moecheck_gui.proxy import no_system_proxy
from moecheck_gui.sandbox import (
    DEMO_WORKSPACES,
    MODES,
    SANDBOX_CA_PEM,
    TLS_SCENARIOS,
    TLS_WORKSPACES,
    Sandbox,
    describe,
)
from moecheck_gui.sandbox import certs as sandbox_certs
from moecheck_gui.sandbox.workspaces import NEW_KEY_REJECTIONS, PAGE_SCENARIOS

DEMOS = {w.workspace_id: w for w in DEMO_WORKSPACES}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as box:
        yield box


@pytest.fixture
def os_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    """This computer's own trust store, as in the demo (nothing trusts the sandbox's CAs)."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)


@pytest.fixture
def trust_sandbox_ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Trust the sandbox's test CA (and only it), so certificates show their own problem."""
    bundle = tmp_path / "sandbox-ca.pem"
    bundle.write_text(SANDBOX_CA_PEM, encoding="ascii")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    return bundle


def demo_check(sb: Sandbox, workspace_id: str, *, timeout: float = 10.0) -> Outcome:
    """Check a demo workspace the way demo mode does: at the address the sandbox gives for it."""
    demo = DEMOS[workspace_id]
    checker = Checker(api_base=sb.api_base_for(workspace_id), system_proxy=no_system_proxy)
    try:
        return checker.check(demo.workspace_id, demo.api_key, demo.dc, timeout=timeout)
    finally:
        checker.close()


def scenario_check(sb: Sandbox, scenario: str, *, timeout: float = 10.0) -> Outcome:
    """Check DEMO_US against one TLS scenario's listener."""
    checker = Checker(api_base=sb.tls_api_base(scenario), system_proxy=no_system_proxy)
    try:
        return checker.check("DEMO_US", "demo-key-us-0001", "01", timeout=timeout)
    finally:
        checker.close()


# --------------------------------------------------------------------------- who answered


@pytest.mark.parametrize(
    ("workspace_id", "status", "title", "server", "sender"),
    [
        ("DEMO_WEBFILTER", 403, "Access Denied", "Zscaler/6.2", "Zscaler"),
        ("DEMO_EDGE_SIGNIN", 401, "401 Authorization Required", "nginx", "nginx"),
        ("DEMO_PROXY_PAGE", 407, "ERROR: Cache Access Denied", "squid/5.7", "Squid"),
        (
            "DEMO_EDGE_LIMIT",
            429,
            "Error 1015 | You are being rate limited",
            "cloudflare",
            "Cloudflare",
        ),
        ("DEMO_LEGAL_BLOCK", 451, "451 Unavailable For Legal Reasons", "FortiGate", "FortiGate"),
    ],
)
def test_web_page_demo_is_a_not_judged_proxy_verdict(
    sb: Sandbox, workspace_id: str, status: int, title: str, server: str, sender: str
) -> None:
    outcome = demo_check(sb, workspace_id)
    assert outcome.kind == Kind.PROXY, outcome
    assert outcome.http_status == status
    assert outcome.page_title == title
    assert outcome.server_header == server
    assert outcome.failed_stage is None, "an HTTP answer arrived"
    assert "not judged" in outcome.message and title in outcome.message
    assert sender in outcome.message
    assert "Do not regenerate your key" in outcome.hint
    assert len(sb.requests) == 1, "the page answered a real request"


@pytest.mark.parametrize("dc", ["01", "02"])
def test_web_page_demos_answer_whatever_the_key_or_dc(sb: Sandbox, dc: str) -> None:
    checker = Checker(api_base=sb.api_base, system_proxy=no_system_proxy)
    for workspace_id, page in PAGE_SCENARIOS.items():
        outcome = checker.check(workspace_id, "any-other-key", dc, timeout=10)
        assert (outcome.kind, outcome.http_status) == (Kind.PROXY, page.status), workspace_id


def test_page_mode_with_a_hostile_title_is_shown_plain_and_short(sb: Sandbox) -> None:
    title = "<b>Blocked</b>\x1b[31m\u202e\x07" + "A" * 10_000
    sb.set_mode("page", status=403, title=title, server="Netskope")
    outcome = demo_check(sb, "DEMO_US")
    assert outcome.kind == Kind.PROXY and outcome.http_status == 403
    assert outcome.page_title is not None and 0 < len(outcome.page_title) <= 120
    assert outcome.page_title.startswith("Blocked")
    for text in (outcome.page_title, outcome.message, outcome.hint):
        for bad in ("\x1b", "\u202e", "\x07", "<b>"):
            assert bad not in text, (bad, text)
    assert "Netskope" in outcome.message


def test_page_mode_defaults_to_a_web_filter_403(sb: Sandbox) -> None:
    sb.set_mode("page")
    outcome = demo_check(sb, "DEMO_US")
    assert (outcome.kind, outcome.http_status, outcome.page_title) == (
        Kind.PROXY,
        403,
        "Access Denied",
    )


def test_page_mode_refuses_unknown_parameters(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="does not take"):
        sb.set_mode("page", titel="typo")
    with pytest.raises(ValueError, match="non-negative number"):
        sb.set_mode("page", status="403")
    assert {"page", "reject_then_accept"} <= set(MODES)


# --------------------------------------------------------------------------- stages


def test_no_answer_demo_times_out_waiting_for_the_answer(sb: Sandbox) -> None:
    outcome = demo_check(sb, "DEMO_NO_ANSWER", timeout=1.0)
    assert outcome.kind == Kind.TIMEOUT and outcome.failed_stage == "response"
    t = outcome.timings
    assert t.connect_ms is not None and t.tls_ms is None, "plain http: no TLS stage"
    assert "waiting for the answer" in outcome.message
    assert len(sb.requests) == 1, "the request arrived; the answer never came"


def test_tls_stall_demo_names_the_tls_stage(sb: Sandbox, os_trust: None) -> None:
    outcome = demo_check(sb, "DEMO_TLS_STALL", timeout=1.0)
    assert outcome.kind == Kind.TIMEOUT and outcome.failed_stage == "tls"
    t = outcome.timings
    assert t.connect_ms is not None and t.tls_ms is not None and t.first_byte_ms is None
    assert "secure connection (TLS handshake)" in outcome.message
    assert "inspects secure traffic" in outcome.hint
    assert sb.tls_sandbox("tls_stall").requests == []


def test_tls_accepted_then_silence_is_the_response_stage(
    sb: Sandbox, trust_sandbox_ca: Path
) -> None:
    outcome = scenario_check(sb, "tls_silent", timeout=1.0)
    assert outcome.kind == Kind.TIMEOUT and outcome.failed_stage == "response"
    assert outcome.timings.tls_ms is not None, "the handshake completed"
    assert "waiting for the answer" in outcome.message
    assert len(sb.tls_sandbox("tls_silent").requests) == 1


def test_tls_ok_scenario_works_when_its_ca_is_trusted(sb: Sandbox, trust_sandbox_ca: Path) -> None:
    outcome = scenario_check(sb, "tls_ok")
    assert outcome.ok and outcome.app_name == "MoeCheck Demo (US)"
    assert outcome.timings.tls_ms is not None


# --------------------------------------------------------------------------- certificates


def test_inspected_demo_names_the_inspection_product(sb: Sandbox, os_trust: None) -> None:
    outcome = demo_check(sb, "DEMO_INSPECTED")
    assert outcome.kind == Kind.TLS and outcome.failed_stage == "tls"
    assert outcome.certificate is not None
    assert outcome.certificate.problem == "untrusted_issuer"
    assert "Zscaler Root CA" in (outcome.certificate.issuer or "")
    assert (
        "'Zscaler Root CA'" in outcome.message and "inspects encrypted traffic" in outcome.message
    )
    assert "trust store" in outcome.hint and "Do not switch verification off" in outcome.hint
    assert sb.tls_sandbox("cert_inspected").requests == [], "no request over an unverified link"


def test_self_signed_demo(sb: Sandbox, os_trust: None) -> None:
    outcome = demo_check(sb, "DEMO_SELF_SIGNED")
    assert outcome.kind == Kind.TLS
    assert outcome.certificate is not None and outcome.certificate.problem == "self_signed"
    assert "self-signed" in outcome.message
    assert sb.tls_sandbox("cert_self_signed").requests == []


@pytest.mark.parametrize(
    ("scenario", "problem", "words"),
    [
        ("cert_expired", "expired", ("expired on 2020-02-01", "clock")),
        ("cert_not_yet_valid", "not_yet_valid", ("only valid from 2098-01-01", "clock")),
        ("cert_other_name", "name_mismatch", ("portal.guest-wifi.example", "another name")),
        ("cert_inspected", "untrusted_issuer", ("Zscaler",)),
        ("cert_self_signed", "self_signed", ("self-signed",)),
    ],
)
def test_certificate_scenarios_with_the_sandbox_ca_trusted(
    sb: Sandbox, trust_sandbox_ca: Path, scenario: str, problem: str, words: tuple[str, ...]
) -> None:
    outcome = scenario_check(sb, scenario)
    assert outcome.kind == Kind.TLS and outcome.failed_stage == "tls"
    assert outcome.certificate is not None and outcome.certificate.problem == problem
    for word in words:
        assert word in outcome.message, (word, outcome.message)
    assert outcome.to_json()["certificate"]["problem"] == problem
    assert sb.tls_sandbox(scenario).requests == []


def test_without_the_ca_trusted_an_expired_certificate_reads_as_untrusted(
    sb: Sandbox, os_trust: None
) -> None:
    """Why expired/other-name are not demo workspaces: demo mode cannot trust their CA."""
    outcome = scenario_check(sb, "cert_expired")
    assert outcome.certificate is not None
    assert outcome.certificate.problem == "untrusted_issuer"
    for scenario in ("cert_expired", "cert_not_yet_valid", "cert_other_name"):
        assert scenario not in TLS_WORKSPACES.values()


def test_pre_made_certificates_are_what_they_claim() -> None:
    def parsed(pem: str) -> ParsedCertificate:
        cert = parse_certificate(pem_to_der(pem))
        assert cert is not None
        return cert

    local = parsed(sandbox_certs.LOCAL_PEM)
    assert local.names == ("localhost", "127.0.0.1", "::1")
    assert local.not_after is not None and local.not_after.year == 2099
    expired = parsed(sandbox_certs.EXPIRED_PEM)
    assert expired.not_after is not None
    assert expired.not_after.isoformat().startswith("2020-02-01")
    not_yet = parsed(sandbox_certs.NOT_YET_VALID_PEM).not_before
    assert not_yet is not None and not_yet.year == 2098
    inspected = parsed(sandbox_certs.INSPECTED_PEM)
    assert ("CN", "Zscaler Root CA") in inspected.issuer
    assert parsed(sandbox_certs.SELF_SIGNED_PEM).self_signed
    for name, spec in TLS_SCENARIOS.items():
        assert spec.note, name
        assert (spec.cert_pem is None) == spec.stall_handshake, name


# --------------------------------------------------------------------------- fresh keys


def test_new_key_demo_is_rejected_twice_then_works_then_starts_over(sb: Sandbox) -> None:
    kinds = [demo_check(sb, "DEMO_NEWKEY").kind for _ in range(2 * (NEW_KEY_REJECTIONS + 1))]
    assert kinds == [Kind.AUTH, Kind.AUTH, None, Kind.AUTH, Kind.AUTH, None]
    rejected = demo_check(sb, "DEMO_NEWKEY")
    assert "a new key can take a few minutes" in rejected.hint


def test_new_key_demo_still_rejects_a_wrong_key(sb: Sandbox) -> None:
    checker = Checker(api_base=sb.api_base, system_proxy=no_system_proxy)
    kinds = [checker.check("DEMO_NEWKEY", "wrong", "01", timeout=10).kind for _ in range(4)]
    assert kinds == [Kind.AUTH] * 4


def test_reject_then_accept_mode(sb: Sandbox) -> None:
    sb.set_mode("reject_then_accept", times=3)
    kinds = [demo_check(sb, "DEMO_US").kind for _ in range(5)]
    assert kinds == [Kind.AUTH, Kind.AUTH, Kind.AUTH, None, None]
    sb.set_mode("reject_then_accept", times=1)  # setting the mode starts the count again
    assert [demo_check(sb, "DEMO_EU").kind for _ in range(2)] == [Kind.AUTH, None]


def test_reject_then_accept_does_not_count_wrong_keys(sb: Sandbox) -> None:
    sb.set_mode("reject_then_accept")
    checker = Checker(api_base=sb.api_base, system_proxy=no_system_proxy)
    for _ in range(3):
        assert checker.check("DEMO_US", "wrong", "01", timeout=10).kind == Kind.AUTH
    assert [demo_check(sb, "DEMO_US").kind for _ in range(3)] == [Kind.AUTH, Kind.AUTH, None]


# --------------------------------------------------------------------------- demo list, lifecycle


def test_every_new_diagnosis_has_a_labelled_demo_workspace() -> None:
    ids = [w.workspace_id for w in DEMO_WORKSPACES]
    assert len(ids) == len(set(ids))
    for workspace_id in [*PAGE_SCENARIOS, *TLS_WORKSPACES, "DEMO_NO_ANSWER", "DEMO_NEWKEY"]:
        demo = DEMOS[workspace_id]
        assert len(demo.note) > 20 and demo.note.isascii(), demo
        assert not demo.note.startswith("works on"), "only demos that work at once say that"


def test_api_base_for_routes_only_tls_demos(sb: Sandbox) -> None:
    assert sb.api_base_for("DEMO_US") == sb.api_base
    assert sb.api_base_for("DEMO_WEBFILTER") == sb.api_base
    stall = sb.api_base_for(" DEMO_TLS_STALL ")
    assert stall.startswith("https://127.0.0.1:") and stall != sb.api_base
    assert sb.api_base_for("DEMO_TLS_STALL") == stall, "one listener per scenario"
    with pytest.raises(ValueError, match="Unknown TLS scenario"):
        sb.tls_api_base("cert_typo")


def test_describe_gives_the_tls_demos_their_address(sb: Sandbox) -> None:
    text = describe(sb)
    for workspace_id in TLS_WORKSPACES:
        assert f"{workspace_id}: {sb.api_base_for(workspace_id)}" in text
    assert text.isascii()


def test_stop_stops_the_tls_listeners_too(os_trust: None) -> None:
    box = Sandbox().start()
    base = box.api_base_for("DEMO_INSPECTED")
    stall = box.tls_sandbox("tls_stall")
    box.stop()
    checker = Checker(api_base=base, system_proxy=no_system_proxy)
    outcome = checker.check("DEMO_INSPECTED", "demo-key-inspected-0001", "01", timeout=5)
    assert outcome.kind == Kind.CONNECT, "nothing listens any more"
    with pytest.raises(RuntimeError):
        stall.start()
    with pytest.raises(RuntimeError, match="not running"):
        box.tls_api_base("tls_ok")
