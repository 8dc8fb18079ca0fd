"""Who publishes MoeCheck builds, and how users reach them: the one place that says so.

Why one place: the publisher appears in the .deb's ``Maintainer``, the AppStream
metainfo's ``<developer>`` and ``<update_contact>``, the About dialog, the
Windows installer (``AppPublisher``, ``AppContact``, version info) and the
executables' version resource. Each of those reads these constants, so they can
never disagree, and a made-up contact cannot slip into one of them.

Until the real publisher is known the values are :data:`UNSET`. Local and test
builds work with it (and say "publisher not set"), but the release workflow runs
``packaging/check_publisher.py`` and refuses to publish while either value is
still :data:`UNSET`. To set them, replace the two values below, e.g.
``NAME = "Example Ltd"`` and ``CONTACT = "support@example.com"``.

No imports on purpose: the window reads this before its first paint.
"""

UNSET = "unset"
"""The sentinel for "not decided yet"; the release guard rejects it."""

NAME: str = UNSET
"""The person or organisation that publishes the builds (shown to users)."""

CONTACT: str = UNSET
"""An e-mail address users and distributions can write to about MoeCheck."""


def is_set() -> bool:
    """True when both the name and the contact have real values."""
    return all(value.strip() and value.strip().lower() != UNSET for value in (NAME, CONTACT))


def display_name() -> str:
    """The name to show users: the publisher, or a plain note that none is set."""
    return NAME if is_set() else "publisher not set"


def maintainer() -> str:
    """``Name <e-mail>`` for package metadata (the .deb's ``Maintainer``).

    With the sentinel this is ``unset <unset@invalid>``: syntactically valid
    (``.invalid`` is reserved and never delivers), visibly not a real address.
    """
    if is_set():
        return f"{NAME} <{CONTACT}>"
    return f"{UNSET} <{UNSET}@invalid>"
