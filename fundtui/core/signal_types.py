"""What the signal rules are set with and what they report: the thresholds
(:class:`SignalConfig`), one hit (:class:`Hit`) and the rules' names.

Apart from the engine (``core/signals.py``, whose module doc defines each rule
and its units) so that the configuration and the app's messages can load them
before the first frame without the engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

RULES = ("spread", "deviation", "ema_divergence", "spike", "oi_regime", "exhaustion", "implied")
#: How ema_divergence sets its threshold (see core/signals).
EMA_MODES = ("historical", "fixed")
#: The longest history the historical EMA threshold may keep, in days.
MAX_EMA_HISTORY_DAYS = 30.0


@dataclass(frozen=True, slots=True)
class SignalConfig:
    """Rule thresholds (fractions; 8h-equivalent unless the name says hourly)."""

    spread_8h: float = 0.0005  # 0.05 %/8h between the high and the low venue
    deviation_8h: float = 0.0010  # 0.10 % away from the rolling mean
    deviation_window_h: float = 24.0
    ema_periods: int = 12  # n of EMA(n)
    ema_period_h: float = 1.0  # one EMA step per hour
    ema_divergence_hourly: float = (
        0.0005  # "fixed" mode: 0.05 %/h between the hourly rate and its EMA
    )
    ema_persist_periods: int = 3
    # "historical": beyond the ema_percentile of the market's own per-period |divergence|
    # over the last ema_history_days, once ema_min_history_h of it is stored
    ema_threshold_mode: str = "historical"
    ema_percentile: float = 99.0
    ema_history_days: float = 7.0
    ema_min_history_h: float = 24.0
    ema_floor_hourly: float = 0.00001  # 0.001 %/h: never fire on less, however calm the past
    spike_8h: float = 0.0015  # 0.15 % move ...
    spike_window_h: float = 8.0  # ... within 8 h
    extreme_8h: float = 0.0005  # 0.05 %/8h: five times the neutral rate
    extreme_quantile: float = 0.9  # top decile across the refresh; 1.0 turns it off
    oi_lookback_h: float = 4.0
    oi_change: float = 0.05  # open interest up/down 5 % over the lookback
    exhaustion_settlements: int = 3
    exhaustion_follow: float = 0.0  # price move in the crowd's direction that counts as following
    implied_gap_8h: float = 0.0005  # 0.05 %/8h between implied and actual
    cooldown_s: float = 1800.0  # per (rule, base, venue)
    # a windowed rule fires only once its data reaches back this fraction of its window
    min_coverage: float = 0.8

    def __post_init__(self) -> None:
        if self.ema_threshold_mode not in EMA_MODES:
            raise ValueError(f"ema_threshold_mode must be one of {EMA_MODES}")
        for f in fields(self):
            if f.name == "ema_threshold_mode":
                continue
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ValueError(f"{f.name} must be a finite number, got {v!r}")
            if v < 0:
                raise ValueError(f"{f.name} must not be negative, got {v!r}")
        for name in ("ema_periods", "ema_persist_periods", "exhaustion_settlements"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a whole number >= 1")
        for name in ("deviation_window_h", "ema_period_h", "spike_window_h", "oi_lookback_h"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be more than 0")
        for name in ("extreme_quantile", "min_coverage"):
            if getattr(self, name) > 1:
                raise ValueError(f"{name} must be between 0 and 1")
        if not 0 < self.ema_percentile <= 100:
            raise ValueError("ema_percentile must be more than 0 and at most 100")
        if not 0 < self.ema_history_days <= MAX_EMA_HISTORY_DAYS:
            raise ValueError(
                f"ema_history_days must be more than 0, at most {MAX_EMA_HISTORY_DAYS:g}"
            )


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule firing. ``value`` and ``threshold`` are in the rule's units (see module doc)."""

    time_ms: int
    rule: str
    base: str
    venues: tuple[str, ...]
    value: float
    threshold: float
    explanation: str
    extras: dict[str, Any] = field(default_factory=dict, compare=False)
