"""The board's net spread: the spread's APR after both legs' fees over a horizon.

Hand computations (fees are the venues' published base-tier taker fees, from the
venue facts table: binance 0.05 %, bybit 0.055 %, gate 0.05 %, okx 0.05 %):

* binance long / bybit short, spread 0.03 %/8h, held 72 h:
  spread APR = 0.0003 x 3 x 365 = 0.3285; the round trip = 2 x (0.0005 + 0.00055)
  = 0.0021 of one leg's notional; over 72 h that is 0.0021 x 8760 / 72 = 0.2555
  a year; net APR = 0.3285 - 0.2555 = 0.0730 (7.30 %); break-even
  0.0021 / (0.0003 / 8) = 56 h.
"""

from __future__ import annotations

import json

import pytest

from fundtui.config import ConfigError, parse_config
from fundtui.core.board import build_board
from fundtui.core.fees import Fees
from fundtui.core.net_spread import net_for, net_spread
from fundtui.core.snapshot import build_snapshot
from fundtui.core.spread import Spread
from tests.fakesource import FrozenClock, quote
from tests.uihelp import cell, loaded, make_app, market, order

T0 = 1_767_225_600_000


def test_the_hand_computed_pair():
    net = net_for(Spread("BTC", "binance", "bybit", 0.0001, 0.0004, 2), 72)
    assert net.fees == pytest.approx(0.0021)
    assert net.net_apr == pytest.approx(0.3285 - 0.2555)
    assert net.break_even_h == pytest.approx(56.0)
    assert net.horizon_h == 72


def test_a_longer_horizon_spreads_the_fees_thinner_and_overrides_count():
    # same pair over 168 h: 0.0021 x 8760 / 168 = 0.1095; net 0.3285 - 0.1095 = 0.2190
    spread = Spread("BTC", "binance", "bybit", 0.0001, 0.0004, 2)
    assert net_for(spread, 168).net_apr == pytest.approx(0.2190)
    # a VIP binance taker of 0.02 %: the round trip is 2 x (0.0002 + 0.00055) = 0.0015,
    # 0.0015 x 8760 / 72 = 0.1825, net 0.1460, break-even 0.0015 / 0.0000375 = 40 h
    vip = net_for(spread, 72, {"binance": Fees(0.0, 0.0002)})
    assert vip.net_apr == pytest.approx(0.1460)
    assert vip.break_even_h == pytest.approx(40.0)


def test_a_zero_spread_never_breaks_even_and_the_horizon_must_be_positive():
    net = net_spread(0.0, 0.0005, 0.0005, 72)
    assert net.break_even_h is None
    assert net.net_apr == pytest.approx(-0.002 * 8760 / 72)
    with pytest.raises(ValueError):
        net_spread(0.0003, 0.0005, 0.0005, 0)


def test_snapshot_json_carries_the_net_figures():
    quotes = [quote("binance", "BTC", 0.0001), quote("bybit", "BTC", 0.0004)]
    board = build_board({"binance": quotes[:1], "bybit": quotes[1:]}, ["binance", "bybit"], (), 72)
    snap = json.loads(json.dumps(build_snapshot(quotes, board, {}, T0)))
    (s,) = snap["spreads"]
    assert s["net_apr"] == pytest.approx(0.0730)
    assert s["break_even_hours"] == pytest.approx(56.0)
    assert s["net_horizon_hours"] == 72


def test_the_config_sets_the_horizon_and_rejects_nonsense():
    assert parse_config("").net_horizon_hours == 72.0
    assert parse_config("[board]\nnet_horizon_hours = 24\n").net_horizon_hours == 24.0
    for bad in ("0", "-5", '"72"', "true", "nan", "10000"):
        with pytest.raises(ConfigError) as e:
            parse_config(f"[board]\nnet_horizon_hours = {bad}\n")
        assert "net_horizon_hours" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ConfigError):
        parse_config("[board]\nhorizon = 24\n")


async def test_the_board_shows_net_and_break_even_and_sorts_by_net():
    """The test market (tests/uihelp.py), 72 h, every taker 0.05 % (round trip 0.002):
    fees over 72 h = 0.002 x 8760 / 72 = 0.243333 a year.

    * SOL: long binance -0.02 %, short gate +0.01 %: spread 0.0003, APR 0.3285, net
      0.085167 (8.52 %), break-even 0.002 / (0.0003 / 8) = 53.3 h.
    * ETH: binance 0.005 %/4h = 0.01 %/8h, okx 0.035 %: spread 0.00025, APR 0.27375,
      net 0.030417 (3.04 %), break-even 64 h.
    * BTC: gate -0.001 %/1h = -0.008 %/8h, okx 0.012 %: spread 0.0002, APR 0.219, net
      -0.024333 (-2.43 %), break-even 80 h (beyond the horizon).
    """
    clock = FrozenClock()
    app = make_app(market(clock), clock)
    async with app.run_test(size=(200, 30)) as pilot:
        await loaded(pilot)
        assert [cell(app, b, "net") for b in ("SOL", "ETH", "BTC")] == ["8.52%", "3.04%", "-2.43%"]
        assert [cell(app, b, "breakeven") for b in ("SOL", "ETH", "BTC")] == ["53h", "64h", "80h"]
        assert cell(app, "DOGE", "net") == ""  # one venue: no pair
        assert str(app.board.columns["net"].label) == "Net 72h"


async def test_the_configured_fees_and_horizon_reach_the_board():
    """gate's taker at 0.2 %, held 24 h (fees over 24 h: round trip x 365 a year):

    * ETH (binance/okx, round trip 0.002): 0.27375 - 0.73 = -0.45625 (-45.63 %), 64 h
    * SOL (binance/gate, 2 x 0.0025 = 0.005): 0.3285 - 1.825 = -1.4965 (-149.7 %),
      break-even 0.005 / 0.0000375 = 133.3 h = 5.6 days
    * BTC (gate/okx, 0.005): 0.219 - 1.825 = -1.606 (-160.6 %), 200 h = 8.3 days
    Sorted by net, descending, ETH comes first though its spread is not the largest.
    """
    clock = FrozenClock()
    app = make_app(market(clock), clock, fees={"gate": Fees(0.0, 0.002)}, net_horizon_hours=24.0)
    async with app.run_test(size=(200, 30)) as pilot:
        await loaded(pilot)
        assert str(app.board.columns["net"].label) == "Net 24h"
        assert [cell(app, b, "net") for b in ("ETH", "SOL", "BTC")] == [
            "-45.63%",
            "-149.7%",
            "-160.6%",
        ]
        assert [cell(app, b, "breakeven") for b in ("ETH", "SOL", "BTC")] == ["64h", "6d", "8d"]
        app.board.sort_by("net")
        await pilot.pause()
        assert order(app) == ["ETH", "SOL", "BTC", "DOGE"]
        app.board.sort_by("breakeven")
        await pilot.pause()
        assert order(app) == ["ETH", "SOL", "BTC", "DOGE"]  # soonest first
