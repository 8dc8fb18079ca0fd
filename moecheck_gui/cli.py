"""``moecheck``: the command-line front end for IT staff and scripts.

Why it looks the way it does:

* **The key never travels on the command line.** Arguments sit in shell history
  and are visible to every user through ``ps``. The key comes from
  ``--api-key-stdin``, ``--keychain``, ``MOECHECK_API_KEY`` or a hidden prompt,
  and anything that looks like ``--api-key VALUE`` is refused without echoing
  the value.
* **Scripts get stable exit codes and one JSON object** (PRODUCT.md 3.2, 3.4);
  people get a short, friendly answer. With ``--json`` nothing but that object
  is written to stdout; everything else goes to stderr.
* **Fast and Qt-free.** Only the light modules are imported at start-up;
  ``requests``, ``keyring`` and friends load inside the subcommands that need
  them, so ``moecheck dc 5`` and ``--help`` are instant. This module never
  imports PySide6.
* **Belt and braces against leaks.** While a command runs, stdout and stderr are
  wrapped so any occurrence of the key (or its Basic-auth encoding) is replaced
  by ``[redacted]`` before it is written, even though nothing is meant to write it.
* **Ctrl-C is a normal way to stop.** The check runs on a worker thread; Ctrl-C
  cancels it, prints ``Interrupted.`` and exits 130 without a traceback.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import math
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from moecheck_gui import __version__
from moecheck_gui.outcome import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Kind,
    Outcome,
    clean_server_text,
    describe_attempt,
)
from moecheck_gui.report import redact

if TYPE_CHECKING:
    from moecheck_gui.client import CancelToken, Checker

EXIT_INTERNAL = 70
"""An unexpected error inside moecheck (BSD ``EX_SOFTWARE``); not part of PRODUCT.md 3.2."""

DEFAULT_TIMEOUT = 15.0
MAX_TIMEOUT = 600.0
MIN_REDACT_LEN = 6
"""Keys shorter than this are not searched for in output: they would match ordinary
words and garble it. No real Data API key is this short; the guard is a second line
of defence, the first being that nothing ever writes the key."""

WATCHDOG_GRACE_S = 0.9
"""How long past ``--timeout`` the command waits for the core before giving up itself,
so a check never outlives its deadline by more than a second (PRODUCT.md 3.3)."""

CANCEL_GRACE_S = 1.0
"""How long after Ctrl-C the command waits for the check to wind down cleanly."""

NO_KEY_MESSAGE = "No API key: set MOECHECK_API_KEY, pipe it with --api-key-stdin, or use --keychain"

_KEY_OPTION = re.compile(
    r"--?(?:api[-_]?key|apikey|key|secret|app[-_]?secret|data[-_]?api[-_]?key|"
    r"moe[-_]?api[-_]?key|api[-_]?secret|password|passwd|pass|token|k)",
    re.IGNORECASE,
)
"""Option names someone might use to pass the key as an argument (refused)."""

EPILOG = """\
where the Data API key comes from (first that applies):
  --api-key-stdin    one line read from standard input
  --keychain         the key saved earlier with --save (OS keychain)
  MOECHECK_API_KEY   environment variable
  a hidden prompt    when standard input is a terminal
The key is never accepted as a command-line argument: it would stay in your
shell history and be visible to other users in `ps`.

exit codes:
  0    the credentials work
  1    credentials rejected (auth, forbidden)
  2    usage error or invalid input; keychain problems (no saved key,
       keychain unavailable)
  3    network problem (dns, connect, tls, proxy, timeout)
  4    MoEngage service problem (not_found, rate_limited, server_error,
       bad_response)
  70   internal error in moecheck (please report it)
  130  interrupted (Ctrl-C)

examples:
  MOECHECK_API_KEY=... moecheck check --workspace-id ABC123 --dc 01
  printf '%s\\n' "$KEY" | moecheck check --workspace-id ABC123 --dc DC-05 --api-key-stdin --json
  moecheck check --workspace-id ABC123 --dc https://dashboard-02.moengage.com/ --save
  moecheck check --workspace-id ABC123 --dc 01 --keychain -v
  moecheck detect --workspace-id ABC123 --keychain
  moecheck dc dashboard-05.moengage.com
  moecheck forget --workspace-id ABC123
  moecheck sandbox --port 8765

