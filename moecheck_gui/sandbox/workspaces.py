"""The sandbox's public demo workspaces, and which ones act out a scenario.

Why public and made up: the window's demo mode and ``moecheck sandbox`` let
anyone try every result without MoEngage credentials. Each workspace's
``note`` is what the demo chooser shows next to its ID, so it says in plain
words what trying it demonstrates.

Languages: each ``note`` is our own words, marked here (``N_``) and translated
where shown (the demo chooser, ``moecheck sandbox``). ``app_name`` is not: it
is the workspace name the sandbox answers in MoEngage's place, and MoEngage's
answers are never translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from moecheck_gui.i18n import N_
from moecheck_gui.sandbox import pages
from moecheck_gui.sandbox.pages import BlockPage

DC_CODES: tuple[str, ...] = ("01", "02", "03", "04", "05", "06", "101")
"""The data centers the sandbox answers for (PRODUCT.md section 2)."""


@dataclass(frozen=True)
class DemoWorkspace:
    """A public demo credential pair the sandbox accepts (or misbehaves for).

    ``note`` says in plain words what trying it demonstrates (English, marked:
    translate it where shown with ``_(note)``); ``describe()`` prints it so a
    user can explore every outcome from the CLI or window.
    """

    workspace_id: str
    api_key: str
    dc: str
    app_name: str
    note: str


def _demo(workspace_id: str, slug: str, app_name: str, note: str) -> DemoWorkspace:
    return DemoWorkspace(workspace_id, f"demo-key-{slug}-0001", "01", app_name, note)


DEMO_WORKSPACES: tuple[DemoWorkspace, ...] = (
    DemoWorkspace("DEMO_US", "demo-key-us-0001", "01", "MoeCheck Demo (US)", N_("works on DC 01")),
    DemoWorkspace("DEMO_EU", "demo-key-eu-0001", "02", "MoeCheck Demo (EU)", N_("works on DC 02")),
    DemoWorkspace(
        "DEMO_IN", "demo-key-in-0001", "03", "MoeCheck Demo (India)", N_("works on DC 03")
    ),
    DemoWorkspace(
        "DEMO_101", "demo-key-101-0001", "101", "MoeCheck Demo (DC-101)", N_("works on DC 101")
    ),
    _demo(
        "DEMO_SUSPENDED",
        "suspended",
        "MoeCheck Demo (Suspended)",
        N_("403 account suspended (any DC, any key)"),
    ),
    _demo(
        "DEMO_BLOCKED",
        "blocked",
        "MoeCheck Demo (Blocked)",
        N_("403 blocked client (any DC, any key)"),
    ),
    _demo(
        "DEMO_RATELIMIT",
        "ratelimit",
        "MoeCheck Demo (Rate limited)",
        N_("429 too many requests, Retry-After: 30 (any DC, any key)"),
    ),
    _demo(
        "DEMO_DOWN",
        "down",
        "MoeCheck Demo (Down)",
        N_("503 with an HTML error page (any DC, any key)"),
    ),
    _demo(
        "DEMO_SLOW", "slow", "MoeCheck Demo (Slow)", N_("answers after 3 s, then works on DC 01")
    ),
    _demo(
        "DEMO_CAPTIVE",
        "captive",
        "MoeCheck Demo (Captive portal)",
        N_("200 with an HTML Wi-Fi login page (any DC, any key)"),
    ),
    # --- issue 10: who answered, which stage failed, which certificate, fresh keys ---
    _demo(
        "DEMO_WEBFILTER",
        "webfilter",
        "MoeCheck Demo (Web filter)",
        N_("403 'Access Denied' web page from a company web filter (Zscaler): key not judged"),
    ),
    _demo(
        "DEMO_EDGE_SIGNIN",
        "edge-signin",
        "MoeCheck Demo (Sign-in wall)",
        N_("401 web page from a server in front of MoEngage: key not judged"),
    ),
    _demo(
        "DEMO_PROXY_PAGE",
        "proxy-page",
        "MoeCheck Demo (Proxy page)",
        N_("407 'sign in to the proxy' web page (Squid): key not judged"),
    ),
    _demo(
        "DEMO_EDGE_LIMIT",
        "edge-limit",
        "MoeCheck Demo (Edge rate limit)",
        N_("429 web page from a network edge (Cloudflare), not MoEngage's rate limit"),
    ),
    _demo(
        "DEMO_LEGAL_BLOCK",
        "legal-block",
        "MoeCheck Demo (Legal block)",
        N_("451 'Unavailable For Legal Reasons' web page: key not judged"),
    ),
    _demo(
        "DEMO_NO_ANSWER",
        "no-answer",
        "MoeCheck Demo (No answer)",
        N_("connects, then never answers: times out waiting for the answer"),
    ),
    _demo(
        "DEMO_TLS_STALL",
        "tls-stall",
        "MoeCheck Demo (TLS stall)",
        N_("the secure connection (TLS handshake) never completes: times out"),
    ),
    _demo(
        "DEMO_INSPECTED",
        "inspected",
        "MoeCheck Demo (Inspected)",
        N_("certificate from 'Zscaler Root CA', not trusted here (an inspecting proxy)"),
    ),
    _demo(
        "DEMO_SELF_SIGNED",
        "self-signed",
        "MoeCheck Demo (Self-signed)",
        N_("self-signed certificate: something answers in MoEngage's place"),
    ),
    _demo(
        "DEMO_NEWKEY",
        "newkey",
        "MoeCheck Demo (New key)",
        N_("brand-new key: rejected (401) twice, then works on DC 01 (try Keep checking)"),
    ),
)
"""Every demo workspace, in the order the demo chooser lists them.

Certificate scenarios that need the sandbox's own CA to be trusted (expired,
not yet valid, made for other names) are not here: demo mode leaves this
computer's trust store alone, and without that trust OpenSSL reports the
untrusted issuer first, so the demo would show the wrong reason. Tests reach
them with :meth:`Sandbox.tls_api_base` and :data:`SANDBOX_CA_PEM`.
"""

SCENARIO_IDS = frozenset(
    {"DEMO_SUSPENDED", "DEMO_BLOCKED", "DEMO_RATELIMIT", "DEMO_DOWN", "DEMO_CAPTIVE"}
)
"""Scenario workspaces answered by their scenario whatever the key or DC (DEMO_SLOW only waits)."""

PAGE_SCENARIOS: dict[str, BlockPage] = {
    "DEMO_WEBFILTER": pages.WEB_FILTER_403,
    "DEMO_EDGE_SIGNIN": pages.EDGE_401,
    "DEMO_PROXY_PAGE": pages.PROXY_407,
    "DEMO_EDGE_LIMIT": pages.EDGE_429,
    "DEMO_LEGAL_BLOCK": pages.LEGAL_451,
}
"""Workspaces answered with a web page in MoEngage's place, whatever the key or DC."""

NO_ANSWER_ID = "DEMO_NO_ANSWER"
"""Read the request, never answer (whatever the key or DC)."""

TLS_WORKSPACES: dict[str, str] = {
    "DEMO_TLS_STALL": "tls_stall",
    "DEMO_INSPECTED": "cert_inspected",
    "DEMO_SELF_SIGNED": "cert_self_signed",
}
"""Workspaces whose checks go to one of the sandbox's TLS listeners (:mod:`.tls`)."""

NEW_KEY_ID = "DEMO_NEWKEY"
NEW_KEY_REJECTIONS = 2
"""DEMO_NEWKEY's right key is rejected this many times, accepted once, and so on again."""
