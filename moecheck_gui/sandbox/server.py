"""The :class:`Sandbox`: MoEngage's Test Connection endpoint on 127.0.0.1, and its TLS scenarios.

Only the standard library is used: the package is imported by ``moecheck
sandbox``, the window's demo mode and tests, must start fast, and must not drag
in ``requests`` or Qt. Nothing here logs an API key or an ``Authorization`` value.
"""

from __future__ import annotations

import logging
import secrets
import socket
import ssl
import threading
from collections.abc import Mapping

from moecheck_gui.i18n import _
from moecheck_gui.sandbox.handler import Handler, SandboxServer
from moecheck_gui.sandbox.modes import check_params, large_body, large_size, number
from moecheck_gui.sandbox.tls import TLS_SCENARIOS, server_context
from moecheck_gui.sandbox.wire import ENDPOINT_PATH, RecordedRequest
from moecheck_gui.sandbox.workspaces import (
    DC_CODES,
    DEMO_WORKSPACES,
    NEW_KEY_ID,
    NEW_KEY_REJECTIONS,
    TLS_WORKSPACES,
    DemoWorkspace,
)

_logger = logging.getLogger("moecheck_gui.sandbox")


class Sandbox:
    """MoEngage's Test Connection endpoint, locally, for demos and tests.

    Use as a context manager, or ``start()``/``stop()``. ``api_base`` is the
    value for ``MOECHECK_API_BASE``. ``stop()`` returns promptly even while a
    request is hanging or trickling: handlers wait on an Event, and in-flight
    client sockets are tracked and shut down.

    ``tls`` serves HTTPS: (certificate file, key file) or a ready server
    context. ``stall_handshake`` accepts connections and never answers the
    TLS handshake. :meth:`tls_api_base` starts the TLS scenarios (each a
    Sandbox of its own, with the demo workspaces), stopped with this one.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[str, str] | ssl.SSLContext | None = None,
        *,
        stall_handshake: bool = False,
    ) -> None:
        self._host = host
        self._requested_port = port
        self._ssl_context: ssl.SSLContext | None = None
        if isinstance(tls, ssl.SSLContext):
            self._ssl_context = tls
        elif tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls[0], tls[1])
            self._ssl_context = context
        self._stall_handshake = stall_handshake
        self._tls_children: dict[str, Sandbox] = {}
        self._mode_tries = 0
        self._new_key_tries = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: list[RecordedRequest] = []
        self._log: list[str] = []
        self._mode: tuple[str, dict[str, object]] = ("normal", {})
        self._workspaces: dict[str, DemoWorkspace] = {w.workspace_id: w for w in DEMO_WORKSPACES}
        self._added: set[str] = set()
        self._connections: set[socket.socket] = set()
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        self._bound_port: int | None = None
        self.slow_scenario_delay: float = 3.0
        """Seconds DEMO_SLOW waits before answering (tests shorten it)."""

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind and serve in a background thread; returns self for chaining."""
        if self._server is not None or self._stopping.is_set():
            raise RuntimeError("A Sandbox can be started only once")
        server = SandboxServer((self._host, self._requested_port), Handler)
        server.sandbox = self
        self._server = server
        self._bound_port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"moecheck-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self._note(f"listening on {self._origin()}")
        return self

    def stop(self) -> None:
        """Stop serving and drop every open connection; safe to call twice."""
        self._stopping.set()
        with self._lock:
            children = list(self._tls_children.values())
            self._tls_children.clear()
        for child in children:
            child.stop()
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            try:
                # Plain socket.shutdown, even for TLS sockets: it wakes a blocked
                # reader without touching the SSL object another thread is using.
                socket.socket.shutdown(conn, socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        self._note("stopped")

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port actually bound (useful with port=0); still known after stop()."""
        if self._bound_port is None:
            if self._requested_port:
                return self._requested_port
            raise RuntimeError("The sandbox is not running; call start() first")
        return self._bound_port

    def _origin(self) -> str:
        scheme = "https" if self._ssl_context is not None or self._stall_handshake else "http"
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{scheme}://{host}:{self.port}"

    @property
    def api_base(self) -> str:
        """The ``MOECHECK_API_BASE`` template, e.g. ``http://127.0.0.1:PORT/dc-{dc}``."""
        return self._origin() + "/dc-{dc}"

    def url_for(self, dc: str) -> str:
        """The full endpoint URL for one DC."""
        return self.api_base.replace("{dc}", dc) + ENDPOINT_PATH

    def tls_sandbox(self, scenario: str) -> Sandbox:
        """The listener of one TLS scenario (:data:`TLS_SCENARIOS`), started on first use.

        Each scenario is a Sandbox of its own on this host (with the demo
        workspaces), stopped with this one: its certificate, or a handshake
        that never completes, is chosen before any request is seen. Tests use
        it to see that no request arrived (``.requests``) or to set its mode.
        """
        spec = TLS_SCENARIOS.get(scenario)
        if spec is None:
            known = ", ".join(TLS_SCENARIOS)
            raise ValueError(f"Unknown TLS scenario {scenario!r}; known: {known}")
        with self._lock:
            if self._server is None or self._stopping.is_set():
                raise RuntimeError("The sandbox is not running; call start() first")
            child = self._tls_children.get(scenario)
            if child is None:
                context = None if spec.cert_pem is None else server_context(spec.cert_pem)
                child = Sandbox(self._host, tls=context, stall_handshake=spec.stall_handshake)
                child.slow_scenario_delay = self.slow_scenario_delay
                child.start()
                if spec.mode != "normal":
                    child.set_mode(spec.mode)
                self._tls_children[scenario] = child
        return child

    def tls_api_base(self, scenario: str) -> str:
        """The ``MOECHECK_API_BASE`` of one TLS scenario (see :meth:`tls_sandbox`)."""
        return self.tls_sandbox(scenario).api_base

    def api_base_for(self, workspace_id: str) -> str:
        """Where a check of ``workspace_id`` goes: a TLS scenario's listener, or :attr:`api_base`.

        Demo mode asks this for the workspace typed in, so the demo workspaces
        whose scenario is a certificate or a stalled handshake reach it.
        """
        scenario = TLS_WORKSPACES.get(workspace_id.strip())
        return self.api_base if scenario is None else self.tls_api_base(scenario)

    # -- recording -------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    @property
    def log(self) -> list[str]:
        """One line per event (request line, status, request id); never a key."""
        with self._lock:
            return list(self._log)

    # -- behaviour -------------------------------------------------------------

    def set_mode(self, mode: str, **params: object) -> None:
        """Make all following requests misbehave (or ``"normal"`` again).

        Raises ValueError for an unknown mode or parameter, so a typo in a test
        fails loudly instead of silently testing the normal path.
        """
        check_params(mode, params)
        if mode == "large":
            # Build (and cache) the body now, so the first request is not slowed down.
            large_body(*large_size(params))
        with self._lock:
            self._mode = (mode, dict(params))
            self._mode_tries = 0
        self._note(f"mode {mode}")

    def add_workspace(self, workspace_id: str, api_key: str, dc: str, app_name: str) -> None:
        """Accept another credential pair on one DC (replaces one with the same ID)."""
        if dc not in DC_CODES:
            raise ValueError(f"Unknown data center {dc!r}; known: {', '.join(DC_CODES)}")
        with self._lock:
            self._workspaces[workspace_id] = DemoWorkspace(
                workspace_id, api_key, dc, app_name, "added by add_workspace"
            )
            self._added.add(workspace_id)

    # -- internals used by the handler -----------------------------------------

    def _mode_snapshot(self) -> tuple[str, dict[str, object]]:
        with self._lock:
            return self._mode[0], dict(self._mode[1])

    def _authenticate(self, workspace_id: str, api_key: str, dc: str) -> str | None:
        with self._lock:
            workspace = self._workspaces.get(workspace_id)
        if workspace is None or workspace.dc != dc:
            return None
        if not secrets.compare_digest(workspace.api_key.encode(), api_key.encode()):
            return None
        return workspace.app_name

    def _reject_fresh_key(self, workspace_id: str, mode: str, params: Mapping[str, object]) -> bool:
        """Whether right credentials are rejected this time (a key that is not live yet).

        In mode ``reject_then_accept`` the first ``times`` accepted checks after
        set_mode are rejected; DEMO_NEWKEY is rejected NEW_KEY_REJECTIONS times,
        accepted once, and so on again (so the demo can be replayed).
        """
        with self._lock:
            if mode == "reject_then_accept":
                self._mode_tries += 1
                return self._mode_tries <= int(number(params, "times", 2))
            if workspace_id == NEW_KEY_ID:
                self._new_key_tries += 1
                return self._new_key_tries % (NEW_KEY_REJECTIONS + 1) != 0
        return False

    def _added_workspaces(self) -> list[DemoWorkspace]:
        with self._lock:
            return [self._workspaces[w] for w in sorted(self._added)]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _note(self, line: str) -> None:
        with self._lock:
            self._log.append(line)
        _logger.debug("sandbox: %s", line)

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)
        if self._stopping.is_set():
            try:
                socket.socket.shutdown(conn, socket.SHUT_RDWR)
            except OSError:
                pass

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)


