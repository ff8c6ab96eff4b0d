"""The fake venues scaled to a realistic market: N perpetuals per venue.

The payloads under ``tests/fakevenue/payloads/`` hold a handful of rows each.
Here every venue's market list and rate answer are rebuilt with N rows (default
300) cloned from those rows, in each venue's own format: the same field names
and value types (numeric strings stay strings, Gate's seconds stay ints), the
venue's own symbol spelling (``C001USDT``, ``C001-USDT-SWAP``, ``C001_USDT``,
Hyperliquid's positional universe + contexts), and bundled low-priced coins the
way the venues list them (``1000C123`` on Binance/Bybit, ``kC123`` on
Hyperliquid). Metadata and rates agree, including mixed funding intervals
where the format carries them: Binance fundingInfo (4 h / 1 h entries), Bybit
``fundingInterval`` 480/240/60 min and ``fundingIntervalHour``, OKX
``nextFundingTime - fundingTime``, Bitget ``fundInterval`` /
``fundingRateInterval``, Gate ``funding_interval`` 28800/14400 s. Settlement
times sit on each interval's UTC grid and row timestamps are "now", so the
adapters' schedule and freshness checks pass and the steady state is one
request per venue per refresh. Seeded: the same N and seed give the same market.

Half the coins are listed on every venue, the rest per venue from a shared
long tail, so the board has about 1.25 N bases.

A perturber thread (bounded in time) moves a share of the rates and prices
every couple of seconds and re-stamps the answers, so an app polling every
10 s sees about 10 % of its rate cells change per refresh.

    python benchmarks/fakemarket.py [--n 300]
        polls each venue twice through the real adapters and prints quotes and
        requests per venue
    python benchmarks/fakemarket.py --serve [--n 300] [--seconds 600]
        serves until "quit", end of stdin or --seconds; prints
        {"urls": {venue: url}, ...} as one JSON line, then answers each stdin
        line "counts" / "log" with one JSON line (requests per path per venue;
        every request as [epoch seconds, path])
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import math
import os
import random
import select
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.fakevenue.server import VENUES, FakeVenue  # noqa: E402

HOUR_MS = 3_600_000

#: The one request per refresh, per venue: (path, payload name).
RATE_ROUTE = {
    "binance": ("/fapi/v1/premiumIndex", "premiumIndex"),
    "bybit": ("/v5/market/tickers", "tickers_linear"),
    "okx": ("/api/v5/public/funding-rate", "funding_rate_any"),
    "bitget": ("/api/v2/mix/market/current-fund-rate", "current_fund_rate_usdt_futures"),
    "gate": ("/api/v4/futures/usdt/contracts", "futures_usdt_contracts"),
    "hyperliquid": ("/info", "metaAndAssetCtxs"),
}

#: Funding interval (hours) mix per venue.
INTERVALS: dict[str, tuple[tuple[int, float], ...]] = {
    "binance": ((8, 0.75), (4, 0.2), (1, 0.05)),
    "bybit": ((8, 0.6), (4, 0.3), (1, 0.1)),
    "okx": ((8, 0.75), (4, 0.2), (2, 0.05)),
    "bitget": ((8, 0.65), (4, 0.3), (1, 0.05)),
    "gate": ((8, 0.7), (4, 0.3)),
    "hyperliquid": ((1, 1.0),),
}

#: Bundled contracts (1000 coins each) under the venue's own spelling.
BUNDLE_PREFIX = {"binance": "1000", "bybit": "1000", "hyperliquid": "k"}


@dataclass
class Listing:
    """One perpetual on one venue."""

    name: str  # the venue's base spelling: "C007", "1000C007", "kC007"
    coin_price: float  # one coin
    multiplier: int  # coins per quoted unit (bundles)
    interval_h: int
    rate: float  # per interval
    bare: bool = False  # rate row in the venue's older shape (no interval field)
    listed_ms: int = 1_600_000_000_000

    @property
    def price(self) -> float:
        return self.coin_price * self.multiplier


def _pick_interval(rng: random.Random, venue: str) -> int:
    hours, weights = zip(*INTERVALS[venue], strict=True)
    return rng.choices(hours, weights)[0]


def _places(price: float, digits: int = 6) -> int:
    """Decimals a venue would quote ``price`` with: about ``digits`` significant."""
    return max(1, min(10, digits - 1 - math.floor(math.log10(price))))


def _fmt(value: float, places: int) -> str:
    return f"{value:.{places}f}"


def _step(places: int) -> str:
    return _fmt(10.0**-places, places)


def _rate(value: float, places: int = 8) -> str:
    text = _fmt(value, places)
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.000"


def _next_settlement(now_ms: int, interval_h: int) -> int:
    step = interval_h * HOUR_MS
    return (now_ms // step + 1) * step


def build_listings(n: int, seed: int = 1) -> dict[str, list[Listing]]:
    """Each venue's N perpetuals: shared coins, per-venue intervals and rates."""
    rng = random.Random(seed)
    pool = max(n, round(n * 1.25))
    coins = []
    for i in range(pool):
        price = 10 ** rng.uniform(-4.5, 4.8)
        level = rng.gauss(0.00008, 0.00012)  # the coin's funding level per 8 h
        coins.append((f"C{i + 1:03d}", price, level))
    core = n // 2
    out: dict[str, list[Listing]] = {}
    for venue in VENUES:
        vrng = random.Random(f"{seed}:{venue}")
        picked = coins[:core] + sorted(vrng.sample(coins[core:], n - core))
        listings = []
        for base, price, level in picked:
            hours = _pick_interval(vrng, venue)
            bundled = price < 0.001 and venue in BUNDLE_PREFIX
            name = BUNDLE_PREFIX[venue] + base if bundled else base
            rate = (level + vrng.gauss(0, 0.00004)) * hours / 8
            listings.append(
                Listing(
                    name=name,
                    coin_price=price * (1 + vrng.gauss(0, 0.0005)),
                    multiplier=1000 if bundled else 1,
                    interval_h=hours,
                    rate=max(-0.003, min(0.003, rate)),
                    bare=(venue == "bybit" and vrng.random() < 0.1)
                    or (venue == "bitget" and vrng.random() < 0.05),
                    listed_ms=1_570_000_000_000 + vrng.randrange(0, 150_000_000_000),
                )
            )
        out[venue] = listings
    return out


