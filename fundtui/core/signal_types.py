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


@dataclass(frozen=True, slots=True)
class SignalConfig:
    """Rule thresholds (fractions; 8h-equivalent unless the name says hourly)."""

    spread_8h: float = 0.0005  # 0.05 %/8h between the high and the low venue
    deviation_8h: float = 0.0010  # 0.10 % away from the rolling mean
    deviation_window_h: float = 24.0
    ema_periods: int = 12  # n of EMA(n)
    ema_period_h: float = 1.0  # one EMA step per hour
    ema_divergence_hourly: float = 0.0005  # 0.05 %/h between the hourly rate and its EMA
    ema_persist_periods: int = 3
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

    def __post_init__(self) -> None:
        for f in fields(self):
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
        if self.extreme_quantile > 1:
            raise ValueError("extreme_quantile must be between 0 and 1")


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
