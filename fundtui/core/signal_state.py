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
a change of meaning needs a new ``VERSION``. Each value's encoder and strict
decoder, by kind, are in ``signal_state_values``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from fundtui.core.signal_state_values import (
    MAX_INT,
    StateError,
    _count,
    _dec_counts,
    _dec_f64s,
    _dec_oiq,
    _enc_counts,
    _enc_f64s,
    _enc_float,
    _enc_oiq,
    _enc_opt_float,
    _float,
    _int,
    _kind,
    _list,
    _opt_float,
    _opt_time,
    _same,
    _sign,
    _str,
    _time,
)
from fundtui.core.signal_types import RULES, SignalConfig
from fundtui.core.signals import BUCKET_MS, SignalEngine, _Key

FORMAT = "fundtui signal state"
#: 1 and 2 were pickles (never read); 3 the first JSON layout (open interest in USD,
#: no window coverage, no EMA history: read as another version, so history is
#: replayed); 4 with a last-two-samples velocity per market; 5 this one (the
#: velocity is worked out from the quarter-hour ring when a hit needs it).
VERSION = 5

__all__ = [
    "FIELD_NAMES",
    "FORMAT",
    "MARKET_FIELDS",
    "MAX_INT",
    "NOT_SAVED",
    "VERSION",
    "Restored",
    "StateError",
    "chunks",
    "config_data",
    "decode",
    "dumps",
    "encode",
]


def config_data(config: SignalConfig) -> dict[str, float | str]:
    """The thresholds (and the EMA threshold's mode, a word) as a JSON object."""
    return {f.name: getattr(config, f.name) for f in fields(config)}


# --- a market's state ------------------------------------------------------------------

_W = "window"  # decoders that take the deviation window's length
_SW = "spike window"
_OI = "oi entries"  # the most entries the open-interest queue can hold
_EH = "ema history"  # periods of |divergence| history

#: (slot, encode, decode) of every saved slot of _Key, in the file's order.
#: Not saved: ``venue`` (the row's), ``q`` and ``m`` (set only during an update).
MARKET_FIELDS: tuple[tuple[str, Callable[[Any], Any], Any], ...] = (
    ("base", _same, _str),
    ("last_t", _same, _opt_time),
    ("last_r8", _enc_float, _float),
    ("last_mark", _enc_opt_float, _opt_float),
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
    ("dev_from", _same, _time),
    ("sp_from", _same, _time),
    ("ema_n", _same, _count),
    ("ema_thr", _enc_float, _float),
    ("ph", _enc_float, _float),
    ("pl", _enc_float, _float),
    ("ema_hist", _enc_f64s, (_dec_f64s, _EH)),
    ("ema_hist_p", _same, _time),
    ("pm_sum", _enc_float, _float),
    ("pm_n", _same, _count),
    ("pm_from", _same, _time),
    ("pm_ok", _enc_float, _float),
)
FIELD_NAMES = [name for name, _, _ in MARKET_FIELDS]
NOT_SAVED = ("venue", "q", "m", "ema_sorted")


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
    cooldowns = [
        [rule, base, list(venues), t] for (rule, base, venues), t in engine._last_hit.items()
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": config_data(engine.config),
        "at_ms": at_ms,
        "fields": FIELD_NAMES,
        "cooldowns": cooldowns,
    }


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
        if name == "ema_threshold_mode" and value.__class__ is str:
            continue
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
    engine._keys = _markets(
        data.get("markets"),
        {
            _W: engine._dev_buckets,
            _SW: engine._spike_buckets,
            _OI: oi_most,
            _EH: engine._hist_len,
        },
    )
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
        k.ema_sorted = sorted(v for v in k.ema_hist if v == v)  # NaN: an empty period
        by_symbol[symbol] = k
    return keys
