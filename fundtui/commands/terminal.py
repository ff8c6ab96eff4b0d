"""stdout for the headless commands, made inert for the terminal.

A venue may list a perp named ``"\\x1b]0;PWNED\\x07T-USDT-SWAP"``: printed raw,
that sets the terminal's title, and ``\\x1b[2J`` clears the screen. Rather than
trusting every ``print`` of every command (and every command still to come) to
remember ``visible``, the command's stdout is replaced while it runs by
:class:`InertStream`, which spells out every character that does not print as
itself (``fundtui.core.text.visible``) except the newline. Tables still apply
``visible`` to their cells themselves, so that columns line up on what is
shown; ``visible`` is idempotent, so nothing is spelled out twice.

JSON output passes through unchanged: ``json.dumps`` (``ensure_ascii``, the
default) already writes every such character as a ``\\u`` escape.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from fundtui.core.text import visible


def inert(text: str) -> str:
    """``text`` with every line made ``visible``; the newlines kept."""
    if text.isprintable():
        return text
    return "\n".join(visible(line) for line in text.split("\n"))


class InertStream:
    """A text stream that writes ``inert(text)`` to the one it wraps."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(inert(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding...
        return getattr(self._inner, name)


@contextlib.contextmanager
def inert_stdout() -> Iterator[None]:
    """``sys.stdout`` wrapped in :class:`InertStream` for the duration."""
    before = sys.stdout
    sys.stdout = InertStream(before)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout = before
