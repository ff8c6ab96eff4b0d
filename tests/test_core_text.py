"""Outside text made visible: nothing a venue sends can act on a terminal or a widget."""

import pytest

from fundtui.core.text import describe_exception, one_line, visible

HOSTILE = [
    ("\x1b]0;PWNED\x07T", "\\x1b]0;PWNED\\x07T"),  # OSC title set, BEL
    ("\x1b[2JX", "\\x1b[2JX"),  # clear screen
    ("A\rB", "A\\x0dB"),
    ("A\bB", "A\\x08B"),
    ("A\x0bB\x0cC", "A\\x0bB\\x0cC"),
    ("A\x7fB", "A\\x7fB"),  # DEL
    ("A\x9b2JB", "A\\x9b2JB"),  # C1 CSI
    ("USD\u202eTC", "USD\\u202eTC"),  # bidi override
    ("B\u2066T\u2069C", "B\\u2066T\\u2069C"),  # bidi isolates
    ("B\u200bTC", "B\\u200bTC"),  # zero-width space
    ("\ufeffBTC", "\\ufeffBTC"),  # BOM
    ("B\u2028C", "B\\u2028C"),  # line separator
]


@pytest.mark.parametrize(("raw", "shown"), HOSTILE)
def test_visible_spells_out_what_does_not_print(raw, shown):
    assert visible(raw) == shown
    assert visible(raw).isprintable()
    assert visible(visible(raw)) == visible(raw)  # layers may each apply it


@pytest.mark.parametrize("plain", ["BTC", "1000PEPE", "kPEPE", "ÉTÉ", "中文币", "a b"])
def test_visible_leaves_printable_text_alone(plain):
    assert visible(plain) == plain


def test_one_line_collapses_then_makes_visible_then_cuts():
    assert one_line("bad\n\tbody \x1b[31mred") == "bad body \\x1b[31mred"
    cut = one_line("\x07" * 100, limit=20)
    assert len(cut) == 20 and cut.endswith("…") and "\x07" not in cut


def test_describe_exception_is_visible():
    assert describe_exception(ValueError("x\x1by")) == "ValueError: x\\x1by"
