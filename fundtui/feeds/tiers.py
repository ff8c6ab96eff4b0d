"""Where maintenance tiers come from.

* binance: its bracket endpoint needs an API key, so fundtui ships the
  brackets of its main symbols as package data (``fundtui/data/
  binance_brackets.json``, dated by its ``as_of``). A file of the same shape
  named in the config (``[calculator] binance_brackets``) replaces it. A symbol
  in neither has no table: the caller must be given a maintenance rate
  (``--mmr``, or the calculator's MMR field); nothing is guessed.
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
import json
import math
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fundtui.config import VenueConfig
from fundtui.core.text import describe_exception, one_line, visible
from fundtui.core.tiers import (
    BASE,
    NOTIONAL,
    Tier,
    TierError,
    check_tiers,
    single_tier,
    with_cumulative_deduction,
)
from fundtui.store import files, tier_cache

FETCHED_VENUES = ("bybit", "okx", "bitget", "gate", "hyperliquid")
#: Hyperliquid's documented minimum order value, USDC.
HYPERLIQUID_MIN_ORDER = 10.0
FETCH_TIMEOUT_S = 10.0
#: Binance's full leverageBracket answer (every symbol) is under a megabyte.
MAX_BRACKETS_BYTES = 16 * 1024 * 1024


class TiersUnavailable(Exception):
    """No tier table for this venue and symbol, as one line saying what to do."""


@dataclass(frozen=True, slots=True)
class Limits:
    """A market's order limits in base units (coins) and quote currency."""

    step: float | None = None  # quantity step
    min_qty: float | None = None
    min_cost: float | None = None  # minimum order notional

    def min_notional(self, price: float) -> float:
        return max(self.min_cost or 0.0, (self.min_qty or 0.0) * price)

    def to_json(self) -> dict[str, float | None]:
        return {"step": self.step, "min_qty": self.min_qty, "min_cost": self.min_cost}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Limits:
        return cls(_num(d.get("step")), _num(d.get("min_qty")), _num(d.get("min_cost")))


def limits_from_ccxt(market: dict[str, Any]) -> Limits:
    """Step and minimums of a ccxt market (TICK_SIZE precision), in base units.

    Contract venues (okx, gate) count in contracts: x ``contractSize``.
    """
    size = _num(market.get("contractSize")) or 1.0
    step = _num((market.get("precision") or {}).get("amount"))
    limits = market.get("limits") or {}
    min_qty = _num((limits.get("amount") or {}).get("min"))
    min_cost = _num((limits.get("cost") or {}).get("min"))
    return Limits(None if step is None else step * size,
                  None if min_qty is None else min_qty * size, min_cost)


@dataclass(frozen=True, slots=True)
class TierSource:
    tiers: tuple[Tier, ...]
    label: str  # where they came from, for the user: "binance BTCUSDT brackets as of ..."
    symbol: str = ""


# --------------------------------------------------------------------------- binance

def parse_binance_brackets(data: Any) -> dict[str, tuple[Tier, ...]]:
    """Binance ``leverageBracket`` shape (``[{"symbol", "brackets": [...]}]``) -> tiers.

    Also accepts the bundled file's envelope ``{"brackets": [...]}``.
    Raises TierError on anything else.
    """
    rows = data.get("brackets") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise TierError("expected a list of {symbol, brackets}")
    out: dict[str, tuple[Tier, ...]] = {}
    for row in rows:
        try:
            symbol = str(row["symbol"]).upper()
            tiers = [Tier(float(b["notionalFloor"]), float(b["notionalCap"]),
                          float(b["maintMarginRatio"]), float(b["cum"]),
                          float(b["initialLeverage"])) for b in row["brackets"]]
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise TierError(f"bracket row without {exc}") from None
        out[symbol] = check_tiers(tiers)
    return out


def _bundled_text() -> str:
    return resources.files("fundtui").joinpath("data/binance_brackets.json").read_text("utf-8")


def bundled_binance() -> tuple[str, dict[str, tuple[Tier, ...]]]:
    """(as_of date, symbol -> tiers) of the shipped Binance brackets."""
    data = json.loads(_bundled_text())
    return str(data.get("as_of", "?")), parse_binance_brackets(data)


