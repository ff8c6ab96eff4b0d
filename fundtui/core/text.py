"""Short text for status lines and error messages."""

from __future__ import annotations

MAX_REASON_CHARS = 200


def one_line(text: object, limit: int = MAX_REASON_CHARS) -> str:
    """Whitespace (newlines included) collapsed, cut to ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def describe_exception(exc: BaseException, limit: int = MAX_REASON_CHARS) -> str:
    """``TypeName: message`` on one line, or just the type name without a message."""
    detail = one_line(exc, limit)
    name = type(exc).__name__
    return one_line(f"{name}: {detail}" if detail else name, limit)
