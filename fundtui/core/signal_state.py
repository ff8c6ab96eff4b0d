"""The signal engine's state as plain data, and back: exact, and unable to run anything.

A restart continues where the engine stopped only if every rolling value comes
back as it was, bit for bit. JSON numbers written with ``repr`` round-trip a
float exactly; infinities and NaN (the empty slots of the spike window, the
EMA's open bounds) are not JSON, so they are written as the strings ``"inf"``,
``"-inf"`` and ``"nan"``. The quarter-hour rings are base64 of their float64
values in little-endian order (the byte count checked on load); the rings of
sample counts, small integers, are plain lists.

Reading is strict: anything not of the exact shape this version writes (a wrong
type, a ring not as long as the configured window, a number beyond range, a
string where a number belongs) raises :class:`StateError`, and nothing of it is
used. A state of another version, or built with other thresholds, is no error:
:func:`decode` returns None and the caller replays history instead.

The layout of :class:`~fundtui.core.signals._Key` is spelled out in
``MARKET_FIELDS``; a slot added there without a field here fails the tests, and
a change of meaning needs a new ``VERSION``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from fundtui.core.signal_types import RULES, SignalConfig
from fundtui.core.signals import BUCKET_MS, SignalEngine, _Key

FORMAT = "fundtui signal state"
#: 1 and 2 were pickles (never read); 3 is this JSON layout.
VERSION = 3
#: Integers beyond this are not from the engine (times are ~2**41 ms).
MAX_INT = 2**62
_TAGS = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


class StateError(ValueError):
    """The data is not a state this version wrote; ``str()`` says where and why."""


def config_data(config: SignalConfig) -> dict[str, float]:
    """The thresholds as a JSON object."""
    return {f.name: getattr(config, f.name) for f in fields(config)}


# --- one value each way, by kind ---------------------------------------------------

def _enc_float(x: float) -> float | str:
    if x.__class__ is int or math.isfinite(x):
        return x
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


def _enc_opt_float(x: float | None) -> float | str | None:
    return None if x is None else _enc_float(x)


def _enc_f64s(a: array | list[float]) -> str:
    """float64 values, little-endian, in base64: exact and about 11 characters each."""
    a = array("d", a)
    if sys.byteorder == "big":
        a.byteswap()
    return base64.b64encode(a.tobytes()).decode("ascii")


def _enc_counts(a: array) -> str:
    """Sample counts as int32, little-endian, in base64 (a long is 4 or 8 bytes by
    platform; a count never needs more than 4)."""
    a = array("i", a)
    if sys.byteorder == "big":
        a.byteswap()
    return base64.b64encode(a.tobytes()).decode("ascii")


def _enc_oiq(q: list[tuple[int, float]]) -> list:
    """The open-interest queue as [times, values]: whole times as JSON numbers, the
    values as float64 (written as JSON numbers they would cost 5 times the time)."""
    return [[t for t, _ in q], _enc_f64s([v for _, v in q])]


def _same(x: Any) -> Any:
    return x


def _int(x: Any) -> int:
    if x.__class__ is not int or not -MAX_INT <= x <= MAX_INT:
        raise StateError(f"expected a whole number, got {_kind(x)}")
    return x


def _count(x: Any) -> int:
    if x.__class__ is not int or not 0 <= x <= MAX_INT:
        raise StateError(f"expected a count, got {_kind(x)}")
    return x


def _sign(x: Any) -> int:
    if x.__class__ is not int or x not in (-1, 0, 1):
        raise StateError(f"expected -1, 0 or 1, got {_kind(x)}")
    return x


def _time(x: Any) -> float:
    """A time or an index derived from one: whole, or a finite float when a venue
    gave fractional interval hours."""
    c = x.__class__
    if c is int:
        if -MAX_INT <= x <= MAX_INT:
            return x
    elif c is float and math.isfinite(x) and abs(x) <= MAX_INT:
        return x
    raise StateError(f"expected a whole number, got {_kind(x)}")


def _opt_time(x: Any) -> float | None:
    return None if x is None else _time(x)


def _float(x: Any) -> float:
    if x.__class__ is float:
        if math.isfinite(x):  # a JSON number beyond float range reads as inf: not written
            return x
    elif x.__class__ is int:
        if -MAX_INT <= x <= MAX_INT:
            return x
    elif x.__class__ is str and x in _TAGS:
        return _TAGS[x]
    raise StateError(f"expected a number, got {_kind(x)}")


def _opt_float(x: Any) -> float | None:
    return None if x is None else _float(x)


def _str(x: Any) -> str:
    if x.__class__ is not str:
        raise StateError(f"expected text, got {_kind(x)}")
    return x


def _list(x: Any, n: int | None = None) -> list:
    if x.__class__ is not list or (n is not None and len(x) != n):
        raise StateError(f"expected a list{'' if n is None else f' of {n}'}, got {_kind(x)}")
    return x


def _unpack(x: Any, typecode: str, n: int | None) -> array:
    """Base64 of little-endian items of ``typecode`` (4 or 8 bytes): ``n`` of them, or
    any number when ``n`` is None."""
    if x.__class__ is not str:
        raise StateError(f"expected base64 text, got {_kind(x)}")
    try:
        raw = base64.b64decode(x, validate=True)
    except (binascii.Error, ValueError):
        raise StateError("not base64") from None
    a = array(typecode)
    size = a.itemsize
    if (n is None and len(raw) % size) or (n is not None and len(raw) != size * n):
        expected = f"{size} per value" if n is None else f"{size * n} ({n} values)"
        raise StateError(f"{len(raw)} bytes, expected {expected}")
    a.frombytes(raw)
    if sys.byteorder == "big":
        a.byteswap()
    return a


def _dec_f64s(x: Any, n: int) -> array:
    return _unpack(x, "d", n)


def _dec_counts(x: Any, n: int) -> array:
    counts = _unpack(x, "i", n)
    if n and min(counts) < 0:
        raise StateError("a negative count")
    return array("l", counts)


def _dec_oiq(x: Any, most: int) -> list[tuple[float, float]]:
    times, values = _list(x, 2)
    times = list(map(_time, _list(times)))
    if len(times) > most:
        raise StateError(f"{len(times)} entries, more than the lookback's {most}")
    values = _unpack(values, "d", len(times))
    return list(zip(times, values, strict=True))


def _kind(x: Any) -> str:
    if x is None:
        return "null"
    if x.__class__ is float:
        if x != x:
            return "NaN"
        return repr(x) if math.isfinite(x) else "a number beyond float range"
    if x.__class__ is int:
        return repr(x) if abs(x) < 10**24 else f"a number of {x.bit_length()} bits"
    if x.__class__ is list:
        return f"a list of {len(x)}"
    return {str: "text", bool: "true/false", dict: "an object"}.get(x.__class__, "?")


# --- a market's state ------------------------------------------------------------------

_W = "window"  # decoders that take the deviation window's length
_SW = "spike window"
_OI = "oi entries"  # the most entries the open-interest queue can hold

#: (slot, encode, decode) of every saved slot of _Key, in the file's order.
#: Not saved: ``venue`` (the row's), ``q`` and ``m`` (set only during an update).
MARKET_FIELDS: tuple[tuple[str, Callable[[Any], Any], Any], ...] = (
    ("base", _same, _str),
    ("last_t", _same, _opt_time),
    ("last_r8", _enc_float, _float),
    ("last_mark", _enc_opt_float, _opt_float),
    ("velocity", _enc_opt_float, _opt_float),
    ("ring_sum", _enc_f64s, (_dec_f64s, _W)),
    ("ring_n", _enc_counts, (_dec_counts, _W)),
    ("bsum", _enc_float, _float),
    ("bcount", _same, _count),
    ("cur_sum", _enc_float, _float),
    ("cur_n", _same, _count),
    ("bucket", _same, _time),
    ("ema", _enc_opt_float, _opt_float),
    ("ema_period", _same, _time),
    ("ema_streak", _same, _count),
    ("ema_streak_sign", _same, _sign),
    ("ema_up", _enc_float, _float),
    ("ema_dn", _enc_float, _float),
    ("sp_hi", _enc_f64s, (_dec_f64s, _SW)),
    ("sp_lo", _enc_f64s, (_dec_f64s, _SW)),
    ("chi", _enc_float, _float),
    ("clo", _enc_float, _float),
    ("hi", _enc_float, _float),
    ("lo", _enc_float, _float),
    ("oiq", _enc_oiq, (_dec_oiq, _OI)),
    ("oi_bucket", _same, _time),
    ("slot", _same, _time),
    ("slot_end", _same, _time),
    ("slot_ih", _enc_float, _float),
    ("ex_streak", _same, _count),
    ("ex_sign", _same, _sign),
    ("ex_price", _enc_opt_float, _opt_float),
    ("oi", _enc_opt_float, _opt_float),
    ("oi_t", _same, _time),
)
FIELD_NAMES = [name for name, _, _ in MARKET_FIELDS]
NOT_SAVED = ("venue", "q", "m")


# --- the whole engine ------------------------------------------------------------------

@dataclass(slots=True)
class Restored:
    engine: SignalEngine
    at_ms: int  # the last refresh the engine saw


def _rows(engine: SignalEngine) -> Iterator[list]:
    """Each market's row, JSON-ready, one at a time."""
    values = attrgetter(*FIELD_NAMES)
    convert = [(j, enc) for j, (_, enc, _) in enumerate(MARKET_FIELDS, 2) if enc is not _same]
    for venue, by_symbol in engine._keys.items():
        for symbol, k in by_symbol.items():
            row = [venue, symbol, *values(k)]
            for j, enc in convert:
                row[j] = enc(row[j])
            yield row