def binance_candidates(base: str) -> list[str]:
    b = base.upper()
    if b.endswith("USDT"):
        return [b]
    return [f"{b}USDT", f"1000{b}USDT", f"1000000{b}USDT"]


def _override_brackets(path: Path) -> dict[str, tuple[Tier, ...]]:
    """The configured brackets file: the user's, so reported, never moved aside.

    Read bounded and only when it is a regular file: ``/dev/zero`` or a FIFO named
    there must not hang the calculator.
    """
    try:
        text = files.read_text(path, MAX_BRACKETS_BYTES)
    except FileNotFoundError:
        why = "no such file"
    except files.UnusableFile as exc:
        why = str(exc)
    except OSError as exc:
        why = exc.strerror or describe_exception(exc)
    else:
        try:
            return parse_binance_brackets(json.loads(text))
        except (ValueError, TierError, RecursionError) as exc:
            why = describe_exception(exc) if isinstance(exc, RecursionError) else str(exc)
    raise TiersUnavailable(visible(f"{path}: cannot use as binance brackets: "
                                   f"{one_line(why, 100)}"))


def binance_tiers(base: str, override: Path | None = None) -> TierSource:
    if override is not None:
        tables = _override_brackets(override)
        origin = f"from {visible(override)}"
    else:
        as_of, tables = bundled_binance()
        origin = f"bundled, as of {as_of}"
    for symbol in binance_candidates(base):
        if symbol in tables:
            return TierSource(tables[symbol], f"binance {symbol} brackets ({origin})", symbol)
    known = one_line(", ".join(sorted(tables)), 120)  # a configured file's names too
    raise TiersUnavailable(f"no binance brackets for {base} ({origin}: {known}); "
                           "give the maintenance rate (MMR % field, --mmr) or a brackets file "
                           "([calculator] binance_brackets)")


# --------------------------------------------------------------------------- ccxt venues

