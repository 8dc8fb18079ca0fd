"""Runs inside its own ``scripts/with-keyring`` session: save a key, lock the keychain, then try.

Started by ``test_surroundings.py`` as

    scripts/with-keyring python -m tests.reliability.keyring_child OUT.json

in a fresh, private D-Bus session with a real GNOME Keyring (never the
session of the surrounding test run, which must stay unlocked). It saves a key
for workspace ``PRESAVED``, locks the default collection through the Secret
Service API (no fake: ``Lock`` is a real Secret Service call), then runs the
``moecheck`` command and the window against the locked keychain. Unlocking
needs a desktop prompt, which cannot be shown here, so gnome-keyring reports
the prompt as dismissed, as when a user presses Cancel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import secretstorage

PRESAVED = "PRESAVED"
PRESAVED_KEY = "presaved-key-0c1d2e3f4a5b"


def run(args: list[str], extra: dict[str, str] | None = None) -> dict[str, object]:
    env = {**os.environ, **(extra or {})}
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    return {"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}


def main(out: str) -> int:
    keyring.set_password("moecheck", PRESAVED, PRESAVED_KEY)
    conn = secretstorage.dbus_init()
    collection = secretstorage.get_default_collection(conn)
    collection.lock()
    results: dict[str, object] = {"locked": collection.is_locked()}
    cli = [sys.executable, "-m", "moecheck_gui.cli"]
    results["check_keychain"] = run(
        [*cli, "check", "--workspace-id", PRESAVED, "--dc", "01", "--keychain", "--json"]
    )
    results["check_save"] = run(
        [
            *cli,
            "check",
            "--workspace-id",
            os.environ["DRIVER_WS"],
            "--dc",
            "01",
            "--save",
            "--json",
        ],
        {"MOECHECK_API_KEY": os.environ["DRIVER_KEY"]},
    )
    results["forget"] = run([*cli, "forget", "--workspace-id", PRESAVED])
    results["window"] = run([sys.executable, "-m", "tests.reliability.window_driver", "check"])
    results["still_locked"] = collection.is_locked()
    Path(out).write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
