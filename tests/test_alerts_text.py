"""What an alert says: each rule's paragraph, the digest's order and its "N more".

A message is read away from the board, so each must name the rule, the coin, the
venues, the figure and its threshold with units, the APR where one applies and
the UTC time; venue strings arrive spelled out.
"""

from __future__ import annotations

import pytest

from fundtui.core.alert_text import DIGEST_LINES, importance, message, ranked
from fundtui.core.signal_types import Hit

T = 1_795_000_000_000  # 2026-11-18 11:06:40 UTC
WHEN = "2026-11-18 11:06:40 UTC"


def spread(base: str, value: float, t: int = T) -> Hit:
    return Hit(
        t,
        "spread",
        base,
        ("binance", "okx"),
        value,
        0.0005,
        "binance pays more than okx",
        {"apr": value * 1095},
    )


def one(rule: str, value: float, threshold: float, extras=None, venues=("bybit",)) -> Hit:
    return Hit(T, rule, "ETH", venues, value, threshold, f"{rule} explained.", extras or {})


@pytest.mark.parametrize(
    ("hit", "parts"),
    [
        (
            spread("BTC", 0.0007),
            [
                "spread BTC",
                "short binance, long okx",
                "0.0700%/8h",
                "threshold 0.0500%/8h",
                "76.65% APR",
            ],
        ),
        (
            one("deviation", -0.0012, 0.001, {"rate_8h": -0.0011}),
            [
                "deviation ETH on bybit",
                "-0.1200%/8h",
                "threshold 0.1000%/8h",
                "rate -0.1100%/8h (-120.5% APR)",
                "deviation explained.",
            ],
        ),
        (
            one("spike", 0.002, 0.0015, {"rate_8h": 0.0021}),
            [
                "spike ETH on bybit",
                "+0.2000%/8h",
                "threshold 0.1500%/8h",
                "rate +0.2100%/8h (230.0% APR)",
            ],
        ),
        (
            one("ema_divergence", 0.0006, 0.0005),
            ["ema_divergence ETH on bybit", "+0.0600%/h", "threshold 0.0500%/h"],
        ),
        (
            one("oi_regime", 0.062, 0.05, {"rate_8h": 0.001}),
            ["oi_regime ETH on bybit", "+6.2% OI", "threshold 5.0% OI", "109.5% APR"],
        ),
        (
            one("exhaustion", -0.021, 0.0, {"rate_8h": 0.0008}),
            ["exhaustion ETH on bybit", "-2.1% px", "threshold 0.0% px", "87.60% APR"],
        ),
        (
            one("implied", 0.0006, 0.0005, {"rate_8h": 0.0009}),
            ["implied ETH on bybit", "+0.0600%/8h", "threshold 0.0500%/8h", "98.55% APR"],
        ),
        (
            Hit(
                T,
                "sector",
                "Meme",
                (),
                0.051,
                0.03,
                "Meme heats up.",
                {"state": "heating", "apr": 0.2},
            ),
            [
                "sector Meme heating",
                "+5.1% APR",
                "threshold 3.0% APR",
                "sector at 20.00% APR",
                "Meme heats up.",
            ],
        ),
    ],
)
def test_a_single_hit_is_one_paragraph_with_its_figures_units_and_time(hit, parts):
    title, body = message([hit])
    assert "\n" not in body
    assert body.endswith(WHEN)
    for part in parts:
        assert part in body, (part, body)
    assert title == "fundtui: " + parts[0].split(" on ")[0]


def test_a_spread_without_an_apr_in_its_extras_gets_it_from_the_spread():
    hit = Hit(T, "spread", "BTC", ("binance", "okx"), 0.001, 0.0005, "", {})
    assert "109.5% APR" in message([hit])[1]


def test_hostile_venue_and_symbol_strings_are_spelled_out():
    hit = Hit(T, "spike", "\x1b]0;PWNED\x07T", ("okx\u202e",), 0.002, 0.0015, "x\x1b[2J", {})
    title, body = message([hit])
    for text in (title, body):
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b]0;PWNED\\x07T" in body and "okx\\u202e" in body


def test_a_digest_lists_spreads_by_apr_then_the_rest_by_distance_past_threshold():
    hits = [
        one("deviation", 0.0012, 0.001),  # 1.2x
        spread("LOW", 0.0006),
        one("spike", -0.0045, 0.0015),  # 3x
        spread("HIGH", 0.002),
        one("exhaustion", -0.01, 0.0),  # threshold 0: counts as 1x
    ]
    title, body = message(hits)
    lines = body.split("\n")
    assert title == "fundtui: 5 signals"
    assert lines[0].startswith(f"5 signals, {WHEN.removesuffix(' UTC')}")
    order = [line.split("  ", 1)[1].split(":")[0] for line in lines[1:]]
    assert order == [
        "spread HIGH (short binance, long okx)",
        "spread LOW (short binance, long okx)",
        "spike ETH on bybit",
        "deviation ETH on bybit",
        "exhaustion ETH on bybit",
    ]
    assert [h.base for h in ranked(hits)][:2] == ["HIGH", "LOW"]
    assert importance(hits[0]) < importance(hits[4])


def test_a_long_digest_shows_ten_lines_and_says_how_many_more():
    hits = [spread(f"C{i:02d}", 0.0006 + i * 1e-5, T + i * 1000) for i in range(25)]
    title, body = message(hits, more=5)
    lines = body.split("\n")
    assert title == "fundtui: 30 signals"
    assert len(lines) == 1 + DIGEST_LINES + 1
    assert lines[-1].startswith("and 20 more")
    assert "C24" in lines[1] and "C15" in lines[DIGEST_LINES]  # the highest APRs
    assert "to 11:07:04 UTC" in lines[0]  # the window's first to last hit
