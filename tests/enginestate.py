"""The whole state of a signal engine as comparable data, bit for bit.

Floats compare by their bits (``float.hex``; NaN equals NaN, -0.0 differs from
0.0), numbers keep their type (8 and 8.0 differ), arrays compare by typecode and
bytes. ``q`` and ``m`` are left out: they hold something only during an update.
"""

from __future__ import annotations

from array import array
from typing import Any

from fundtui.core.signals import SignalEngine, _Key


def exact(x: Any) -> Any:
    if isinstance(x, float):
        return ("float", x.hex())
    if isinstance(x, array):
        return ("array", x.typecode, x.tobytes())
    if isinstance(x, list | tuple):
        return (type(x).__name__, tuple(exact(v) for v in x))
    return (type(x).__name__, x)


def market_state(k: _Key) -> dict[str, Any]:
    return {name: exact(getattr(k, name)) for name in _Key.__slots__ if name not in ("q", "m")}


def exact_state(engine: SignalEngine) -> dict[str, Any]:
    """Every market's rolling state (in the engine's order) and the cooldowns."""
    return {
        "config": engine.config,
        "markets": [
            (venue, symbol, market_state(k))
            for venue, by_symbol in engine._keys.items()
            for symbol, k in by_symbol.items()
        ],
        "cooldowns": [(key, exact(t)) for key, t in engine._last_hit.items()],
    }
