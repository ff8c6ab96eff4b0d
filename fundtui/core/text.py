"""Short text for status lines and error messages, and outside text made safe to show.

Venue names, response bodies and file contents can hold control characters: ESC
and BEL sequences that clear a terminal or set its title, carriage returns and
backspaces that overwrite what was printed, bidi overrides and zero-width
characters that make one name look like another. ``visible`` spells each of them
out (``\\x1b``, ``\\u202e``) so what reaches a terminal or a widget is exactly what
came, readable and inert. ``one_line`` applies it to every reason it shortens.
"""

from __future__ import annotations

import unicodedata

MAX_REASON_CHARS = 200

#: Unicode categories that never print as themselves: controls (C0, DEL, C1),
#: format characters (bidi overrides and isolates, zero-width joiners and spaces,
#: the BOM, soft hyphen), line and paragraph separators, lone surrogates.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _spelled(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def is_hidden(ch: str) -> bool:
    """Whether ``ch`` (one character) would not print as itself."""
    return unicodedata.category(ch) in _HIDDEN_CATEGORIES


def visible(text: object) -> str:
    """``text`` with every character that does not print as itself spelled out.

    Printable text, accents and CJK included, passes through as it is, and so do
    backslashes: the result is printable, so ``visible(visible(s)) == visible(s)``
    and a reason may pass through several layers that each make it visible.
    """
    s = str(text)
    if s.isprintable():  # the common case, in C
        return s
    out = []
    for ch in s:
        if ch == " " or not is_hidden(ch):
            out.append(ch)
        else:
            out.append(_spelled(ch))
    return "".join(out)


def one_line(text: object, limit: int = MAX_REASON_CHARS) -> str:
    """Whitespace (newlines included) collapsed, control characters made visible, cut
    to ``limit`` characters."""
    line = visible(" ".join(str(text).split()))
    return line if len(line) <= limit else line[: limit - 1] + "…"


def describe_exception(exc: BaseException, limit: int = MAX_REASON_CHARS) -> str:
    """``TypeName: message`` on one line, or just the type name without a message."""
    detail = str(exc).strip()
    name = type(exc).__name__
    return one_line(f"{name}: {detail}" if detail else name, limit)
