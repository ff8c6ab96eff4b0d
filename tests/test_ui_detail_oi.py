"""The detail view says why a venue shows no open interest, instead of a blank."""

from __future__ import annotations

from fundtui.core.board import build_row
from fundtui.core.quote import Quote
from fundtui.ui.detail import DetailScreen
from fundtui.ui.format import DEFAULT_PALETTE


def q(venue: str, oi_usd: float | None) -> Quote:
    return Quote(venue, "BTC/USDT:USDT", "BTC", "USDT", 0.0001, 8.0, open_interest_usd=oi_usd)


def test_each_venue_without_open_interest_is_named_with_its_reason():
    row = build_row(
        "BTC",
        {
            "binance": q("binance", None),  # no bulk open-interest request at all
            "okx": q("okx", None),  # asked at a slower cadence: no answer yet
            "bybit": q("bybit", None),  # with its rates, but none for this market
            "gate": q("gate", 1.5e9),
        },
        ["binance", "okx", "bybit", "gate"],
    )
    screen = DetailScreen(row, None, {}, [], 0, DEFAULT_PALETTE)
    notes = screen.oi_notes()
    assert len(notes) == 3
    assert "binance has no bulk open-interest request" in notes[0]
    assert "okx" in notes[1] and "once a minute" in notes[1]
    assert notes[2] == "bybit sent no open interest for this market"
    assert not any("gate" in n for n in notes)
