"""The child process that runs PAC JavaScript, so a PAC that never returns can be stopped.

Why a separate process: the JavaScript engine (QuickJS inside ``dukpy``, driven
by ``pypac``) holds Python's global interpreter lock for as long as the script
runs and can only be interrupted from the main thread by a signal. A PAC with
an endless loop would freeze every thread of the app, the window included.
A process can be killed at the deadline; the app never waits on it.

This module imports only the standard library at the top; pypac and dukpy are
loaded in the child. Messages on the pipe are plain tuples:
parent -> child ``(pac_text, url, host)``; child -> parent ``("ready",)`` once,
then ``("ok", answer)`` or ``("error", text)`` per request.
"""

from __future__ import annotations

import hashlib
import socket
from multiprocessing.connection import Connection
from typing import Any


def my_ip_address() -> str:
    """The address of the interface that reaches the outside, like browsers' myIpAddress().

    pypac answers with whatever the machine's own name resolves to, which is
    127.0.1.1 on many Linux machines. Connecting a UDP socket picks the route
    without sending a packet (192.0.2.1 is a documentation-only address).
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("192.0.2.1", 9))
            address = str(sock.getsockname()[0])
            if address and not address.startswith("0."):
                return address
    except OSError:
        pass
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def _compile(pac_text: str) -> Any:
    # Deferred: only the child needs the JS engine. The helper table is pypac's
    # own dict, read when a PACFile is built: ours replaces its myIpAddress.
    from pypac.parser import PACFile
    from pypac.parser_functions import function_injections

    function_injections["myIpAddress"] = my_ip_address
    return PACFile(pac_text)


def _error_text(exc: BaseException) -> str:
    """One line naming the script's error, without pypac's wrapper words."""
    text = " ".join((str(exc).strip() or exc.__class__.__name__).split())
    if text.startswith("Malformed PAC file (") and text.endswith(")"):
        text = text[len("Malformed PAC file (") : -1].strip()
    if "FindProxyForURLEx is not defined" in text:
        text = "the file defines no FindProxyForURL function"
    return text[:300]


def serve(conn: Connection) -> None:
    """Answer PAC requests on ``conn`` until the parent closes it (runs in the child)."""
    compiled: dict[str, Any] = {}
    conn.send(("ready",))
    while True:
        try:
            pac_text, url, host = conn.recv()
        except (EOFError, OSError):
            return
        key = hashlib.sha256(pac_text.encode("utf-8", "replace")).hexdigest()
        try:
            pac = compiled.get(key)
            if pac is None:
                pac = _compile(pac_text)
                compiled.clear()  # one PAC at a time is the normal case; keep memory flat
                compiled[key] = pac
            answer = pac.find_proxy_for_url(url, host)
        except Exception as exc:  # noqa: BLE001 - any failure of the script is the PAC's error
            conn.send(("error", _error_text(exc)))
            continue
        if answer is not None and not isinstance(answer, str):
            conn.send(("error", f"FindProxyForURL returned {type(answer).__name__}, not text"))
            continue
        conn.send(("ok", answer))
