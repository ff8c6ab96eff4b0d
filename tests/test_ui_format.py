"""Cell text: percentages, intervals, countdowns, stale marking."""

from __future__ import annotations

import pytest

from fundtui.core.timefmt import countdown
from fundtui.ui import format as fmt
from fundtui.ui.format import DEFAULT_PALETTE as P
from fundtui.ui.format import Unit
from tests.fakesource import quote

T = 1_700_000_000_000


@pytest.mark.parametrize(
    "unit,expected", [(Unit.RAW, "0.0100%·4h"), (Unit.H8, "0.0200%·4h"), (Unit.APR, "21.90%·4h")]
)
def test_a_4h_rate_in_each_unit(unit, expected):
    assert fmt.rate_cell(quote("okx", "BTC", 0.0001, interval_h=4), unit, P).plain == expected


def test_8h_rates_carry_no_suffix_and_odd_intervals_do():
    assert fmt.rate_cell(quote("okx", "BTC", 0.0001), Unit.RAW, P).plain == "0.0100%"
    assert (
        fmt.rate_cell(quote("okx", "BTC", 0.0001, interval_h=0.5), Unit.RAW, P).plain
        == "0.0100%·0.5h"
    )


def test_unknown_interval_is_never_normalized():
    q = quote("okx", "BTC", 0.0001, interval_h=None)
    assert fmt.rate_cell(q, Unit.RAW, P).plain == "0.0100%·?h"
    assert fmt.rate_cell(q, Unit.H8, P).plain == "?·?h"


def test_stale_cells_are_marked_and_grey():
    text = fmt.rate_cell(quote("okx", "BTC", -0.0001), Unit.H8, P, stale=True)
    assert text.plain == "~-0.0100%"
    assert text.style == P.stale


def test_sign_and_magnitude_colours():
    assert fmt.rate_style(0.0001, P) == P.pos[0]
    assert fmt.rate_style(-0.0003, P) == P.neg[1]
    assert fmt.rate_style(0.002, P) == P.pos[2]
    assert fmt.rate_style(0.000001, P) == P.flat


def test_percent_formats():
    assert fmt.pct(-0.0000001) == "0.0000%"
    assert fmt.apr_pct(0.1095) == "10.95%"
    assert fmt.apr_pct(1.2345) == "123.5%"  # 123.45 %: half away from zero
    assert fmt.apr_pct(-17.52) == "-1752%"
    assert fmt.signed_pct(0.001) == "+0.100%"


@pytest.mark.parametrize(
    "ms,expected",
    [
        (0, "due"),
        (-5, "due"),
        (999, "1s"),
        (59_999, "1m00s"),
        (60_000, "1m"),
        (60_001, "1m"),
        (299_000, "4m"),
        (300_000, "5m"),
        (725_000, "12m"),
        (3_599_999, "59m"),
        (3_600_000, "1h00m"),
        (3 * 3_600_000 + 12 * 60_000 + 59_000, "3h12m"),
    ],
)
def test_countdown(ms, expected):
    # seconds only in the last minute, so the board redraws once a minute before that
    assert countdown(T + ms, T, fmt.SECONDS_UNDER_MS) == expected


def test_base_cell_shows_the_base_and_spells_out_hidden_characters():
    assert fmt.base_cell("PEPE", True, P).plain == "★ PEPE"
    assert fmt.base_cell("PEPE", False, P).plain == "  PEPE"
    hostile = "\x1b]0;PWNED\x07T"  # Rich would drop the BEL from a plain Text
    assert fmt.base_cell(hostile, False, P).plain == "  \\x1b]0;PWNED\\x07T"
    assert fmt.base_cell("A\u202eB\u200b", True, P).plain == "★ A\\u202eB\\u200b"


def test_theme_palette_follows_the_theme_colours():
    p = fmt.Palette.from_variables(
        {"success": "#00ff00", "error": "#ff0000", "background": "#000000"}
    )
    assert p.pos[0].color.name == "#00ff00"
    assert p.neg[0].color.name == "#ff0000"


@pytest.mark.parametrize(
    "left_ms",
    [1, 999, 1000, 59_999, 60_000, 299_999, 300_000, 300_001, 1_200_000, 3_600_000, 3_659_123],
)
def test_countdown_text_holds_until_the_predicted_change(left_ms):
    # The board skips clock ticks until countdown_changes_at: the text must not
    # change a millisecond before it, and must change at it.
    target = T + left_ms
    at = fmt.countdown_changes_at(target, T)
    shown = countdown(target, T, fmt.SECONDS_UNDER_MS)
    assert countdown(target, at - 1, fmt.SECONDS_UNDER_MS) == shown
    assert countdown(target, at, fmt.SECONDS_UNDER_MS) != shown


def test_no_countdown_change_without_a_time_ahead():
    assert fmt.countdown_changes_at(None, T) is None
    assert fmt.countdown_changes_at(T, T) is None
