"""Security checks run by ``make test``: bandit over our code, pip-audit over our dependencies.

bandit must pass: accepted findings are marked in the code with ``# nosec BXXX``
(none today; see docs/reliability.md). pip-audit needs PyPI's JSON API or OSV,
which machines with only a package mirror (like our CI) cannot reach. Rather
than report a false "no known vulnerabilities" there, this script says exactly
how many packages could not be audited and why; the release workflow, which has
the internet, runs ``pip-audit --strict`` and fails on anything unaudited.
Known vulnerabilities always fail, unless listed in IGNORED_VULNS with a reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

IGNORED_VULNS: dict[str, str] = {
    # "GHSA-xxxx-xxxx-xxxx": "why it does not affect MoeCheck",
}


def run_bandit() -> int:
    cmd = [str(BIN / "bandit"), "-c", "bandit.yaml", "-r", "moecheck_gui", "-q"]
    print("$ bandit -c bandit.yaml -r moecheck_gui -q", flush=True)
    return subprocess.run(cmd, cwd=ROOT, check=False).returncode  # noqa: S603 - our own tool


def run_pip_audit() -> int:
    cmd = [str(BIN / "pip-audit"), "-l", "--format", "json", "--progress-spinner", "off"]
    print("$ pip-audit -l --format json", flush=True)
    try:
        proc = subprocess.run(  # noqa: S603 - our own tool
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
        )
        report = json.loads(proc.stdout or "{}")
    except (subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        print(f"pip-audit: could not run ({exc.__class__.__name__}); dependencies NOT audited here")
        return 0
    deps = report.get("dependencies", [])
    found = [
        (d["name"], d.get("version"), v["id"])
        for d in deps
        for v in d.get("vulns", [])
        if v["id"] not in IGNORED_VULNS
    ]
    skipped = [d["name"] for d in deps if d.get("skip_reason")]
    audited = len(deps) - len(skipped)
    for name, version, vuln in found:
        print(f"pip-audit: {name} {version} has known vulnerability {vuln}")
    if skipped:
        print(
            f"pip-audit: {len(skipped)} of {len(deps)} packages could NOT be audited here "
            "(this machine cannot reach the vulnerability database); the release workflow "
            "audits them with --strict."
        )
    print(f"pip-audit: {audited} audited, {len(found)} known vulnerabilities")
    return 1 if found else 0


def main() -> int:
    bandit = run_bandit()
    audit = run_pip_audit()
    return 1 if bandit or audit else 0


if __name__ == "__main__":
    sys.exit(main())
