"""The signal rules' definitions of issue 12, each pinned by a hand computation.

Open interest compared in coins; windows claimed only once covered; the EMA
divergence threshold from the market's own history; the implied rate from the
interval's mean premium. Rates are fractions: 1 bp = 0.0001.
"""

import pytest

from fundtui.config import ConfigError, parse_config
from fundtui.core.quote import Quote
from fundtui.core.signals import SignalConfig, SignalEngine, span_text
from fundtui.engine.recorder import sample_quote, warm_up_hours
from fundtui.store.history import Sample

H = 3_600_000
M = 60_000
T0 = 1_790_006_400_000  # a multiple of 8 h
BP = 0.0001


def q(rate, interval=8, mark=None, index=None, coins=None, usd=None, venue="binance"):
    return Quote(
        venue,
        "BTC/USDT:USDT",
        "BTC",
        "USDT",
        rate,
        interval,
        mark_price=mark,
        index_price=index,
        open_interest_usd=usd,
        open_interest_coins=coins,
    )


def only(hits, rule):
    return [h for h in hits if h.rule == rule]


def test_span_text():
    assert span_text(3 * H + 12 * M + 59_999) == "3h12m"  # floored to the minute
    assert [span_text(20 * H), span_text(45 * M), span_text(-1)] == ["20h", "45m", "0m"]


# --- 1. oi_regime in coins ------------------------------------------------------------


def oi_hits(coins, usd, marks, cfg=None):
    """A sample every quarter-hour for 4 h (17 of them), open interest and mark
    moving linearly from the first value to the last; the hits of the last one."""
    e = SignalEngine(cfg or SignalConfig(cooldown_s=0))
    hits = []
    for i in range(17):
        f = i / 16
        hits = e.update(
            T0 + i * 15 * M,
            [
                q(
                    8 * BP,  # 0.08 %/8h: extreme
                    mark=marks[0] + f * (marks[1] - marks[0]),
                    coins=None if coins is None else coins[0] + f * (coins[1] - coins[0]),
                    usd=usd[0] + f * (usd[1] - usd[0]),
                )
            ],
        )
    return only(hits, "oi_regime")


def test_a_price_move_with_unchanged_contracts_does_not_fire():
    # 1,000 BTC throughout; the price 100 -> 106 takes USD open interest
    # 100,000 -> 106,000: +6.0 %, over the 5 % threshold, but no position moved
    assert oi_hits((1000, 1000), (100_000, 106_000), (100, 106)) == []


def test_open_interest_up_in_coins_fires_and_shows_usd_only_in_the_explanation():
    # 1,000 -> 1,060 BTC: +6.0 % over 4 h; USD now 1,060 x 106 = 112,360
    (h,) = oi_hits((1000, 1060), (100_000, 112_360), (100, 106))
    assert h.value == pytest.approx(0.06)
    assert h.extras["oi_coins"] == 1060 and h.extras["oi_coins_from"] == 1000
    assert h.explanation == (
        "longs pay 0.0800%/8h on binance BTC with open interest up 6.0% in coins over 4h "
        "($112,360 now): crowding, the move is building"
    )


def test_no_coins_no_regime_whatever_usd_does():
    # USD +10 % but the venue gave no coin count: the rule does not fall back to USD
    assert oi_hits(None, (100_000, 110_000), (100, 110)) == []


def test_a_stored_sample_gives_its_open_interest_in_coins():
    # 1,200,000 USD at 0.012 per 1000PEPE bundle: 100,000,000 bundles, 1e11 PEPE
    s = Sample(
        "binance", "1000PEPE/USDT:USDT", "PEPE", "USDT", T0, BP, 8.0, None, 0.012, 0.012,
        None, 1_200_000.0,
    )  # fmt: skip
    assert sample_quote(s).open_interest_coins == pytest.approx(1e11)
    no_mark = Sample("okx", "BTC/USDT:USDT", "BTC", "USDT", T0, BP, 8.0, None, None, 1.0, None, 5.0)
    assert sample_quote(no_mark).open_interest_coins is None


# --- 2. windows claimed only when they exist ---------------------------------------------


