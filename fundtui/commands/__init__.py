"""Headless sub-commands beyond ``snapshot`` and ``config``, one module each.

A module here provides ``register(commands, add_common)``: it adds its parser to
the ``commands`` sub-parser group (``add_common`` adds ``--demo`` and
``--config``) and sets ``run=<callable(args) -> int>`` as the parser default.
``fundtui.cli.COMMAND_MODULES`` lists the modules; they are imported to build
the parser, so they import nothing heavy at module level.

What a command prints can quote a venue (symbols, error bodies), a file or a
flag, so nothing reaches the terminal raw: :func:`say` is the one way to
stderr and spells out control characters (``fundtui.core.text.one_line``), and
``fundtui.commands.terminal`` guards stdout the same way while a command runs.
"""

from __future__ import annotations

import sys

from fundtui.core.text import one_line

PROG = "fundtui"
#: Longest stderr line: a config error lists the allowed keys; a flag's value
#: (a 300-character exchange id) is cut, not repeated whole.
MAX_SAY_CHARS = 1000


def error_line(message: str) -> str:
    """``message`` as the one stderr line ``say`` writes (program name included)."""
    return one_line(f"{PROG}: {message}", MAX_SAY_CHARS)


def say(message: str) -> None:
    """One line on stderr, prefixed with the program name, control characters spelled out."""
    print(error_line(message), file=sys.stderr)
