"""Product-wide limits, each defined once, with the reason it has the value it has.

Imports nothing: the window, the command and the core all read these, some of
them before the first frame is painted, so this module must stay free.
"""

from __future__ import annotations

DEFAULT_TIMEOUT = 15.0
"""Seconds for one whole check (PRODUCT.md 3.3: ``--timeout`` defaults to 15 s).

Long enough for a slow corporate proxy plus a TLS handshake to a far-away data
center; short enough that a marketer staring at the window does not think it hung.
"""

MAX_TIMEOUT = 600.0
"""The largest ``--timeout`` the command accepts, in seconds.

Ten minutes is already far past any useful wait for one HTTP answer; a larger
number is almost always a typo (milliseconds given as seconds).
"""

MAX_ANSWER_BYTES = 64 * 1024
"""The cap on an answer, counted on the wire and again after decompression (PRODUCT.md 3.1).

MoEngage's real answer is a few hundred bytes; 64 KiB leaves room for a
proxy's error page while a hostile or broken server (or a gzip bomb) cannot
make the check hold much memory.
"""

MAX_FIELD_LENGTH = 256
"""The longest workspace ID or API key accepted, in characters (PRODUCT.md 3.1 ``invalid_input``).

Real IDs and keys are a few dozen characters; anything this long is a wrong
paste (a whole e-mail, a file) and is refused before anything is sent.
"""

MAX_DC_INPUT = 2048
"""The longest text :func:`moecheck_gui.datacenters.parse_dc` looks at, in characters.

Enough for any dashboard URL with its query string; more is not a data center
and parsing it would only cost time.
"""

SERVER_TEXT_LIMIT = 2000
"""Longest server text (message, workspace name, ...) kept in an outcome, in characters.

Enough for any real error message; a server cannot flood the window, the
terminal or a report with an endless "message".
"""

MAX_RETRY_AFTER_S = 7 * 24 * 3600
"""The largest ``Retry-After`` taken at face value, in seconds (one week).

A bigger number is a server bug; showing "wait 30 years" helps nobody.
"""
