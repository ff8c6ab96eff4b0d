"""The engine's state as JSON and back: exact, strict, and unable to run anything."""

from __future__ import annotations

import ast
import base64
import copy
import json
import math
import random
from pathlib import Path

import pytest

from fundtui.core import signal_state, signal_state_values
from fundtui.core.quote import Quote
from fundtui.core.signal_state import (
    FIELD_NAMES,
    NOT_SAVED,
    StateError,
    chunks,
    decode,
    dumps,
    encode,
)
from fundtui.core.signals import SignalConfig, SignalEngine, _Key
from tests.enginestate import exact_state

T0 = 1_767_225_600_000  # 2026-01-01 00:00 UTC
QH = 15 * 60_000
STEP = 30_000


class Market:
    """A seeded market: 20 bases on three venues with 1, 4 and 8 h intervals (ints
    and floats, as venues give them), prices, premiums and open interest that
    wander, a few bases hot enough to fire every rule."""

    def __init__(self, seed: int = 3) -> None:
        self.rng = random.Random(seed)
        self.quotes = []
        for i in range(20):
            for venue, ih in (("binance", 8), ("okx", 4.0), ("hyperliquid", 1)):
                sd = 0.001 if i % 5 == 0 else 0.00005
                self.quotes.append(
                    Quote(
                        venue,
                        f"C{i}/USDT:USDT",
                        f"C{i}",
                        "USDT",
                        self.rng.gauss(0.0001, sd) * ih / 8,
                        ih,
                        mark_price=100.0,
                        index_price=100.0,
                        open_interest_usd=None if i % 3 == 2 else 1e7,
                        open_interest_coins=None if i % 3 == 2 else 1e5,
                    )
                )

    def step(self) -> list[Quote]:
        g = self.rng.gauss
        out = []
        for q in self.quotes:
            index = q.index_price * (1 + g(0, 0.001))
            out.append(
                Quote(
                    q.venue,
                    q.symbol,
                    q.base,
                    q.quote,
                    q.funding_rate + g(0, 0.0001) * q.interval_hours / 8,
                    q.interval_hours,
                    mark_price=index * (1 + g(0.0002, 0.001)),
                    index_price=index,
                    open_interest_usd=None
                    if q.open_interest_usd is None
                    else q.open_interest_usd * (1 + g(0, 0.03)),
                    open_interest_coins=None
                    if q.open_interest_coins is None
                    else q.open_interest_coins * (1 + g(0, 0.03)),
                )
            )
        self.quotes = out
        return out


def busy_engine(config: SignalConfig | None = None) -> tuple[SignalEngine, Market, int]:
    """A day of quarter-hour history, then an hour of refreshes (hits, cooldowns)."""
    market = Market()
    engine = SignalEngine(config)
    t = T0
    for _ in range(96):
        engine.warm_up((t, q) for q in market.step())
        t += QH
    hits = 0
    for _ in range(120):
        hits += len(engine.update(t, market.step()))
        t += STEP
    assert hits > 0 and engine._last_hit  # cooldowns to carry over
    return engine, market, t - STEP


def round_trip(engine: SignalEngine, at_ms: int) -> SignalEngine:
    """Through the text a save writes: the pieces of ``chunks``, joined."""
    restored = decode(json.loads("".join(chunks(engine, at_ms))), engine.config)
    assert restored is not None and restored.at_ms == at_ms
    return restored.engine


def test_every_slot_of_a_market_is_saved_once():
    assert len(FIELD_NAMES) == len(set(FIELD_NAMES))
    assert set(FIELD_NAMES) | set(NOT_SAVED) == set(_Key.__slots__)
    assert not set(FIELD_NAMES) & set(NOT_SAVED)


def test_a_restored_engine_is_the_saved_one_and_continues_as_it_would_have():
    engine, market, at = busy_engine()
    # open interest every sample: queues as long as the lookback (16 quarter-hours) lets
    assert max(len(k.oiq) for ks in engine._keys.values() for k in ks.values()) == 17
    again = round_trip(engine, at)
    assert exact_state(again) == exact_state(engine)
    rules = set()
    t = at + STEP
    for _ in range(120):  # the next hour: the same hits, cooldowns included
        board = market.step()
        hits = engine.update(t, board)
        assert again.update(t, board) == hits
        rules |= {h.rule for h in hits}
        t += STEP
    assert exact_state(again) == exact_state(engine)
    assert {"spread", "deviation", "spike", "implied"} <= rules


def test_the_cooldowns_come_back():
    engine, market, at = busy_engine()
    again = round_trip(engine, at)
    board = market.step()
    forgetful = round_trip(engine, at)
    forgetful.forget_cooldowns()
    # without them, rules held through their cooldown would fire again
    kept = again.update(at + STEP, board)
    assert kept == engine.update(at + STEP, board)
    assert len(forgetful.update(at + STEP, board)) > len(kept)