def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def tiers_from_ccxt(venue: str, rows: list[dict], contract_size: float | None = None
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
    unit = BASE if venue == "okx" else NOTIONAL
    scale = (contract_size or 1.0) if unit == BASE else 1.0
    tiers: list[Tier] = []
    floor = 0.0
    for i, row in enumerate(rows):
        info = row.get("info") or {}
        mmr = _num(row.get("maintenanceMarginRate"))
        lev = _num(row.get("maxLeverage")) or math.inf
        cap = _num(row.get("maxNotional"))
        if mmr is None:
            raise TierError(f"{venue} tier {i + 1} has no maintenance rate")
        im = _num(info.get("initialMargin"))
        if venue == "bybit" and im and math.isfinite(lev) and abs(im * lev - 100) < 1:
            mmr /= 100
        cum = _num(info.get("mmDeduction")) or _num(info.get("deduction")) or 0.0
        last = i == len(rows) - 1
        cap_v = math.inf if cap is None or last else cap * scale
        tiers.append(Tier(floor, cap_v, mmr, cum, lev, unit))
        floor = cap_v
    return check_tiers(tiers)


def _candidates(base: str) -> list[str]:
    b = base.upper()
    return [f"{b}/USDT:USDT", f"1000{b}/USDT:USDT", f"{b}/USDC:USDC", f"k{b}/USDC:USDC"]


def hyperliquid_tiers(meta: Any, base: str) -> tuple[str, tuple[Tier, ...], Limits]:
    """(symbol, tiers, limits) from Hyperliquid's ``meta``: the asset's margin table.

    Hyperliquid's maintenance rate is half the initial margin at a tier's maximum
    leverage, ``1 / (2 x maxLeverage)``, with the deduction that keeps it
    continuous across tiers (the same identity as Binance's ``cum``). A
    ``marginTableId`` below 50 is a single tier at that leverage.
    """
    if not isinstance(meta, dict) or not isinstance(meta.get("universe"), list):
        raise TierError("hyperliquid meta has no universe")
    b = base.upper()
    asset = next((a for name in (b, f"k{b}") for a in meta["universe"]
                  if isinstance(a, dict) and a.get("name") == name), None)
    if asset is None:
        raise TiersUnavailable(f"hyperliquid lists no perpetual for {base}")
    tables = {t[0]: t[1] for t in meta.get("marginTables") or []
              if isinstance(t, list) and len(t) == 2}
    table = tables.get(asset.get("marginTableId"))
    if isinstance(table, dict) and table.get("marginTiers"):
        steps = [(float(t["lowerBound"]), float(t["maxLeverage"])) for t in table["marginTiers"]]
    elif _num(asset.get("maxLeverage")):
        steps = [(0.0, float(asset["maxLeverage"]))]
    else:
        raise TierError(f"hyperliquid gives no margin table for {base}")
    tiers = [Tier(lo, steps[i + 1][0] if i + 1 < len(steps) else math.inf, 1 / (2 * lev),
                  0.0, lev) for i, (lo, lev) in enumerate(steps)]
    decimals = asset.get("szDecimals")
    step = 10.0 ** -int(decimals) if isinstance(decimals, int) else None
    return (f"{asset['name']}/USDC:USDC", check_tiers(with_cumulative_deduction(tiers)),
            Limits(step, None, HYPERLIQUID_MIN_ORDER))


#: Only perpetual markets are loaded (no spot lists, no currency lists).
_MARKET_TYPES: dict[str, Any] = {"fetchMarkets": {"types": ["swap"]}}


async def _load_linear_markets(ex: Any, venue: str) -> None:
    """ccxt's markets for the venue's linear perpetuals only, with the fewest requests."""
    if venue == "bybit":
        ex.options["fetchMarkets"] = {"types": ["linear"]}
    if venue == "gate":
        swap = ex.options.setdefault("swap", {})
        swap["fetchMarkets"] = {**swap.get("fetchMarkets", {}), "settlementCurrencies": ["usdt"]}
    if venue == "bitget":
        # ccxt asks for all six bitget product types; only USDT-FUTURES is wanted.
        contracts = ex.publicMixGetV2MixMarketContracts

        async def usdt_only(params: dict | None = None, *args: Any) -> Any:
            if (params or {}).get("productType") != "USDT-FUTURES":
                return {"code": "00000", "data": []}
            return await contracts(params, *args)

        ex.publicMixGetV2MixMarketContracts = usdt_only
    ex.set_markets(await ex.fetch_markets())


def _client(config: VenueConfig, timeout_s: float, ccxt: Any) -> Any:
    from fundtui.feeds import venue_specs
    from fundtui.feeds.ccxt_venue import check_api_base, proxy_settings, rewrite_api_urls

    spec = venue_specs.spec_for(config.name)
    cls = getattr(ccxt, spec.ccxt_id, None)
    if cls is None:
        raise TiersUnavailable(f"unknown venue {config.name!r}")
    settings: dict[str, Any] = {"timeout": int(timeout_s * 1000), "enableRateLimit": False,
                                "options": {"adjustForTimeDifference": False,
                                            **_MARKET_TYPES, **spec.ccxt_options}}
    if config.proxy:
        settings.update(proxy_settings(config.proxy))
    ex = cls(settings)
    if config.api_base:
        ex.urls["api"] = rewrite_api_urls(ex.urls["api"], check_api_base(config.api_base))
    return ex


async def fetch_tiers(config: VenueConfig, base: str, *,
                      timeout_s: float = FETCH_TIMEOUT_S
                      ) -> tuple[str, tuple[Tier, ...], Limits]:
    """(unified symbol, tiers, order limits) of ``base``'s linear perpetual, through ccxt."""
    from fundtui.feeds.ccxt_venue import load_ccxt

    ex = _client(config, timeout_s, await load_ccxt())
    try:
        if config.name == "hyperliquid":
            return hyperliquid_tiers(await ex.publicPostInfo({"type": "meta"}), base)
        await _load_linear_markets(ex, config.name)
        symbol = next((s for s in _candidates(base) if s in ex.markets), None)
        if symbol is None:
            raise TiersUnavailable(f"{config.name} lists no linear perpetual for {base}")
        market = ex.market(symbol)
        params = {"marginMode": "isolated"} if config.name == "okx" else {}
        rows = await ex.fetch_market_leverage_tiers(symbol, params)
        tiers = tiers_from_ccxt(config.name, rows, _num(market.get("contractSize")))
        return symbol, tiers, limits_from_ccxt(market)
    finally:
        await ex.close()


def _cache_key(config: VenueConfig) -> str:
    return config.api_base or ""


def cached_label(venue: str, symbol: str, saved_ms: int) -> str:
    when = time.strftime("%Y-%m-%d %H:%MZ", time.gmtime(saved_ms / 1000))
    return f"{venue} {symbol} tiers (fetched {when})"


def venue_tiers(config: VenueConfig, base: str, *, fetch: bool = True,
                now_ms: int | None = None, timeout_s: float = FETCH_TIMEOUT_S) -> TierSource:
    """Tiers for ``base`` on a fetched venue: the cache, refreshed through ccxt when due.

    Synchronous (runs its own event loop): for the headless commands and worker threads.
    """
    venue = config.name
    if venue not in FETCHED_VENUES:
        raise TiersUnavailable(f"no tier table for {venue} here; give the maintenance "
                               "rate (MMR % field, --mmr)")
    key = _cache_key(config)
    now = int(time.time() * 1000) if now_ms is None else now_ms
    cached, corrupt = _cached(venue, base, key)
    if cached and (not fetch or now - cached[1].saved_ms < tier_cache.REFRESH_S * 1000):
        label = cached_label(venue, cached[0], cached[1].saved_ms)
        return TierSource(cached[1].tiers, _noted(label, corrupt),
                          cached[0])
    if not fetch:
        if corrupt:
            raise TiersUnavailable(f"the {venue} tier cache for {base} is corrupt: {corrupt}; "
                                   "run once online or give the maintenance rate "
                                   "(MMR % field, --mmr)")
        raise TiersUnavailable(f"no cached {venue} tiers for {base}; run once online "
                               "or give the maintenance rate (MMR % field, --mmr)")
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
        raise TiersUnavailable(f"cannot fetch {venue} tiers for {base}: "
                               f"{one_line(f'{type(exc).__name__}: {exc}', 120)}{was}; "
                               "give the maintenance rate (MMR % field, --mmr)") from None
    tier_cache.save(venue, symbol, tiers, key=key, saved_ms=now)
    tier_cache.save_limits(venue, symbol, limits.to_json(), key=key)
    label = cached_label(venue, symbol, now)
    return TierSource(tiers, _noted(label, corrupt), symbol)


def _noted(label: str, corrupt: str | None) -> str:
    return f"{label}; the tier cache was corrupt: {corrupt}" if corrupt else label


def _cached(venue: str, base: str, key: str
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


async def _fetch_limits(config: VenueConfig, base: str, timeout_s: float
                        ) -> tuple[str, Limits]:
    from fundtui.feeds.ccxt_venue import load_ccxt

    ex = _client(config, timeout_s, await load_ccxt())
    try:
        if config.name == "hyperliquid":
            symbol, _, limits = hyperliquid_tiers(await ex.publicPostInfo({"type": "meta"}),
                                                  base)
            return symbol, limits
        await _load_linear_markets(ex, config.name)
        symbol = next((s for s in _candidates(base) if s in ex.markets), None)
        if symbol is None:
            raise TiersUnavailable(f"{config.name} lists no linear perpetual for {base}")
        return symbol, limits_from_ccxt(ex.market(symbol))
    finally:
        await ex.close()


def market_limits(config: VenueConfig, base: str, *, fetch: bool = True,
                  timeout_s: float = FETCH_TIMEOUT_S) -> Limits | None:
    """Quantity step and minimums of ``base``'s perpetual: cached, else fetched; None if neither.

    bybit, okx, bitget and gate save them with their tiers; binance's come from
    its public market list (exchangeInfo).
    """
    key = _cache_key(config)
    for symbol in _candidates(base):
        cached = tier_cache.load_limits(config.name, symbol, key=key)
        if cached is not None:
            return _per_coin(Limits.from_json(cached), base, symbol)
    if not fetch or config.name not in (*FETCHED_VENUES, "binance"):
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
    bundled contract's step of 1 is 1,000 coins.
    """
    bundle = symbol.split("/")[0]
    b = base.upper()
    prefix = bundle[: -len(b)] if bundle.upper().endswith(b) else ""
    if prefix == "k":
        prefix = "1000"  # hyperliquid's kPEPE
    if bundle == b or not prefix.isdigit():
        return limits
    k = float(prefix)
    return Limits(None if limits.step is None else limits.step * k,
                  None if limits.min_qty is None else limits.min_qty * k, limits.min_cost)
