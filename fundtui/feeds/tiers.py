"""Where maintenance tiers come from.

Which of the two ways a venue takes is its ``tiers`` entry in the venue facts
table (:mod:`fundtui.core.venues`); each venue's quirks sit in its module
under :mod:`fundtui.feeds.venues`.

* binance: its bracket endpoint needs an API key, so fundtui ships the
  brackets of its main symbols as package data (``fundtui/data/
  binance_brackets.json``, dated by its ``as_of``). A file of the same shape
  named in the config (``[calculator] binance_brackets``) replaces it. A symbol
  in neither has no table: the caller must be given a maintenance rate
  (``--mmr``, or the calculator's MMR field); nothing is guessed
  (:mod:`fundtui.feeds.venues.binance`).
* bybit, okx, bitget, gate: ccxt's public ``fetch_market_leverage_tiers``,
  cached on disk (:mod:`fundtui.store.tier_cache`). A cached table is used at
  any age, refreshed when older than a day and the venue answers.
* hyperliquid: its ``meta`` margin tables (maintenance = half the initial
  margin at a tier's maximum leverage), cached the same way.
* other ids: no tiers here; give a maintenance rate.

ccxt is imported inside the fetch, never at import time.
"""

from __future__ import annotations

import asyncio
import math
import time
from pathlib import Path
from typing import Any

from fundtui.config import VenueConfig
from fundtui.core import venues as facts
from fundtui.core.bundle import bundle_of
from fundtui.core.text import one_line
from fundtui.core.tiers import BASE, Tier, TierError, check_tiers, single_tier
from fundtui.feeds import ccxt_client
from fundtui.feeds.tier_types import (
    Limits,
    TierSource,
    TiersUnavailable,
    TiersUnusable,
    limits_from_ccxt,
    num,
)
from fundtui.feeds.venues import spec_for
from fundtui.feeds.venues.binance import (  # noqa: F401  (public here)
    MAX_BRACKETS_BYTES,
    _override_brackets,
    binance_candidates,
    binance_tiers,
    bundled_binance,
    parse_binance_brackets,
)
from fundtui.feeds.venues.hyperliquid import (  # noqa: F401  (public here)
    HYPERLIQUID_MIN_ORDER,
    hyperliquid_tiers,
)
from fundtui.store import tier_cache

#: Venues whose tiers are fetched through ccxt and cached (the venue facts table).
FETCHED_VENUES = tuple(v for v, row in facts.VENUES.items() if row.tiers == facts.FETCHED)
FETCH_TIMEOUT_S = 10.0


def resolve_tiers(
    config: VenueConfig, base: str, *, brackets: Path | None = None, fetch: bool = True
) -> TierSource:
    """Tiers for ``base`` on ``config``'s venue, from where the facts table says they come:
    bundled (or the configured ``brackets`` file), else the cache, refreshed when
    ``fetch`` allows. :class:`TiersUnusable` when the configured brackets file cannot be
    used at all (rather than lacking ``base``)."""
    if facts.tier_source(config.name) == facts.BUNDLED:
        if brackets is not None:
            try:
                _override_brackets(brackets)  # the file itself first: unusable is bad input
            except TiersUnavailable as e:
                raise TiersUnusable(str(e)) from None
        return binance_tiers(base, brackets)
    return venue_tiers(config, base, fetch=fetch)


# --------------------------------------------------------------------------- ccxt venues


def tiers_from_ccxt(
    venue: str, rows: list[dict], contract_size: float | None = None
) -> tuple[Tier, ...]:
    """ccxt leverage-tier rows -> contiguous tiers.

    OKX bounds tiers by size in contracts: they become base-unit tiers
    (x ``contract_size``). Bybit's ``maintenanceMargin`` is given in percent by
    some responses (its docs example: ``"0.5"`` with ``initialMargin`` ``"1"``
    at 100x): when initial margin x max leverage is ~100, both are divided by
    100. The deduction (Bybit ``mmDeduction``, Gate ``deduction``) is ``cum``;
    absent, it is 0, which overstates maintenance (a liquidation nearer entry).
    """
    if not rows:
        raise TierError(f"{venue} returned no tiers")
    spec = spec_for(venue)
    unit = spec.tier_unit
    scale = (contract_size or 1.0) if unit == BASE else 1.0
    tiers: list[Tier] = []
    floor = 0.0
    for i, row in enumerate(rows):
        info = row.get("info") or {}
        mmr = num(row.get("maintenanceMarginRate"))
        lev = num(row.get("maxLeverage")) or math.inf
        cap = num(row.get("maxNotional"))
        if mmr is None:
            raise TierError(f"{venue} tier {i + 1} has no maintenance rate")
        im = num(info.get("initialMargin"))
        mmr = spec.tier_mmr(mmr, im, lev)
        cum = num(info.get("mmDeduction")) or num(info.get("deduction")) or 0.0
        last = i == len(rows) - 1
        cap_v = math.inf if cap is None or last else cap * scale
        tiers.append(Tier(floor, cap_v, mmr, cum, lev, unit))
        floor = cap_v
    return check_tiers(tiers)


