"""The core and the command never pull in Qt; the package root pulls in nothing heavy."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "moecheck_gui",
    "moecheck_gui.outcome",
    "moecheck_gui.datacenters",
    "moecheck_gui.inputs",
    "moecheck_gui.messages",
    "moecheck_gui.trust",
    "moecheck_gui.client",
    "moecheck_gui.detect",
    "moecheck_gui.keychain",
    "moecheck_gui.sandbox",
    "moecheck_gui.report",
    "moecheck_gui.cli",
    "moecheck_gui.profiles",
    "moecheck_gui.applog",
    "moecheck_gui.cancel",
    "moecheck_gui.limits",
    "moecheck_gui.redaction",
    "moecheck_gui.stopped",
    "moecheck_gui.stages",
    "moecheck_gui.transport",
    "moecheck_gui.verdict",
    "moecheck_gui.certificates",
    "moecheck_gui.webpage",
    "moecheck_gui.history",
    "moecheck_gui.batch",
    "moecheck_gui.proxy",
    "moecheck_gui.publisher",
]


def loaded_after(code: str) -> set[str]:
    """Module names loaded by a fresh interpreter after running ``code``."""
    script = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return set(out.split())


def test_core_and_cli_import_no_qt() -> None:
    modules = loaded_after("\n".join(f"import {m}" for m in CORE_MODULES))
    assert set(CORE_MODULES) <= modules, "a core module failed to import"
    qt = sorted(m for m in modules if m.startswith(("PySide6", "shiboken6", "moecheck_gui.gui")))
    assert qt == [], f"the Qt-free core imported {qt}"


def test_cli_help_path_does_not_load_the_network_stack() -> None:
    """`moecheck dc 5` and `--help` stay instant: requests/keyring load only when checking."""
    modules = loaded_after("import moecheck_gui.cli")
    assert "requests" not in modules
    assert "keyring" not in modules
