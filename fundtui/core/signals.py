"""Funding signal rules: pure, incremental, de-duplicated.

Units. Every rate is a decimal fraction (0.0001 = 0.01 %). Unless a name says
otherwise, rates are 8h-equivalents (``rate * 8 / interval_h``, docs/FORMULAS.md
section 1) so 1h/4h/8h venues compare; ``*_hourly`` names are per hour. Times
are epoch milliseconds, passed in: nothing here reads a clock.

An :class:`SignalEngine` is fed once per refresh with the current quotes. Per
(venue, symbol) it keeps rolling state updated in O(1) amortized per new sample
and returns the new hits, each rule's hits de-duplicated per (rule, base, venue)
with a cooldown. :meth:`SignalEngine.warm_up` replays history through the same
state without emitting hits, so a restart continues where it stopped.

Rules (thresholds from :class:`SignalConfig`, compared inclusively, ``>=``).
A windowed rule (deviation, spike, oi_regime, ema_divergence, implied) fires
only once its data reaches back ``min_coverage`` of its window (a window cut on
quarter-hours counts as whole once its oldest quarter-hour is reached), and an
explanation names the nominal window only when the data spans it, else the
span used: "vs its mean over the last 3h12m".

- spread: the highest minus the lowest 8h rate of a base across venues (short
  the high venue, long the low one; APR = spread * 3 * 365).
- deviation: the 8h rate minus the mean of the earlier samples of the last
  ``deviation_window_h`` hours (sample-weighted). The window is cut on UTC
  quarter-hours: the 96 (for 24 h) quarter-hours ending with the current one.
  Its data begins with the first sample after the window was last empty.
- ema_divergence: hourly rate minus its EMA(``ema_periods``) (docs/FORMULAS.md
  section 10, alpha = 2/(n+1), seeded with the first value). The EMA takes one
  value per ``ema_period_h`` period: the last sample seen in that period (a
  period without samples is skipped, not filled). Persistent once the
  divergence has been beyond the threshold, with the same sign, for
  ``ema_persist_periods`` consecutive periods (the current one included). The
  EMA must have folded in ``min_coverage`` x ``ema_periods`` periods. Threshold,
  ``ema_threshold_mode``: "fixed" is ``ema_divergence_hourly``; "historical"
  (default) is per market: the ``ema_percentile`` (nearest rank) of the largest
  |divergence| of each of its closed periods of the last ``ema_history_days``
  (a ring of one value per period), at least ``ema_floor_hourly``, and none
  (no hit) until ``ema_min_history_h`` of periods are stored.
- spike: the current 8h rate against the lowest/highest 8h rate sampled within
  the window, cut on UTC quarter-hours like the deviation's: the 32 (for 8 h)
  quarter-hours ending with the current one, so a move counted took at most
  ``spike_window_h`` hours (and one that took more than 7h45 may not be).
- velocity: the least-squares slope, per hour, of the last hour's closed
  quarter-hour means and the current sample, each mean at the mean time of its
  n samples taken on the refresh grid (start + (n - 1) / 2n of the quarter-hour);
  8h-equivalent fraction per hour, None until three points span 45 minutes.
  Worked out only for a hit (the extras of oi_regime and exhaustion), so it costs
  the hot loop nothing; like the board's (``core.trend``), it reads the same
  move the same at any refresh rate.
- oi_regime: extreme funding (|8h rate| >= ``extreme_8h``, or strictly above
  the ``extreme_quantile`` of |8h rate| over the refresh's quotes and away from
  the neutral 0.01 %/8h) while open interest in coins (``open_interest_coins``;
  none given, no hit: USD moves with the price) changed by >= ``oi_change`` over
  ``oi_lookback_h`` hours: rising = crowding (the move is building), falling =
  unwind (reversal risk). The baseline is the quarter-hour entry at or before
  the lookback's start (at most a quarter-hour older), else the oldest after it
  if at least ``min_coverage`` of the lookback old.
- exhaustion: the rate settled at |8h rate| >= ``extreme_8h`` with one sign
  for >= ``exhaustion_settlements`` consecutive settlements and the mark price
  since the first of them moved no more than ``exhaustion_follow`` in the
  direction the crowd pays for (positive funding: longs pay, so up).
  Settlements are detected on the venue's UTC grid of its interval: a sample in
  a later ``interval_h`` slot than the previous one means the previous sample's
  rate (and mark) settled.
- implied: the rate implied (:func:`implied_rate`) by the interval's mean
  premium (the mean of the premiums sampled since the current funding interval
  began, as venues average it) against the venue's current rate, both
  8h-equivalent; a hit when they differ by >= ``implied_gap_8h``, once the
  samples span ``min_coverage`` of the interval. Venue caps/floors are not applied.

Why one module over 400 lines: the per-market state (``_Key``), the ingest that
updates it and the rule checks are one hot loop, run for every quote of every
refresh (1,800 quotes within a 5 ms budget, ``benchmarks/signals.py``). The
rules read the state's slots directly, inline; split per rule, each would cost a
call and an attribute walk per market per refresh inside that loop.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from itertools import groupby
from operator import itemgetter
from typing import Any

from fundtui.core.normalize import spread_apr
from fundtui.core.numbers import decimals_for, fixed
from fundtui.core.quote import Quote
from fundtui.core.signal_types import RULES, Hit, SignalConfig

__all__ = ["RULES", "Hit", "SignalConfig", "SignalEngine", "implied_rate", "pct"]

HOUR_MS = 3_600_000
BUCKET_MS = 15 * 60_000  # granularity of the rolling-mean window
NEUTRAL_8H = 0.0001  # the interest component: where funding rests (0.01 %/8h)


def implied_rate(
    premium: float, interval_h: float, interest_8h: float = 0.0001, clamp: float = 0.0005
) -> float:
    """Funding per ``interval_h`` implied by ``premium`` (docs/FORMULAS.md sections 2 and 9).

    ``F = [P + clamp(I - P, -clamp, +clamp)] / (8 / N)``; premium, interest and
    clamp are per 8 h, the result is per interval (a 4 h venue at rest: 0.005 %).
    """
    d = interest_8h - premium
    if d > clamp:
        d = clamp
    elif d < -clamp:
        d = -clamp
    return (premium + d) * interval_h / 8.0


def span_text(ms: float) -> str:
    """A span as people read it, floored to the minute: ``3h12m``, ``20h``, ``45m``."""
    minutes = int(max(0.0, ms) // 60_000)
    h, m = divmod(minutes, 60)
    if not h:
        return f"{m}m"
    return f"{h}h{m:02d}m" if m else f"{h}h"


def _usd_now(usd: float | None) -> str:
    """Open interest in USD for the explanation only (it moves with the price)."""
    return "" if usd is None or not math.isfinite(usd) else f" (${fixed(usd, 0, group=True)} now)"


def pct(x: float, digits: int = 3) -> str:
    """A fraction as a signed-when-negative percent with ``digits`` decimals, more
    for a small one to keep three significant digits (up to six), rounded half
    away from zero: 0.00062 -> '0.0620%', 0.0049 -> '0.490%', 0.0000125 -> '0.00125%'."""
    return fixed(x, decimals_for(x, 3, digits, max(digits, 6), shift=2), shift=2) + "%"


def _spct(x: float, digits: int = 3) -> str:
    text = pct(x, digits)
    return text if text[0] == "-" else "+" + text


def _roll(
    ring_a: array,
    ring_b: array,
    old: int,
    new: int,
    size: int,
    closed_a: float,
    closed_b: float,
    empty_a: float,
    empty_b: float,
) -> None:
    """Move two parallel rings of ``size`` quarter-hour slots (slot = index % size)
    from quarter-hour ``old`` to ``new``: ``old``'s values go into its slot, and
    the slots of the quarter-hours after it, up to ``new``, are emptied (they held
    ones now out of the window). ``old`` < 0 (none yet) or a gap of the whole
    window empties every slot."""
    if old < 0 or new - old >= size:
        for i in range(size):
            ring_a[i] = empty_a
            ring_b[i] = empty_b
        return
    i = old % size
    ring_a[i] = closed_a
    ring_b[i] = closed_b
    for j in range(old + 1, new + 1):
        i = j % size
        ring_a[i] = empty_a
        ring_b[i] = empty_b


class _Key:
    """Rolling state of one (venue, symbol)."""

    __slots__ = (
        "venue",
        "base",
        "last_t",
        "last_r8",
        "last_mark",
        "ring_sum",
        "ring_n",
        "bsum",
        "bcount",
        "cur_sum",
        "cur_n",
        "bucket",
        "ema",
        "ema_period",
        "ema_streak",
        "ema_streak_sign",
        "ema_up",
        "ema_dn",
        "sp_hi",
        "sp_lo",
        "chi",
        "clo",
        "hi",
        "lo",
        "oiq",
        "oi_bucket",
        "q",
        "m",
        "slot",
        "slot_end",
        "slot_ih",
        "ex_streak",
        "ex_sign",
        "ex_price",
        "oi",
        "oi_t",
        "dev_from",
        "sp_from",
        "ema_n",
        "ema_thr",
        "ph",
        "pl",
        "ema_hist",
        "ema_hist_p",
        "ema_sorted",
        "pm_sum",
        "pm_n",
        "pm_from",
        "pm_ok",
    )

    def __init__(self, venue: str, base: str, window: int, spike_window: int, history: int) -> None:
        self.venue = venue
        self.base = base
        self.last_t: int | None = None
        self.last_r8 = 0.0
        self.last_mark: float | None = None
        # per closed quarter-hour, slot = index % window; the current one's sum and
        # count build up in cur_sum/cur_n and join the ring when it closes
        self.ring_sum = array("d", bytes(8 * window))
        self.ring_n = array("l", bytes(array("l").itemsize * window))
        self.bsum = 0.0  # sum and count of every sample in the window
        self.bcount = 0
        self.cur_sum = 0.0
        self.cur_n = 0
        self.bucket = -1  # the current quarter-hour's index
        # EMA of the hourly rate over closed periods; the current period's value (its
        # latest sample folded in) is worked out when asked for, see ema_now
        self.ema: float | None = None
        self.ema_period = -1
        self.ema_streak = 0  # closed periods in a row beyond the threshold
        self.ema_streak_sign = 0
        # 8h rates beyond which the divergence may pass its threshold: the cheap
        # test of the hot loop, a little wide of the exact one (_rules decides)
        self.ema_up = math.inf
        self.ema_dn = -math.inf
        # spike window: the highest and lowest 8h rate of each closed quarter-hour,
        # slot = index % spike_window; the current one's in chi/clo; hi/lo are the
        # window's (closed quarter-hours and the current one)
        self.sp_hi = array("d", [-math.inf]) * spike_window
        self.sp_lo = array("d", [math.inf]) * spike_window
        self.chi = self.hi = -math.inf
        self.clo = self.lo = math.inf
        self.oiq: list[tuple[int, float]] = []  # (time, OI), one per quarter-hour
        self.oi_bucket = -1  # the quarter-hour of the newest oiq entry
        self.oi: float | None = None  # the latest open interest (coins) and its time
        self.oi_t = -1
        # where the data of each window begins: the first sample after the window was
        # last empty (a gap of a whole window)
        self.dev_from: float = -1
        self.sp_from: float = -1
        self.ema_n = 0  # closed periods folded into the EMA
        self.ema_thr = math.inf  # this market's threshold for the current period
        self.ph = -math.inf  # the current period's highest and lowest 8h rate
        self.pl = math.inf
        # each closed period's largest |divergence|, slot = period % history (NaN:
        # none), the period last written, and the same values sorted (not saved)
        self.ema_hist = array("d", [math.nan]) * history
        self.ema_hist_p = -1
        self.ema_sorted: list[float] = []
        # the premiums sampled since the current funding interval began (at pm_from,
        # its first sample)
        self.pm_sum = 0.0
        self.pm_n = 0
        self.pm_from: float = -1
        self.pm_ok: float = math.inf  # when they span min_coverage of the interval
        # floats once cut with a fractional interval (t // (ih * HOUR_MS))
        self.slot: float = -1  # the funding-interval slot of the last sample ...
        self.slot_end: float = -1  # ... the time it ends, and the interval it was cut with
        self.slot_ih = 0.0
        self.ex_streak = 0
        self.ex_sign = 0
        self.ex_price: float | None = None
        # set only while queued for _rules: the sample's quote and the mean before it
        self.q: Quote | None = None
        self.m: float | None = None

    def slope_1h(self, t: float, r8: float) -> float | None:
        """The velocity (see the module doc): from the ring's last four closed
        quarter-hours and the sample (``t``, ``r8``) of the current one."""
        w = len(self.ring_n)
        pts = [(t, r8)]
        for j in range(1, min(4, w - 1) + 1):
            b = self.bucket - j
            n = self.ring_n[b % w] if b >= 0 else 0
            if n > 0:  # n samples on the refresh grid from its start: their mean time
                pts.append(((b + (n - 1) / (2 * n)) * BUCKET_MS, self.ring_sum[b % w] / n))
        if len(pts) < 3 or t - pts[-1][0] < 0.75 * HOUR_MS:
            return None
        mt = sum(p[0] for p in pts) / len(pts)
        mr = sum(p[1] for p in pts) / len(pts)
        den = sum((p[0] - mt) ** 2 for p in pts)
        return sum((p[0] - mt) * (p[1] - mr) for p in pts) / den * HOUR_MS

    def new_bucket(self, b: int, w: int, sw: int, t: float) -> None:
        """Close the current quarter-hour into the rings and start quarter-hour ``b``
        (``w`` and ``sw``: the deviation and spike windows in quarter-hours) with the
        sample at ``t``."""
        old = self.bucket
        if old < 0 or b - old >= w:
            self.dev_from = t
        if old < 0 or b - old >= sw:
            self.sp_from = t
        rs = self.ring_sum
        rn = self.ring_n
        _roll(rs, rn, old, b, w, self.cur_sum, self.cur_n, 0.0, 0)
        self.bucket = b
        self.cur_sum = 0.0
        self.cur_n = 0
        self.bsum = sum(rs)  # re-summed each quarter-hour: no drift from +/-
        self.bcount = sum(rn)
        hs = self.sp_hi
        ls = self.sp_lo
        _roll(hs, ls, old, b, sw, self.chi, self.clo, -math.inf, math.inf)
        self.hi = max(hs)  # the current quarter-hour's slot is empty: closed ones only
        self.lo = min(ls)
        self.chi = -math.inf
        self.clo = math.inf

    def settle(self, slot: float, extreme: float) -> None:
        """A sample in interval slot ``slot``: a later slot settles the previous sample."""
        if self.last_t is not None and slot > self.slot:
            last_r8 = self.last_r8
            if last_r8 >= extreme or -last_r8 >= extreme:
                sign = 1 if last_r8 > 0 else -1
                if sign == self.ex_sign and self.ex_streak:
                    self.ex_streak += 1
                else:
                    self.ex_streak = 1
                    self.ex_sign = sign
                    self.ex_price = self.last_mark
            else:
                self.ex_streak = 0
                self.ex_sign = 0
                self.ex_price = None
        self.slot = slot

    def ema_now(self, alpha: float) -> float:
        """The EMA with the current period's latest sample folded in (hourly units)."""
        x = self.last_r8 * 0.125
        ema = self.ema
        return x if ema is None else ema + alpha * (x - ema)

    def streak_now(self, d: float, thr: float) -> tuple[int, int]:
        """(periods in a row beyond the threshold counting the current one, sign),
        for the divergence ``d`` of the current period's latest sample."""
        if d >= thr and d > 0:
            return (self.ema_streak + 1 if self.ema_streak_sign == 1 else 1), 1
        if -d >= thr and d < 0:
            return (self.ema_streak + 1 if self.ema_streak_sign == -1 else 1), -1
        return 0, 0

    def close_period(self, alpha: float, e: SignalEngine) -> None:
        """Commit the period that the last sample belongs to: its EMA step, streak,
        largest |divergence| into the history, and the next period's threshold."""
        prev = self.ema
        ema = self.ema_now(alpha)
        self.ema = ema
        self.ema_streak, self.ema_streak_sign = self.streak_now(
            self.last_r8 * 0.125 - ema, self.ema_thr
        )
        self.ema_n += 1
        # within the period every sample's divergence was (1 - alpha)(x - prev)
        big = 0.0
        if prev is not None:
            big = (1.0 - alpha) * max(self.ph * 0.125 - prev, prev - self.pl * 0.125)
        hist = self.ema_hist
        n = len(hist)
        srt = self.ema_sorted
        p = self.ema_period
        last = self.ema_hist_p
        if last < 0 or p - last >= n:
            for i in range(n):
                hist[i] = math.nan
            srt.clear()
        else:
            for j in range(last + 1, p + 1):  # out of the history: n periods old
                i = j % n
                v = hist[i]
                if v == v:
                    del srt[bisect_left(srt, v)]
                    hist[i] = math.nan
        hist[p % n] = big
        insort(srt, big)
        self.ema_hist_p = p
        thr = e.ema_threshold(self.ema_n, srt)
        self.ema_thr = thr
        self.ema_up = math.inf
        self.ema_dn = -math.inf
        # the next period's divergence is (1 - alpha)(x - ema): beyond thr once x is
        # beyond ema +/- thr / (1 - alpha); widened so rounding never hides a hit
        if alpha >= 1 or thr == math.inf:  # EMA(1) is the rate itself: no divergence
            return
        reach = thr / (1.0 - alpha)
        slack = 1e-9 * (abs(ema) + reach) + 1e-15
        self.ema_up = (ema + reach - slack) * 8.0
        self.ema_dn = (ema - reach + slack) * 8.0


