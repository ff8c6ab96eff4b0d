"""A simulated market for ``--demo`` and tests: no network, fully deterministic.

A few hundred coins follow seeded random walks: a shared price and a shared,
mean-reverting funding level per coin, plus a small bias and noise per venue.
Each venue lists its own subset with its own funding intervals (Hyperliquid
hourly, Binance mostly 8 h, Bybit / Bitget / Gate mixed ...), bundles low-priced
coins the way the real venue does (``1000PEPE``, ``kPEPE``), and a handful of
planted cross-venue divergences give the spread view something to find.

Same seed and the same number of polls of a venue give identical quotes; which
other venues are polled, and in what order, makes no difference. Only the
clock (next funding times, timestamps) comes from outside.
"""

from __future__ import annotations

import asyncio
import functools
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fundtui.core.quote import Quote
from fundtui.core.symbols import split_base
from fundtui.feeds.source import QuoteSource, VenuePoll

_HOUR_MS = 3_600_000

# Large caps with a rough one-coin price, biggest first; listed on every venue.
_MAJORS = """
BTC 65000 ETH 3200 SOL 150 XRP 0.55 BNB 580 DOGE 0.13 ADA 0.42 TRX 0.13 AVAX 28 LINK 14
TON 5.5 SUI 1.6 DOT 5.8 BCH 380 LTC 72 NEAR 4.8 APT 8.5 UNI 7.6 ICP 8.9 ETC 21
HBAR 0.08 FIL 4.2 ATOM 6.1 ARB 0.62 OP 1.6 INJ 19 TIA 5.2 SEI 0.36 STX 1.7 IMX 1.3
AAVE 150 HYPE 24 ENA 0.55 WLD 2.1 TAO 380 RENDER 5.9 FET 1.3 ONDO 0.9 JUP 0.85 WIF 1.9
ORDI 32
"""

# Low-priced coins some venues bundle: one-coin price, Binance/Bybit name, Hyperliquid name.
_BUNDLED = {
    "PEPE": (1.1e-5, "1000PEPE", "kPEPE"),
    "SHIB": (1.8e-5, "1000SHIB", "kSHIB"),
    "BONK": (2.2e-5, "1000BONK", "kBONK"),
    "FLOKI": (1.4e-4, "1000FLOKI", "kFLOKI"),
    "LUNC": (9e-5, "1000LUNC", "kLUNC"),
    "NEIRO": (5e-4, None, "kNEIRO"),
    "DOGS": (4.5e-4, "1000DOGS", "kDOGS"),
    "SATS": (2.5e-7, "1000SATS", None),
    "RATS": (1.2e-4, "1000RATS", None),
    "CAT": (1.5e-5, "1000CAT", None),
    "CHEEMS": (1.4e-6, "1000CHEEMS", None),
    "XEC": (3.2e-5, "1000XEC", None),
    "BABYDOGE": (1.6e-9, "1MBABYDOGE", None),
    "MOG": (1.5e-6, "1000000MOG", None),
}

