"""What the detail view's charts draw: points, each venue's look, and an axis that
fits the data there is.

Six venues need six lines told apart: each has its own colour (one set for dark
themes, a darker one for light), chosen so a 16-colour terminal still maps them to
six different colours, and its own marker character when there is no colour at
all (NO_COLOR), shown in the legend beside the venue's name. A chart of ten
minutes of history is drawn over those ten minutes (in minutes), not squeezed
into the last column of a 24 h axis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from fundtui.core.normalize import rate_8h_if_known
from fundtui.store.history import Sample

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

#: Chart ranges: key -> span, x-axis unit in ms and its name.
RANGES = {
    "24h": (DAY_MS, HOUR_MS, "hours"),
    "7d": (7 * DAY_MS, DAY_MS, "days"),
    "30d": (30 * DAY_MS, DAY_MS, "days"),
}
#: The next smaller unit, for data shorter than two of the range's units.
FINER = {DAY_MS: (HOUR_MS, "hours"), HOUR_MS: (MINUTE_MS, "minutes")}

RGB = tuple[int, int, int]
#: yellow, red-orange, blue, cyan, magenta, white: six hues that stay six in 16 colours.
ON_DARK: tuple[RGB, ...] = (
    (240, 200, 60),
    (240, 110, 60),
    (90, 150, 245),
    (40, 210, 210),
    (215, 110, 205),
    (230, 230, 230),
)
ON_LIGHT: tuple[RGB, ...] = (
    (150, 110, 0),
    (200, 60, 20),
    (20, 80, 200),
    (0, 130, 140),
    (150, 40, 140),
    (40, 40, 40),
)
#: Markers without colour: plain ASCII, unlike each other in shape.
MARKERS = ("*", "+", "o", "x", "#", "@")
VENUE_ORDER = ("binance", "bybit", "okx", "bitget", "gate", "hyperliquid")


def venue_slot(venue: str, others: Sequence[str]) -> int:
    """The venue's colour and marker: the six known venues keep theirs on every
    chart; any other id takes the first one no venue of ``others`` holds."""
    if venue in VENUE_ORDER:
        return VENUE_ORDER.index(venue)
    taken = {VENUE_ORDER.index(v) for v in others if v in VENUE_ORDER}
    free = [i for i in range(len(MARKERS)) if i not in taken] or list(range(len(MARKERS)))
    extra = [v for v in others if v not in VENUE_ORDER]
    return free[extra.index(venue) % len(free)] if venue in extra else free[0]


def venue_look(slot: int, dark: bool, no_color: bool) -> tuple[RGB | None, str]:
    """(colour or None, marker) for a venue's line."""
    if no_color:
        return None, MARKERS[slot % len(MARKERS)]
    return (ON_DARK if dark else ON_LIGHT)[slot % len(ON_DARK)], "braille"


def chart_points(
    samples: Sequence[Sample], now_ms: int, unit_ms: int, field: str
) -> tuple[list[float], list[float]]:
    """(x: units before now, negative; y) of one venue's samples for one field."""
    xs, ys = [], []
    for s in samples:
        if field == "rate":
            r8 = rate_8h_if_known(s.funding_rate, s.interval_hours)
            if r8 is None:  # no rate, or an unknown interval: no point, never a guessed one
                continue
            y = r8 * 100
        elif field == "premium":
            if s.premium is None:
                continue
            y = s.premium * 100
        else:
            if s.open_interest_usd is None:
                continue
            y = s.open_interest_usd / 1e6
        if math.isfinite(y):
            xs.append((s.at_ms - now_ms) / unit_ms)
            ys.append(y)
    return xs, ys


def fit_axis(earliest_ms: int | None, now_ms: int, range_key: str) -> tuple[int, str, float]:
    """(unit in ms, its name, left end of the x axis in units) for data from
    ``earliest_ms``: the range's span when the data fills it, else just the data's
    age (a tenth more, to show where it starts), in a finer unit when it is short."""
    span, unit_ms, unit_name = RANGES[range_key]
    if earliest_ms is None or now_ms - earliest_ms >= span:
        return unit_ms, unit_name, -span / unit_ms
    age = max(now_ms - earliest_ms, MINUTE_MS)
    while age < 2 * unit_ms and unit_ms in FINER:
        unit_ms, unit_name = FINER[unit_ms]
    return unit_ms, unit_name, -min(span, age * 1.1) / unit_ms


def earliest(samples: Mapping[str, Sequence[Sample]], since_ms: int) -> int | None:
    """The oldest sample time at or after ``since_ms``, over every venue."""
    times = [s.at_ms for series in samples.values() for s in series if s.at_ms >= since_ms]
    return min(times) if times else None
