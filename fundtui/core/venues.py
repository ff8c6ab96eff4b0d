"""The table of venue facts: one row per venue with a dedicated adapter.

Everything about a venue that is not how to talk to it lives here, once: its
short code, its published base-tier fees, which liquidation formula it uses,
whether cross margin is computed for it, and where its maintenance tiers come
from. Fees, liquidation, the config's default venue list and the board's codes
all read this table, so a new venue is one row here (plus its module under
``fundtui/feeds/venues/``) rather than an edit in every one of them.

Fees are fractions of notional (0.0005 = 0.05 %), each venue's published
base tier (lowest VIP level, no discounts) as of late 2026: defaults only, the
config's ``[fees]`` section overrides them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Tier sources: shipped (and configurable) brackets, or fetched from the venue and cached.
BUNDLED = "bundled"
FETCHED = "fetched"

#: Where open interest comes from: the rate answer itself, the slower second bulk
#: request (at most once a minute, :mod:`fundtui.feeds.extras`), or nowhere.
OI_IN_RATES = "rates"
OI_SLOWER = "slower"
OI_NONE = "none"


@dataclass(frozen=True, slots=True)
class Fees:
    maker: float
    taker: float


@dataclass(frozen=True, slots=True)
class VenueFacts:
    name: str
    code: str  # short label for the spread legs column ("BIN")
    perp: Fees  # USDT-margined perpetuals, base tier
    spot: Fees  # spot, base tier (the long leg of a cash-and-carry)
    liquidation: str  # the formula in fundtui.core.liquidation
    cross_margin: bool  # cross-margin liquidation is computed for it
    tiers: str  # BUNDLED or FETCHED
    #: OI_IN_RATES, OI_SLOWER or OI_NONE (the venue has no bulk open-interest request)
    open_interest: str = OI_IN_RATES


#: In default column order (the config's default ``exchanges``).
VENUES: dict[str, VenueFacts] = {
    f.name: f
    for f in (
        VenueFacts(
            "binance",
            "BIN",
            Fees(0.0002, 0.0005),
            Fees(0.001, 0.001),
            "binance",
            True,
            BUNDLED,
            open_interest=OI_NONE,  # /fapi/v1/openInterest takes one symbol per request
        ),
        VenueFacts(
            "bybit", "BYB", Fees(0.0002, 0.00055), Fees(0.001, 0.001), "bybit", False, FETCHED
        ),
        VenueFacts(
            "okx",
            "OKX",
            Fees(0.0002, 0.0005),
            Fees(0.0008, 0.001),
            "okx_gate",
            False,
            FETCHED,
            open_interest=OI_SLOWER,  # public/open-interest
        ),
        VenueFacts(
            "bitget",
            "BGT",
            Fees(0.0002, 0.0006),
            Fees(0.001, 0.001),
            "okx_gate",
            False,
            FETCHED,
            open_interest=OI_SLOWER,  # mix/market/tickers
        ),
        VenueFacts(
            "gate", "GATE", Fees(0.0002, 0.0005), Fees(0.001, 0.001), "okx_gate", False, FETCHED
        ),
        VenueFacts(
            "hyperliquid",
            "HL",
            Fees(0.00015, 0.00045),
            Fees(0.0004, 0.0007),
            "hyperliquid",
            False,
            FETCHED,
        ),
    )
}

#: Venues with a dedicated, tested adapter, in default column order.
SUPPORTED: tuple[str, ...] = tuple(VENUES)


def facts(venue: str) -> VenueFacts | None:
    """The row for ``venue``; None for any other ccxt id (the generic path)."""
    return VENUES.get(venue)


def supports_cross_margin(venue: str) -> bool:
    """Cross-margin liquidation is computed for ``venue`` (binance's formula only)."""
    row = VENUES.get(venue)
    return row is not None and row.cross_margin


def tier_source(venue: str) -> str | None:
    """Where ``venue``'s maintenance tiers come from; None: nowhere, give a rate."""
    row = VENUES.get(venue)
    return None if row is None else row.tiers


def gives_open_interest(venue: str) -> bool:
    """Whether fundtui gets open interest from ``venue`` at all (the generic path: no)."""
    row = VENUES.get(venue)
    return row is not None and row.open_interest != OI_NONE


def open_interest_gap(venue: str) -> str | None:
    """Why ``venue`` shows no open interest at all, in a few words; None: it gives it.

    A blank where open interest belongs reads as "none"; this says it was never asked.
    """
    row = VENUES.get(venue)
    if row is None:
        return "open interest not fetched on the generic ccxt path"
    if row.open_interest == OI_NONE:
        return f"{row.name} has no bulk open-interest request (one symbol per call)"
    return None


def open_interest_note(venue: str, has_open_interest: bool) -> str | None:
    """What to show where one quote's open interest belongs; None: the quote has it.

    Beyond :func:`open_interest_gap`: a venue asked at a slower cadence has none
    until its first answer and drops figures that grew too old; a venue whose rate
    answer carries it simply sent none for that market.
    """
    if has_open_interest:
        return None
    gap = open_interest_gap(venue)
    if gap is not None:
        return gap
    if VENUES[venue].open_interest == OI_SLOWER:
        return f"no recent open interest from {venue} (asked about once a minute)"
    return f"{venue} sent no open interest for this market"


def code(venue: str) -> str:
    """The short code of ``venue``; any other id's first four letters, upper case."""
    row = VENUES.get(venue)
    return row.code if row is not None else venue[:4].upper()
