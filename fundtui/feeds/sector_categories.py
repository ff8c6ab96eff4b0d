"""The sector map from CoinGecko's coin categories (``fundtui sectors update``).

Requests, all ``GET`` on the public (keyless) API, paced to stay inside the free
tier's ~30 calls a minute (one call every ``pace_s``, 2.5 s by default: at most
24 a minute):

1. ``/api/v3/coins/categories/list``: which category ids exist now; ids of the
   table below that CoinGecko no longer has are skipped and named;
2. per category id in the table (25 of them), ``/api/v3/coins/markets`` with
   ``vs_currency=usd&category=<id>&order=market_cap_desc&per_page=250&page=1``:
   the category's 250 largest coins, whose ``symbol`` is the base.

That is 26 calls, about a minute. A 429 waits out ``Retry-After`` (60 s
without one, at most ``max_wait_s``) and tries again, up to ``retries`` times.

CoinGecko's membership is authoritative for the bases it places in a sector;
bases it places nowhere keep their sectors from ``fallback`` (the bundled map),
so the update never loses coverage of a perpetual the bundled map knew.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from fundtui.core.sectors import SectorMap, normalize_base

DEFAULT_BASE_URL = "https://api.coingecko.com"
PACE_S = 2.5
PER_PAGE = 250

#: fundtui sector -> CoinGecko category ids (``/coins/categories/list``).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "L1": ("layer-1",),
    "L2": ("layer-2",),
    "DeFi": ("decentralized-finance-defi", "lending-borrowing"),
    "DEX": ("decentralized-exchange", "perpetuals"),
    "Meme": ("meme-token",),
    "AI": ("artificial-intelligence", "ai-agents"),
    "Gaming": ("gaming",),
    "RWA": ("real-world-assets-rwa",),
    "Oracles & Data": ("oracle",),
    "Interop": ("cross-chain-communication",),
    "Infrastructure": ("infrastructure",),
    "Exchange tokens": ("exchange-based-tokens",),
    "Privacy": ("privacy-coins",),
    "Storage & DePIN": ("storage", "depin"),
    "Liquid staking": ("liquid-staking-governance-tokens", "restaking"),
    "Solana": ("solana-ecosystem",),
    "Bitcoin": ("bitcoin-ecosystem",),
    "NFT & Social": ("non-fungible-tokens-nft", "socialfi"),
    "Payments & PoW": ("payment-solutions",),
}

Progress = Callable[[int, int, str], None]  # (done, total, what)


class SectorFetchError(Exception):
    """The update failed; the message is one line."""


def _calls(categories: Mapping[str, tuple[str, ...]]) -> list[str]:
    return list(dict.fromkeys(c for ids in categories.values() for c in ids))


class _Paced:
    """GETs at least ``pace_s`` apart, with 429 handling."""

    def __init__(
        self,
        client: httpx.Client,
        pace_s: float,
        retries: int,
        max_wait_s: float,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self.client, self.pace_s, self.retries = client, pace_s, retries
        self.max_wait_s, self.sleep, self.clock = max_wait_s, sleep, clock
        self._last: float | None = None
        self.requests = 0

    def _wait_turn(self) -> None:
        if self._last is not None:
            wait = self._last + self.pace_s - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        host = self.client.base_url.host or str(self.client.base_url)
        for attempt in range(self.retries + 1):
            self._wait_turn()
            self.requests += 1
            try:
                resp = self.client.get(path, params=params)
            except httpx.TimeoutException:
                raise SectorFetchError(f"{host} did not answer in time (offline?)") from None
            except httpx.TransportError as e:
                why = " ".join(str(e).split()) or type(e).__name__
                raise SectorFetchError(f"cannot reach {host}: {why} (offline?)") from None
            if resp.status_code == 429:
                if attempt == self.retries:
                    raise SectorFetchError(
                        f"{host} kept answering 429 (rate limit) after {self.retries + 1} "
                        "tries; try again in a few minutes"
                    )
                self.sleep(min(_retry_after(resp), self.max_wait_s))
                continue
            if resp.status_code != 200:
                raise SectorFetchError(f"{host}{path} answered HTTP {resp.status_code}")
            try:
                return resp.json()
            except ValueError:
                raise SectorFetchError(
                    f"{host}{path} answered something that is not JSON"
                ) from None
        raise AssertionError("unreachable")


def _retry_after(resp: httpx.Response) -> float:
    try:
        return max(0.0, float(resp.headers.get("retry-after", "60")))
    except ValueError:
        return 60.0


def fetch_sector_map(
    as_of: str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    categories: Mapping[str, tuple[str, ...]] = CATEGORIES,
    fallback: SectorMap | None = None,
    pace_s: float = PACE_S,
    retries: int = 3,
    max_wait_s: float = 120.0,
    timeout_s: float = 20.0,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[SectorMap, list[str]]:
    """The sector map from CoinGecko, dated ``as_of``, and the notes worth showing
    (categories that no longer exist). Raises SectorFetchError (one line)."""
    ids = _calls(categories)
    total = 1 + len(ids)
    notes: list[str] = []
    headers = {"accept": "application/json", "user-agent": "fundtui"}
    with httpx.Client(base_url=base_url, timeout=timeout_s, headers=headers) as client:
        api = _Paced(client, pace_s, retries, max_wait_s, sleep, clock)
        if progress:
            progress(0, total, "category list")
        listing = api.get("/api/v3/coins/categories/list")
        if not isinstance(listing, list):
            raise SectorFetchError("unexpected category list from CoinGecko (not a list)")
        known = {c.get("category_id") for c in listing if isinstance(c, dict)}
        members: dict[str, set[str]] = {}
        for done, cid in enumerate(ids, start=1):
            if progress:
                progress(done, total, cid)
            if cid not in known:
                notes.append(f"CoinGecko has no category {cid!r} any more; skipped")
                continue
            coins = api.get(
                "/api/v3/coins/markets",
                {
                    "vs_currency": "usd",
                    "category": cid,
                    "order": "market_cap_desc",
                    "per_page": PER_PAGE,
                    "page": 1,
                },
            )
            if not isinstance(coins, list):
                raise SectorFetchError(f"unexpected coin list for category {cid!r}")
            members[cid] = {
                b
                for c in coins
                if isinstance(c, dict)
                and isinstance(c.get("symbol"), str)
                and (b := normalize_base(c["symbol"]))
            }
        if progress:
            progress(total, total, "done")
    sectors: dict[str, set[str]] = {
        name: set().union(*(members.get(c, set()) for c in cids))
        for name, cids in categories.items()
    }
    if not any(sectors.values()):
        raise SectorFetchError("CoinGecko returned no coins for any category")
    placed = set().union(*sectors.values())
    if fallback is not None:
        for name, bases in fallback.sectors.items():
            sectors.setdefault(name, set()).update(b for b in bases if b not in placed)
    source = f"CoinGecko categories via {base_url} ({api.requests} requests)" + (
        "; bases it places nowhere keep the bundled sectors" if fallback else ""
    )
    return SectorMap.build(sectors, as_of, source), notes