def _head(engine: SignalEngine, at_ms: int) -> dict[str, Any]:
    """Everything but the markets, in the file's order (the markets come last)."""
    cooldowns = [[rule, base, list(venues), t]
                 for (rule, base, venues), t in engine._last_hit.items()]
    return {"format": FORMAT, "version": VERSION, "config": config_data(engine.config),
            "at_ms": at_ms, "fields": FIELD_NAMES, "cooldowns": cooldowns}


def encode(engine: SignalEngine, at_ms: int) -> dict[str, Any]:
    """The engine's state as JSON-ready data (no non-finite floats in it)."""
    return {**_head(engine, at_ms), "markets": list(_rows(engine))}


def chunks(engine: SignalEngine, at_ms: int) -> Iterator[str]:
    """The text of :func:`dumps`, in pieces: the head, then one market row at a time.

    The whole state as one tree and then one string held some 17 MB at each save
    for a 5.6 MB file, and glibc kept the step; written piece by piece, a save
    holds about one row. Same bytes as ``dumps``: the markets are the last key of
    the object, and ``json`` encodes a list's items alone as it does inside it.
    """
    row = json.JSONEncoder(allow_nan=False, separators=(",", ":")).encode
    head = row(_head(engine, at_ms))
    yield head[:-1] + ',"markets":['
    sep = ""
    for r in _rows(engine):
        yield sep + row(r)
        sep = ","
    yield "]}"