# The long tail: prices drawn from the seed; each venue lists a share of them.
_LONG_TAIL = """
PYTH JTO W STRK ZK ZRO BLAST EIGEN ENS ARKM AR THETA S ALGO EGLD FLOW XTZ EOS NEO QTUM
KAVA KSM ZEC DASH XLM TRUMP BERA IP KAITO VIRTUAL AI16Z AIXBT GRIFFAIN ZEREBRO GOAT PNUT
ACT MOODENG CHILLGUY POPCAT MEW BOME BRETT TURBO MEME NOT HMSTR CATI PEOPLE GALA SAND
MANA AXS APE CHZ ENJ ILV YGG MAGIC PIXEL PORTAL XAI ACE BIGTIME BLUR MASK CYBER ID EDU
HOOK HIGH ARPA BAND API3 TRB UMA LPT RLC STORJ ANKR CELR CKB ONE ROSE KDA ZIL IOTA IOTX
ICX ONT RVN SC ZEN LSK XVS ALPHA BAL YFI SXP CAKE TWT SFP C98 DODO SSV RPL FXS LQTY CVX
SPELL AEVO ALT MANTA DYM SAGA OMNI REZ BB IO LISTA ZETA JASMY SUPER RSR OGN CFX ACH AGLD
ASTR MINA GLMR COTI DENT HOT NKN MTL OXT PHB POLYX POWR RDNT RIF SKL SNT SUN SYS T TLM
TRU VANRY WOO ZRX BICO BNT CTSI DUSK GAS GLM GTC JOE KNC LRC MAV METIS NMR PERP QNT
1INCH COMP CRV DYDX GMX LDO MKR PENDLE SNX SUSHI ETHFI GRT VET NOT USUAL MOVE ME VANA
PENGU BIO COOKIE SONIC ANIME PLUME LAYER RED BABY PARTI NIL MUBARAK BROCCOLI TUT FORM
GPS SHELL BMT KMNO DEEP SWARMS AVA PIPPIN FARTCOIN SPX ZEREBRO2 HIPPO ORCA DRIFT CETUS
NEIROETH LUMIA SCR EIGEN2 SAFE G MOCA UXLINK SUNDOG DBR BAN HEI AKT TNSR MYRO SLERF
BOBA ATH DEGEN PONKE MICHI NAVX TAIKO AERO SYN ALICE AUCTION COW FIDA FLUX ICE JTO2
KEY LEVER LIT LOKA LOOM MDT MBOX NTRN ORBS PROM QUICK RARE REI SANTOS STG STEEM VOXEL
WAXP XVG AXL BEAMX CHESS COMBO DAR FIO HFT KAS LINA MANTRA OM PUNDIX RONIN SEIYAN
"""

# Fresh listings, so far on one venue only (no spread yet).
_NEW_LISTINGS = {
    "SOPH": "bybit",
    "HOME": "bitget",
    "NEWT": "gate",
    "SAHARA": "gate",
    "SPK": "binance",
    "RESOLV": "bybit",
    "PUMP": "hyperliquid",
    "ERA": "okx",
}

#: Fixed cross-venue divergences (8h-equivalent offsets): a venue far from the rest.
PLANTED = {
    ("WIF", "hyperliquid"): 0.0050,
    ("ORDI", "binance"): -0.0060,
    ("TIA", "bybit"): 0.0040,
    ("PEPE", "okx"): -0.0035,
    ("SUI", "gate"): 0.0045,
    ("DOGE", "bitget"): -0.0030,
}


@dataclass(frozen=True, slots=True)
class _Profile:
    listing: float  # share of the long tail listed
    intervals: tuple[tuple[int, float], ...]  # (hours, weight)
    settle: str  # "USDT" or "USDC"
    bundles: int  # 0: plain names, 1: Binance/Bybit "1000X", 2: Hyperliquid "kX"
    size: float  # open interest relative to Binance
    usdc: tuple[str, ...] = ()  # extra USDC-settled perps next to the USDT ones


_PROFILES = {
    "binance": _Profile(
        0.85,
        ((8, 0.80), (4, 0.17), (1, 0.03)),
        "USDT",
        1,
        1.0,
        ("BTC", "ETH", "SOL", "XRP", "DOGE", "BNB"),
    ),
    "bybit": _Profile(
        0.92, ((8, 0.55), (4, 0.35), (1, 0.10)), "USDT", 1, 0.7, ("BTC", "ETH", "SOL")
    ),
    "okx": _Profile(0.55, ((8, 0.85), (4, 0.15)), "USDT", 0, 0.5, ("BTC", "ETH")),
    "bitget": _Profile(0.80, ((8, 0.60), (4, 0.30), (1, 0.10)), "USDT", 0, 0.45),
    "gate": _Profile(0.90, ((8, 0.65), (4, 0.25), (1, 0.10)), "USDT", 0, 0.3),
    "hyperliquid": _Profile(0.45, ((1, 1.0),), "USDC", 2, 0.4),
}
_OTHER_VENUE = _Profile(0.60, ((8, 0.80), (4, 0.20)), "USDT", 0, 0.2)


@dataclass(frozen=True, slots=True)
class _Coin:
    base: str
    price: float  # one coin, at the first poll
    level_8h: float  # long-run funding level, 8h-equivalent
    noise_8h: float  # step noise of the shared funding level
    price_vol: float  # step noise of log price
    oi_usd: float  # open interest on a Binance-sized venue
    turnover: float  # 24h volume / open interest
    change0: float  # 24h change at the first poll


