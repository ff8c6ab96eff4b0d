"""Headless sub-commands beyond ``snapshot`` and ``config``, one module each.

A module here provides ``register(commands, add_common)``: it adds its parser to
the ``commands`` sub-parser group (``add_common`` adds ``--demo`` and
``--config``) and sets ``run=<callable(args) -> int>`` as the parser default.
``fundtui.cli.COMMAND_MODULES`` lists the modules; they are imported to build
the parser, so they import nothing heavy at module level.
"""

from __future__ import annotations

import sys

PROG = "fundtui"


def say(message: str) -> None:
    """One line on stderr, prefixed with the program name."""
    print(f"{PROG}: {' '.join(message.split())}", file=sys.stderr)
