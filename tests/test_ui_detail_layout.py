"""The detail view's charts: six venues told apart, an axis that fits the data there is,
and at 80x24 one panel at a time (v switches) with the coin's signals in full."""

from __future__ import annotations

import pytest
from textual.app import App

from fundtui.core.board import build_row
from fundtui.core.quote import Quote
from fundtui.core.signal_types import Hit
from fundtui.store.history import Sample
from fundtui.ui.detail import DetailScreen
from fundtui.ui.detail_chart import (
    HOUR_MS,
    MINUTE_MS,
    VENUE_ORDER,
    fit_axis,
    venue_look,
    venue_slot,
)
from fundtui.ui.format import DEFAULT_PALETTE
from fundtui.ui.theme import install_themes

NOW = 1_795_003_262_000
WHY = (
    "binance pays 0.0500% per 8h more than okx: a spread of 54.75% APR, wide enough "
    "to end with THE-LAST-WORDS"
)


def test_six_venues_six_colours_and_six_markers():
    for dark in (True, False):
        colours = {venue_look(venue_slot(v, VENUE_ORDER), dark, False)[0] for v in VENUE_ORDER}
        assert len(colours) == 6
    markers = [venue_look(venue_slot(v, VENUE_ORDER), True, True) for v in VENUE_ORDER]
    assert all(c is None for c, _ in markers)  # NO_COLOR: no colour, a marker instead
    assert len({m for _, m in markers}) == 6 and all(m.isascii() for _, m in markers)


def test_an_unknown_venue_gets_its_own_slot_not_binances():
    others = [*VENUE_ORDER[:5], "kraken"]
    assert venue_slot("kraken", others) not in {venue_slot(v, others) for v in VENUE_ORDER[:5]}


def test_the_axis_fits_the_data_there_is():
    # ten minutes of data on the 24 h range: minutes, ten of them (and a bit)
    unit, name, left = fit_axis(NOW - 10 * MINUTE_MS, NOW, "24h")
    assert (unit, name) == (MINUTE_MS, "minutes") and -12 < left < -10
    unit, name, left = fit_axis(NOW - 5 * HOUR_MS, NOW, "24h")
    assert (unit, name) == (HOUR_MS, "hours") and -6 < left < -5
    assert fit_axis(NOW - 30 * HOUR_MS, NOW, "24h") == (HOUR_MS, "hours", -24.0)
    assert fit_axis(None, NOW, "24h") == (HOUR_MS, "hours", -24.0)  # nothing: the full span
    unit, name, _ = fit_axis(NOW - 30 * HOUR_MS, NOW, "7d")
    assert name == "hours"


def quote(venue: str, rate: float) -> Quote:
    return Quote(venue, "BTC/USDT:USDT", "BTC", "USDT", rate, 8.0)


def samples(venue: str, minutes: int, rate: float) -> list[Sample]:
    return [
        Sample(
            venue,
            "BTC/USDT:USDT",
            "BTC",
            "USDT",
            NOW - m * MINUTE_MS,
            rate,
            8.0,
            None,
            None,
            None,
            0.0001,
            None,
        )  # fmt: skip
        for m in range(minutes, -1, -1)
    ]


class DetailApp(App):
    def __init__(self) -> None:
        super().__init__()
        install_themes(self, None)
        row = build_row(
            "BTC",
            {v: quote(v, 0.0001 * (i + 1)) for i, v in enumerate(VENUE_ORDER)},
            list(VENUE_ORDER),
        )
        hit = Hit(NOW, "spread", "BTC", ("binance", "okx"), 0.5, 0.3, WHY)
        self.detail = DetailScreen(row, None, {}, [hit], NOW, DEFAULT_PALETTE)

    def on_mount(self) -> None:
        self.push_screen(self.detail)


def shown(app: App, selector: str) -> bool:
    """Whether the widget is on screen: displayed itself and all its parents, not 0 high."""
    w = app.screen.query_one(selector)
    return w.region.height > 0 and all(n.display for n in w.ancestors_with_self if n is not app)


async def test_at_80x24_one_panel_at_a_time_and_the_signals_whole():
    app = DetailApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        d = app.detail
        assert d.compact
        assert shown(app, "#funding-chart") and not shown(app, "#extra-chart")
        assert not shown(app, "#tables")
        assert app.screen.query_one("#funding-chart").region.height >= 8
        signals = app.screen.query_one("#base-signals")
        assert signals.region.bottom <= 23  # above the footer, on the screen
        assert signals.region.height >= 4
        text = signals.get_row_at(0)[-1].plain
        assert "THE-LAST-WORDS" in text  # wrapped to the width, not cut
        assert max(len(line) for line in text.split("\n")) <= d._signal_widths()[-1]
        await pilot.press("v")
        await pilot.pause()
        assert shown(app, "#extra-chart") and not shown(app, "#funding-chart")
        await pilot.press("v")
        await pilot.pause()
        assert shown(app, "#tables") and not shown(app, "#extra-chart")
        assert app.screen.query_one("#accrued").region.height >= 7  # all six venues
        await pilot.press("v")
        await pilot.pause()
        assert shown(app, "#funding-chart")


async def test_a_wide_screen_shows_both_charts_and_the_tables():
    app = DetailApp()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert not app.detail.compact
        for sel in ("#funding-chart", "#extra-chart", "#tables", "#base-signals"):
            assert shown(app, sel), sel
        await pilot.press("v")  # nothing to switch: all is shown
        await pilot.pause()
        assert shown(app, "#funding-chart") and shown(app, "#extra-chart")


@pytest.mark.parametrize("no_color", [False, True])
async def test_ten_minutes_of_history_are_drawn_over_ten_minutes(no_color):
    app = DetailApp()
    async with app.run_test(size=(160, 45)) as pilot:
        app.no_color = no_color
        d = app.detail
        d.samples = {v: samples(v, 10, 0.0001 * (i + 1)) for i, v in enumerate(VENUE_ORDER)}
        d._draw()
        await pilot.pause()
        chart = app.screen.query_one("#funding-chart")
        plot = chart.plt.build()
        assert "minutes before now" in plot
        if no_color:  # the legend names each venue by its marker
            for marker, venue in zip("*+ox#@", VENUE_ORDER, strict=True):
                assert f"{marker} {venue}" in plot