class SignalEngine:
    """Incremental rule evaluation; feed :meth:`update` once per refresh."""

    def __init__(self, config: SignalConfig | None = None) -> None:
        self.config = config or SignalConfig()
        self._keys: dict[str, dict[str, _Key]] = {}  # venue -> symbol -> state
        # a restored checkpoint may hold float times (signal_state._time)
        self._last_hit: dict[tuple[str, str, tuple[str, ...]], float] = {}
        c = self.config
        self._alpha = 2.0 / (c.ema_periods + 1)
        self._ema_period_ms = max(1, round(c.ema_period_h * HOUR_MS))
        self._dev_buckets = math.ceil(c.deviation_window_h * HOUR_MS / BUCKET_MS)
        self._spike_buckets = math.ceil(c.spike_window_h * HOUR_MS / BUCKET_MS)
        self._oi_ms = c.oi_lookback_h * HOUR_MS
        self._cooldown_ms = c.cooldown_s * 1000.0
        self._ema_thr = c.ema_divergence_hourly
        self._spike_thr = c.spike_8h
        self._dev_thr = c.deviation_8h
        self._gap = c.implied_gap_8h
        self._ex_n = c.exhaustion_settlements
        self._extreme = c.extreme_8h if c.extreme_8h > 0 else math.ulp(0.0)
        # coverage: how far back a window's data must reach before its rule fires; a
        # full window is its oldest quarter-hour reached (the window is cut on them)
        cov = c.min_coverage
        self._dev_need = min(
            cov * c.deviation_window_h * HOUR_MS, (self._dev_buckets - 1) * BUCKET_MS
        )
        self._sp_need = min(cov * c.spike_window_h * HOUR_MS, (self._spike_buckets - 1) * BUCKET_MS)
        self._oi_need = cov * self._oi_ms
        self._ema_need = math.ceil(cov * c.ema_periods - 1e-9)  # closed periods
        self._pm_need_h = cov * HOUR_MS  # x the interval's hours
        self._historical = c.ema_threshold_mode == "historical"
        self._hist_len = math.ceil(c.ema_history_days * 24 / c.ema_period_h - 1e-9)
        self._hist_min = max(1, math.ceil(c.ema_min_history_h / c.ema_period_h - 1e-9))

    def ema_threshold(self, closed: int, history: list[float]) -> float:
        """A market's ema_divergence threshold for its next period, from the number of
        periods its EMA has folded in and its sorted per-period |divergence| history;
        infinite (it cannot fire) until both cover what the config asks."""
        c = self.config
        if closed < self._ema_need:
            return math.inf
        if not self._historical:
            return c.ema_divergence_hourly
        n = len(history)
        if n < self._hist_min:
            return math.inf
        # the nearest-rank percentile: the smallest value with p % of them at or below
        rank = max(1, math.ceil(c.ema_percentile * n / 100.0 - 1e-9))
        return max(history[rank - 1], c.ema_floor_hourly)

    # --- read access for the UI ------------------------------------------------

    def velocity(self, venue: str, symbol: str) -> float | None:
        """8h-equivalent rate change per hour over the last hour (see the module doc)."""
        k = self._keys.get(venue, {}).get(symbol)
        if k is None or k.last_t is None:
            return None
        return k.slope_1h(k.last_t, k.last_r8)

    def ema(self, venue: str, symbol: str) -> float | None:
        """The hourly-rate EMA including the current period, or None before any sample."""
        k = self._keys.get(venue, {}).get(symbol)
        return None if k is None or k.last_t is None else k.ema_now(self._alpha)

    def forget_cooldowns(self) -> None:
        """Let every rule fire again at once: for asking what holds now (``fundtui
        signals``) rather than what is new since the last report."""
        self._last_hit.clear()

    # --- feeding -----------------------------------------------------------------

    def warm_up(self, samples: Iterable[tuple[int, Quote]]) -> None:
        """Replay history ``(time_ms, quote)``, oldest first, without emitting hits.

        Quotes without a rate or a positive interval are skipped, as in :meth:`update`.
        """
        ingest = self._ingest
        for t, group in groupby(samples, key=itemgetter(0)):  # in runs of one time
            ingest(t, [q for _, q in group], True, {}, [], None, None)

    def warm_up_series(
        self,
        venue: str,
        symbol: str,
        base: str,
        interval_h: float,
        samples: Iterable[tuple[int, float]],
    ) -> None:
        """Replay a stored rate series ``(time_ms, rate per interval)`` of one market."""
        ingest = self._ingest
        for t, rate in samples:
            ingest(t, (Quote(venue, symbol, base, "", rate, interval_h),), True, {}, [], None, None)

    def update(self, now_ms: int, quotes: Iterable[Quote]) -> list[Hit]:
        """Feed the current quotes; return the new, de-duplicated hits.

        ``quotes`` is the whole current board, one quote per venue and base (as
        ``board.choose_quotes`` picks them) so the spread rule sees every venue. A
        quote's sample time is its ``timestamp_ms`` when given, else ``now_ms``; a
        quote no newer than the last sample of its market updates no state and
        fires no per-market rule (the spread rule still sees it).
        """
        c = self.config
        hits: list[Hit] = []
        hot: list[_Key] = []  # may fire a per-market rule
        fresh: list[_Key] = []  # may fire only when in the top decile
        rates: list[float] = []
        # per base: [low 8h, low venue, high 8h, high venue]; ties keep the first venue
        legs: dict[str, list] = {}
        self._ingest(now_ms, quotes, False, legs, rates, hot, fresh)
        # cross-sectional extreme level: strictly above the quantile of |8h rate|
        cut = math.inf
        n = len(rates)
        if n >= 10 and c.extreme_quantile < 1:
            mags = sorted(map(abs, rates))
            cut = max(mags[max(0, math.ceil(c.extreme_quantile * n) - 1)], NEUTRAL_8H)
        rules = self._rules
        for k in hot:
            rules(k, cut, hits)
            k.q = None
        for k in fresh:
            if k.last_r8 > cut or -k.last_r8 > cut:
                rules(k, cut, hits)
            k.q = None
        thr = c.spread_8h
        for base, (lo, lo_v, hi, hi_v) in legs.items():
            if hi - lo < thr or lo_v == hi_v:
                continue
            spread = hi - lo
            self._emit(
                hits,
                now_ms,
                "spread",
                base,
                (hi_v, lo_v),
                spread,
                thr,
                # mypy infers no lambda with defaults for a zero-argument callable
                lambda hi_v=hi_v,
                lo_v=lo_v,
                spread=spread,  # type: ignore[misc]
                hi=hi,
                lo=lo: (
                    f"{hi_v} pays {pct(spread)}/8h more than {lo_v}: short {hi_v}, "
                    f"long {lo_v}, {spread_apr(spread) * 100:.1f}% APR",
                    {"apr": spread_apr(spread), "high_8h": hi, "low_8h": lo},
                ),
            )
        return hits

    # --- internals ---------------------------------------------------------------

    def _ingest(
        self,
        now_ms: int,
        quotes: Iterable[Quote],
        at_now: bool,
        legs: dict[str, list],
        rates: list[float],
        hot: list[_Key] | None,
        fresh: list[_Key] | None,
    ) -> None:
        """Update every market's rolling state with its quote, in order.

        A quote's sample time is ``now_ms`` when ``at_now``, else its
        ``timestamp_ms`` or ``now_ms``. Fills ``legs`` and ``rates`` (the 8h rate
        of every quote with one) for the cross-market rules. The state of each
        market with a new sample goes into ``hot`` when a cheap test says a
        per-market rule could fire (``_rules`` decides), else into ``fresh``,
        with its quote and earlier mean in ``q`` and ``m``; ``hot`` None (a
        warm-up) collects nothing. A quote no newer than its market's last
        sample changes no state.

        The hot path of every refresh: one loop, constants in locals, per-market
        attributes read once; quarter-hour and settlement bookkeeping run only
        when those change. Nothing allocated per quote that the garbage
        collector tracks.
        """
        keys = self._keys
        w = self._dev_buckets
        sw = self._spike_buckets
        ema_ms = self._ema_period_ms
        alpha = self._alpha
        oi_ms = self._oi_ms
        dev_need = self._dev_need
        sp_need = self._sp_need
        pm_need_h = self._pm_need_h
        hist_len = self._hist_len
        extreme = self._extreme
        spike = self._spike_thr
        dev = self._dev_thr
        gap_thr = self._gap
        ex_n = self._ex_n
        rates_append = rates.append
        collect = hot is not None
        hot_append = hot.append if hot is not None else None
        fresh_append = fresh.append if fresh is not None else None
        legs_get = legs.get
        cur_v = None  # the venue of the previous quote and its markets
        vkeys: dict[str, _Key] | None = {}
        # Values that depend only on the sample time, computed once per distinct
        # time (a refresh's quotes share one): fewer divisions, and every market
        # then holds the same int objects, so comparing them reads no cold memory.
        ct = None
        b = p = 0
        t: int | None
        for q in quotes:
            rate = q.funding_rate
            ih = q.interval_hours
            if rate is None or ih is None or not ih > 0:  # NaN too
                continue
            r8 = rate * 8.0 / ih
            rates_append(r8)
            venue = q.venue
            base = q.base
            leg = legs_get(base)
            if leg is None:
                legs[base] = [r8, venue, r8, venue]
            elif r8 < leg[0]:
                leg[0] = r8
                leg[1] = venue
            elif r8 > leg[2]:
                leg[2] = r8
                leg[3] = venue
            if at_now:
                t = now_ms
            else:
                t = q.timestamp_ms
                if t is None:
                    t = now_ms
            if venue is not cur_v:
                cur_v = venue
                vkeys = keys.get(venue)
                if vkeys is None:
                    vkeys = keys[venue] = {}
            # vkeys: the current venue's markets, never None once the venue is seen
            k = vkeys.get(q.symbol)  # type: ignore[union-attr]
            if k is None:
                k = vkeys[q.symbol] = _Key(venue, base, w, sw, hist_len)  # type: ignore[index]
            prev_t = k.last_t
            if prev_t is not None and t <= prev_t:
                continue
            # rolling mean: the earlier samples' mean first, then this one joins
            if t is not ct and t != ct:
                ct = t
                b = t // BUCKET_MS
                p = t // ema_ms
            if b != k.bucket:
                k.new_bucket(b, w, sw, t)
            n = k.bcount
            s = k.bsum
            m = s / n if n and t - k.dev_from >= dev_need else None
            k.bsum = s + r8
            k.bcount = n + 1
            k.cur_sum += r8
            k.cur_n += 1
            # EMA of the hourly rate, one step per period: the step of a period is
            # taken when the next one starts, from the period's last sample (still
            # last_r8 here); within a period nothing is computed
            if p != k.ema_period:
                if prev_t is not None:
                    k.close_period(alpha, self)
                k.ema_period = p
                k.ph = k.pl = r8
            elif r8 > k.ph:
                k.ph = r8
            elif r8 < k.pl:
                k.pl = r8
            # spike window: the highs and lows of its quarter-hours
            if r8 > k.chi:
                k.chi = r8
                if r8 > k.hi:
                    k.hi = r8
            if r8 < k.clo:
                k.clo = r8
                if r8 < k.lo:
                    k.lo = r8
            # open interest: one sample per quarter-hour (the first), oldest dropped
            # once a newer one is at or before the lookback start
            oi = q.open_interest_coins
            if oi is not None:
                if k.oi_bucket != b:
                    k.oi_bucket = b
                    oq = k.oiq
                    oq.append((t, oi))
                    start = t - oi_ms
                    while len(oq) >= 2 and oq[1][0] <= start:
                        oq.pop(0)
                k.oi = oi
                k.oi_t = t
            # settlements on the interval's UTC grid
            if t >= k.slot_end or ih != k.slot_ih:
                span = ih * HOUR_MS
                slot = t // span
                if slot != k.slot:
                    k.settle(slot, extreme)
                    k.pm_n = 0  # a new interval: its premium mean starts over
                    k.pm_sum = 0.0
                    k.pm_from = t
                    k.pm_ok = t + pm_need_h * ih
                k.slot_end = (slot + 1) * span
                k.slot_ih = ih
            mark = q.mark_price
            index = q.index_price
            prem = (mark - index) / index if mark is not None and index else q.venue_premium
            if prem is not None:
                k.pm_sum += prem
                k.pm_n += 1
            k.last_t = t
            k.last_r8 = r8
            if mark is not None:
                k.last_mark = mark
            if not collect:
                continue
            # could a per-market rule fire? (the cheap tests; _rules decides)
            if (
                r8 >= k.ema_up
                or r8 <= k.ema_dn
                or k.ex_streak >= ex_n
                or r8 >= extreme
                or -r8 >= extreme
                or ((r8 - k.lo >= spike or k.hi - r8 >= spike) and t - k.sp_from >= sp_need)
                or (m is not None and (r8 - m >= dev or m - r8 >= dev))
            ):
                k.q = q
                k.m = m
                hot_append(k)  # type: ignore[misc]  # collect: not None
                continue
            if prem is not None and t >= k.pm_ok:
                pm = k.pm_sum / k.pm_n
                # r8 against implied_rate(pm, 8.0), inlined
                d = NEUTRAL_8H - pm
                if d > 0.0005:
                    d = 0.0005
                elif d < -0.0005:
                    d = -0.0005
                gap = r8 - (pm + d)
                if gap >= gap_thr or -gap >= gap_thr:
                    k.q = q
                    k.m = m
                    hot_append(k)  # type: ignore[misc]  # collect: not None
                    continue
            if r8 > NEUTRAL_8H or -r8 > NEUTRAL_8H:  # the extreme cut is never below it
                k.q = q
                k.m = m
                fresh_append(k)  # type: ignore[misc]  # collect: not None

    def _rules(self, k: _Key, cut: float, hits: list[Hit]) -> None:
        """Every per-market rule on market ``k``'s new sample (its quote ``k.q``;
        ``k.m`` the mean of its earlier samples in the deviation window)."""
        c = self.config
        # _ingest sets both before it queues a market
        t: int = k.last_t  # type: ignore[assignment]
        q: Quote = k.q  # type: ignore[assignment]
        m = k.m
        r8 = k.last_r8
        base, venue = k.base, k.venue
        vs = (venue,)
        # deviation from the rolling mean
        if m is not None:
            dev = r8 - m
            if abs(dev) >= c.deviation_8h:
                self._emit(
                    hits,
                    t,
                    "deviation",
                    base,
                    vs,
                    dev,
                    c.deviation_8h,
                    lambda: (
                        f"{base} on {venue} at {pct(r8)}/8h vs its "
                        + self._window_text(k.dev_from, t, self._dev_buckets, "mean")
                        + f" {pct(m)}/8h ({_spct(dev)})",
                        {
                            "mean_8h": m,
                            "rate_8h": r8,
                            "span_h": self._span_h(k.dev_from, t, self._dev_buckets),
                        },
                    ),
                )
        # EMA divergence (hourly units)
        ema = k.ema_now(self._alpha)
        d = r8 * 0.125 - ema
        ema_thr = k.ema_thr
        streak, _ = k.streak_now(d, ema_thr)
        if streak:
            persistent = streak >= c.ema_persist_periods
            self._emit(
                hits,
                t,
                "ema_divergence",
                base,
                vs,
                d,
                ema_thr,
                lambda: (
                    f"{base} on {venue} runs {'hot' if d > 0 else 'cold'}: "
                    f"{pct(r8 / 8.0, 4)}/h vs EMA({c.ema_periods}) "
                    f"{pct(ema, 4)}/h ({_spct(d, 4)}/h"
                    + self._ema_beyond(k)
                    + ")"
                    + (f", {streak} periods in a row" if persistent else ""),
                    {
                        "persistent": persistent,
                        "periods": streak,
                        "ema_hourly": ema,
                        "threshold_mode": c.ema_threshold_mode,
                        "history_periods": len(k.ema_sorted),
                    },
                ),
            )
        # spike within the window
        lo = k.lo
        hi = k.hi
        up = r8 - lo
        down = hi - r8
        if up >= down:
            move, ref = up, lo
        else:
            move, ref = -down, hi
        if abs(move) >= c.spike_8h and t - k.sp_from >= self._sp_need:
            self._emit(
                hits,
                t,
                "spike",
                base,
                vs,
                move,
                c.spike_8h,
                lambda: (
                    f"{base} on {venue} {'rose' if move > 0 else 'fell'} "
                    f"{pct(abs(move))}/8h within "
                    + self._window_text(k.sp_from, t, self._spike_buckets, "")
                    + f" (from {pct(ref)} to {pct(r8)})",
                    {
                        "from_8h": ref,
                        "rate_8h": r8,
                        "span_h": self._span_h(k.sp_from, t, self._spike_buckets),
                    },
                ),
            )
        mag = abs(r8)
        crowd = "longs" if r8 > 0 else "shorts"
        # open-interest regime
        oq = k.oiq
        if k.oi_t == t and (mag >= c.extreme_8h or mag > cut) and r8 != 0:
            start = t - self._oi_ms
            while len(oq) >= 2 and oq[1][0] <= start:
                oq.pop(0)
            # the baseline: the last entry at or before the lookback's start unless it
            # is more than a quarter-hour older (a gap), else the oldest one after it,
            # if that reaches back min_coverage of the lookback
            t0, oi0 = oq[0]
            if t0 < start - BUCKET_MS:
                t0, oi0 = oq[1] if len(oq) >= 2 else (t, 0.0)
            if t - t0 >= self._oi_need and t0 < t and oi0 > 0:
                ch = k.oi / oi0 - 1.0  # type: ignore[operator]  # set with oi_t
                if abs(ch) >= c.oi_change:
                    crowding = ch > 0
                    regime = "crowding" if crowding else "unwind"
                    what = "the move is building" if crowding else "reversal risk"
                    self._emit(
                        hits,
                        t,
                        "oi_regime",
                        base,
                        vs,
                        ch,
                        c.oi_change,
                        lambda: (
                            f"{crowd} pay {pct(mag)}/8h on {venue} {base} with open "
                            f"interest {'up' if crowding else 'down'} "
                            f"{fixed(abs(ch) * 100, 1)}% in coins over "
                            + self._lookback_text(t - t0)
                            + _usd_now(q.open_interest_usd)
                            + f": {regime}, {what}",
                            {
                                "regime": regime,
                                "rate_8h": r8,
                                "velocity": k.slope_1h(t, r8),
                                "oi_coins": k.oi,
                                "oi_coins_from": oi0,
                                "oi_usd": q.open_interest_usd,
                                "span_h": (t - t0) / HOUR_MS,
                            },
                        ),
                    )
        # exhaustion
        if k.ex_streak >= c.exhaustion_settlements and k.ex_price and k.last_mark is not None:
            sign = k.ex_sign
            change = k.last_mark / k.ex_price - 1.0
            moved = change * sign  # in the direction the crowd pays for
            if moved <= c.exhaustion_follow:
                payer = "longs" if sign > 0 else "shorts"
                self._emit(
                    hits,
                    t,
                    "exhaustion",
                    base,
                    vs,
                    moved,
                    c.exhaustion_follow,
                    lambda: (
                        f"{payer} paid extreme funding on {venue} {base} for "
                        f"{k.ex_streak} settlements but price went {_spct(change, 2)}: "
                        f"crowd exhausted, reversal risk",
                        {
                            "settlements": k.ex_streak,
                            "price_change": change,
                            "velocity": k.slope_1h(t, r8),
                            "rate_8h": r8,
                        },
                    ),
                )
        # implied by the premium
        ih = q.interval_hours
        if k.pm_n and t >= k.pm_ok:
            prem = k.pm_sum / k.pm_n  # the interval's mean premium so far
            imp8 = implied_rate(prem, 8.0)  # the same formula, in 8h units
            gap = r8 - imp8
            if abs(gap) >= c.implied_gap_8h:
                self._emit(
                    hits,
                    t,
                    "implied",
                    base,
                    vs,
                    gap,
                    c.implied_gap_8h,
                    lambda: (
                        f"{venue} {base} pays {pct(r8)}/8h but its mean premium "
                        f"{pct(prem)} over the last {span_text(t - k.pm_from)} of the "
                        f"{ih:g}h interval implies {pct(imp8)}/8h: rate likely to "
                        f"{'fall' if gap > 0 else 'rise'}",
                        {
                            "implied_8h": imp8,
                            "premium": prem,
                            "premium_samples": k.pm_n,
                            "rate_8h": r8,
                        },
                    ),
                )

    def _span_h(self, since: float, t: int, buckets: int) -> float:
        """Hours a quarter-hour window of ``buckets`` really spans at ``t`` when its
        data begins at ``since``."""
        start = (t // BUCKET_MS - buckets + 1) * BUCKET_MS
        return (t - max(since, start)) / HOUR_MS

    def _window_text(self, since: float, t: int, buckets: int, what: str) -> str:
        """The window as the explanation names it: the nominal ``24h mean`` once its
        data reaches its oldest quarter-hour, else ``mean over the last 3h12m``."""
        start = (t // BUCKET_MS - buckets + 1) * BUCKET_MS
        if since <= start:
            h = buckets * BUCKET_MS / HOUR_MS
            return f"{h:g}h {what}".rstrip()
        span = f"the last {span_text(t - since)}"
        return f"{what} over {span}" if what else span

    def _lookback_text(self, span_ms: float) -> str:
        """The open-interest lookback: nominal when the baseline is at most a
        quarter-hour older than it (one entry per quarter-hour), else the real span."""
        if self._oi_ms <= span_ms <= self._oi_ms + BUCKET_MS:
            return f"{self.config.oi_lookback_h:g}h"
        return f"the last {span_text(span_ms)}"

    def _ema_beyond(self, k: _Key) -> str:
        """What the ema_divergence threshold was: fixed, or the market's percentile."""
        c = self.config
        if not self._historical:
            return f", beyond {pct(c.ema_divergence_hourly, 4)}/h"
        return (
            f", beyond {pct(k.ema_thr, 4)}/h, the {c.ema_percentile:g}th percentile "
            f"of its last {len(k.ema_sorted)} periods"
        )

    def _emit(
        self,
        hits: list[Hit],
        t: int,
        rule: str,
        base: str,
        venues: tuple[str, ...],
        value: float,
        threshold: float,
        describe: Callable[[], tuple[str, dict[str, Any]]],
    ) -> None:
        """Append the hit unless its (rule, base, venues) fired within the cooldown.

        ``describe`` gives the explanation and extras; it runs only for a hit that
        is kept, so a condition held through its cooldown costs no formatting.
        """
        key = (rule, base, venues)
        last = self._last_hit.get(key)
        if last is not None and t - last < self._cooldown_ms:
            return
        self._last_hit[key] = t
        explanation, extras = describe()
        hits.append(Hit(t, rule, base, venues, value, threshold, explanation, extras))
