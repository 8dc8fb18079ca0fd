"""The redacted report users paste into support tickets ("Copy details")."""

from __future__ import annotations

import base64
import subprocess
import sys
import textwrap

import pytest

from moecheck_gui import __version__
from moecheck_gui.client import Checker
from moecheck_gui.outcome import Attempt, Outcome
from moecheck_gui.redaction import REDACTED
from moecheck_gui.report import render_report
from moecheck_gui.sandbox import Sandbox
from moecheck_gui.trust import describe_trust_mode

CANARY = "CANARY-KEY-7f3a9c"


def _auth_outcome(**changes: object) -> Outcome:
    outcome = Outcome(
        ok=False,
        kind="auth",
        dc="01",
        workspace_id="ABC123",
        http_status=401,
        server_message="App Secret key mismatch. Please login to the dashboard to verify key",
        server_error_type="Authentication Failed",
        request_id="req-42",
        message="MoEngage says the Data API key does not match this workspace.",
        hint="Copy the key again from the dashboard.",
        elapsed_ms=412.4,
        host="api-01.moengage.com",
        notices=("Removed a trailing newline from the Data API key.",),
    )
    return outcome.replace(**changes)


def _line(report: str, label: str) -> str:
    """The value on the line that starts with ``label:``."""
    for line in report.splitlines():
        if line.startswith(label + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {label!r} line in:\n{report}")


def test_report_holds_the_facts_support_needs() -> None:
    report = render_report(_auth_outcome())
    assert _line(report, "MoeCheck") == __version__
    assert _line(report, "OS")
    assert _line(report, "Python").startswith(sys.version.split()[0])
    assert _line(report, "Generated").endswith("UTC")
    assert "auth" in _line(report, "Result") and "FAILED" in _line(report, "Result")
    assert _line(report, "Workspace ID") == "ABC123"
    assert _line(report, "Data center") == "DC-01 — US"
    assert _line(report, "API host") == "api-01.moengage.com"
    assert _line(report, "HTTP status") == "401"
    assert "App Secret key mismatch" in _line(report, "MoEngage message")
    assert _line(report, "MoEngage error type") == "Authentication Failed"
    assert _line(report, "Request ID") == "req-42"
    assert _line(report, "Elapsed") == "412 ms"
    assert _line(report, "What to do") == "Copy the key again from the dashboard."
    assert _line(report, "Trust") == describe_trust_mode()
    assert _line(report, "Proxy") == "direct (no proxy)"
    assert "Removed a trailing newline from the Data API key." in report


def test_rate_limit_and_success_fields() -> None:
    limited = render_report(_auth_outcome(kind="rate_limited", http_status=429, retry_after_s=30))
    assert _line(limited, "Retry after") == "30 s"
    ok = render_report(
        Outcome(ok=True, kind=None, dc="101", workspace_id="W", app_name="Acme Prod")
    )
    assert _line(ok, "Result").startswith("OK")
    assert _line(ok, "Workspace name") == "Acme Prod"
    assert _line(ok, "Data center") == "DC-101"
    assert "Retry after" not in ok


def test_detection_lists_every_attempt() -> None:
    attempts = {
        "01": Attempt("01", False, "auth", 401, 120.0),
        "02": Attempt("02", True, None, 200, 90.0),
        "101": Attempt("101", False, "cancelled", None, 95.0),
    }
    report = render_report(_auth_outcome(ok=True, kind=None, dc="02", attempts=attempts))
    tried = report.split("Data centers tried:", 1)[1]
    assert "DC-01 — US: auth (HTTP 401, 120 ms)" in tried
    assert "DC-02 — EU: ok (HTTP 200, 90 ms)" in tried
    assert "DC-101: cancelled (95 ms)" in tried


def test_server_text_cannot_smuggle_terminal_or_bidi_tricks() -> None:
    report = render_report(
        _auth_outcome(server_message="evil\x1b[2J\u202eyek\nnext", request_id="id\x07")
    )
    assert "\x1b" not in report and "\u202e" not in report and "\x07" not in report
    assert "evil" in _line(report, "MoEngage message")


def test_proxy_and_api_base_credentials_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    # The report names the proxy the check used (from the outcome, which never holds
    # proxy credentials) and does not re-read the environment.
    monkeypatch.setenv("HTTPS_PROXY", "http://alice:s3cr3t-proxy-pw@proxy.example:3128")
    outcome = _auth_outcome(
        proxy="http://proxy.example:3128",
        proxy_source="env",
        proxy_why="HTTPS_PROXY is set in the environment",
    )
    report = render_report(outcome, api_base="https://gw-user:s3cr3t-gw-pw@127.0.0.1:8443/dc-{dc}")
    assert "s3cr3t" not in report
    assert "proxy.example:3128" in _line(report, "Proxy")
    assert _line(report, "MOECHECK_API_BASE") == f"https://{REDACTED}@127.0.0.1:8443/dc-{{dc}}"


def test_api_base_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOECHECK_API_BASE", "http://127.0.0.1:9/dc-{dc}")
    assert _line(render_report(_auth_outcome()), "MOECHECK_API_BASE") == (
        "http://127.0.0.1:9/dc-{dc}"
    )
    monkeypatch.delenv("MOECHECK_API_BASE")
    assert "MOECHECK_API_BASE" not in render_report(_auth_outcome())


def test_extra_lines_are_included_and_cleaned() -> None:
    report = render_report(_auth_outcome(), extra={"Profile": "Acme\x1b[31m prod"})
    assert _line(report, "Profile") == "Acme [31m prod"


def test_a_real_check_report_never_contains_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # A real round trip through the client and the sandbox, success and failure,
    # with whitespace around the key so the trimmed and untrimmed forms both exist.
    basic = base64.b64encode(f"CANARYWS:{CANARY}".encode()).decode()
    with Sandbox() as sandbox:
        sandbox.add_workspace("CANARYWS", CANARY, "02", "Canary Prod")
        base = sandbox.api_base
        monkeypatch.setenv("MOECHECK_API_BASE", base)
        checker = Checker()
        try:
            good = checker.check("CANARYWS", f" {CANARY}\n", "02", timeout=10)
            bad = checker.check("CANARYWS", CANARY, "01", timeout=10)
            found = checker.detect("CANARYWS", CANARY, timeout=10)
        finally:
            checker.close()
    assert good.ok and not bad.ok and found.ok
    for outcome in (good, bad, found):
        report = render_report(outcome, api_base=base)
        assert CANARY not in report
        assert basic not in report
        assert _line(report, "Workspace ID") == "CANARYWS"
    assert "Canary Prod" in render_report(good)


def test_qt_version_only_when_the_window_already_loaded_qt() -> None:
    script = textwrap.dedent(
        """
        import sys
        from moecheck_gui.outcome import Outcome
        from moecheck_gui.report import render_report
        outcome = Outcome(ok=True, kind=None, dc="01", workspace_id="W", app_name="A")
        before = render_report(outcome)
        assert "PySide6" not in sys.modules, "render_report imported Qt"
        import PySide6.QtCore
        after = render_report(outcome)
        print("Qt:" in before, [l for l in after.splitlines() if l.startswith("Qt:")])
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    before, qt_lines = proc.stdout.strip().split(" ", 1)
    assert before == "False"
    assert "PySide6" in qt_lines


def test_report_shows_the_timeline_certificate_and_who_answered() -> None:
    from moecheck_gui.outcome import CertificateInfo, Timings

    outcome = _auth_outcome(
        kind="tls",
        http_status=None,
        failed_stage="tls",
        timings=Timings(dns_ms=2, connect_ms=40, tls_ms=10_000, total_ms=10_050),
        certificate=CertificateInfo(
            subject="CN=api-01.moengage.com",
            issuer="CN=Zscaler Intermediate Root CA, O=Zscaler Inc.",
            names=("api-01.moengage.com",),
            not_before="2026-01-01T00:00:00Z",
            not_after="2027-01-01T00:00:00Z",
            problem="untrusted_issuer",
        ),
        page_title="Access Denied",
        server_header="Zscaler/6.2",
    )
    report = render_report(outcome)
    assert _line(report, "Failed stage") == "tls"
    assert "TLS handshake" in report and "<- failed here" in report
    assert "Zscaler Intermediate Root CA" in _line(report, "  Issuer")
    assert _line(report, "  Problem") == "untrusted_issuer"
    assert _line(report, "Page title") == "Access Denied"
    assert _line(report, "Answered by (Server header)") == "Zscaler/6.2"
