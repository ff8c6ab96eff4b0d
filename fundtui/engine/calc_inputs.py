"""What the calculators start from, decided once for the screens and the CLI.

The position calculator (the ``c`` screen and ``fundtui calc``) and the carry
calculator (``C`` and ``fundtui carry``) need the same inputs: a venue's fees
(the base tier, or the config's ``[fees.<venue>]``), its maintenance tiers (the
bundled or configured binance brackets, else the venue's cached or fetched
table), the market's quantity step and minimum notional, and, on the screens,
fields pre-filled from a board row. Each is decided here so the screen and the
command cannot drift apart. No Textual: the screens own their widgets and their
background fetch; this module only says what goes in them.
"""

from __future__ import annotations

from collections.abc import Callable

from fundtui.config import Config, VenueConfig
from fundtui.core import fees
from fundtui.core.board import BoardRow
from fundtui.core.number_text import num_text, pct_text
from fundtui.core.quote import Quote
from fundtui.core.text import visible
from fundtui.feeds import tiers as tier_feed
from fundtui.feeds.tiers import TierSource, TiersUnavailable

#: ``(venue, base) -> tiers``; raises :class:`TiersUnavailable` when there are none.
TierResolver = Callable[[str, str], TierSource]
FeeTable = Callable[[str], fees.Fees]
#: ``(venue, leg kind) -> taker fee`` of a carry leg, in and out.
LegFee = Callable[[str, str], float]

PERP, SPOT = "perp", "spot"


# --------------------------------------------------------------------------- fees and tiers


def fee_table(config: Config) -> FeeTable:
    """A venue's perp fees under ``config``: its ``[fees.<venue>]``, else the base tier."""
    overrides = config.fees
    return lambda venue: fees.perp_fees(venue, overrides)


def leg_taker(config: Config, venue: str, kind: str = PERP) -> float:
    """The taker fee a carry leg pays in and out, for ``fundtui carry`` and the ``C``
    screen alike: a spot leg the venue's base-tier spot fee, a perp leg its perp fee
    (``[fees.<venue>]``, else the base tier)."""
    if kind == SPOT:
        return fees.spot_fees(venue).taker
    return fees.perp_fees(venue, config.fees).taker


def leg_fees(config: Config) -> LegFee:
    """:func:`leg_taker` bound to ``config``."""
    return lambda venue, kind: leg_taker(config, venue, kind)


def resolve_tiers(config: Config, venue: str, base: str, *, fetch: bool) -> TierSource:
    """``base``'s tiers on ``venue``: binance from the bundled (or configured) brackets,
    else the venue's cached table, fetched when missing or old if ``fetch`` allows."""
    return tier_feed.resolve_tiers(
        config.venue(venue), base, brackets=config.binance_brackets, fetch=fetch
    )


def tier_resolver(config: Config, *, fetch: bool = False) -> TierResolver:
    """:func:`resolve_tiers` bound to ``config``: cached only unless ``fetch``."""
    return lambda venue, base: resolve_tiers(config, venue, base, fetch=fetch)


def fetch_tiers(venue_config: VenueConfig, base: str) -> TierSource | str:
    """The venue's tiers fetched now, or the one-line reason there are none (blocking:
    the screens run it on a worker thread)."""
    try:
        return tier_feed.venue_tiers(venue_config, base)
    except TiersUnavailable as e:
        return str(e)


# --------------------------------------------------------------------------- market limits


def market_step(config: Config, venue: str, base: str) -> float | None:
    """The market's cached quantity step (never fetched: a screen opens at once)."""
    limits = tier_feed.market_limits(config.venue(venue), base, fetch=False)
    return limits.step if limits is not None and limits.step else None