def dumps(engine: SignalEngine, at_ms: int) -> str:
    return json.dumps(encode(engine, at_ms), allow_nan=False, separators=(",", ":"))


def decode(data: Any, config: SignalConfig) -> Restored | None:
    """An engine built with ``config`` in the state ``data`` holds.

    None when ``data`` is of another version or was built with other thresholds
    (not an error: replay instead); StateError when it is not a valid state.
    """
    if data.__class__ is not dict:
        raise StateError(f"expected an object, got {_kind(data)}")
    if data.get("format") != FORMAT:
        raise StateError("not a fundtui signal state")
    version = data.get("version")
    if version.__class__ is not int:
        raise StateError(f"version: expected a whole number, got {_kind(version)}")
    if version != VERSION:
        return None
    saved = data.get("config")
    if saved.__class__ is not dict:
        raise StateError("config: expected an object")
    for name, value in saved.items():
        if value.__class__ not in (int, float) or not math.isfinite(value):
            raise StateError(f"config: {_str(name)[:40]!r} is not a finite number")
    if saved != config_data(config):
        return None
    if data.get("fields") != FIELD_NAMES:
        raise StateError("fields: not the ones of this version")
    engine = SignalEngine(config)
    at_ms = _at("at_ms", _int, data.get("at_ms"))
    engine._last_hit = _cooldowns(data.get("cooldowns"))
    # one entry per quarter-hour, pruned to one at or before the lookback's start
    oi_most = math.ceil(engine._oi_ms / BUCKET_MS) + 4
    engine._keys = _markets(data.get("markets"),
                            {_W: engine._dev_buckets, _SW: engine._spike_buckets, _OI: oi_most})
    return Restored(engine, at_ms)


def _at(where: str, check: Callable[[Any], Any], value: Any) -> Any:
    try:
        return check(value)
    except StateError as e:
        raise StateError(f"{where}: {e}") from None


def _cooldowns(value: Any) -> dict[tuple[str, str, tuple[str, ...]], float]:
    out = {}
    for i, entry in enumerate(_at("cooldowns", _list, value)):
        key, t = _at(f"cooldown {i}", _cooldown, entry)
        out[key] = t
    return out


def _cooldown(entry: Any) -> tuple[tuple[str, str, tuple[str, ...]], float]:
    rule, base, venues, t = _list(entry, 4)
    if rule not in RULES:
        raise StateError("not a rule")
    venues = _list(venues)
    if not 1 <= len(venues) <= 2:  # one market's rule, or the spread's two legs
        raise StateError(f"{len(venues)} venues")
    return (rule, _str(base), tuple(_str(v) for v in venues)), _time(t)


def _markets(value: Any, sizes: dict[str, int]) -> dict[str, dict[str, _Key]]:
    decoders = []
    for name, _, dec in MARKET_FIELDS:
        if isinstance(dec, tuple):
            fn, size = dec
            n = sizes[size]
            decoders.append((name, lambda x, fn=fn, n=n: fn(x, n)))
        else:
            decoders.append((name, dec))
    width = 2 + len(decoders)
    keys: dict[str, dict[str, _Key]] = {}
    names: dict[str, str] = {}  # one object per distinct venue and base, as when running
    for i, row in enumerate(_at("markets", _list, value)):
        row = _at(f"market {i}", lambda r: _list(r, width), row)
        venue = names.setdefault(_at(f"market {i}: venue", _str, row[0]), row[0])
        symbol = _at(f"market {i}: symbol", _str, row[1])
        by_symbol = keys.setdefault(venue, {})
        if symbol in by_symbol:
            raise StateError(f"market {i}: listed twice")
        k = _Key.__new__(_Key)
        k.venue = venue
        k.q = None
        k.m = None
        name = ""
        try:
            for (name, dec), x in zip(decoders, row[2:], strict=True):
                setattr(k, name, dec(x))
        except StateError as e:
            raise StateError(f"market {i}: {name}: {e}") from None
        k.base = names.setdefault(k.base, k.base)
        by_symbol[symbol] = k
    return keys
