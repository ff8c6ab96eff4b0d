"""How each rule's value and threshold read, for the signals screen and the CLI."""

from __future__ import annotations

#: rule -> (kind, unit suffix); see fundtui.core.signals for what each value is.
UNITS = {
    "spread": ("rate", "/8h"),
    "deviation": ("rate", "/8h"),
    "spike": ("rate", "/8h"),
    "implied": ("rate", "/8h"),
    "ema_divergence": ("rate", "/h"),
    "oi_regime": ("change", " OI"),
    "exhaustion": ("change", " px"),
    "sector": ("change", " APR"),  # the sector's APR change that made the state
}


def _pct(x: float, decimals: int) -> str:
    s = f"{x * 100:.{decimals}f}%"
    return s[1:] if s.startswith("-") and float(s[:-1]) == 0 else s  # no "-0.0000%"


def figure(rule: str, x: float) -> str:
    """A hit's value or threshold in its rule's unit: ``0.0700%/8h``, ``+6.0% OI``;
    a rule not listed as a plain number."""
    kind, unit = UNITS.get(rule, ("plain", ""))
    if kind == "rate":
        return _pct(x, 4) + unit
    if kind == "change":
        s = _pct(x, 1)
        return (s if s.startswith("-") else "+" + s) + unit
    return f"{x:.4g}"
