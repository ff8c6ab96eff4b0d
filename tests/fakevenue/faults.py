"""Payload-level faults for the fake venues: every field null, drifting rates, hostile names.

Transport faults (status, hang, slow, disconnect, cut short, not JSON, down)
live on :class:`~tests.fakevenue.server.FakeVenue` itself; these edit what a
venue's bulk rate request (``RATE_PATHS``) answers, in each venue's own format.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.fakevenue.server import FakeVenue

#: The payload served for each venue's bulk rate request.
RATE_PAYLOADS = {
    "binance": "premiumIndex",
    "bybit": "tickers_linear",
    "okx": "funding_rate_any",
    "bitget": "current_fund_rate_usdt_futures",
    "gate": "futures_usdt_contracts",
    "hyperliquid": "metaAndAssetCtxs",
}

#: The field of a rate row that holds its funding rate.
RATE_FIELDS = {
    "binance": "lastFundingRate",
    "bybit": "fundingRate",
    "okx": "fundingRate",
    "bitget": "fundingRate",
    "gate": "funding_rate",
    "hyperliquid": "funding",
}

#: Symbol names that must neither crash nor style nor move anything they reach.
HOSTILE_BASES = (
    "\x1b]0;PWNED\x07T",  # okx instId "\x1b]0;PWNED\x07T-USDT-SWAP": OSC title + BEL
    "[bold]X[/]",  # Rich markup
    "\u202eLOOC",  # bidi override
)


def rate_rows(fake: FakeVenue) -> list[dict[str, Any]]:
    """The (live, editable) rows of the venue's bulk rate answer."""
    return rows_in(fake.venue, fake.payload(RATE_PAYLOADS[fake.venue]))


def rows_in(venue: str, payload: Any) -> list[dict[str, Any]]:
    """The rows of a bulk rate answer of ``venue``."""
    if venue == "bybit":
        return payload["result"]["list"]
    if venue in ("okx", "bitget"):
        return payload["data"]
    if venue == "hyperliquid":
        return payload[1]
    return payload


def null_every_field(fake: FakeVenue) -> int:
    """Every field of every rate row (and hyperliquid's universe) becomes null."""
    rows = rate_rows(fake)
    if fake.venue == "hyperliquid":
        rows = rows + fake.payload(RATE_PAYLOADS["hyperliquid"])[0]["universe"]
    for row in rows:
        for key in row:
            row[key] = None
    return len(rows)


def drift_rates(fake: FakeVenue, step: float) -> None:
    """Move every row's funding rate by ``step`` (a fraction per interval)."""
    drift_rates_in(fake.venue, fake.payload(RATE_PAYLOADS[fake.venue]), step)


def drift_rates_in(venue: str, payload: Any, step: float) -> None:
    """Move every funding rate of a bulk rate answer of ``venue`` by ``step``."""
    field = RATE_FIELDS[venue]
    for row in rows_in(venue, payload):
        value = row.get(field)
        if value not in (None, ""):
            row[field] = f"{float(value) + step:.8f}"


def list_perp(fake: FakeVenue, base: str) -> str:
    """List a new USDT perpetual whose base is ``base``; returns the venue's id for it.

    The row is a copy of a real one with only the names changed, added to the
    market list too where the venue has one (the adapter finds it on the
    metadata refresh a new id triggers).
    """
    venue = fake.venue
    rows = rate_rows(fake)
    if venue == "binance":
        vid = f"{base}USDT"
        rows.append({**_first(rows, "symbol", "BTCUSDT"), "symbol": vid})
        markets = fake.payload("exchangeInfo")["symbols"]
        markets.append(
            {**_first(markets, "symbol", "BTCUSDT"), "symbol": vid, "pair": vid, "baseAsset": base}
        )
    elif venue == "bybit":
        vid = f"{base}USDT"
        rows.append({**_first(rows, "symbol", "BTCUSDT"), "symbol": vid})
        markets = fake.payload("instruments_linear")["result"]["list"]
        markets.append({**_first(markets, "symbol", "BTCUSDT"), "symbol": vid, "baseCoin": base})
    elif venue == "okx":
        vid = f"{base}-USDT-SWAP"
        rows.append({**_first(rows, "instId", "BTC-USDT-SWAP"), "instId": vid})
        markets = fake.payload("instruments_swap")["data"]
        markets.append(
            {
                **_first(markets, "instId", "BTC-USDT-SWAP"),
                "instId": vid,
                "instFamily": f"{base}-USDT",
                "uly": f"{base}-USDT",
                "ctValCcy": base,
            }
        )
    elif venue == "bitget":
        vid = f"{base}USDT"
        rows.append({**_first(rows, "symbol", "BTCUSDT"), "symbol": vid})
        markets = fake.payload("contracts_usdt_futures")["data"]
        markets.append({**_first(markets, "symbol", "BTCUSDT"), "symbol": vid, "baseCoin": base})
    elif venue == "gate":
        vid = f"{base}_USDT"
        rows.append({**_first(rows, "name", "BTC_USDT"), "name": vid})
    else:
        vid = base
        universe = fake.payload(RATE_PAYLOADS[venue])[0]["universe"]
        universe.append({**_first(universe, "name", "BTC"), "name": base})
        rows.append(copy.deepcopy(rows[universe.index(_first(universe, "name", "BTC"))]))
    return vid


def _first(rows: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    """A deep copy of the row whose ``key`` is ``value`` (else the first row)."""
    row = next((r for r in rows if r.get(key) == value), rows[0])
    return copy.deepcopy(row)