def test_deviation_after_minutes_of_data_does_not_fire_nor_say_24h():
    # 60 samples 30 s apart at 0.01 %/8h, then 0.50 %: 0.49 % from the mean, but the
    # data reaches back 30 min, 2 % of the 24 h window (0.8 needed)
    def run(cfg):
        e = SignalEngine(cfg)
        for i in range(60):
            e.update(T0 + i * 30_000, [q(BP)])
        return e.update(T0 + 30 * M, [q(50 * BP)])

    hits = run(SignalConfig(cooldown_s=0))
    assert only(hits, "deviation") == []
    assert not any("24h" in h.explanation for h in hits)
    # coverage off: it fires and names the span it used
    (h,) = only(run(SignalConfig(cooldown_s=0, min_coverage=0.0)), "deviation")
    assert (
        h.explanation
        == "BTC on binance at 0.500%/8h vs its mean over the last 30m 0.0100%/8h (+0.490%)"
    )
    assert h.extras["span_h"] == 0.5


def test_deviation_fires_once_the_window_is_covered_and_names_the_real_span():
    # a sample every quarter-hour at 0.01 %; 0.8 x 24 h = 19h12m of data needed
    def at(hours):
        e = SignalEngine(SignalConfig(cooldown_s=0))
        for i in range(int(hours * 4)):
            e.update(T0 + i * 15 * M, [q(BP)])
        return only(e.update(T0 + round(hours * H), [q(15 * BP)]), "deviation")

    assert at(19) == []  # 19h < 19h12m
    (h,) = at(20)
    assert h.value == pytest.approx(14 * BP)
    assert (
        h.explanation
        == "BTC on binance at 0.150%/8h vs its mean over the last 20h 0.0100%/8h (+0.140%)"
    )


