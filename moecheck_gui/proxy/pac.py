"""PAC files: fetch one (bounded), run it (in a child process that can be stopped), read its answer.

Why bounded everywhere: a PAC file comes from the network, often from a
server the user has never heard of (``http://wpad/wpad.dat``). It may be huge,
slow, broken or never finish. Each of those ends in a
:class:`~moecheck_gui.proxy.model.ProxyConfigError` naming the PAC URL, within
the caller's deadline, and never in a silent direct connection.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from moecheck_gui.i18n import N_, _
from moecheck_gui.proxy import pac_worker
from moecheck_gui.proxy.model import CancelLike, Deadline, ProxyCancelled, ProxyConfigError, Source

MAX_PAC_BYTES = 1024 * 1024
"""The largest PAC file MoeCheck runs (real ones are a few KiB; 1 MiB is generous)."""
PAC_RUN_LIMIT = 5.0
"""Seconds one FindProxyForURL call may take before it counts as "never returns"."""
MAX_REDIRECTS = 3
"""PAC files may move (browsers follow); the PAC request carries no secret."""
_POLL = 0.05
_SUPPORTED_SCHEMES = ("http", "https", "file")


@dataclass(frozen=True)
class PacChoice:
    """One element of a PAC answer: a proxy URL (``http://a:8080``) or None for DIRECT."""

    proxy_url: str | None


@dataclass(frozen=True)
class PacAnswer:
    """The usable choices of a PAC answer, in order, and what was skipped (and why)."""

    choices: tuple[PacChoice, ...]
    skipped: tuple[str, ...]
    raw: str


_NO_FUNCTION = N_("the file defines no FindProxyForURL function")
"""The child's (:mod:`pac_worker`) one sentence of its own, translated here: the child
does not know the window's chosen language. The engine's other texts are its own."""


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _too_large(pac_url: str, size: int | None, source: Source) -> ProxyConfigError:
    limit = MAX_PAC_BYTES // (1024 * 1024)
    if size:
        text = _(
            "The PAC file at {url} is larger than {limit} MiB ({size} MiB); "
            "MoeCheck does not run PAC files that large."
        ).format(url=pac_url, limit=limit, size=_mib(size))
    else:
        text = _(
            "The PAC file at {url} is larger than {limit} MiB; "
            "MoeCheck does not run PAC files that large."
        ).format(url=pac_url, limit=limit)
    return ProxyConfigError(
        text,
        source=source,
        pac_url=pac_url,
        reason="too_large",
    )


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _read_file_url(pac_url: str, source: Source) -> str:
    parts = urlsplit(pac_url)
    path = urllib.request.url2pathname(parts.path)
    if parts.netloc and parts.netloc.lower() != "localhost":
        path = f"//{parts.netloc}{path}"  # a UNC path on Windows
    try:
        size = os.path.getsize(path)
        if size > MAX_PAC_BYTES:
            raise _too_large(pac_url, size, source)
        with open(path, "rb") as handle:
            data = handle.read(MAX_PAC_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ProxyConfigError(
            _("The PAC file at {url} could not be read: {reason}.").format(
                url=pac_url, reason=reason
            ),
            source=source,
            pac_url=pac_url,
        ) from exc
    if len(data) > MAX_PAC_BYTES:
        raise _too_large(pac_url, None, source)
    return _decode(data)


def _default_context() -> ssl.SSLContext:
    from moecheck_gui import trust

    return trust.build_context(trust.current_config())


def _http_get(
    url: str,
    pac_url: str,
    source: Source,
    deadline: Deadline,
    context_factory: Callable[[], ssl.SSLContext],
    holder: list[Any],
) -> str:
    """GET with caps, following at most MAX_REDIRECTS (runs on a helper thread)."""
    import urllib3

    current = url
    for _redirect in range(MAX_REDIRECTS + 1):
        scheme = urlsplit(current).scheme.lower()
        kwargs: dict[str, Any] = {}
        if scheme == "https":
            kwargs["ssl_context"] = context_factory()
        # Direct, never through a proxy: the PAC is what tells us the proxy.
        pool = urllib3.PoolManager(num_pools=1, retries=False, **kwargs)
        holder.append(pool)
        remaining = max(0.05, deadline.remaining())
        response = pool.request(
            "GET",
            current,
            headers={"Accept": "application/x-ns-proxy-autoconfig, */*"},
            redirect=False,
            preload_content=False,
            timeout=urllib3.Timeout(connect=remaining, read=remaining),
        )
        holder.append(response)
        try:
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("location"):
                current = urljoin(current, response.headers["location"])
                if urlsplit(current).scheme.lower() not in ("http", "https"):
                    raise ProxyConfigError(
                        _(
                            "The PAC file at {url} redirects to a {scheme}: address, which "
                            "MoeCheck does not follow."
                        ).format(url=pac_url, scheme=urlsplit(current).scheme),
                        source=source,
                        pac_url=pac_url,
                    )
                continue
            if response.status != 200:
                raise ProxyConfigError(
                    _(
                        "The PAC file at {url} could not be fetched: the server answered "
                        "HTTP {status}."
                    ).format(url=pac_url, status=response.status),
                    source=source,
                    pac_url=pac_url,
                )
            length = response.headers.get("content-length", "")
            if length.strip().isdigit() and int(length) > MAX_PAC_BYTES:
                raise _too_large(pac_url, int(length), source)
            data = bytearray()
            for chunk in response.stream(16384, decode_content=True):
                data += chunk
                if len(data) > MAX_PAC_BYTES:
                    raise _too_large(pac_url, None, source)
                if deadline.passed:
                    break
            return _decode(bytes(data))
        finally:
            response.release_conn()
            response.close()
            pool.clear()
    raise ProxyConfigError(
        _("The PAC file at {url} could not be fetched: more than {count} redirects.").format(
            url=pac_url, count=MAX_REDIRECTS
        ),
        source=source,
        pac_url=pac_url,
    )


def _fetch_error_text(exc: BaseException) -> str:
    """A short reason for a failed PAC download, from urllib3's nested exceptions."""
    import urllib3.exceptions

    inner: BaseException = exc
    seen = 0
    while seen < 5:
        seen += 1
        reason = getattr(inner, "reason", None)
        if isinstance(reason, BaseException):
            inner = reason
            continue
        break
    if isinstance(inner, urllib3.exceptions.NameResolutionError):
        return _("the host name does not resolve")
    if isinstance(inner, urllib3.exceptions.NewConnectionError):
        return _("the connection was refused or the server cannot be reached")
    if isinstance(inner, ssl.SSLCertVerificationError | urllib3.exceptions.SSLError):
        # Translators: {error} is the TLS library's own (English) text.
        return _("TLS failed ({error})").format(error=" ".join(str(inner).split())[:160])
    if isinstance(inner, urllib3.exceptions.TimeoutError | TimeoutError):
        return _("no answer in time")
    text = " ".join(str(inner).split())[:160]
    return f"{inner.__class__.__name__}: {text}" if text else inner.__class__.__name__


def fetch_pac(
    pac_url: str,
    *,
    source: Source,
    deadline: Deadline,
    cancel: CancelLike | None = None,
    ssl_context: Callable[[], ssl.SSLContext] | None = None,
) -> str:
    """The text of the PAC file at ``pac_url`` (``http``, ``https`` or ``file``).

    At most :data:`MAX_PAC_BYTES`; TLS always verified (same trust roots as the
    check); fetched directly, never through a proxy. Raises
    :class:`ProxyConfigError` naming ``pac_url`` when it cannot be had within
    ``deadline``, and :class:`ProxyCancelled` on cancel.
    """
    scheme = urlsplit(pac_url).scheme.lower()
    if scheme not in _SUPPORTED_SCHEMES:
        raise ProxyConfigError(
            _("The PAC address {url} is not an http://, https:// or file:// URL.").format(
                url=pac_url
            ),
            source=source,
            pac_url=pac_url,
        )
    if scheme == "file":
        return _read_file_url(pac_url, source)
    result: list[str] = []
    error: list[BaseException] = []
    holder: list[Any] = []
    done = threading.Event()
    factory = ssl_context or _default_context

    def work() -> None:
        try:
            result.append(_http_get(pac_url, pac_url, source, deadline, factory, holder))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            error.append(exc)
        finally:
            done.set()

    threading.Thread(target=work, name="moecheck-pac-fetch", daemon=True).start()
    while not done.wait(min(_POLL, max(0.001, deadline.remaining()))):
        if cancel is not None and cancel.cancelled:
            _abort(holder)
            raise ProxyCancelled()
        if deadline.passed:
            _abort(holder)
            raise _fetch_too_late(pac_url, source)
    if error:
        exc = error[0]
        if isinstance(exc, ProxyConfigError):
            raise exc
        raise ProxyConfigError(
            _("The PAC file at {url} could not be fetched: {reason}.").format(
                url=pac_url, reason=_fetch_error_text(exc)
            ),
            source=source,
            pac_url=pac_url,
        ) from exc
    if deadline.passed:
        raise _fetch_too_late(pac_url, source)
    return result[0]


def _fetch_too_late(pac_url: str, source: Source) -> ProxyConfigError:
    """The verdict when the deadline passed while the PAC file was being fetched."""
    return ProxyConfigError(
        _("The PAC file at {url} could not be fetched before the deadline.").format(url=pac_url),
        source=source,
        pac_url=pac_url,
        timed_out=True,
    )


def _abort(holder: list[Any]) -> None:
    """Cut a running download from another thread (its sockets close, the thread ends)."""
    for item in reversed(holder):
        # Best effort: the download thread is daemonic and bounded by its own timeouts.
        with contextlib.suppress(Exception):
            if hasattr(item, "shutdown"):
                item.shutdown()
            elif hasattr(item, "clear"):
                item.clear()


# --------------------------------------------------------------------------- the answer


def parse_pac_answer(answer: str | None) -> PacAnswer:
    """Read ``FindProxyForURL``'s answer into ordered choices.

    Supported: ``DIRECT``, ``PROXY host[:port]`` (and Chrome's ``HTTP``), and
    ``HTTPS host[:port]`` (TLS to the proxy). ``SOCKS``/``SOCKS4``/``SOCKS5``
    and anything else are skipped and listed in ``skipped``. A null or empty
    answer means DIRECT (as in Mozilla's PAC description).
    """
    raw = answer or ""
    if not raw.strip():
        return PacAnswer((PacChoice(None),), (), raw)
    choices: list[PacChoice] = []
    skipped: list[str] = []
    for element in raw.split(";"):
        words = element.split()
        if not words:
            continue
        keyword = words[0].upper()
        if keyword == "DIRECT" and len(words) == 1:
            choices.append(PacChoice(None))
            continue
        if keyword in ("PROXY", "HTTP", "HTTPS") and len(words) == 2:
            scheme = "https" if keyword == "HTTPS" else "http"
            url = _host_port_url(scheme, words[1])
            if url is not None:
                choices.append(PacChoice(url))
                continue
        skipped.append(" ".join(words))
    return PacAnswer(tuple(choices), tuple(skipped), raw)


def _host_port_url(scheme: str, host_port: str) -> str | None:
    from moecheck_gui.proxy.model import split_proxy_url

    if "://" in host_port or "@" in host_port or "/" in host_port:
        return None
    try:
        url, _user, _password = split_proxy_url(f"{scheme}://{host_port}")
    except ValueError:
        return None
    return url


# --------------------------------------------------------------------------- the runner


class PacRunner:
    """Runs ``FindProxyForURL`` in one long-lived child process, killed when a PAC runs over.

    Thread-safe: calls are served one at a time (each waits within its own
    deadline). The child starts on first use (a fresh interpreter, "spawn",
    never "fork": the app has threads) and again after it was killed. It
    imports only the JS engine and this package.
    """

    def __init__(self, run_limit: float = PAC_RUN_LIMIT) -> None:
        self.run_limit = run_limit
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Any = None
        self.started = 0
        """How many child processes this runner has started (tests read it)."""

    def close(self) -> None:
        """Stop the child process, if any."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(2)
        self._process = None
        self._conn = None

    def _wait(
        self,
        deadline: Deadline,
        cancel: CancelLike | None,
        limit_at: float | None,
    ) -> tuple[str, Any] | None:
        """The child's next message; None if ``limit_at``/the deadline passed first."""
        while True:
            if cancel is not None and cancel.cancelled:
                self._stop()
                raise ProxyCancelled()
            now = time.monotonic()
            stop_at = deadline.at if limit_at is None else min(deadline.at, limit_at)
            if now >= stop_at:
                return None
            if self._conn.poll(min(_POLL, stop_at - now)):
                message: tuple[str, Any] = self._conn.recv()
                return message

    def _ensure_started(self, deadline: Deadline, cancel: CancelLike | None) -> bool:
        if self._process is not None and self._process.is_alive():
            return True
        self._stop()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(
            target=pac_worker.serve, args=(child,), name="moecheck-pac", daemon=True
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        self.started += 1
        try:
            ready = self._wait(deadline, cancel, None)
        except (EOFError, OSError):
            ready = None
        if ready is None:
            self._stop()
            return False
        return True

    def find_proxy(
        self,
        pac_text: str,
        url: str,
        host: str,
        *,
        pac_url: str,
        source: Source,
        deadline: Deadline,
        cancel: CancelLike | None = None,
    ) -> str | None:
        """``FindProxyForURL(url, host)`` of ``pac_text``; errors name ``pac_url``."""
        remaining = deadline.remaining()
        if not self._lock.acquire(timeout=max(0.0, remaining)):
            raise ProxyConfigError(
                _("The PAC file at {url} could not be run before the deadline.").format(
                    url=pac_url
                ),
                source=source,
                pac_url=pac_url,
                timed_out=True,
            )
        try:
            if not self._ensure_started(deadline, cancel):
                raise ProxyConfigError(
                    _(
                        "The PAC file at {url} could not be run: the PAC engine did not start "
                        "before the deadline."
                    ).format(url=pac_url),
                    source=source,
                    pac_url=pac_url,
                    timed_out=True,
                )
            limit_at = time.monotonic() + self.run_limit
            try:
                self._conn.send((pac_text, url, host))
                message = self._wait(deadline, cancel, limit_at)
            except (EOFError, OSError, BrokenPipeError):
                self._stop()
                raise ProxyConfigError(
                    _("The PAC file at {url} could not be run: the PAC engine stopped.").format(
                        url=pac_url
                    ),
                    source=source,
                    pac_url=pac_url,
                    reason="run",
                ) from None
            if message is None:
                self._stop()
                if deadline.passed and time.monotonic() < limit_at:
                    raise ProxyConfigError(
                        _("The PAC file at {url} did not finish before the deadline.").format(
                            url=pac_url
                        ),
                        source=source,
                        pac_url=pac_url,
                        timed_out=True,
                    )
                raise ProxyConfigError(
                    _(
                        "The PAC file at {url} did not finish within {seconds} s "
                        "(it may loop for ever); it was stopped."
                    ).format(url=pac_url, seconds=f"{self.run_limit:g}"),
                    source=source,
                    pac_url=pac_url,
                    reason="run",
                )
            kind, value = message
            if kind == "ok":
                return value if value is None else str(value)
            if value == _NO_FUNCTION:
                value = _(_NO_FUNCTION)
            raise ProxyConfigError(
                # Translators: {problem} is the JavaScript engine's own text, usually English.
                _("The PAC file at {url} does not run: {problem}.").format(
                    url=pac_url, problem=value
                ),
                source=source,
                pac_url=pac_url,
                reason="run",
            )
        finally:
            self._lock.release()


_default_runner: PacRunner | None = None
_default_lock = threading.Lock()


def default_runner() -> PacRunner:
    """The process-wide runner, so every check shares one PAC process."""
    global _default_runner  # a lazily built process-wide singleton
    with _default_lock:
        if _default_runner is None:
            _default_runner = PacRunner()
        return _default_runner