environment:
  MOECHECK_API_BASE  replaces https://api-{dc}.moengage.com (plain http only for
                     loopback hosts), e.g. for `moecheck sandbox`
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, SSL_CERT_FILE as usual
  NO_COLOR           disables colour
"""


# --- output -----------------------------------------------------------------


class _GuardedStream:
    """A text stream wrapper that redacts secrets and survives unencodable text.

    Why: the last line of defence against the key reaching a terminal, a log
    file or a CI transcript, and against ``UnicodeEncodeError`` tracebacks when
    stdout is ASCII-only (``PYTHONIOENCODING=ascii``, odd consoles).
    """

    def __init__(self, inner: TextIO, secrets: list[str]) -> None:
        self._inner = inner
        self._secrets = secrets
        self._lock = threading.Lock()

    @property
    def inner(self) -> TextIO:
        """The wrapped stream."""
        return self._inner

    def write(self, text: str) -> int:
        """Write ``text`` with every secret replaced and unencodable characters made safe."""
        safe = redact(text, self._secrets)
        encoding = getattr(self._inner, "encoding", None) or "utf-8"
        try:
            safe.encode(encoding)
        except UnicodeEncodeError:
            safe = safe.encode(encoding, "replace").decode(encoding)
        except LookupError:
            pass
        with self._lock:
            self._inner.write(safe)
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


class _Secrets:
    """The strings that must never be written, shared by both guarded streams."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def add_key(self, key: str, workspace_id: str | None = None) -> None:
        """Register a key, its trimmed and JSON-escaped forms, and its Basic-auth encoding."""
        forms = {key, key.strip()}
        forms |= {json.dumps(f)[1:-1] for f in list(forms)}
        if workspace_id is not None:
            for form in (key, key.strip()):
                pair = f"{workspace_id.strip()}:{form}".encode("utf-8", "replace")
                forms.add(base64.b64encode(pair).decode("ascii"))
        for form in forms:
            if len(form) >= MIN_REDACT_LEN and form not in self.values:
                self.values.append(form)


@contextmanager
def _guarded_output(secrets: _Secrets) -> Iterator[None]:
    """Wrap sys.stdout/sys.stderr for the duration of one command, then restore them."""
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout = _GuardedStream(old_out, secrets.values)
    sys.stderr = _GuardedStream(old_err, secrets.values)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdout, sys.stderr = old_out, old_err


def _err(text: str = "") -> None:
    """One line for people on stderr."""
    print(text, file=sys.stderr, flush=True)