def test_spike_needs_its_window_covered():
    # 0.8 x 8 h = 6h24m; a 0.19 % rise after 6 h of data is not claimed, after 6h30m it is
    def at(minutes):
        e = SignalEngine(SignalConfig(cooldown_s=0))
        for i in range(minutes // 15):
            e.update(T0 + i * 15 * M, [q(BP)])
        return only(e.update(T0 + minutes * M, [q(20 * BP)]), "spike")

    assert at(360) == []
    (h,) = at(390)
    assert h.value == pytest.approx(19 * BP)
    assert (
        h.explanation
        == "BTC on binance rose 0.190%/8h within the last 6h30m (from 0.0100% to 0.200%)"
    )


def test_oi_regime_baseline_must_reach_back_and_not_across_a_gap():
    cfg = SignalConfig(cooldown_s=0)

    def run(samples):
        e = SignalEngine(cfg)
        hits = []
        for t, coins in samples:
            hits = e.update(t, [q(8 * BP, coins=coins)])
        return only(hits, "oi_regime")

    # 3 h back: under 0.8 x 4 h = 3h12m
    assert run([(T0 + i * 15 * M, 1000 + 10 * i) for i in range(13)]) == []
    # 3h15m back: +13 % (1,000 -> 1,130), named as the span used
    (h,) = run([(T0 + i * 15 * M, 1000 + 10 * i) for i in range(14)])
    assert h.value == pytest.approx(0.13)
    assert "up 13.0% in coins over the last 3h15m: crowding" in h.explanation
    # an entry 10 h old and nothing between: no 4 h change is known (it said +10 % over 4h)
    assert run([(T0, 1000), (T0 + 10 * H, 1100), (T0 + 10 * H + M, 1100)]) == []


def test_ema_in_fixed_mode_needs_its_periods_covered():
    # EMA(12): 0.8 x 12 = 9.6, so 10 closed periods; 8 hourly samples, the last far above
    rates = [BP] * 7 + [40 * BP]
    for cov, fired in ((0.8, 0), (0.0, 1)):
        e = SignalEngine(SignalConfig(ema_threshold_mode="fixed", min_coverage=cov, cooldown_s=0))
        hits = [e.update(T0 + i * H, [q(r, 1)]) for i, r in enumerate(rates)]
        assert len(only(hits[-1], "ema_divergence")) == fired


# --- 3. ema_divergence against the market's own history --------------------------------------

EMA_BP = [1, 1, 1.2, 1.5, 1, 2, 3.5, 5]
# hourly rates, alpha = 2/(3+1) = 0.5, seeded with the first value:
# EMA: 1, 1, 1.1, 1.3, 1.15, 1.575, 2.5375, 3.76875
# d = (1 - alpha)(x - EMA before): 0, 0, 0.1, 0.2, -0.15, 0.425, 0.9625, 1.23125
# one sample per period, so each period's largest |d| is its |d|. Threshold for period i:
# the 75th percentile (nearest rank ceil(0.75 n)) of the n = i periods before it, once 4:
# i=4: [0, 0, 0.1, 0.2] rank 3 -> 0.1; i=5: + 0.15, rank 4 -> 0.15;
# i=6: + 0.425, rank 5 -> 0.2; i=7: + 0.9625, rank 6 -> 0.425


def test_ema_divergence_beyond_the_markets_own_percentile():
    cfg = SignalConfig(
        ema_periods=3,
        ema_percentile=75,
        ema_min_history_h=4,
        ema_history_days=1,
        ema_floor_hourly=0.0,
        min_coverage=0.0,
        cooldown_s=0,
    )
    e = SignalEngine(cfg)
    per = [
        only(e.update(T0 + i * H, [q(r * BP, 1)]), "ema_divergence") for i, r in enumerate(EMA_BP)
    ]
    assert [len(x) for x in per] == [0, 0, 0, 0, 1, 1, 1, 1]  # i=3's 0.2: only 3 periods
    assert [round(x[0].threshold / BP, 6) for x in per[4:]] == [0.1, 0.15, 0.2, 0.425]
    assert [round(x[0].value / BP, 6) for x in per[4:]] == [-0.15, 0.425, 0.9625, 1.23125]
    assert "cold" in per[4][0].explanation
    assert "the 75th percentile of its last 7 periods" in per[7][0].explanation
    assert per[7][0].extras["threshold_mode"] == "historical"
    # the floor: never below 0.3 bp/h however calm the past (i=4..6 thresholds are lower)
    floored = SignalEngine(SignalConfig(**{**_fields(cfg), "ema_floor_hourly": 0.3 * BP}))
    per = [
        only(floored.update(T0 + i * H, [q(r * BP, 1)]), "ema_divergence")
        for i, r in enumerate(EMA_BP)
    ]
    assert [len(x) for x in per] == [0, 0, 0, 0, 0, 1, 1, 1]
    assert [round(x[0].threshold / BP, 6) for x in per[5:]] == [0.3, 0.3, 0.425]


def _fields(cfg):
    return {f: getattr(cfg, f) for f in cfg.__dataclass_fields__}


def test_ema_divergence_waits_for_a_day_of_history_by_default():
    # 23 hourly samples at 0.01 %/8h, then 1 %/8h: a divergence of 0.11 %/h, far beyond
    # the fixed 0.05 %/h, but only 23 periods are stored (24 needed) ...
    rates = [BP] * 23 + [100 * BP]
    e = SignalEngine(SignalConfig(cooldown_s=0))
    hits = [e.update(T0 + i * H, [q(r)]) for i, r in enumerate(rates)]
    assert only(hits[-1], "ema_divergence") == []
    fixed = SignalEngine(SignalConfig(cooldown_s=0, ema_threshold_mode="fixed"))
    hits = [fixed.update(T0 + i * H, [q(r)]) for i, r in enumerate(rates)]
    assert len(only(hits[-1], "ema_divergence")) == 1
    # ... and with 24 stored (all 0 but the floor's 0.001 %/h) it fires
    e = SignalEngine(SignalConfig(cooldown_s=0))
    hits = [e.update(T0 + i * H, [q(r)]) for i, r in enumerate([BP] * 24 + [100 * BP])]
    (h,) = only(hits[-1], "ema_divergence")
    assert h.threshold == 0.00001


def test_the_history_is_bounded_and_forgets_old_periods():
    # ema_history_days = 0.25: 6 hourly periods; a big divergence 7 periods back is gone
    cfg = SignalConfig(
        ema_periods=3, ema_history_days=0.25, ema_min_history_h=1, ema_percentile=100,
        ema_floor_hourly=0.0, min_coverage=0.0, cooldown_s=0,
    )  # fmt: skip
    e = SignalEngine(cfg)
    rates = [1, 9] + [1] * 12
    for i, r in enumerate(rates):
        e.update(T0 + i * H, [q(r * BP, 1)])
    k = e._keys["binance"]["BTC/USDT:USDT"]
    assert len(k.ema_hist) == 6 and len(k.ema_sorted) == 6
    # period 1's |d| = 0.5 x (9 - 1) = 4 bp has left; after it the EMA halves its way back
    # 5, 3, 2, 1.5, ...: period i >= 2 has |d| = 2 x 0.5^(i-2) bp; periods 7..12 are kept
    assert k.ema_sorted == pytest.approx([2 * 0.5**i * BP for i in range(10, 4, -1)])


# --- 4. implied from the interval's mean premium ----------------------------------------------


def calm_minute(cfg):
    """13 samples 5 s apart from the interval's start: premium +/-0.01 % alternating,
    the 7th an outlier of 0.5 %; the rate 0.01 %/8h."""
    e = SignalEngine(cfg)
    hits = []
    for i in range(13):
        prem = 0.005 if i == 6 else (0.0001 if i % 2 else -0.0001)
        hits += e.update(T0 + i * 5000, [q(BP, mark=100 * (1 + prem), index=100.0)])
    return only(hits, "implied")


def test_implied_does_not_fire_in_the_first_minute_on_a_calm_market():
    # at defaults the interval is not covered (0.8 x 8 h)
    assert calm_minute(SignalConfig(cooldown_s=0)) == []
    # without coverage the mean is (6 x 0.01 - 6 x 0.01 + 0.5) / 13 = 0.0385 %: inside
    # the clamp, so it implies the neutral 0.01 %, what is paid. The outlier alone
    # implied 0.5 - 0.05 = 0.45 %/8h (0.44 % from the rate: the old rule fired)
    assert calm_minute(SignalConfig(cooldown_s=0, min_coverage=0.0)) == []


def test_implied_mean_starts_over_with_each_interval():
    e = SignalEngine(SignalConfig(cooldown_s=0, min_coverage=0.0))
    e.update(T0 + 8 * H - M, [q(BP, mark=100.3, index=100.0)])  # 0.3 % in the old interval
    # the new interval's mean is its own 0 %, not (0.3 + 0) / 2 = 0.15 % (implying 0.10 %)
    assert only(e.update(T0 + 8 * H + M, [q(BP, mark=100.0, index=100.0)]), "implied") == []


def test_implied_fires_once_the_interval_is_covered():
    # hyperliquid, 1 h interval: 0.8 x 60 = 48 min. Premium 0.2 % every 5 min implies
    # 0.15 %/8h; it pays 0.00125 %/h = 0.01 %/8h: -0.14 %
    e = SignalEngine(SignalConfig(cooldown_s=0))
    out = []
    for i in range(11):
        hits = e.update(T0 + i * 5 * M, [q(BP / 8, 1, 100.2, 100.0, venue="hyperliquid")])
        out.append(only(hits, "implied"))
    assert [len(x) for x in out] == [0] * 10 + [1]  # 45 min: no; 50 min: yes
    (h,) = out[-1]
    assert h.value == pytest.approx(-14 * BP)
    assert h.extras["premium_samples"] == 11
    assert "mean premium 0.200% over the last 50m of the 1h interval implies 0.150%/8h" in (
        h.explanation
    )


# --- config ---------------------------------------------------------------------------------


def test_signals_config_keys():
    cfg = parse_config(
        '[signals]\nema_threshold_mode = "fixed"\nmin_coverage = 0.5\nema_percentile = 95\n'
        "ema_history_days = 3\nema_min_history_h = 12\nema_floor_hourly = 0.00002\n"
    ).signals
    assert (cfg.ema_threshold_mode, cfg.min_coverage, cfg.ema_percentile) == ("fixed", 0.5, 95)
    assert (cfg.ema_history_days, cfg.ema_min_history_h, cfg.ema_floor_hourly) == (3, 12, 2e-5)
    for bad, says in (
        ('ema_threshold_mode = "magic"', 'must be "historical" or "fixed", got "magic"'),
        ("ema_threshold_mode = 1", 'must be "historical" or "fixed", got 1'),
        ("min_coverage = 1.5", "min_coverage must be between 0 and 1"),
        ("ema_percentile = 0", "ema_percentile must be > 0 and at most 100"),
        ("ema_history_days = 31", "ema_history_days must be a number of days > 0 and at most 30"),
    ):
        with pytest.raises(ConfigError, match=says):
            parse_config(f"[signals]\n{bad}\n")


def test_a_fresh_start_replays_the_minimum_ema_history():
    assert warm_up_hours(SignalConfig()) == 24.0
    assert warm_up_hours(SignalConfig(ema_min_history_h=30, deviation_window_h=2)) == 24.0
    short = SignalConfig(deviation_window_h=2, ema_min_history_h=10)
    assert warm_up_hours(short) == 12.0  # EMA(12) of hourly periods
    assert warm_up_hours(SignalConfig(**{**_fields(short), "ema_min_history_h": 16})) == 16.0