def order_limits(
    config: Config,
    venue: str,
    base: str,
    entry: float,
    *,
    step: float | None,
    min_notional: float | None,
    fetch: bool,
) -> tuple[float | None, float, str]:
    """(step, minimum notional, where they came from): the given ones, else the market's."""
    if step is not None and min_notional is not None:
        return step, min_notional, "given"
    limits = tier_feed.market_limits(config.venue(venue), base, fetch=fetch)
    if limits is None:
        return (
            step,
            min_notional or 0.0,
            ("given" if step is not None else "market limits unknown: size not rounded"),
        )
    if step is None:
        step = limits.step
    if min_notional is None:
        min_notional = limits.min_notional(entry)
    return step, min_notional, "market"


# --------------------------------------------------------------------------- row pre-fill


def first_quote(row: BoardRow) -> Quote | None:
    """The row's first fresh quote with a rate, else its first quote at all."""
    fresh = [q for q in row.fresh_quotes() if q.has_rate]
    return fresh[0] if fresh else next(iter(row.quotes.values()), None)


def price_of(q: Quote | None) -> float | None:
    """A quote's mark price per coin (a multiplied contract divided back)."""
    if q is None or q.mark_price is None:
        return None
    return q.mark_price / (q.multiplier or 1)


def position_values(row: BoardRow | None, fee_table: FeeTable) -> dict[str, str]:
    q = first_quote(row) if row is not None else None
    venue = q.venue if q is not None else "binance"
    taker = fee_table(venue).taker
    entry = price_of(q)
    return {
        # the base as shown: a hidden character arrives spelled out (and fails the check)
        "venue": venue,
        "symbol": visible(row.base) if row is not None else "BTC",
        "side": "long",
        "equity": "10000",
        "risk": "1",
        "entry": num_text(entry),
        "stop": num_text(round(entry * 0.98, 10)) if entry else "",
        "leverage": "10",
        "fee_in": pct_text(taker),
        "fee_out": pct_text(taker),
        "rate": pct_text(q.funding_rate if q is not None else None),
        # an unknown interval stays empty: never a guessed 8 h
        "interval": num_text(q.interval_hours if q is not None else None),
        "hold": "24",
        "margin": "isolated",
    }


def calculator_values(row: BoardRow | None, config: Config) -> dict[str, str]:
    """The position calculator's fields for ``row``, the cached quantity step included."""
    values = position_values(row, fee_table(config))
    step = market_step(config, values["venue"], values["symbol"])
    if step is not None:
        values["step"] = num_text(step)
    return values


def carry_values(row: BoardRow, leg_fee: LegFee) -> dict[str, str]:
    spread = row.spread
    assert spread is not None
    lq, sq = row.quotes[spread.long_venue], row.quotes[spread.short_venue]
    price = (
        price_of(lq)
        or price_of(sq)
        or next((p for q in row.fresh_quotes() if (p := price_of(q)) is not None), None)
    )
    return {
        "long_venue": spread.long_venue,
        "long_kind": PERP,
        "long_rate": pct_text(lq.funding_rate),
        "long_interval": num_text(lq.interval_hours),
        "short_venue": spread.short_venue,
        "short_rate": pct_text(sq.funding_rate),
        "short_interval": num_text(sq.interval_hours),
        "price": num_text(price),
        "notional": "10000",
        "long_fee": pct_text(leg_fee(spread.long_venue, PERP)),
        "short_fee": pct_text(leg_fee(spread.short_venue, PERP)),
        "horizon": "720",
    }


def carry_leg_values(
    leg: str, venue: str, kind: str, quote: Quote | None, leg_fee: LegFee
) -> dict[str, str]:
    """A carry leg's fields once its venue or kind changes: that venue's fee for the
    kind, and its live rate and interval from the board row (empty when the row has
    none: never the previous venue's)."""
    values = {f"{leg}_fee": pct_text(leg_fee(venue, kind))}
    if kind == PERP:
        has = quote is not None and quote.has_rate
        values[f"{leg}_rate"] = pct_text(quote.funding_rate) if has and quote else ""
        values[f"{leg}_interval"] = num_text(quote.interval_hours) if has and quote else ""
    return values
