"""Where the command's words go: guarded stdout/stderr, colour, and one-line messages.

Why it looks the way it does:

* **Belt and braces against leaks.** While a command runs, stdout and stderr are
  wrapped so any occurrence of the key (or its Basic-auth encoding) is replaced
  by ``[redacted]`` before it is written, even though nothing is meant to write it.
* **No ``UnicodeEncodeError`` tracebacks** on ASCII-only consoles
  (``PYTHONIOENCODING=ascii``): what a stream cannot encode is replaced.
* **Colour only where it helps** (https://no-color.org): terminals, never pipes,
  files or CI logs.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from moecheck_gui.i18n import _, format_number
from moecheck_gui.outcome import clean_server_text
from moecheck_gui.redaction import SecretSet, redact

GUARD_MIN_LENGTH = 6
"""Forms of a secret shorter than this are not searched for in output.

Why longer than :data:`moecheck_gui.redaction.MIN_SECRET_LENGTH`: the guard
rewrites whole lines, JSON included, and a 4- or 5-character "key" such as
``000"`` matches the JSON around it and would break the one object scripts
parse. No real Data API key is this short; the guard is a second line of
defence, the first being that nothing ever writes the key.
"""


class GuardedStream:
    """A text stream wrapper that redacts secrets and survives unencodable text.

    Why: the last line of defence against the key reaching a terminal, a log
    file or a CI transcript, and against ``UnicodeEncodeError`` tracebacks when
    stdout is ASCII-only (``PYTHONIOENCODING=ascii``, odd consoles).
    """

    def __init__(self, inner: TextIO, secrets: SecretSet) -> None:
        self._inner = inner
        self._secrets = secrets
        self._lock = threading.Lock()
        self._filtered: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        """(the registry's values last seen, those long enough to look for); one
        attribute, so threads writing at once never pair one snapshot with another's filter."""

    def _redact(self, text: str) -> str:
        """``text`` without the registered secrets of at least :data:`GUARD_MIN_LENGTH`."""
        values = self._secrets.values()
        seen, wanted = self._filtered
        if values != seen:
            wanted = tuple(v for v in values if len(v) >= GUARD_MIN_LENGTH)
            self._filtered = (values, wanted)
        return redact(text, wanted)

    @property
    def inner(self) -> TextIO:
        """The wrapped stream."""
        return self._inner

    def write(self, text: str) -> int:
        """Write ``text`` with every secret replaced and unencodable characters made safe."""
        safe_text = self._redact(text)
        encoding = getattr(self._inner, "encoding", None) or "utf-8"
        try:
            safe_text.encode(encoding)
        except UnicodeEncodeError:
            safe_text = safe_text.encode(encoding, "replace").decode(encoding)
        except LookupError:
            pass
        with self._lock:
            self._inner.write(safe_text)
        return len(text)

    def flush(self) -> None:
        """Flush the wrapped stream."""
        self._inner.flush()

    def isatty(self) -> bool:
        """Whether the wrapped stream is a terminal."""
        try:
            return bool(self._inner.isatty())
        except (AttributeError, ValueError, OSError):
            return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextmanager
def guarded_output(secrets: SecretSet) -> Iterator[None]:
    """Wrap sys.stdout/sys.stderr for the duration of one command, then restore them.

    Both streams share ``secrets``, so a key registered after this starts -- read
    from stdin or the keychain -- is guarded at once.
    """
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout = GuardedStream(old_out, secrets)
    sys.stderr = GuardedStream(old_err, secrets)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdout, sys.stderr = old_out, old_err


def err(text: str = "") -> None:
    """One line for people on stderr."""
    print(text, file=sys.stderr, flush=True)


def prefixed(prog: str, message: str) -> str:
    """``moecheck check-all: message``: a command's name (never translated) before its message."""
    return f"{prog}: {message}"


def command_line(*words: str) -> str:
    """A command for people to copy, from its words (never translated: it is typed as written)."""
    return " ".join(words)


def seconds_short(seconds: float) -> str:
    """A short duration in seconds for one-line output: ``"15 s"`` (the language's digits and unit).

    Why not :func:`moecheck_gui.i18n.format_seconds` ("15 seconds"): these lines
    (``--until-ok`` tries, Retry-After) are terse on purpose, and scripts and
    people already read them as ``"15 s"``.
    """
    whole = float(seconds).is_integer()
    return _("{number} s").format(number=format_number(seconds, 0 if whole else 1))


def safe(value: object) -> str:
    """Server or user text made safe for a terminal (no escapes, no bidi tricks)."""
    return clean_server_text(value) or ""


def isatty(stream: object) -> bool:
    """Whether ``stream`` is a terminal; False for anything that cannot say."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


class Style:
    """ANSI colours for one stream, only where they help (https://no-color.org).

    Colour is used only when the stream is a terminal, ``NO_COLOR`` is unset or
    empty and ``TERM`` is not ``dumb``; pipes, files and CI logs get plain text.
    Symbols fall back to ASCII when the stream cannot encode them.
    """

    def __init__(self, stream: TextIO) -> None:
        self.enabled = (
            isatty(stream) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        )
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "✓✗".encode(encoding)
            self.unicode = True
        except (UnicodeEncodeError, LookupError):
            self.unicode = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def good(self, text: str) -> str:
        """Green and bold: it works."""
        return self._wrap("1;32", text)

    def bad(self, text: str) -> str:
        """Red and bold: it does not work."""
        return self._wrap("1;31", text)

    def warn(self, text: str) -> str:
        """Yellow: worth noticing."""
        return self._wrap("33", text)

    def bold(self, text: str) -> str:
        """Bold."""
        return self._wrap("1", text)

    @property
    def tick(self) -> str:
        """The success mark."""
        return "✓" if self.unicode else "OK"

    @property
    def cross(self) -> str:
        """The failure mark."""
        return "✗" if self.unicode else "FAIL"
