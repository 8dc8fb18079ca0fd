"""Refuse a release while the publisher's name or contact is still unset.

    python packaging/check_publisher.py [--module moecheck_gui/publisher.py]

Exit 0 when ``moecheck_gui/publisher.py`` names a real publisher and an e-mail
contact; exit 1, with what to change, while either is the ``UNSET`` sentinel,
empty, or the contact is not an e-mail address. The release workflow runs it
before it builds anything on a tag and again before it publishes, so installers
never go out with a made-up or missing contact. ``--module`` exists so the test
can point it at a copy.

The module is loaded from its file (not imported from ``moecheck_gui``) so
that the check reads exactly the file given, whatever is installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODULE = ROOT / "moecheck_gui" / "publisher.py"
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>.]+$")
_PLACEHOLDER_DOMAINS = (".invalid", "example.com", "example.org", "example.net", "moecheck.io")


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("_moecheck_publisher_under_check", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def problems(module: ModuleType) -> list[str]:
    """What is wrong with the publisher values; empty when a release may go out."""
    unset = str(getattr(module, "UNSET", "unset")).strip().lower()
    found: list[str] = []
    name = str(getattr(module, "NAME", "")).strip()
    contact = str(getattr(module, "CONTACT", "")).strip()
    if not name or name.lower() == unset:
        found.append("NAME is unset: set it to the person or organisation that publishes MoeCheck")
    if not contact or contact.lower() == unset:
        found.append("CONTACT is unset: set it to an e-mail address users can write to")
    elif not _EMAIL.match(contact):
        found.append(f"CONTACT {contact!r} is not an e-mail address")
    elif contact.lower().endswith(_PLACEHOLDER_DOMAINS):
        found.append(f"CONTACT {contact!r} is a placeholder address, not a real one")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", type=Path, default=DEFAULT_MODULE)
    args = parser.parse_args(argv)
    module = _load(args.module)
    found = problems(module)
    if found:
        print(f"Release refused: the publisher in {args.module} is not set.", file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"Publisher set: {module.NAME} <{module.CONTACT}>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