def _candidates(base: str) -> list[str]:
    b = base.upper()
    return [f"{b}/USDT:USDT", f"1000{b}/USDT:USDT", f"{b}/USDC:USDC", f"k{b}/USDC:USDC"]


#: Only perpetual markets are loaded (no spot lists, no currency lists).
_MARKET_TYPES: dict[str, Any] = {"fetchMarkets": {"types": ["swap"]}}


def _client(config: VenueConfig, timeout_s: float, ccxt: Any) -> Any:
    spec = spec_for(config.name)
    try:
        return ccxt_client.build_exchange(
            ccxt,
            spec.ccxt_id,
            config,
            timeout_s=timeout_s,
            options={**_MARKET_TYPES, **spec.ccxt_options},
        )
    except ccxt_client.UnknownExchange:
        raise TiersUnavailable(f"unknown venue {config.name!r}") from None


async def _linear_market(ex: Any, config: VenueConfig, base: str) -> str:
    """The unified symbol of ``base``'s linear perpetual, with ccxt's markets loaded."""
    await spec_for(config.name).load_tier_markets(ex)
    symbol = next((s for s in _candidates(base) if s in ex.markets), None)
    if symbol is None:
        raise TiersUnavailable(f"{config.name} lists no linear perpetual for {base}")
    return symbol


async def fetch_tiers(
    config: VenueConfig, base: str, *, timeout_s: float = FETCH_TIMEOUT_S
) -> tuple[str, tuple[Tier, ...], Limits]:
    """(unified symbol, tiers, order limits) of ``base``'s linear perpetual, through ccxt."""
    ex = _client(config, timeout_s, await ccxt_client.load_ccxt())
    spec = spec_for(config.name)
    try:
        own = await spec.own_tiers(ex, base)
        if own is not None:
            return own
        symbol = await _linear_market(ex, config, base)
        market = ex.market(symbol)
        rows = await ex.fetch_market_leverage_tiers(symbol, dict(spec.tier_params))
        tiers = tiers_from_ccxt(config.name, rows, num(market.get("contractSize")))
        return symbol, tiers, limits_from_ccxt(market)
    finally:
        await ex.close()


def _cache_key(config: VenueConfig) -> str:
    return config.api_base or ""


def cached_label(venue: str, symbol: str, saved_ms: int) -> str:
    when = time.strftime("%Y-%m-%d %H:%MZ", time.gmtime(saved_ms / 1000))
    return f"{venue} {symbol} tiers (fetched {when})"