def _funding_level(rng: random.Random, large: bool) -> float:
    r = rng.random()
    if r < 0.78:  # the usual: about 0.005-0.01 % per 8 h
        return rng.uniform(0.00005, 0.0001)
    if r < 0.965 or large:  # drifting either way; large caps stay near the usual level
        return rng.gauss(0.0, 0.0001 if large else 0.00025)
    return rng.choice((1, 1, -1)) * rng.uniform(0.0008, 0.004)  # crowded: the fat tail


@functools.cache
def _universe(seed: int) -> tuple[_Coin, ...]:
    rng = random.Random(f"{seed}/universe")
    words = _MAJORS.split()
    priced = [(b, float(p)) for b, p in zip(words[::2], words[1::2], strict=True)]
    priced += [(b, p) for b, (p, _, _) in _BUNDLED.items()]
    known = {b for b, _ in priced}
    tail = [b for b in dict.fromkeys(_LONG_TAIL.split() + list(_NEW_LISTINGS)) if b not in known]
    priced += [(b, math.exp(rng.uniform(math.log(0.005), math.log(20.0)))) for b in tail]
    planted = {b for b, _ in PLANTED}
    coins = []
    for rank, (base, price) in enumerate(priced):
        level = 0.0001 if base in planted else _funding_level(rng, rank < 40)
        coins.append(
            _Coin(
                base=base,
                price=price,
                level_8h=level,
                noise_8h=0.1 * max(abs(level), 0.00005),
                price_vol=0.0008 if rank < 20 else 0.002,
                oi_usd=8e9 / (rank + 1) ** 1.3 * rng.uniform(0.6, 1.4),
                turnover=rng.uniform(0.5, 2.0) if rank < 40 else rng.uniform(1.0, 8.0),
                change0=rng.gauss(0.0, 0.03 if rank < 40 else 0.08),
            )
        )
    return tuple(coins)


@dataclass(frozen=True, slots=True)
class _Listing:
    coin: int  # index into the universe
    name: str  # venue's base name, e.g. "1000PEPE"
    settle: str
    interval_h: int
    bias_8h: float  # this venue's lasting offset from the shared funding level
    size: float  # open interest scale


def _listings(venue: str, coins: Sequence[_Coin], seed: int) -> list[_Listing]:
    profile = _PROFILES.get(venue, _OTHER_VENUE)
    rng = random.Random(f"{seed}/{venue}/listings")
    everywhere = len(_MAJORS.split()) // 2 + len(_BUNDLED)
    out = []
    for i, c in enumerate(coins):
        listed = rng.random() < profile.listing
        if c.base in _NEW_LISTINGS:
            listed = _NEW_LISTINGS[c.base] == venue
        elif i < everywhere:
            listed = True
        if not listed:
            continue
        hours = [h for h, _ in profile.intervals]
        crowded = abs(c.level_8h) > 0.001  # venues shorten the interval of crowded coins
        weights = [w / 4 if crowded and h == 8 else w for h, w in profile.intervals]
        interval = rng.choices(hours, weights)[0]
        if i < 20:  # the largest coins keep the venue's standard interval
            interval = max(hours)
        name = c.base
        if c.base in _BUNDLED and profile.bundles:
            name = _BUNDLED[c.base][profile.bundles] or c.base
        bias = rng.gauss(0.0, 0.15 * max(abs(c.level_8h), 0.00003))
        bias += PLANTED.get((c.base, venue), 0.0)
        size = profile.size * rng.uniform(0.5, 1.5)
        out.append(_Listing(i, name, profile.settle, interval, bias, size))
        if c.base in profile.usdc:
            out.append(_Listing(i, name, "USDC", 8, bias + rng.gauss(0.0, 0.00003), size * 0.1))
    return out


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def _sig(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}")


#: Open interest in coins: a slow mean-reverting walk of its log, about 3 % from its
#: level at rest and ~2.6 % over 4 h at a 30 s refresh (a step each poll), so the
#: oi_regime rule's 5 % in 4 h is a real move, not the walk's everyday noise.
_OI_KEEP = 0.999
_OI_STEP = 0.03 * math.sqrt(1 - _OI_KEEP**2)


