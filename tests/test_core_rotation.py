"""Sector aggregation and rotation states, pinned by hand-computed figures."""

from __future__ import annotations

import math

import pytest

from fundtui.core.board import build_board
from fundtui.core.quote import Quote
from fundtui.core.rotation import (
    CROWDING,
    DIVERGENCE,
    ROTATION_IN,
    UNWINDING,
    BaseFigures,
    RotationParams,
    SectorBoardModel,
    SectorHistory,
    SectorStateTracker,
    aggregate,
    aggregate_figures,
)
from fundtui.core.sectors import SectorMap

T0 = 1_767_225_600_000
H = 3_600_000


def q(venue, base, rate, interval_h=8.0, oi=None, vol=None, change=None) -> Quote:
    return Quote(
        venue=venue,
        symbol=f"{base}/USDT:USDT",
        base=base,
        quote="USDT",
        funding_rate=rate,
        interval_hours=interval_h,
        open_interest_usd=oi,
        volume_24h_usd=vol,
        price_change_24h=change,
    )


SECTORS = SectorMap.build({"A": ["X", "Y"], "B": ["Y", "Z"], "C": ["W", "W2"], "Empty": ["Q"]})


def rows():
    return build_board(
        {
            # X: APR (0.0001 + 0.0003) x 1095 / 2 = 0.219; OI 300 (okx gives none); vol 1000
            "binance": [
                q("binance", "X", 0.0001, oi=300, vol=1000, change=0.02),
                q("binance", "W2", 0.0002, oi=50),
            ],
            "okx": [q("okx", "X", 0.0003, change=0.04)],
            # Y: 0.0002 per 4 h = 0.0004 per 8 h: APR 0.438
            "bybit": [q("bybit", "Y", 0.0002, interval_h=4, oi=100, vol=3000, change=0.10)],
            # Z: APR -0.1095, volume but no OI
            "gate": [q("gate", "Z", -0.0001, vol=1000, change=-0.05)],
            # W: 0.00001 per hour: APR 0.0876, neither OI nor volume
            "hyperliquid": [q("hyperliquid", "W", 0.00001, interval_h=1)],
        },
        ["binance", "okx", "bybit", "gate", "hyperliquid"],
    )


def test_weights_and_each_fallback():
    st = aggregate(SECTORS, rows(), params=RotationParams(extreme_apr=0.3))
    a, b, c = st["A"], st["B"], st["C"]
    # A: both have OI: (0.219 x 300 + 0.438 x 100) / 400
    assert a.weighting == "oi"
    assert a.apr == pytest.approx(109.5 / 400)
    assert a.median_apr == pytest.approx((0.219 + 0.438) / 2)
    assert (a.count, a.members, a.extreme) == (2, 2, 1)
    # B: Z has no OI, both have volume: (0.438 x 3000 - 0.1095 x 1000) / 4000
    assert b.weighting == "volume"
    assert b.apr == pytest.approx(1204.5 / 4000)
    # C: W has neither: equal weights
    assert c.weighting == "equal"
    assert c.apr == pytest.approx((0.0876 + 0.219) / 2)
    # Y sits in A and B and counts in both
    assert "Y" in a.bases and "Y" in b.bases


def test_price_change_weighted_by_volume_and_leaders():
    st = aggregate(SECTORS, rows())
    # X's change is the mean of its venues (0.03); volumes 1000 and 3000
    assert st["A"].price_change == pytest.approx((0.03 * 1000 + 0.10 * 3000) / 4000)
    assert st["A"].price_weighting == "volume"
    assert st["C"].price_change is None and st["C"].price_weighting == ""
    assert st["A"].leading == (("Y", pytest.approx(0.438)),)
    assert st["A"].lagging == (("X", pytest.approx(0.219)),)


def test_sector_without_quotes():
    e = aggregate(SECTORS, rows())["Empty"]
    assert (e.apr, e.median_apr, e.count, e.members, e.weighting) == (None, None, 0, 1, "")
    assert e.z is None and e.state is None
    assert e.velocity == {1: None, 8: None, 24: None}
    assert e.explanation == "No base of this sector has a funding rate now."