def venue_tiers(
    config: VenueConfig,
    base: str,
    *,
    fetch: bool = True,
    now_ms: int | None = None,
    timeout_s: float = FETCH_TIMEOUT_S,
) -> TierSource:
    """Tiers for ``base`` on a fetched venue: the cache, refreshed through ccxt when due.

    Synchronous (runs its own event loop): for the headless commands and worker threads.
    """
    venue = config.name
    if venue not in FETCHED_VENUES:
        raise TiersUnavailable(
            f"no tier table for {venue} here; give the maintenance rate (MMR % field, --mmr)"
        )
    key = _cache_key(config)
    now = int(time.time() * 1000) if now_ms is None else now_ms
    cached, corrupt = _cached(venue, base, key)
    if cached and (not fetch or now - cached[1].saved_ms < tier_cache.REFRESH_S * 1000):
        label = cached_label(venue, cached[0], cached[1].saved_ms)
        return TierSource(cached[1].tiers, _noted(label, corrupt), cached[0])
    if not fetch:
        if corrupt:
            raise TiersUnavailable(
                f"the {venue} tier cache for {base} is corrupt: {corrupt}; "
                "run once online or give the maintenance rate "
                "(MMR % field, --mmr)"
            )
        raise TiersUnavailable(
            f"no cached {venue} tiers for {base}; run once online "
            "or give the maintenance rate (MMR % field, --mmr)"
        )
    try:
        symbol, tiers, limits = asyncio.run(fetch_tiers(config, base, timeout_s=timeout_s))
    except TiersUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure is reported as one line
        if cached:
            s, c = cached
            label = cached_label(venue, s, c.saved_ms) + " (refresh failed)"
            return TierSource(c.tiers, _noted(label, corrupt), s)
        was = f"; the tier cache was corrupt: {corrupt}" if corrupt else ""
        raise TiersUnavailable(
            f"cannot fetch {venue} tiers for {base}: "
            f"{one_line(f'{type(exc).__name__}: {exc}', 120)}{was}; "
            "give the maintenance rate (MMR % field, --mmr)"
        ) from None
    tier_cache.save(venue, symbol, tiers, key=key, saved_ms=now)
    tier_cache.save_limits(venue, symbol, limits.to_json(), key=key)
    label = cached_label(venue, symbol, now)
    return TierSource(tiers, _noted(label, corrupt), symbol)


def _noted(label: str, corrupt: str | None) -> str:
    return f"{label}; the tier cache was corrupt: {corrupt}" if corrupt else label


def _cached(
    venue: str, base: str, key: str
) -> tuple[tuple[str, tier_cache.CachedTiers] | None, str | None]:
    """The first cached table among ``base``'s symbols, and the notice of a corrupt
    cache file met on the way (moved aside, so said once)."""
    corrupt = None
    for symbol in _candidates(base):
        entry, notice = tier_cache.read(venue, symbol, key=key)
        corrupt = corrupt or notice
        if entry is not None:
            return (symbol, entry), corrupt
    return None, corrupt


def manual_tiers(mmr: float, max_leverage: float = math.inf) -> TierSource:
    return TierSource(single_tier(mmr, max_leverage), f"maintenance rate {mmr * 100:g} % (given)")


async def _fetch_limits(config: VenueConfig, base: str, timeout_s: float) -> tuple[str, Limits]:
    ex = _client(config, timeout_s, await ccxt_client.load_ccxt())
    try:
        own = await spec_for(config.name).own_tiers(ex, base)
        if own is not None:
            symbol, _, limits = own
            return symbol, limits
        symbol = await _linear_market(ex, config, base)
        return symbol, limits_from_ccxt(ex.market(symbol))
    finally:
        await ex.close()


def market_limits(
    config: VenueConfig, base: str, *, fetch: bool = True, timeout_s: float = FETCH_TIMEOUT_S
) -> Limits | None:
    """Quantity step and minimums of ``base``'s perpetual: cached, else fetched; None if neither.

    bybit, okx, bitget and gate save them with their tiers; binance's come from
    its public market list (exchangeInfo).
    """
    key = _cache_key(config)
    for symbol in _candidates(base):
        cached = tier_cache.load_limits(config.name, symbol, key=key)
        if cached is not None:
            return _per_coin(Limits.from_json(cached), base, symbol)
    if not fetch or config.name not in facts.VENUES:
        return None
    try:
        symbol, limits = asyncio.run(_fetch_limits(config, base, timeout_s))
    except Exception:  # noqa: BLE001 - no limits is a note for the caller, not an error
        return None
    tier_cache.save_limits(config.name, symbol, limits.to_json(), key=key)
    return _per_coin(limits, base, symbol)


def _per_coin(limits: Limits, base: str, symbol: str) -> Limits:
    """Limits of a bundled market (``1000PEPE`` for ``PEPE``) in coins of ``base``.

    Sizes and prices in the calculator are per coin of the base asked for; a
    bundled contract's step of 1 is 1,000 coins (:mod:`fundtui.core.bundle`).
    """
    found = bundle_of(base, symbol)
    if found is None or found.contract.upper() == base.upper():
        return limits  # one coin a unit, or sized in bundles as asked
    k = float(found.coins)
    return Limits(
        None if limits.step is None else limits.step * k,
        None if limits.min_qty is None else limits.min_qty * k,
        limits.min_cost,
    )