class DemoVenue:
    """One simulated venue; a QuoteSource."""

    def __init__(
        self,
        name: str,
        seed: int = 7,
        clock: Callable[[], int] | None = None,
        latency_s: float = 0.0,
    ):
        self.name = name
        self._seed = seed
        self._clock = clock or _wall_clock_ms
        self._latency_s = latency_s
        self._coins = _universe(seed)
        self._listings = _listings(name, self._coins, seed)
        self._rng = random.Random(f"{seed}/{name}/walk")
        self._latency_rng = random.Random(f"{seed}/{name}/latency")
        self._step = 0
        self._level = [c.level_8h for c in self._coins]  # shared by all venues
        self._log_price = [0.0] * len(self._coins)  # log(price / first price), shared
        # log(open interest in coins / first), shared: positions open and close on
        # their own, so open interest in coins moves apart from the price
        self._log_positions = [0.0] * len(self._coins)
        self._noise = [0.0] * len(self._listings)  # this venue's own, per listing

    def _advance(self) -> None:
        """One step of the walks. The shared part is drawn from the step number
        alone, so every venue sees the same market at the same step."""
        shared = random.Random(f"{self._seed}/market/{self._step}")
        for i, c in enumerate(self._coins):
            z_rate, z_price = shared.gauss(0.0, 1.0), shared.gauss(0.0, 1.0)
            self._level[i] = c.level_8h + 0.95 * (self._level[i] - c.level_8h) + c.noise_8h * z_rate
            self._log_price[i] += c.price_vol * z_price
        # Its own stream, so the rate and price walks are what they were without it.
        held = random.Random(f"{self._seed}/positions/{self._step}")
        for i in range(len(self._coins)):
            self._log_positions[i] = _OI_KEEP * self._log_positions[i] + _OI_STEP * held.gauss(
                0.0, 1.0
            )
        for j, lst in enumerate(self._listings):
            c = self._coins[lst.coin]
            self._noise[j] = 0.8 * self._noise[j] + self._rng.gauss(0.0, c.noise_8h)

    def quotes(self, now_ms: int) -> tuple[Quote, ...]:
        out = []
        for j, lst in enumerate(self._listings):
            c = self._coins[lst.coin]
            rate_8h = self._level[lst.coin] + lst.bias_8h + self._noise[j]
            move = math.exp(self._log_price[lst.coin])
            _, mult = split_base(lst.name)
            index = c.price * move * mult
            mark = index * (1.0 + 0.5 * rate_8h + self._rng.gauss(0.0, 0.0002))
            coins = c.oi_usd * lst.size / c.price * math.exp(self._log_positions[lst.coin])
            oi = coins * c.price * move
            iv_ms = lst.interval_h * _HOUR_MS
            out.append(
                Quote(
                    venue=self.name,
                    symbol=f"{lst.name}/{lst.settle}:{lst.settle}",
                    base=c.base,
                    quote=lst.settle,
                    funding_rate=round(rate_8h * lst.interval_h / 8.0, 8),
                    interval_hours=float(lst.interval_h),
                    next_funding_ms=(now_ms // iv_ms + 1) * iv_ms,
                    mark_price=_sig(mark),
                    index_price=_sig(index),
                    open_interest_usd=round(oi, 0),
                    open_interest_coins=_sig(coins),
                    volume_24h_usd=round(oi * c.turnover, 0),
                    price_change_24h=round((1.0 + c.change0) * move - 1.0, 5),
                    multiplier=mult,
                    timestamp_ms=now_ms,
                )
            )
        return tuple(out)

    async def poll(self) -> VenuePoll:
        started = time.perf_counter()
        if self._latency_s > 0:
            await asyncio.sleep(self._latency_s * (0.5 + self._latency_rng.random()))
        if self._step:
            self._advance()
        self._step += 1
        now_ms = self._clock()
        return VenuePoll(
            self.name, self.quotes(now_ms), now_ms, (time.perf_counter() - started) * 1000.0
        )

    async def close(self) -> None:
        return None


def demo_sources(
    venues: Sequence[str],
    seed: int = 7,
    clock: Callable[[], int] | None = None,
    latency_s: float = 0.0,
) -> list[QuoteSource]:
    """One simulated source per venue name. The six supported venues behave like
    the real ones; any other name gets a generic profile."""
    return [DemoVenue(v, seed, clock, latency_s) for v in venues]
