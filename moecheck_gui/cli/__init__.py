"""``moecheck``: the command-line front end for IT staff and scripts.

Why it looks the way it does:

* **The key never travels on the command line.** Arguments sit in shell history
  and are visible to every user through ``ps``. The key comes from
  ``--api-key-stdin``, ``--keychain``, ``MOECHECK_API_KEY`` or a hidden prompt,
  and anything that looks like ``--api-key VALUE`` is refused without echoing
  the value (:mod:`.keys`).
* **Scripts get stable exit codes and one JSON object** (PRODUCT.md 3.2, 3.4);
  people get a short, friendly answer (:mod:`.render`). With ``--json`` nothing
  but that object is written to stdout; everything else goes to stderr.
* **Fast and Qt-free.** Only the light modules are imported at start-up;
  ``requests``, ``keyring`` and friends load inside the commands that need
  them, so ``moecheck dc 5`` and ``--help`` are instant. This package never
  imports PySide6.
* **Belt and braces against leaks.** While a command runs, stdout and stderr are
  wrapped so any occurrence of the key (or its Basic-auth encoding) is replaced
  by ``[redacted]`` before it is written (:mod:`.output`).
* **Ctrl-C is a normal way to stop.** The check runs on a worker thread; Ctrl-C
  cancels it, prints ``Interrupted.`` and exits 130 without a traceback (:mod:`.run`).

Where things are:

====================  ==========================================================
``app``               :func:`main`: key-argument refusal, parsing, dispatch, errors
``commands``          the table of commands and :func:`build_parser`
``parser``            the never-exiting parser, shared options, ``--help`` epilog
``keys``              where the key comes from (stdin, keychain, env, prompt)
``output``            guarded stdout/stderr, colour, ``err``
``render``            the outcome as JSON or as the human answer
``run``               worker thread, deadline watchdog, Ctrl-C; made-up outcomes
``check_cmds``        ``check`` and ``detect`` (one shared path)
``until_ok``          ``check --until-ok``: keep checking until the key works
``workspaces``        ``--save``/``forget``/history: the saved list, keychain, history
``check_all_cmd``     ``check-all``: rows, the run, Ctrl-C, ``--json``/``--csv``
``check_all_output``  ``check-all``'s table, progress, pauses, keys in the guard
``dc_cmd``            ``dc``
``forget_cmd``        ``forget`` (key, saved workspace, history)
``sandbox_cmd``       ``sandbox``
====================  ==========================================================
"""

from __future__ import annotations

from moecheck_gui.cli.app import EXIT_INTERNAL, main
from moecheck_gui.cli.commands import build_parser
from moecheck_gui.cli.render import render_human

__all__ = ["EXIT_INTERNAL", "build_parser", "main", "render_human"]