def test_z_score_across_sectors():
    st = aggregate(SECTORS, rows())
    aprs = [109.5 / 400, 1204.5 / 4000, (0.0876 + 0.219) / 2]
    mean = sum(aprs) / 3
    sd = math.sqrt(sum((x - mean) ** 2 for x in aprs) / 3)
    assert st["A"].z == pytest.approx((aprs[0] - mean) / sd)
    assert st["C"].z == pytest.approx((aprs[2] - mean) / sd)
    assert st["Empty"].z is None


def test_velocity_same_bases_same_weights_and_na():
    past = {1: {"X": 0.119, "Y": 0.338, "W": 0.0876}}
    st = aggregate(SECTORS, rows(), past)
    # A then: (0.119 x 300 + 0.338 x 100) / 400 = 0.17375; now 0.27375
    assert st["A"].velocity[1] == pytest.approx(0.1)
    assert st["A"].then_apr[1] == pytest.approx(0.17375)
    assert st["A"].velocity[8] is None  # no values 8 h ago: n/a, not zero
    # B: only Y is known then (half the bases, enough): Y alone, 0.438 - 0.338
    assert st["B"].velocity[1] == pytest.approx(0.1)
    # C: W known, W2 not: half, W alone moved 0
    assert st["C"].velocity[1] == pytest.approx(0.0)
    st = aggregate(SECTORS, rows(), {1: {"X": 0.1}}, RotationParams(min_past_share=0.6))
    assert st["A"].velocity[1] is None  # 1 of 2 bases < 60 %


def figs(now: dict[str, float], change: dict[str, float] | None = None):
    return {b: BaseFigures(b, a, None, None, (change or {}).get(b)) for b, a in now.items()}


FIVE = SectorMap.build({f"S{i}": [f"B{i}"] for i in range(1, 6)})
P = RotationParams()


def states(now, then, change=None, horizon=8):
    return aggregate_figures(FIVE, figs(now, change), {horizon: then}, P)


def test_crowding_needs_standout_high_rising_funding_and_flat_others():
    now = {"B1": 0.60, "B2": 0.10, "B3": 0.10, "B4": 0.10, "B5": 0.10}
    st = states(now, {**now, "B1": 0.40})["S1"]
    # mean 0.2, population sd 0.2: z = 2.0
    assert st.z == pytest.approx(2.0)
    assert st.state == CROWDING and st.state_horizon_h == 8
    assert (st.state_value, st.state_threshold) == (pytest.approx(0.2), 0.05)
    assert st.explanation == (
        "Crowding: funding 60.0% APR, +2.0 σ above the market, "
        "+20.0 pts in 8 h while the other sectors moved 0.0 pts (median)."
    )
    # the other sectors moving too: not crowding
    moving = {b: a - 0.05 for b, a in now.items()}
    moving["B1"] = 0.40
    st = states(now, moving)["S1"]
    assert st.state is None
    assert st.explanation == "No rotation: funding +20.0 pts in 8 h, price n/a."


def test_unwinding_rotation_in_divergence():
    flat = {"B2": 0.10, "B3": 0.10, "B4": 0.10, "B5": 0.10}
    st = states({"B1": 0.30, **flat}, {"B1": 0.40, **flat}, {"B1": -0.05})["S1"]
    assert st.state == UNWINDING
    assert st.explanation == (
        "Unwinding: funding fell from 40.0% to 30.0% APR in 8 h while price fell -5.0 % in 24 h."
    )
    st = states({"B1": 0.30, **flat}, {"B1": 0.40, **flat}, {"B1": 0.01})["S1"]
    assert st.state is None  # price barely moved
    st = states({"B1": 0.15, **flat}, {"B1": 0.05, **flat}, {"B1": 0.04})["S1"]
    assert st.state == ROTATION_IN
    assert st.explanation.startswith("Rotation in: funding rose from a low 5.0% to 15.0% APR")
    st = states({"B1": 0.18, **flat}, {"B1": 0.10, **flat}, {"B1": -0.04})["S1"]
    assert st.state == DIVERGENCE
    assert (st.state_value, st.state_threshold) == (pytest.approx(0.08), 0.05)
    assert st.explanation == "Divergence: funding +8.0 pts in 8 h but price -4.0 % in 24 h."


