"""A local stand-in for MoEngage's Test Connection endpoint, served on 127.0.0.1.

Why it exists: MoeCheck must be tried, demonstrated and tested without real
MoEngage credentials and without the internet. The sandbox speaks the documented
wire format (PRODUCT.md section 2) and checks it *strictly*, so a client bug
(a missing ``MOE-APPKEY``, ``region`` not matching the host, a wrong
Content-Type) shows up as a 400 that names the problem instead of passing
silently. It can also misbehave on demand (:meth:`Sandbox.set_mode`, and the
"scenario" demo workspaces) so every outcome kind and diagnosis can be produced
on purpose: slow, hanging, trickling, resetting, gzip-bomb, captive-portal,
redirect, a web filter's block page, a stalled TLS handshake, a certificate
from an inspecting proxy, a brand-new key...

The parts: :mod:`.server` (the Sandbox), :mod:`.handler` (one connection),
:mod:`.answers` (what to answer), :mod:`.wire` (the format it checks),
:mod:`.modes`, :mod:`.pages`, :mod:`.workspaces` (the demo logins),
:mod:`.tls` and :mod:`.certs` (TLS scenarios and their test-only certificates).
Only the standard library is used. Nothing here logs an API key or an
``Authorization`` value.
"""

from __future__ import annotations

from moecheck_gui.sandbox.modes import MODES
from moecheck_gui.sandbox.server import Sandbox, describe
from moecheck_gui.sandbox.tls import INSPECTION_CA_PEM, SANDBOX_CA_PEM, TLS_SCENARIOS
from moecheck_gui.sandbox.wire import ENDPOINT_PATH, MAX_BODY, RecordedRequest
from moecheck_gui.sandbox.workspaces import (
    DC_CODES,
    DEMO_WORKSPACES,
    TLS_WORKSPACES,
    DemoWorkspace,
)

__all__ = [
    "DC_CODES",
    "DEMO_WORKSPACES",
    "ENDPOINT_PATH",
    "INSPECTION_CA_PEM",
    "MAX_BODY",
    "MODES",
    "SANDBOX_CA_PEM",
    "TLS_SCENARIOS",
    "TLS_WORKSPACES",
    "DemoWorkspace",
    "RecordedRequest",
    "Sandbox",
    "describe",
]