def test_infinities_nan_negative_zero_and_integer_values_round_trip():
    engine = SignalEngine()
    engine.update(T0, [Quote("okx", "X/USDT:USDT", "X", "USDT", 0.0001, 8.0, mark_price=7)])
    k = engine._keys["okx"]["X/USDT:USDT"]
    k.oi, k.ema, k.bsum, k.ex_price = math.nan, -0.0, math.inf, -math.inf
    k.sp_hi[0], k.ring_sum[1] = math.nan, -0.0
    k.oiq = [(T0, math.inf), (T0 + 1, 5e-324)]
    text = dumps(engine, T0)
    assert "Infinity" not in text and "NaN" not in text
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    again = round_trip(engine, T0)
    assert exact_state(again) == exact_state(engine)
    assert again._keys["okx"]["X/USDT:USDT"].last_mark.__class__ is int  # 7 stays 7


def test_the_pieces_are_the_bytes_of_the_whole_document_each_about_one_market():
    engine, _, at = busy_engine()
    pieces = list(chunks(engine, at))
    text = "".join(pieces)
    assert text == dumps(engine, at)  # version 3, byte for byte, as one json.dumps wrote it
    assert json.loads(text) == encode(engine, at)
    markets = sum(len(ks) for ks in engine._keys.values())
    assert markets == 60 and len(pieces) == markets + 2  # the head, each market, the end
    rows = encode(engine, at)["markets"]
    widest_row = max(len(json.dumps(r, separators=(",", ":"))) for r in rows)
    assert max(map(len, pieces[1:])) <= widest_row + 1 < len(text) // 20


def test_the_pieces_of_an_empty_engine_and_of_hostile_names_are_the_whole_document():
    assert "".join(chunks(SignalEngine(), T0)) == dumps(SignalEngine(), T0)
    engine = SignalEngine()
    hostile = '\x1b]0;PWNED\x07T-USDT-SWAP\u202e"\\,]}'
    engine.update(T0, [Quote("okx", hostile, "\u00e9\u20ac\U0001f600", "USDT", 0.0001, 8.0)])
    k = engine._keys["okx"][hostile]
    k.oi, k.bsum, k.ex_price = math.nan, math.inf, -math.inf
    text = "".join(chunks(engine, T0))
    assert text == dumps(engine, T0) and text.isascii()
    again = decode(json.loads(text), engine.config)
    assert exact_state(again.engine) == exact_state(engine)


def test_a_state_of_another_version_or_other_thresholds_is_not_used():
    engine, _, at = busy_engine()
    data = encode(engine, at)
    assert decode(dict(data, version=2), engine.config) is None
    assert decode(dict(data, version=3), engine.config) is None  # open interest in USD
    assert decode(dict(data, version=4), engine.config) is None  # last-two-samples velocity
    assert decode(dict(data, version=6, markets="anything"), engine.config) is None
    assert decode(data, SignalConfig(spread_8h=0.001)) is None
    fewer = dict(data, config={k: v for k, v in data["config"].items() if k != "spread_8h"})
    assert decode(fewer, engine.config) is None


def _spoil(path: str, value):
    """A valid state with the value at ``path`` (dot-separated keys and indexes)
    replaced; ``value`` a function of the old value."""

    def apply(data):
        data = copy.deepcopy(data)
        *parents, last = [int(p) if p.lstrip("-").isdigit() else p for p in path.split(".")]
        node = data
        for p in parents:
            node = node[p]
        node[last] = value(node[last])
        return data

    return apply


RING = 2 + FIELD_NAMES.index("ring_sum")
RING_N = 2 + FIELD_NAMES.index("ring_n")
SP_HI = 2 + FIELD_NAMES.index("sp_hi")
BUCKET = 2 + FIELD_NAMES.index("bucket")
LAST_R8 = 2 + FIELD_NAMES.index("last_r8")
LAST_T = 2 + FIELD_NAMES.index("last_t")
BASE = 2 + FIELD_NAMES.index("base")
SIGN = 2 + FIELD_NAMES.index("ex_sign")
COUNT = 2 + FIELD_NAMES.index("bcount")
OIQ = 2 + FIELD_NAMES.index("oiq")


def _short(b64: str) -> str:
    return base64.b64encode(base64.b64decode(b64)[:-8]).decode()