def test_states_fall_back_to_one_hour_and_wait_for_history():
    flat = {"B2": 0.10, "B3": 0.10, "B4": 0.10, "B5": 0.10}
    st = states({"B1": 0.18, **flat}, {"B1": 0.10, **flat}, {"B1": -0.04}, horizon=1)["S1"]
    assert st.state == DIVERGENCE and st.state_horizon_h == 1
    st = aggregate_figures(FIVE, figs({"B1": 0.18, **flat}), {}, P)["S1"]
    assert st.state is None
    assert st.explanation == "No state yet: needs 1 h of funding history (velocity n/a)."


def test_tracker_emits_on_entering_a_state_with_cooldown():
    flat = {"B2": 0.10, "B3": 0.10, "B4": 0.10, "B5": 0.10}
    div = states({"B1": 0.18, **flat}, {"B1": 0.10, **flat}, {"B1": -0.04})
    calm = states({"B1": 0.10, **flat}, {"B1": 0.10, **flat})
    tracker = SectorStateTracker(cooldown_s=900)
    hits = tracker.update(div.values(), T0)
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.rule, hit.base, hit.venues, hit.time_ms) == ("sector", "S1", (), T0)
    assert hit.value == pytest.approx(0.08) and hit.threshold == 0.05
    assert hit.explanation == div["S1"].explanation
    assert hit.extras["state"] == DIVERGENCE and hit.extras["previous"] is None
    assert tracker.update(div.values(), T0 + 60_000) == []  # still in it
    assert tracker.update(calm.values(), T0 + 120_000) == []  # leaving is no hit
    assert tracker.update(div.values(), T0 + 180_000) == []  # back within the cooldown
    assert tracker.update(calm.values(), T0 + 240_000) == []
    assert len(tracker.update(div.values(), T0 + 901_000)) == 1


def test_history_snapshots_past_and_series():
    h = SectorHistory(snapshot_every_s=300, keep_h=25, points=3)
    for i in range(0, 13):  # every 5 min for an hour
        h.record(T0 + i * 300_000, {"X": 0.1 + i / 100}, {"A": 0.2 + i / 100})
    now = T0 + 3_600_000
    assert h.past(now, (1, 8)) == {1: {"X": 0.1}}  # 8 h: n/a
    assert h.series("A") == pytest.approx([0.30, 0.31, 0.32])  # last 3 points
    h.record(now + 5_000, {"X": 0.9}, {"A": 0.9})  # 5 s later: the same sparkline point
    assert h.series("A") == pytest.approx([0.30, 0.31, 0.9])
    h.record(now + 60_000, {"X": 1.0}, {"A": 1.0})  # the same step: replaces its snapshot
    assert h.past(now + 60_000, (1,)) == {1: {"X": 0.1}}
    assert h.past(now + 60_000 + H, (1,)) == {1: {"X": 1.0}}
    # an hour after the replaced one was first taken: the step before it (5 min older)
    assert h.past(now + H, (1,)) == {1: {"X": pytest.approx(0.21)}}
    assert h.series("A")[-1] == 1.0
    gap = SectorHistory()
    gap.record(T0, {"X": 0.1}, {})
    gap.record(T0 + 2 * H, {"X": 0.2, "Y": 0.3}, {})
    assert gap.past(T0 + 2 * H, (1, 2)) == {2: {"X": 0.1}}  # nothing near 1 h ago


def test_model_update_feeds_history_and_turns_states_into_hits():
    model = SectorBoardModel(SECTORS, history=SectorHistory(snapshot_every_s=60))
    assert model.update(rows(), T0) == []
    assert model.stats["A"].velocity[1] is None
    assert model.update(rows(), T0 + H) == []
    assert model.stats["A"].velocity[1] == pytest.approx(0.0)
    assert model.history.series("A") == pytest.approx([109.5 / 400] * 2)