class _Style:
    """ANSI colours for one stream, only where they help (https://no-color.org).

    Colour is used only when the stream is a terminal, ``NO_COLOR`` is unset or
    empty and ``TERM`` is not ``dumb``; pipes, files and CI logs get plain text.
    Symbols fall back to ASCII when the stream cannot encode them.
    """

    def __init__(self, stream: TextIO) -> None:
        self.enabled = (
            _isatty(stream) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
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


def _isatty(stream: object) -> bool:
    """Whether ``stream`` is a terminal; False for anything that cannot say."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _dc_label(dc: str | None) -> str:
    """``DC-01 — US`` for a code; the code itself if unknown."""
    if not dc:
        return "unknown data center"
    from moecheck_gui.datacenters import BY_CODE

    known = BY_CODE.get(dc)
    return known.label if known is not None else f"DC-{dc}"


def _safe(value: object) -> str:
    """Server or user text made safe for a terminal (no escapes, no bidi tricks)."""
    return clean_server_text(value) or ""


def _render_failure_details(outcome: Outcome, style: _Style) -> list[str]:
    """The indented lines under a failure headline: what happened, what to do, IDs."""
    lines: list[str] = []
    if outcome.message:
        lines.append(f"  {_safe(outcome.message)}")
    if outcome.server_message and outcome.server_message not in (outcome.message or ""):
        lines.append(f"  MoEngage said: {_safe(outcome.server_message)}")
    if outcome.hint:
        lines.append(f"  {style.bold('What to do:')} {_safe(outcome.hint)}")
    if outcome.retry_after_s is not None:
        lines.append(f"  MoEngage asks to wait {outcome.retry_after_s} s before trying again.")
    if outcome.request_id:
        lines.append(f"  Request ID: {_safe(outcome.request_id)} (give this to MoEngage support)")
    return lines


def render_human(outcome: Outcome, style: _Style, *, detect: bool = False) -> str:
    """The short, friendly answer for people (not for scripts: use ``--json``)."""
    lines: list[str] = [f"Note: {_safe(n)}" for n in outcome.notices]
    elapsed = f"{round(outcome.elapsed_ms)} ms"
    if outcome.ok:
        where = f"workspace {_safe(outcome.workspace_id)}, {_dc_label(outcome.dc)}"
        if detect:
            lines.append(
                style.good(
                    f"{style.tick} Found it: {_dc_label(outcome.dc)} accepts these credentials"
                )
                + f' ("{_safe(outcome.app_name)}", workspace {_safe(outcome.workspace_id)})'
                + f" in {elapsed}"
            )
        else:
            lines.append(
                style.good(f'{style.tick} Connected to "{_safe(outcome.app_name)}"')
                + f" ({where}) in {elapsed}"
            )
        if outcome.hint:
            lines.append(f"  {_safe(outcome.hint)}")
    else:
        http = f" (HTTP {outcome.http_status})" if outcome.http_status is not None else ""
        lines.append(style.bad(f"{style.cross} {outcome.title}") + http)
        lines += _render_failure_details(outcome, style)
        if outcome.kind == Kind.AUTH and not detect:
            workspace = _safe(outcome.workspace_id)
            lines.append(f"  Try all data centers: moecheck detect --workspace-id {workspace}")
    if detect and outcome.attempts:
        lines.append("  Data centers tried:")
        width = max(len(_dc_label(dc)) for dc in outcome.attempts)
        for dc, attempt in outcome.attempts.items():
            words = describe_attempt(attempt, found=outcome.ok)
            result = style.good(words) if attempt.ok else words
            http = f" (HTTP {attempt.http_status})" if attempt.http_status is not None else ""
            lines.append(
                f"    {_dc_label(dc).ljust(width)}  {result}{http}, {round(attempt.elapsed_ms)} ms"
            )
    return "\n".join(lines)


def _emit(outcome: Outcome, args: argparse.Namespace, *, detect: bool = False) -> None:
    """Write the outcome: one JSON object, or the human answer, to stdout."""
    if getattr(args, "json", False):
        data = outcome.to_json()
        if detect:
            data.setdefault("attempts", {})
        extra = getattr(args, "json_extra", None)
        if extra:
            data.update(extra)
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_human(outcome, _Style(sys.stdout), detect=detect) + "\n")
    sys.stdout.flush()


def _refused(
    message: str,
    *,
    field: str | None,
    workspace_id: str = "",
    dc: str | None = None,
    hint: str = "",
) -> Outcome:
    """An ``invalid_input`` outcome for something refused before anything was sent."""
    return Outcome(
        ok=False,
        kind=Kind.INVALID_INPUT.value,
        dc=dc,
        workspace_id=workspace_id,
        message=message,
        hint=hint or "Correct it and try again. Nothing was sent to MoEngage.",
        field=field,
    )


# --- argument parsing --------------------------------------------------------


class _UsageError(Exception):
    """A problem with how moecheck was called; the message is already safe to show."""

    def __init__(self, message: str, prog: str, usage: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.prog = prog
        self.usage = usage


def _sanitise_argparse_message(message: str) -> str:
    """argparse's message, minus anything that might be a key typed by mistake.

    Why: ``unrecognized arguments: X`` echoes X, and a stray positional after
    ``--workspace-id`` is very often the key itself. Only option names are shown.
    """
    prefix = "unrecognized arguments: "
    if not message.startswith(prefix):
        return message
    words = message[len(prefix) :].split(" ")
    options = [w.split("=", 1)[0] for w in words if w.startswith("-")]
    hidden = sum(1 for w in words if not w.startswith("-") or "=" in w)
    parts = []
    if options:
        parts.append("unknown option(s): " + ", ".join(options))
    if hidden:
        noun = "value" if hidden == 1 else "values"
        parts.append(f"{hidden} unexpected {noun} (not shown, in case it is a key)")
    return "; ".join(parts) or "unexpected arguments"


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that reports errors to :func:`main` instead of exiting.

    So that ``--json`` still gets one JSON object for usage errors, and so that
    messages are sanitised (see :func:`_sanitise_argparse_message`).
    """

    def error(self, message: str) -> NoReturn:
        """Raise a :class:`_UsageError` (argparse would print and exit 2)."""
        raise _UsageError(_sanitise_argparse_message(message), self.prog, self.format_usage())


def _timeout_value(text: str) -> float:
    """``--timeout``: a positive number of seconds, at most :data:`MAX_TIMEOUT`."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds (e.g. --timeout 15)"
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds (e.g. 15)")
    if value > MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be at most {int(MAX_TIMEOUT)} seconds")
    return value


def _port_value(text: str) -> int:
    """``--port``: 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 (any free port) and 65535")
    return value


def _add_workspace(p: argparse.ArgumentParser) -> None:
    """``--workspace-id``, required by every command that touches a workspace."""
    p.add_argument(
        "--workspace-id",
        required=True,
        metavar="ID",
        help="the workspace ID (App ID) from the MoEngage dashboard",
    )


def _add_check_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``check`` and ``detect``: output, deadline, key source, saving."""
    p.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")
    p.add_argument(
        "--timeout",
        type=_timeout_value,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"overall deadline for the whole check (default {DEFAULT_TIMEOUT:g})",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show the request, timings, trust store and proxy on stderr (key redacted)",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--api-key-stdin",
        action="store_true",
        help="read the Data API key from one line of standard input",
    )
    source.add_argument(
        "--keychain",
        action="store_true",
        help="use the key saved in the OS keychain for this workspace",
    )
    p.add_argument(
        "--save",
        action="store_true",
        help="after a successful check, save the key in the OS keychain "
        "(if saving fails you get a warning; the exit code still reflects the check)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``moecheck`` argument parser (also used to render ``--help``)."""
    parser = _Parser(
        prog="moecheck",
        description=(
            "Check whether a MoEngage workspace ID and Data API key work, "
            "and if not, why and what to do."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"moecheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    check = sub.add_parser(
        "check",
        help="check credentials against one data center",
        description="Check a workspace ID and Data API key against one MoEngage data center.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    _add_workspace(check)
    check.add_argument(
        "--dc",
        required=True,
        metavar="DC",
        help="data center: 01-06 or 101, DC-05, dc5, or your dashboard's address",
    )
    _add_check_options(check)

    detect = sub.add_parser(
        "detect",
        help="try every data center at once and report which one accepts the credentials",
        description="Try every MoEngage data center at once and report which accepts the key.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    _add_workspace(detect)
    _add_check_options(detect)

    dc = sub.add_parser(
        "dc",
        help="print the data center code for 5, DC-05, a dashboard URL, ...",
        description=(
            "Print the normalised data center code (e.g. 05) for 5, 05, DC-05, dc05, 101, "
            "or a pasted dashboard URL or host. Exit 2 for anything else."
        ),
        allow_abbrev=False,
    )
    dc.add_argument("value", metavar="VALUE", help="what you would pass to --dc")
    dc.add_argument("--json", action="store_true", help="print one JSON object")

    forget = sub.add_parser(
        "forget",
        help="remove the key saved in the OS keychain for a workspace",
        description=(
            "Remove the key saved in the OS keychain for a workspace. Exit 0 whether or not "
            "a key was saved; exit 2 if the keychain cannot be used."
        ),
        allow_abbrev=False,
    )
    _add_workspace(forget)

    sandbox = sub.add_parser(
        "sandbox",
        help="run a local stand-in for MoEngage's endpoint, for trying moecheck out",
        description=(
            "Run a local stand-in for MoEngage's credential check on this computer and print "
            "the MOECHECK_API_BASE to use with it and the demo credentials. Stop it with Ctrl-C."
        ),
        allow_abbrev=False,
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to listen on")
    sandbox.add_argument(
        "--port", type=_port_value, default=0, help="port to listen on (default: any free port)"
    )
    return parser


def _key_argument(argv: list[str]) -> str | None:
    """The option name if argv tries to pass the key as an argument, else None."""
    for word in argv:
        if word == "--":
            break
        name = word.split("=", 1)[0]
        if _KEY_OPTION.fullmatch(name):
            return name
    return None


def _key_refusal(name: str) -> str:
    """Why ``name`` is refused and what to do instead; never repeats the value."""
    return (
        f"{name} is not accepted: moecheck never takes the API key as a command-line "
        "argument, because arguments are saved in your shell history and visible to other "
        "users in `ps`. Instead set MOECHECK_API_KEY, pipe the key with --api-key-stdin, "
        "use --keychain, or run in a terminal without these to be asked for it (hidden)."
    )


# --- the key -------------------------------------------------------------------


class _NoKey(Exception):
    """No usable key could be obtained; the message is for the user."""

    def __init__(self, message: str, *, field: str = "api_key") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _read_stdin_line() -> str:
    """Exactly one line of stdin, with only its line ending removed.

    Other whitespace is left for the core, which removes it and says so.
    """
    stdin = sys.stdin
    if stdin is None:
        raise _NoKey("--api-key-stdin was given, but there is no standard input.")
    if _isatty(stdin):
        import getpass

        return getpass.getpass("Data API key (input hidden): ")
    try:
        line = stdin.readline()
    except UnicodeDecodeError:
        raise _NoKey(
            "The key on standard input is not text (it could not be decoded). "
            "Copy it again from the MoEngage dashboard."
        ) from None
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    if not line:
        raise _NoKey(
            "--api-key-stdin was given, but standard input was empty. "
            "Pipe the key in, e.g. printf '%s\\n' \"$KEY\" | moecheck check ..."
        )
    return line


def _obtain_key(args: argparse.Namespace) -> tuple[str, str]:
    """The raw key and where it came from (``stdin``, ``keychain``, ``env``, ``prompt``)."""
    if args.api_key_stdin:
        return _read_stdin_line(), "stdin"
    if args.keychain:
        from moecheck_gui.keychain import KeychainError, KeychainStore

        workspace = args.workspace_id.strip()
        try:
            key = KeychainStore().load(workspace)
        except KeychainError as exc:
            raise _NoKey(f"Could not read the keychain: {_safe(exc.message)}") from None
        if key is None:
            raise _NoKey(
                f"No saved key for workspace {_safe(workspace)} in the keychain. Save one with "
                f"`moecheck check --workspace-id {_safe(workspace)} --dc DC --save`."
            )
        return key, "keychain"
    env = os.environ.get("MOECHECK_API_KEY")
    if env:
        return env, "env"
    if _isatty(sys.stdin):
        import getpass

        try:
            return getpass.getpass("Data API key (input hidden): "), "prompt"
        except EOFError:
            raise _NoKey(NO_KEY_MESSAGE) from None
    raise _NoKey(NO_KEY_MESSAGE)


# --- running a check -----------------------------------------------------------


class _Interrupted(Exception):
    """Ctrl-C arrived during a check; ``outcome`` is the cancelled outcome to report."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("interrupted")
        self.outcome = outcome


def _fallback(kind: Kind, workspace_id: str, dc: str | None, timeout: float) -> Outcome:
    """An outcome made up by the command when the core did not answer in time (or at all)."""
    try:
        from moecheck_gui.messages import Context, for_kind

        message, hint = for_kind(kind, Context(dc_label=_dc_label(dc), timeout_s=timeout))
    except Exception:  # noqa: BLE001 - wording is a nicety; the kind is what matters
        message, hint = {
            Kind.TIMEOUT: (
                f"No complete answer within {timeout:g} s.",
                "Try again; if it keeps happening, check your network or proxy.",
            ),
        }.get(kind, ("The check was stopped.", "Run it again when you are ready."))
    return Outcome(
        ok=False,
        kind=kind.value,
        dc=dc,
        workspace_id=workspace_id,
        message=message,
        hint=hint,
        elapsed_ms=timeout * 1000 if kind is Kind.TIMEOUT else 0.0,
    )


def _run_check(
    work: Callable[[CancelToken], Outcome],
    token: CancelToken,
    *,
    timeout: float,
    workspace_id: str,
    dc: str | None,
) -> Outcome:
    """Run ``work`` on a worker thread so Ctrl-C and the deadline are always honoured.

    Why a thread: the main thread then only waits on an event, which Ctrl-C
    interrupts at once, whatever the network code is blocked in. Raises
    :class:`_Interrupted` on Ctrl-C after cancelling the token.
    """
    box: list[Outcome] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def target() -> None:
        try:
            box.append(work(token))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            failure.append(exc)
        finally:
            done.set()

    worker = threading.Thread(target=target, name="moecheck-check", daemon=True)
    started = time.monotonic()
    worker.start()
    limit = started + timeout + WATCHDOG_GRACE_S
    try:
        while not done.wait(0.05):
            if time.monotonic() >= limit:
                token.cancel()
                return _fallback(Kind.TIMEOUT, workspace_id, dc, timeout)
    except KeyboardInterrupt:
        token.cancel()
        done.wait(CANCEL_GRACE_S)
        if box and box[0].kind == Kind.CANCELLED.value:
            raise _Interrupted(box[0]) from None
        elapsed = (time.monotonic() - started) * 1000
        cancelled = _fallback(Kind.CANCELLED, workspace_id, dc, timeout)
        raise _Interrupted(cancelled.replace(elapsed_ms=elapsed)) from None
    if failure:
        raise failure[0]
    return box[0]


def _verbose_logger(enabled: bool) -> Callable[[str], None] | None:
    """A ``log`` callback for the client that prints (already redacted) lines to stderr."""
    if not enabled:
        return None

    def log(line: str) -> None:
        _err(f"  {_safe(line)}")

    return log


def _describe_environment(dc: str) -> None:
    """``-v``: which trust roots, proxy and endpoint the check uses."""
    try:
        from moecheck_gui.inputs import endpoint_url

        url = endpoint_url(dc)
    except Exception as exc:  # noqa: BLE001 - the check itself reports a bad base
        _err(f"  Endpoint: not usable ({_safe(getattr(exc, 'message', exc))})")
        return
    from moecheck_gui.report import redact_url

    _err(f"  Endpoint: {_safe(redact_url(url))}")
    try:
        from moecheck_gui.trust import describe_trust_mode

        _err(f"  Trust: {_safe(describe_trust_mode())}")
    except Exception as exc:  # noqa: BLE001 - informational only
        _err(f"  Trust: unknown ({type(exc).__name__})")
    try:
        from moecheck_gui.client import describe_proxy

        _err(f"  Proxy: {_safe(describe_proxy(url))}")
    except Exception as exc:  # noqa: BLE001 - informational only
        _err(f"  Proxy: unknown ({type(exc).__name__})")


def _key_or_refusal(
    args: argparse.Namespace, secrets: _Secrets, dc: str | None
) -> tuple[str, str] | Outcome:
    """The key and its source, registered with the output guard; or a refusal outcome."""
    try:
        key, source = _obtain_key(args)
    except _NoKey as exc:
        return _refused(
            exc.message,
            field=exc.field,
            workspace_id=args.workspace_id,
            dc=dc,
            hint="Provide the key as described; nothing was sent to MoEngage.",
        )
    secrets.add_key(key, args.workspace_id)
    return key, source


def _cmd_check(args: argparse.Namespace, secrets: _Secrets) -> int:
    """``moecheck check``: one DC; the DC is parsed before the key is asked for."""
    from moecheck_gui.datacenters import DataCenterError, parse_dc

    try:
        dc = parse_dc(args.dc)
    except DataCenterError as exc:
        if args.dc.strip().lower() in ("auto", "detect", "all", "any"):
            hint = (
                "To try every data center at once, run: "
                f"moecheck detect --workspace-id {_safe(args.workspace_id)}"
            )
        else:
            hint = "Run `moecheck dc VALUE` to see how a value is read, or use 01-06 or 101."
        outcome = _refused(
            exc.message,
            field="dc",
            workspace_id=args.workspace_id,
            hint=hint,
        )
        _emit(outcome, args)
        return outcome.exit_code
    got = _key_or_refusal(args, secrets, dc)
    if isinstance(got, Outcome):
        _emit(got, args)
        return got.exit_code
    key, source = got
    if args.verbose:
        _err(
            f"moecheck {__version__}: checking workspace {_safe(args.workspace_id)} on "
            f"{_dc_label(dc)} (key from {source})"
        )
        _describe_environment(dc)

    from moecheck_gui.client import CancelToken, Checker

    checker = Checker()
    log = _verbose_logger(args.verbose)

    def work(token: CancelToken) -> Outcome:
        return checker.check(
            args.workspace_id, key, dc, timeout=args.timeout, cancel=token, log=log
        )

    outcome = _run_check(
        work, CancelToken(), timeout=args.timeout, workspace_id=args.workspace_id, dc=dc
    )
    _close(checker)
    said = _save(args, outcome, key, source) if args.save else []
    _emit(outcome, args)
    _tell(said, args)
    return outcome.exit_code


def _save(args: argparse.Namespace, outcome: Outcome, key: str, source: str) -> list[str]:
    """``--save``: store the key after a successful check; return what to tell the user.

    A failure to save is a warning on stderr, not a failed command: the check
    itself worked, and scripts rely on exit code 0 meaning "the credentials
    work". With ``--json`` the object also gets ``saved_in`` (the store's name or
    null) and, on failure, ``save_error``.
    """
    extra: dict[str, Any] = {"saved_in": None}
    args.json_extra = extra
    if not outcome.ok:
        _err("Not saved: the key is saved only after a successful check.")
        return []
    if source == "keychain":
        return ["The key already came from the keychain; nothing new to save."]
    try:
        from moecheck_gui.inputs import normalise_credentials

        creds, _ = normalise_credentials(args.workspace_id, key)
        workspace, clean_key = creds.workspace_id, creds.api_key
    except Exception:  # noqa: BLE001 - the check already accepted them; trim like the core
        workspace, clean_key = outcome.workspace_id.strip(), key.strip()
    from moecheck_gui.keychain import KeychainError, KeychainStore

    try:
        store = KeychainStore().save(workspace, clean_key)
    except KeychainError as exc:
        _err(f"Warning: the check worked, but the key was not saved: {_safe(exc.message)}")
        extra["save_error"] = _safe(exc.message)
        return []
    extra["saved_in"] = store
    return [f"Saved the key in {_safe(store)}."]


def _close(checker: Checker) -> None:
    """Release the checker's connections (best effort at exit)."""
    with contextlib.suppress(Exception):  # closing a pool at exit is best effort
        checker.close()


def _cmd_detect(args: argparse.Namespace, secrets: _Secrets) -> int:
    """``moecheck detect``: every DC at once; the JSON object always has ``attempts``."""
    got = _key_or_refusal(args, secrets, None)
    if isinstance(got, Outcome):
        _emit(got, args, detect=True)
        return got.exit_code
    key, source = got
    if args.verbose:
        _err(
            f"moecheck {__version__}: trying every data center for workspace "
            f"{_safe(args.workspace_id)} (key from {source})"
        )
        _describe_environment("01")

    from moecheck_gui.client import CancelToken, Checker

    checker = Checker()
    log = _verbose_logger(args.verbose)

    def work(token: CancelToken) -> Outcome:
        return checker.detect(args.workspace_id, key, timeout=args.timeout, cancel=token, log=log)

    outcome = _run_check(
        work, CancelToken(), timeout=args.timeout, workspace_id=args.workspace_id, dc=None
    )
    _close(checker)
    said = _save(args, outcome, key, source) if args.save else []
    _emit(outcome, args, detect=True)
    _tell(said, args)
    return outcome.exit_code


def _tell(lines: list[str], args: argparse.Namespace) -> None:
    """Follow-up lines after the result: stdout for people, stderr in ``--json`` mode."""
    for line in lines:
        if args.json:
            _err(line)
        else:
            print(line, flush=True)


def _cmd_dc(args: argparse.Namespace) -> int:
    """``moecheck dc``: the normalised code on stdout, or a message on stderr and exit 2."""
    from moecheck_gui.datacenters import BY_CODE, DataCenterError, parse_dc

    try:
        code = parse_dc(args.value)
    except DataCenterError as exc:
        if args.json:
            print(
                json.dumps(
                    {
                        "ok": False,
                        "kind": Kind.INVALID_INPUT.value,
                        "dc": None,
                        "message": exc.message,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            _err(f"moecheck dc: {exc.message}")
        return EXIT_USAGE
    if args.json:
        dc = BY_CODE[code]
        print(
            json.dumps(
                {
                    "ok": True,
                    "kind": None,
                    "dc": code,
                    "label": dc.label,
                    "api_host": dc.api_host,
                    "dashboard_host": dc.dashboard_host,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(code)
    return EXIT_OK


def _cmd_forget(args: argparse.Namespace) -> int:
    """``moecheck forget``: a missing key is not an error (exit 0); keychain trouble is 2."""
    workspace = args.workspace_id.strip()
    if not workspace:
        _err("moecheck forget: --workspace-id is empty.")
        return EXIT_USAGE
    from moecheck_gui.keychain import KeychainError, KeychainStore

    try:
        store = KeychainStore()
        removed = store.delete(workspace)
    except KeychainError as exc:
        _err(f"moecheck forget: {_safe(exc.message)}")
        return EXIT_USAGE
    if removed:
        print(f"Removed the saved key for {_safe(workspace)}.")
    else:
        print(f"No saved key for {_safe(workspace)}")
    return EXIT_OK


def _cmd_sandbox(args: argparse.Namespace) -> int:
    """``moecheck sandbox``: serve until Ctrl-C or SIGTERM, the normal ways to stop (exit 0)."""
    from moecheck_gui.sandbox import Sandbox, describe

    stop = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, on_term)
    try:
        try:
            sandbox = Sandbox(host=args.host, port=args.port)
            sandbox.__enter__()
        except OSError as exc:
            _err(
                f"moecheck sandbox: could not listen on {_safe(args.host)}:{args.port}: "
                f"{_safe(exc.strerror or exc)}"
            )
            return EXIT_USAGE
        try:
            print(describe(sandbox), flush=True)
            _err("Press Ctrl-C to stop the sandbox.")
            try:
                while not stop.wait(0.2):
                    pass
            except KeyboardInterrupt:
                pass
        finally:
            sandbox.__exit__(None, None, None)
        _err("Sandbox stopped.")
        return EXIT_OK
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


# --- entry point -----------------------------------------------------------------


def _wants_json(argv: list[str]) -> bool:
    """Whether ``--json`` was asked for, even if the rest of the command line is wrong."""
    return "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv


def _workspace_from(argv: list[str]) -> str:
    """The ``--workspace-id`` value, best effort, for usage-error JSON."""
    for i, word in enumerate(argv):
        if word == "--workspace-id" and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--workspace-id="):
            return word.split("=", 1)[1]
    return ""


def _usage_failure(
    message: str, argv: list[str], *, prog: str, usage: str, field: str | None
) -> int:
    """Report a usage error: JSON object (with ``--json``) or argparse-style text; exit 2."""
    if _wants_json(argv):
        outcome = _refused(
            message,
            field=field,
            workspace_id=_workspace_from(argv),
            hint="Run `moecheck --help` for usage. Nothing was sent to MoEngage.",
        )
        data = outcome.to_json()
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        _err(f"{prog}: error: {message}")
    else:
        if usage:
            sys.stderr.write(usage)
        _err(f"{prog}: error: {message}")
    return EXIT_USAGE


def _dispatch(argv: list[str], secrets: _Secrets) -> int:
    """Refuse key arguments, parse, run the subcommand; Ctrl-C during a check → 130."""
    name = _key_argument(argv)
    if name is not None:
        return _usage_failure(_key_refusal(name), argv, prog="moecheck", usage="", field="api_key")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        return _usage_failure(exc.message, argv, prog=exc.prog, usage=exc.usage, field=None)
    commands: dict[str, Callable[[], int]] = {
        "check": lambda: _cmd_check(args, secrets),
        "detect": lambda: _cmd_detect(args, secrets),
        "dc": lambda: _cmd_dc(args),
        "forget": lambda: _cmd_forget(args),
        "sandbox": lambda: _cmd_sandbox(args),
    }
    try:
        return commands[args.command]()
    except _Interrupted as stop:
        _emit_interrupted(stop.outcome, args)
        return EXIT_INTERRUPTED


def _emit_interrupted(outcome: Outcome, args: argparse.Namespace) -> None:
    """After Ctrl-C: the cancelled outcome as JSON (scripts), and ``Interrupted.`` on stderr."""
    if getattr(args, "json", False):
        try:
            _emit(outcome, args, detect=args.command == "detect")
        except (OSError, ValueError):
            pass
    _err("Interrupted.")


def _internal_error(exc: BaseException) -> str:
    """The one-line report of a bug: class and sanitised text, never a traceback."""
    text = _safe(str(exc))[:300]
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"moecheck: internal error: {detail} — please report this"


def main(argv: list[str] | None = None) -> int:
    """Run ``moecheck`` with ``argv`` (default: the process arguments); return the exit code.

    Never raises and never prints a traceback: usage errors return 2, Ctrl-C 130,
    unexpected errors 70 (see the exit codes in ``--help``).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    secrets = _Secrets()
    previous_sigint = None
    if threading.current_thread() is threading.main_thread():
        # Make sure Ctrl-C raises KeyboardInterrupt even when the parent started
        # us with SIGINT ignored; restored on the way out.
        previous_sigint = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with _guarded_output(secrets):
            try:
                return _dispatch(args, secrets)
            except KeyboardInterrupt:
                _err("Interrupted.")
                return EXIT_INTERRUPTED
            except BrokenPipeError:
                # stdout closed early (`moecheck ... | head`): nothing more to say.
                _silence_stdout()
                return EXIT_USAGE
            except Exception as exc:  # noqa: BLE001 - never a traceback for users
                _err(_internal_error(exc))
                return EXIT_INTERNAL
    finally:
        if previous_sigint is not None:
            signal.signal(signal.SIGINT, previous_sigint)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