SPOILED = {
    "not an object": lambda d: [d],
    "no format": lambda d: {k: v for k, v in d.items() if k != "format"},
    "version as text": _spoil("version", lambda v: "3"),
    "config value NaN": _spoil("config.spread_8h", lambda v: math.nan),
    "config value text": _spoil("config.spread_8h", lambda v: "0.0005"),
    "fields renamed": _spoil("fields.0", lambda v: "basis"),
    "at_ms missing": lambda d: {k: v for k, v in d.items() if k != "at_ms"},
    "at_ms float": _spoil("at_ms", float),
    "at_ms NaN": _spoil("at_ms", lambda v: math.nan),
    "at_ms huge": _spoil("at_ms", lambda v: 10**400),
    "at_ms true": _spoil("at_ms", lambda v: True),
    "markets an object": _spoil("markets", lambda v: {"binance": v}),
    "row too short": _spoil("markets.0", lambda v: v[:-1]),
    "row too long": _spoil("markets.0", lambda v: [*v, 0]),
    "venue a number": _spoil("markets.0.0", lambda v: 1),
    "base a number": _spoil(f"markets.0.{BASE}", lambda v: 5),
    "market twice": lambda d: dict(d, markets=[*d["markets"], d["markets"][0]]),
    "ring one slot short": _spoil(f"markets.0.{RING}", _short),
    "ring as a list": _spoil(f"markets.0.{RING}", lambda v: [0.0] * 96),
    "ring not base64": _spoil(f"markets.0.{RING}", lambda v: "*" + v[1:]),
    "counts one slot short": _spoil(
        f"markets.0.{RING_N}", lambda v: base64.b64encode(base64.b64decode(v)[:-4]).decode()
    ),
    "negative count": _spoil(
        f"markets.0.{RING_N}",
        lambda v: base64.b64encode(b"\xff\xff\xff\xff" + base64.b64decode(v)[4:]).decode(),
    ),
    "spike ring of the deviation's length": _spoil(
        f"markets.0.{SP_HI}", lambda v: base64.b64encode(bytes(8 * 96)).decode()
    ),
    "rate as text": _spoil(f"markets.0.{LAST_R8}", lambda v: str(v)),
    "rate beyond float range": _spoil(f"markets.0.{LAST_R8}", lambda v: math.inf),
    "rate NaN number": _spoil(f"markets.0.{LAST_R8}", lambda v: math.nan),
    "rate a huge integer": _spoil(f"markets.0.{LAST_R8}", lambda v: 10**30),
    "rate null": _spoil(f"markets.0.{LAST_R8}", lambda v: None),
    "rate a list": _spoil(f"markets.0.{LAST_R8}", lambda v: [v]),
    "rate true": _spoil(f"markets.0.{LAST_R8}", lambda v: True),
    "bucket a tag": _spoil(f"markets.0.{BUCKET}", lambda v: "nan"),
    "bucket NaN": _spoil(f"markets.0.{BUCKET}", lambda v: math.nan),
    "bucket null": _spoil(f"markets.0.{BUCKET}", lambda v: None),
    "time as text": _spoil(f"markets.0.{LAST_T}", lambda v: str(v)),
    "sign 2": _spoil(f"markets.0.{SIGN}", lambda v: 2),
    "count negative": _spoil(f"markets.0.{COUNT}", lambda v: -1),
    "count float": _spoil(f"markets.0.{COUNT}", float),
    "oi queue lengths differ": _spoil(f"markets.0.{OIQ}.0", lambda v: [*v, v[-1] + 1]),
    "oi queue as pairs": _spoil(f"markets.0.{OIQ}", lambda v: [[1, 2.0]]),
    "cooldown short": _spoil("cooldowns.0", lambda v: v[:3]),
    "cooldown venues text": _spoil("cooldowns.0.2", lambda v: "binance"),
    "cooldown time text": _spoil("cooldowns.0.3", lambda v: "soon"),
    "cooldowns an object": _spoil("cooldowns", lambda v: {}),
    "cooldown of no rule": _spoil("cooldowns.0.0", lambda v: "sector"),
    "cooldown of no venue": _spoil("cooldowns.0.2", lambda v: []),
    "cooldown of three venues": _spoil("cooldowns.0.2", lambda v: ["a", "b", "c"]),
    "oi queue past its lookback": _spoil(
        f"markets.0.{OIQ}", lambda v: [list(range(30)), base64.b64encode(bytes(8 * 30)).decode()]
    ),
}


@pytest.fixture(scope="module")
def valid():
    engine, _, at = busy_engine()
    data = json.loads(dumps(engine, at))
    assert data["markets"][0][2 + FIELD_NAMES.index("oiq")][0]  # has open interest
    return engine.config, data


@pytest.mark.parametrize("how", sorted(SPOILED))
def test_anything_but_a_valid_state_is_refused_with_a_reason(valid, how):
    config, data = valid
    assert decode(data, config) is not None  # the unspoiled state is fine
    with pytest.raises(StateError) as e:
        decode(SPOILED[how](data), config)
    assert str(e.value) and "\n" not in str(e.value)


def test_the_reason_names_where_but_not_the_venue_strings(valid):
    config, data = valid
    data = copy.deepcopy(data)
    data["markets"][3][0] = "\x1b]0;PWNED\x07"
    data["markets"][3][RING] = "AAAA"
    with pytest.raises(StateError, match=r"^market 3: ring_sum: 3 bytes, expected 768"):
        decode(data, config)


@pytest.mark.parametrize("module", [signal_state, signal_state_values])
def test_the_codec_is_pure(module):
    tree = ast.parse(Path(module.__file__).read_text())
    names = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    names |= {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    assert not names & {
        "pickle",
        "marshal",
        "shelve",
        "os",
        "io",
        "pathlib",
        "textual",
        "sqlite3",
        "time",
        "datetime",
    }