def test_warm_up_from_the_history_store_gives_velocity_at_once(tmp_path):
    from fundtui.store.history import HistoryStore

    def quotes(x_rate, y_rate):
        return [q("binance", "X", x_rate, oi=300), q("bybit", "Y", y_rate, interval_h=4, oi=100)]

    with HistoryStore.open(tmp_path / "h.sqlite") as store:
        store.record(quotes(0.0001, 0.0001), T0 - H)  # X 10.95 %, Y 21.9 % an hour ago
        store.record(quotes(0.0002, 0.0001), T0 - H + 10_000)  # same minute: this one counts
        store.record(quotes(0.0003, 0.0003), T0)  # not before until_ms: left out
        samples = [s for ss in store.all_since(T0 - 2 * H).values() for s in ss]
    model = SectorBoardModel(SectorMap.build({"A": ["X", "Y"]}))
    assert model.warm_up(samples, until_ms=T0) == 1
    # A an hour ago, OI weights: (0.219 x 300 + 0.219 x 100) / 400
    assert model.history.series("A") == pytest.approx([0.219])
    live = build_board(
        {
            "binance": [q("binance", "X", 0.0001, oi=300)],
            "bybit": [q("bybit", "Y", 0.0002, interval_h=4, oi=100)],
        },
        ["binance", "bybit"],
    )
    assert model.update(live, T0 + 10_000) == []
    # now (0.1095 x 300 + 0.438 x 100) / 400 = 0.191625; then 0.219 (same weights)
    assert model.stats["A"].velocity[1] == pytest.approx(0.191625 - 0.219)
    assert model.stats["A"].velocity[8] is None


def test_unusable_rates_and_stale_venues_feed_nothing():
    from fundtui.core.board import build_row
    from fundtui.core.rotation import base_figures

    row = build_row(
        "X",
        {
            "a": q("a", "X", 0.0001, oi=100, vol=10, change=0.01),
            "b": q("b", "X", 0.5, interval_h=None, oi=float("nan")),
            "c": q("c", "X", float("nan"), vol=-5.0),
            "d": q("d", "X", 0.9, oi=1e9, vol=1e9, change=0.5),
        },
        ["a", "b", "c", "d"],
        stale={"d"},
    )
    f = base_figures(row)
    assert (f.apr, f.open_interest, f.volume, f.change_24h) == (
        pytest.approx(0.1095),
        100,
        10,
        0.01,
    )


def stored(venue, base, rate, interval_h, at_ms=T0 - H, oi=None):
    from types import SimpleNamespace

    return SimpleNamespace(
        venue=venue,
        base=base,
        at_ms=at_ms,
        funding_rate=rate,
        interval_hours=interval_h,
        open_interest_usd=oi,
    )


UNKNOWN_INTERVALS = (None, 0.0, -8.0, float("nan"), float("inf"))


def test_an_unknown_interval_gives_no_apr_never_a_guessed_one():
    from types import SimpleNamespace

    from fundtui.core.rotation import base_figures

    for unknown in UNKNOWN_INTERVALS:
        # X: 0.01 % per 4 h = 0.02 %/8h = 21.9 % APR; the venue whose interval is unknown
        # adds nothing (as 8 h it would add 10.95 %, as 1 h 87.6 %, as -8 h -10.95 %)
        row = SimpleNamespace(
            base="X",
            stale=set(),
            quotes={
                "a": q("a", "X", 0.0001, interval_h=4),
                "b": q("b", "X", 0.0001, interval_h=unknown),
            },
        )
        assert base_figures(row).apr == pytest.approx(0.219), unknown
        # the stored samples a restart replays: the same rule
        model = SectorBoardModel(SectorMap.build({"A": ["X"]}))
        samples = [
            stored("a", "X", 0.0001, 4.0),
            stored("b", "X", 0.0001, unknown),
            stored("b", "Y", 0.0005, unknown),
        ]  # Y has nothing usable: no figure
        assert model.warm_up(samples, until_ms=T0) == 1
        assert model.history.series("A") == pytest.approx([0.219]), unknown
        assert model.history.past(T0, (1,)) == {1: {"X": pytest.approx(0.219)}}, unknown