# --------------------------------------------------------------------------- per venue


def _template(rows: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    return next(r for r in rows if r.get(key) == value)


class MarketVenue(FakeVenue):
    """A :class:`FakeVenue` serving N generated listings; stamps each request's time."""

    def __init__(self, venue: str, listings: list[Listing], seed: int = 1):
        super().__init__(venue)
        self.listings = listings
        self.rng = random.Random(f"{seed}:{venue}:moves")
        self.log: list[tuple[float, str]] = []  # (epoch seconds, path) per request
        self._templates = {name: copy.deepcopy(self.payload(name)) for name in self._names()}

    def _names(self) -> list[str]:
        return [r.payload for r in self.routes]

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        with self._lock:
            self.log.append((time.time(), path))
        super()._handle(handler, method)

    # -- what changes between refreshes
    def move(self, share: float) -> int:
        """Move the rate (and price) of ``share`` of the listings; returns how many."""
        k = round(len(self.listings) * share)
        for item in self.rng.sample(self.listings, k):
            item.rate = max(
                -0.003, min(0.003, item.rate + self.rng.gauss(0, 0.00003) * item.interval_h / 8)
            )
            item.coin_price *= 1 + self.rng.gauss(0, 0.002)
        return k

    def publish(self, now_ms: int, *, metadata: bool = False) -> None:
        """Serve answers rebuilt from the listings, stamped ``now_ms``."""
        build = getattr(self, f"_build_{self.venue}")
        for name, value in build(now_ms, metadata).items():
            self.set_payload(name, value)

    # -- binance
    def _build_binance(self, now: int, metadata: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if metadata:
            info = copy.deepcopy(self._templates["exchangeInfo"])
            proto = _template(info["symbols"], "symbol", "BTCUSDT")
            symbols = []
            for item in self.listings:
                places = _places(item.price)
                s = copy.deepcopy(proto)
                s.update(
                    symbol=item.name + "USDT",
                    pair=item.name + "USDT",
                    baseAsset=item.name,
                    onboardDate=item.listed_ms,
                    pricePrecision=places,
                )
                for f in s["filters"]:
                    if f["filterType"] == "PRICE_FILTER":
                        f.update(
                            tickSize=_step(places),
                            minPrice=_step(places),
                            maxPrice=_fmt(item.price * 20, places),
                        )
                symbols.append(s)
            info["symbols"] = symbols
            info["serverTime"] = now
            out["exchangeInfo"] = info
            proto_fi = _template(self._templates["fundingInfo"], "symbol", "BLZUSDT")
            out["fundingInfo"] = [
                dict(proto_fi, symbol=item.name + "USDT", fundingIntervalHours=item.interval_h)
                for i, item in enumerate(self.listings)
                if item.interval_h != 8 or i % 20 == 0  # 8 h entries exist too (capped ones)
            ]
        proto = _template(self._templates["premiumIndex"], "symbol", "BTCUSDT")
        rows = []
        for i, item in enumerate(self.listings):
            places = _places(item.price, 8)
            stamp = now - (i * 7) % 1000
            rows.append(
                dict(
                    proto,
                    symbol=item.name + "USDT",
                    markPrice=_fmt(item.price, places),
                    indexPrice=_fmt(item.price * 0.9998, places),
                    estimatedSettlePrice=_fmt(item.price * 0.9999, places),
                    lastFundingRate=_rate(item.rate),
                    interestRate="0.00010000",
                    nextFundingTime=_next_settlement(stamp, item.interval_h),
                    time=stamp,
                )
            )
        out["premiumIndex"] = rows
        return out

    # -- bybit
    def _build_bybit(self, now: int, metadata: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if metadata:
            inst = copy.deepcopy(self._templates["instruments_linear"])
            proto = _template(inst["result"]["list"], "symbol", "BTCUSDT")
            rows = []
            for item in self.listings:
                places = _places(item.price, 5)
                r = copy.deepcopy(proto)
                r.update(
                    symbol=item.name + "USDT",
                    baseCoin=item.name,
                    launchTime=str(item.listed_ms),
                    priceScale=str(places),
                    fundingInterval=item.interval_h * 60,
                )
                r["priceFilter"].update(
                    minPrice=_step(places),
                    tickSize=_step(places),
                    maxPrice=_fmt(item.price * 20, places),
                )
                rows.append(r)
            inst["result"]["list"] = rows
            inst["time"] = now
            out["instruments_linear"] = inst
        tick = copy.deepcopy(self._templates["tickers_linear"])
        full = _template(tick["result"]["list"], "symbol", "BTCUSDT")
        older = _template(tick["result"]["list"], "symbol", "SOLUSDT")  # no interval fields
        rows = []
        for item in self.listings:
            places = _places(item.price, 5)
            p = item.price
            r = dict(older if item.bare else full)
            r.update(
                symbol=item.name + "USDT",
                lastPrice=_fmt(p, places),
                markPrice=_fmt(p * 1.00005, places),
                indexPrice=_fmt(p * 0.9999, places),
                prevPrice24h=_fmt(p * 0.98, places),
                price24hPcnt="0.020408",
                highPrice24h=_fmt(p * 1.03, places),
                lowPrice24h=_fmt(p * 0.97, places),
                prevPrice1h=_fmt(p * 0.999, places),
                bid1Price=_fmt(p * 0.9999, places),
                ask1Price=_fmt(p * 1.0001, places),
                openInterestValue="20000000.00",
                turnover24h=_fmt(5_000_000.0, 4),
                fundingRate=_rate(item.rate, 6),
                nextFundingTime=str(_next_settlement(now, item.interval_h)),
            )
            if not item.bare:
                r["fundingIntervalHour"] = str(item.interval_h)
            rows.append(r)
        tick["result"]["list"] = rows
        tick["time"] = now
        out["tickers_linear"] = tick
        return out

    # -- okx
    def _build_okx(self, now: int, metadata: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if metadata:
            inst = copy.deepcopy(self._templates["instruments_swap"])
            proto = _template(inst["data"], "instId", "BTC-USDT-SWAP")
            rows = []
            for i, item in enumerate(self.listings):
                places = _places(item.price, 5)
                ct_val = 10 ** max(0, round(-math.log10(item.price)) + 1) if item.price < 1 else 1
                rows.append(
                    dict(
                        proto,
                        instId=f"{item.name}-USDT-SWAP",
                        instFamily=f"{item.name}-USDT",
                        uly=f"{item.name}-USDT",
                        ctValCcy=item.name,
                        ctVal=str(ct_val),
                        tickSz=_step(places),
                        instIdCode=20000 + i,
                        listTime=str(item.listed_ms),
                    )
                )
            inst["data"] = rows
            out["instruments_swap"] = inst
        rates = copy.deepcopy(self._templates["funding_rate_any"])
        proto = _template(rates["data"], "instId", "BTC-USDT-SWAP")
        rows = []
        for item in self.listings:
            settle = _next_settlement(now, item.interval_h)
            cap = "0.00375" if item.interval_h == 8 else "0.015"
            rows.append(
                dict(
                    proto,
                    instId=f"{item.name}-USDT-SWAP",
                    fundingRate=_rate(item.rate, 16),
                    fundingTime=str(settle),
                    nextFundingTime=str(settle + item.interval_h * HOUR_MS),
                    nextFundingRate=_rate(item.rate * 0.9, 16),
                    premium=_rate(item.rate * 0.8, 16),
                    maxFundingRate=cap,
                    minFundingRate="-" + cap,
                    settFundingRate=_rate(item.rate, 16),
                    ts=str(now),
                )
            )
        rates["data"] = rows
        out["funding_rate_any"] = rates
        return out

    # -- bitget
    def _build_bitget(self, now: int, metadata: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if metadata:
            contracts = copy.deepcopy(self._templates["contracts_usdt_futures"])
            proto = _template(contracts["data"], "symbol", "BTCUSDT")
            rows = []
            for item in self.listings:
                rows.append(
                    dict(
                        proto,
                        symbol=item.name + "USDT",
                        baseCoin=item.name,
                        pricePlace=str(_places(item.price, 5)),
                        fundInterval=str(item.interval_h),
                    )
                )
            contracts["data"] = rows
            contracts["requestTime"] = now
            out["contracts_usdt_futures"] = contracts
        rates = copy.deepcopy(self._templates["current_fund_rate_usdt_futures"])
        full = _template(rates["data"], "symbol", "BTCUSDT")
        older = _template(rates["data"], "symbol", "XRPUSDT")  # the old minimal form
        rows = []
        for item in self.listings:
            r = dict(
                older if item.bare else full,
                symbol=item.name + "USDT",
                fundingRate=_rate(item.rate, 6),
            )
            if not item.bare:
                r.update(
                    fundingRateInterval=str(item.interval_h),
                    nextUpdate=str(_next_settlement(now, item.interval_h)),
                )
            rows.append(r)
        rates["data"] = rows
        rates["requestTime"] = now
        out["current_fund_rate_usdt_futures"] = rates
        return out

    # -- gate: one answer is both the market list and the rates
    def _build_gate(self, now: int, metadata: bool) -> dict[str, Any]:
        proto = _template(self._templates["futures_usdt_contracts"], "name", "BTC_USDT")
        rows = []
        for item in self.listings:
            places = _places(item.price, 5)
            p = item.price
            size = 10 ** max(-4, min(4, -round(math.log10(p)) + 1))
            rows.append(
                dict(
                    proto,
                    name=f"{item.name}_USDT",
                    quanto_multiplier=f"{size:g}" if size < 1 else str(int(size)),
                    last_price=_fmt(p, places),
                    mark_price=_fmt(p * 1.00005, places),
                    index_price=_fmt(p * 0.9999, places),
                    mark_price_round=_step(places),
                    order_price_round=_step(places),
                    funding_rate=_rate(item.rate, 6),
                    funding_rate_indicative=_rate(item.rate * 0.9, 6),
                    funding_interval=item.interval_h * 3600,
                    funding_next_apply=_next_settlement(now, item.interval_h) // 1000,
                    launch_time=item.listed_ms // 1000,
                    create_time=item.listed_ms // 1000,
                )
            )
        return {"futures_usdt_contracts": rows}

    # -- hyperliquid: positional universe + contexts
    def _build_hyperliquid(self, now: int, metadata: bool) -> dict[str, Any]:
        meta, ctxs = copy.deepcopy(self._templates["metaAndAssetCtxs"])
        proto_u = _template(meta["universe"], "name", "BTC")
        proto_c = ctxs[0]  # BTC's context
        universe, contexts = [], []
        for item in self.listings:
            p = item.price
            places = _places(p, 5)
            universe.append(
                dict(
                    proto_u,
                    name=item.name,
                    szDecimals=max(0, 5 - places),
                    maxLeverage=10,
                    marginTableId=10,
                )
            )
            contexts.append(
                dict(
                    proto_c,
                    funding=_rate(item.rate, 10),
                    markPx=_fmt(p, places),
                    oraclePx=_fmt(p * 1.0001, places),
                    midPx=_fmt(p * 1.00002, places),
                    prevDayPx=_fmt(p * 0.98, places),
                    impactPxs=[_fmt(p * 0.9999, places), _fmt(p * 1.0001, places)],
                    premium=_rate(-0.0001, 10),
                    openInterest=_fmt(2_000_000 / p, 2),
                    dayNtlVlm=_fmt(3_000_000.0, 4),
                    dayBaseVlm=_fmt(3_000_000 / p, 4),
                )
            )
        meta["universe"] = universe
        return {"metaAndAssetCtxs": [meta, contexts]}


# --------------------------------------------------------------------------- the market


def scaled_fakes(n: int = 300, seed: int = 1) -> dict[str, MarketVenue]:
    """One started fake per venue, each serving ``n`` listings in its own format."""
    listings = build_listings(n, seed)
    fakes: dict[str, MarketVenue] = {}
    now = time.time_ns() // 1_000_000
    try:
        for venue in VENUES:
            fake = MarketVenue(venue, listings[venue], seed)
            fake.publish(now, metadata=True)
            fakes[venue] = fake.start()
    except BaseException:
        stop_all(fakes)
        raise
    return fakes


def stop_all(fakes: dict[str, MarketVenue]) -> None:
    for fake in fakes.values():
        fake.stop()


def start_perturber(
    fakes: dict[str, MarketVenue],
    seconds: float,
    *,
    share: float = 0.10,
    refresh_s: float = 10.0,
    period_s: float = 2.0,
) -> threading.Event:
    """Every ``period_s`` move rates so ``share`` of them change per ``refresh_s``.

    Also re-stamps every rate answer with the current time. Stops after
    ``seconds`` or when the returned event is set.
    """
    stop = threading.Event()
    per_tick = share * period_s / refresh_s
    deadline = time.monotonic() + seconds

    def run() -> None:
        while not stop.wait(period_s) and time.monotonic() < deadline:
            now = time.time_ns() // 1_000_000
            for fake in fakes.values():
                fake.move(per_tick)
                fake.publish(now)

    threading.Thread(target=run, name="fakemarket-moves", daemon=True).start()
    return stop


def request_counts(fakes: dict[str, MarketVenue]) -> dict[str, dict[str, int]]:
    return {v: dict(f.counts()) for v, f in fakes.items()}


def request_log(fakes: dict[str, MarketVenue]) -> dict[str, list[tuple[float, str]]]:
    out = {}
    for v, f in fakes.items():
        with f._lock:
            out[v] = list(f.log)
    return out


# --------------------------------------------------------------------------- entry points


def serve(n: int, seed: int, seconds: float, share: float, refresh_s: float) -> int:
    fakes = scaled_fakes(n, seed)
    stop = start_perturber(fakes, seconds, share=share, refresh_s=refresh_s)
    print(
        json.dumps({"n": n, "seed": seed, "urls": {v: f.url for v, f in fakes.items()}}), flush=True
    )
    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([sys.stdin], [], [], min(left, 1.0))
            if not ready:
                continue
            line = sys.stdin.readline()
            command = line.strip()
            if not line or command == "quit":
                break
            if command == "counts":
                print(json.dumps(request_counts(fakes)), flush=True)
            elif command == "log":
                print(json.dumps(request_log(fakes)), flush=True)
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        stop_all(fakes)
    return 0


async def _poll_all(fakes: dict[str, MarketVenue], polls: int) -> None:
    from fundtui.config import VenueConfig
    from fundtui.feeds.registry import make_sources

    sources = make_sources([VenueConfig(v, api_base=f.url) for v, f in fakes.items()])
    try:
        for i in range(polls):
            started = time.perf_counter()
            results = await asyncio.gather(*(s.poll() for s in sources), return_exceptions=True)
            took = time.perf_counter() - started
            print(f"poll {i + 1} ({took:.2f} s for all six):")
            for source, res in zip(sources, results, strict=True):
                if isinstance(res, BaseException):
                    print(f"  {source.name:12} FAILED: {res}")
                    continue
                intervals = Counter(q.interval_hours for q in res.quotes)
                bundled = sum(q.multiplier > 1 for q in res.quotes)
                mix = ", ".join(
                    f"{'?' if h is None else f'{h:g}h'}: {c}"
                    for h, c in sorted(
                        intervals.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)
                    )
                )
                print(f"  {source.name:12} {len(res.quotes):4d} quotes  ({mix}; {bundled} bundled)")
    finally:
        for s in sources:
            await s.close()


def check(n: int, seed: int, polls: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for k in ("CONFIG", "DATA", "CACHE"):
            os.environ[f"FUNDTUI_{k}_DIR"] = os.path.join(tmp, k.lower())
        fakes = scaled_fakes(n, seed)
        try:
            asyncio.run(_poll_all(fakes, polls))
            print(f"requests after {polls} polls (first poll loads the market lists):")
            for venue, counts in request_counts(fakes).items():
                paths = ", ".join(f"{p} x{c}" for p, c in sorted(counts.items()))
                print(f"  {venue:12} {paths}")
            bases = {
                item.name.removeprefix("1000").removeprefix("k")
                for f in fakes.values()
                for item in f.listings
            }
            print(f"{n} listings per venue, {len(bases)} distinct bases")
        finally:
            stop_all(fakes)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=300, help="perpetuals per venue")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--serve", action="store_true", help="serve until quit / --seconds")
    ap.add_argument("--seconds", type=float, default=600.0, help="--serve: longest lifetime")
    ap.add_argument(
        "--share", type=float, default=0.10, help="--serve: share of rates moved per refresh"
    )
    ap.add_argument("--refresh", type=float, default=10.0, help="--serve: the app's refresh")
    ap.add_argument("--polls", type=int, default=2, help="check: polls per venue")
    args = ap.parse_args()
    if args.serve:
        return serve(args.n, args.seed, args.seconds, args.share, args.refresh)
    return check(args.n, args.seed, args.polls)


if __name__ == "__main__":
    raise SystemExit(main())