def describe(sandbox: Sandbox) -> str:
    """What ``moecheck sandbox`` prints: how to point MoeCheck at it, and the demo logins.

    Plain ASCII in English, so it prints on any console; in another language
    its words are translated (the commands, IDs and keys are not). Keys of
    workspaces added with ``add_workspace`` are not shown: only the public demo
    keys are.
    """
    lines = [
        # Translators: keep each line under about 76 characters (a console's width).
        _("MoeCheck sandbox: a local stand-in for MoEngage's Test Connection endpoint,"),
        _("running on this computer. It is not MoEngage; nothing is sent to MoEngage"),
        _("and the demo keys below are public, made-up values."),
        "",
        _("Point MoeCheck at it (in the shell where you run moecheck or the app):"),
        f"  export MOECHECK_API_BASE={sandbox.api_base}",  # commands, typed as written
        f'  (Windows PowerShell: $env:MOECHECK_API_BASE = "{sandbox.api_base}")',
        "",
        _("Demo workspaces:"),
    ]
    rows = [(_("Workspace ID"), "DC", _("Data API key"), _("What it demonstrates"))]
    rows += [(w.workspace_id, w.dc, w.api_key, _(w.note)) for w in DEMO_WORKSPACES]
    rows += [(w.workspace_id, w.dc, _("(not shown)"), w.note) for w in sandbox._added_workspaces()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        lines.append("  " + "  ".join([*cells, row[3]]).rstrip())
    lines += [
        "",
        # Translators: 'App Secret key mismatch' is MoEngage's own answer: keep it in English.
        _("Any other key gets 401 'App Secret key mismatch', as MoEngage answers;"),
        _("a workspace tried on another data center gets 401 too."),
        "",
        _("These demo workspaces show a certificate or TLS problem, so they have an"),
        _("address of their own (set MOECHECK_API_BASE to it to try one):"),
    ]
    for workspace_id in TLS_WORKSPACES:
        lines.append(f"  {workspace_id}: {sandbox.api_base_for(workspace_id)}")
    return "\n".join(lines)
