"""What an alert says: one hit as a short paragraph, several as a digest.

Pure (the time is the hit's own). A message is read on a phone, away from the
board, so it carries everything needed to act: the rule, the coin, the venues,
the figure and the threshold it crossed with their units, the APR where one
applies and the UTC time. Venue and symbol strings are spelled out
(``fundtui.core.text.visible``): they come from venues.

Importance (a digest's order): spread hits first, the highest APR first (a
spread is the trade this tool is for: short one venue, long the other), then
every other hit by how far past its threshold it is (|figure / threshold|; a
threshold of 0, as exhaustion's default, counts as just reached), then the
newest first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from fundtui.core.normalize import spread_apr
from fundtui.core.rate_text import apr_pct, pct, rate_pct, signed_pct, signed_rate_pct
from fundtui.core.signal_types import Hit
from fundtui.core.signal_units import UNITS
from fundtui.core.text import one_line, visible
from fundtui.core.timefmt import iso_utc, utc

#: A digest lists at most this many hits, then "and N more".
DIGEST_LINES = 10
TITLE = "fundtui"


def _number(x: object) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return None
    return float(x)


def hit_apr(hit: Hit) -> float | None:
    """The APR a hit is about: a spread's (what it earns), a sector's mean APR, else
    the APR of the venue's current rate when the hit carries it; None without one."""
    if hit.rule == "spread":
        apr = _number(hit.extras.get("apr"))
        return apr if apr is not None else spread_apr(hit.value)
    if hit.rule == "sector":
        return _number(hit.extras.get("apr"))
    rate = _number(hit.extras.get("rate_8h"))
    return None if rate is None else spread_apr(rate)


def importance(hit: Hit) -> tuple[int, float, int]:
    """Sort key, most important first (see the module doc)."""
    if hit.rule == "spread":
        return (0, -(hit_apr(hit) or 0.0), -hit.time_ms)
    ratio = abs(hit.value / hit.threshold) if hit.threshold else 1.0
    return (1, -ratio if math.isfinite(ratio) else 0.0, -hit.time_ms)


def figure(rule: str, x: float, signed: bool = True) -> str:
    """A value or threshold in its rule's unit: ``+0.0700%/8h``, ``+6.0% OI``."""
    kind, unit = UNITS.get(rule, ("plain", ""))
    if kind == "rate":
        return (signed_rate_pct(x) if signed else rate_pct(x)) + unit
    if kind == "change":
        return (signed_pct(x, 1) if signed else pct(x, 1)) + unit
    return f"{x:.4g}"


def _venues(hit: Hit) -> str:
    if hit.rule == "sector":
        return ""
    if hit.rule == "spread" and len(hit.venues) == 2:
        return f" (short {visible(hit.venues[0])}, long {visible(hit.venues[1])})"
    return " on " + "/".join(visible(v) for v in hit.venues) if hit.venues else ""


def _what(hit: Hit) -> str:
    """``spread BTC`` / ``sector "Meme"``."""
    if hit.rule == "sector":
        state = hit.extras.get("state")
        name = f"sector {visible(hit.base)}"
        return f"{name} {visible(state)}" if isinstance(state, str) else name
    return f"{visible(hit.rule)} {visible(hit.base)}"


def _figures(hit: Hit) -> str:
    rule = hit.rule
    text = (
        f"{figure(rule, hit.value, signed=rule != 'spread')} "
        f"(threshold {figure(rule, hit.threshold, signed=False)})"
    )
    apr = hit_apr(hit)
    rate = _number(hit.extras.get("rate_8h"))
    if apr is None:
        return text
    if rule == "spread":
        return f"{text}, {apr_pct(apr)} APR"
    if rule == "sector":
        return f"{text}, sector at {apr_pct(apr)} APR"
    return f"{text}, rate {signed_rate_pct(rate or 0.0)}/8h ({apr_pct(apr)} APR)"


def hit_paragraph(hit: Hit) -> str:
    """One hit as one short paragraph."""
    head = f"{_what(hit)}{_venues(hit)}: {_figures(hit)}."
    # a spread's explanation says what the head says; the others' add how it came about
    explanation = "" if hit.rule == "spread" else one_line(hit.explanation, 300).rstrip(".")
    tail = f" {explanation}." if explanation else ""
    return f"{head}{tail} {iso_utc(hit.time_ms).replace('T', ' ').rstrip('Z')} UTC"


def hit_line(hit: Hit) -> str:
    """One hit as one digest line: what, where, the figures, the time of day."""
    return f"{utc(hit.time_ms).strftime('%H:%M:%S')}  {_what(hit)}{_venues(hit)}: {_figures(hit)}"


def ranked(hits: Sequence[Hit]) -> list[Hit]:
    return sorted(hits, key=importance)


def message(hits: Sequence[Hit], more: int = 0) -> tuple[str, str]:
    """``(title, body)`` for the hits of one digest window; ``more`` hits beyond
    these were counted but not kept. One hit alone is a paragraph."""
    order = ranked(hits)
    total = len(order) + more
    if total == 1:
        hit = order[0]
        return f"{TITLE}: {_what(hit)}", hit_paragraph(hit)
    first = min(h.time_ms for h in order)
    last = max(h.time_ms for h in order)
    span = iso_utc(first).replace("T", " ").rstrip("Z")
    if utc(last).strftime("%H:%M:%S") != utc(first).strftime("%H:%M:%S"):
        span += f" to {utc(last).strftime('%H:%M:%S')}"
    lines = [f"{total} signals, {span} UTC, most important first:"]
    lines += [hit_line(h) for h in order[:DIGEST_LINES]]
    rest = total - min(len(order), DIGEST_LINES)
    if rest:
        lines.append(f"and {rest} more (the signals log in the data folder has them all)")
    return f"{TITLE}: {total} signals", "\n".join(lines)


def test_message(now_ms: int) -> tuple[str, str]:
    return (
        f"{TITLE}: test alert",
        "A test message from fundtui alerts test: signal alerts from this machine "
        f"reach you here. Sent {iso_utc(now_ms).replace('T', ' ').rstrip('Z')} UTC.",
    )
