"""Packed blocks: one market's samples of a span (an hour, six hours, a week) as one blob.

A packed block (version 2) is ``zlib`` (or, marked by a first byte 3, raw
LZMA2) of a column layout: the sample count,
then per column a presence byte (none / all / one byte per sample) and the
present values. Every value reads back exactly as recorded, bit for bit:

- times and ``next_funding_ms - at_ms`` are integers: the first one, then
  zigzag deltas at the narrowest byte width that holds them, byte-planed (all
  first bytes, then all second bytes...), so a steady 30 s refresh or an
  unchanged next-funding time costs next to nothing;
- a float column is stored as integers in units of 10**-e when every value is
  a decimal of at most ``MAX_DECIMALS`` places (what venues send as text:
  "0.00013062", "93902.89680851"; checked value by value, ``n / 10**e == v``),
  delta-coded as above, else as XOR-ed float bits;
- the index price, when both it and the mark are decimals, as ``index - mark``
  in shared units (the basis moves far less than either price);
- open interest as ``oi / mark`` when that quotient times the mark gives the
  value back bit for bit (gate and hyperliquid send contracts or coins and the
  feed multiplies by the mark), or predicted from the previous value scaled by
  the mark's move (bybit sends coins x mark, rounded to cents), whichever
  compresses smaller;
- the premium only when it cannot be recomputed from mark and index (the
  venue's own figure).

Blocks of the earlier layout (version 1: rate in 1e-10 units, float32 index
and open interest) still read, and are rewritten in version 2 whenever
``compact`` repacks them.

Pure functions of bytes and rows: no SQLite, no file (a malformed block raises
``sqlite3.DatabaseError``, which the store reports as ``HistoryError``).
"""

from __future__ import annotations

import lzma
import math
import sqlite3
import struct
import zlib
from array import array

from fundtui.store.history.columns import (
    TEN,
    dec_floats,
    dec_ints,
    enc_floats,
    enc_ints,
    scaled,
    unshuffle,
)
from fundtui.store.history.schema import Row

_BLOCK_VERSION = 2
_V1_FIELDS = (
    ("q", 8),
    ("q", 8),
    ("d", 8),
    ("q", 8),
    ("d", 8),
    ("f", 4),
    ("d", 8),
    ("d", 8),
    ("f", 4),
)
_V1_RATE_SCALE = 1e10
#: First byte of an LZMA block (a zlib stream's first byte always ends in 0x8).
_LZMA_TAG = 3
#: LZMA2 with a 64 KB dictionary (blocks are a few KB; compressing needs ~1 MB,
#: not the ~90 MB of the default preset) and no position bits (the columns are
#: byte-planed, so byte position says nothing).
_LZMA_FILTERS = [
    {"id": lzma.FILTER_LZMA2, "preset": 6, "dict_size": 1 << 16, "lc": 3, "lp": 0, "pb": 0}
]


def _enc_index(idx: list[float], mark: list[float | None]) -> bytes:
    """The index price: as ``index - mark`` in shared decimal units when both are
    decimals (the basis moves far less than either price), else on its own."""
    plain = enc_floats(idx)
    if None in mark:
        return plain
    both = scaled(idx + mark)  # type: ignore[operator]
    if both is None:
        return plain
    e, ints = both
    n = len(idx)
    try:
        basis = (
            b"B" + bytes((e,)) + enc_ints([a - b for a, b in zip(ints[:n], ints[n:], strict=True)])
        )
    except OverflowError:  # differences past 64 bits: not prices
        return plain
    return basis if len(zlib.compress(basis, 1)) < len(zlib.compress(plain, 1)) else plain


def _predict(prev: int, mark_prev: float, mark: float) -> int:
    """``prev`` moved with the mark; the same float steps on both sides, so exact."""
    return round(prev * (mark / mark_prev))


def _enc_oi(oi: list[float], mark: list[float | None]) -> bytes:
    """Open interest: as ``oi / mark`` when that quotient times the mark gives the
    value back bit for bit (gate and hyperliquid send contracts or coins, and the
    feed multiplies by the mark, so the quotient is what the venue sent and
    changes only when positions do), else on its own."""
    plain = enc_floats(oi)
    if None in mark or 0.0 in mark:
        return plain
    best = plain
    sc = scaled(oi) if plain[:1] == b"D" else None
    if sc is not None and len(oi) > 1:
        # bybit sends the value (coins x mark, rounded): predict each from the one
        # before scaled by the mark's move, and store what the prediction missed
        e, ints = sc
        acc = [ints[0]]
        total = ints[0]
        try:
            for k in range(1, len(ints)):
                total += ints[k] - _predict(ints[k - 1], mark[k - 1], mark[k])  # type: ignore[arg-type]
                acc.append(total)
            pred = b"P" + bytes((e,)) + enc_ints(acc)
        except (ArithmeticError, ValueError, struct.error):  # inf/NaN marks, past int64
            pred = None
        if pred is not None and len(zlib.compress(pred, 1)) < len(zlib.compress(plain, 1)):
            best = pred
    qs = []
    for o, m in zip(oi, mark, strict=True):
        q = o / m  # type: ignore[operator]
        if q * m != o:  # type: ignore[operator]
            for c in (math.nextafter(q, math.inf), math.nextafter(q, -math.inf)):
                if c * m == o:  # type: ignore[operator]
                    q = c
                    break
            else:
                return best
        qs.append(q)
    ratio = b"R" + enc_floats(qs)
    return ratio if len(zlib.compress(ratio, 1)) < len(zlib.compress(best, 1)) else best


def _pack(rows: list[Row], start_ms: int, dense: bool = False) -> bytes:
    """Encode rows (sorted by time, distinct times) of one market into a block.

    ``dense``: LZMA instead of zlib, about 8-12 % smaller; its compression is
    four times zlib's, though a whole pack of a six-hour block (720 samples)
    costs only ~6 % more, the column encoding being most of it (reading costs
    the same): for the six-hour blocks, rewritten once an hour, not the hour
    blocks rewritten every ``COMPACT_EVERY_MS``.

    Layout (version 2), zlib-compressed: version byte, sample count, then per
    column a presence byte (0 none, 1 all, 2 followed by one byte per sample)
    and the present values. Times and ``next_funding_dt`` are integers; the
    other columns are floats stored exactly (see ``enc_floats``), the index
    and open interest possibly against the mark; the premium only when it
    cannot be recomputed from mark and index (the venue's own figure).
    """
    n = len(rows)
    cols = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(8)]
    at = cols[0]
    mark = cols[4]
    cols[0] = [a - start_ms for a in at]
    cols[6] = [
        None if m is not None and i else p for m, i, p in zip(mark, cols[5], cols[6], strict=True)
    ]
    parts = [struct.pack("<BI", _BLOCK_VERSION, n)]
    for ci, values in enumerate(cols):
        present = [v for v in values if v is not None]
        if not present:
            parts.append(b"\0")
            continue
        if len(present) == n:
            parts.append(b"\1")
            marks = mark
        else:
            parts.append(b"\2" + bytes(v is not None for v in values))
            marks = [m for m, v in zip(mark, values, strict=True) if v is not None]
        if ci in (0, 3):
            parts.append(enc_ints(present))
        elif ci == 5:
            parts.append(_enc_index(present, marks))
        elif ci == 7:
            parts.append(_enc_oi(present, marks))
        else:
            parts.append(enc_floats(present))
    if dense:
        return bytes((_LZMA_TAG,)) + lzma.compress(
            b"".join(parts), format=lzma.FORMAT_RAW, filters=_LZMA_FILTERS
        )
    return zlib.compress(b"".join(parts), 9)


def _unpack(blob: bytes, start_ms: int) -> list[Row]:
    if blob[:1] == bytes((_LZMA_TAG,)):
        data = lzma.decompress(blob[1:], format=lzma.FORMAT_RAW, filters=_LZMA_FILTERS)
    else:
        data = zlib.decompress(blob)
    version, n = struct.unpack_from("<BI", data)
    if version == 1:
        return _unpack_v1(data, n, start_ms)
    if version != _BLOCK_VERSION:
        raise sqlite3.DatabaseError(f"unknown packed block version {version}")
    pos = 5
    cols: list[list] = []
    values: list  # ints, floats or None per column; the rows mix them by field
    for ci in range(8):
        kind = data[pos]
        pos += 1
        if kind == 0:
            cols.append([None] * n)
            continue
        present = None
        k = n
        if kind == 2:
            present = data[pos : pos + n]
            pos += n
            k = sum(present)
        if ci in (0, 3):
            values, pos = dec_ints(data, pos, k)
        elif ci == 7 and data[pos] == 80:  # P: oi predicted from the mark's move
            scale = TEN[data[pos + 1]]
            acc, pos = dec_ints(data, pos + 2, k)
            marks = (
                cols[4]
                if present is None
                else [m for m, p in zip(cols[4], present, strict=True) if p]
            )
            ints = [acc[0]]
            for j in range(1, k):
                ints.append(acc[j] - acc[j - 1] + _predict(ints[j - 1], marks[j - 1], marks[j]))
            values = [v / scale for v in ints]
        elif ci in (5, 7) and data[pos] in (66, 82):  # B: index - mark; R: oi / mark
            tag = data[pos]
            marks = (
                cols[4]
                if present is None
                else [m for m, p in zip(cols[4], present, strict=True) if p]
            )
            if tag == 66:
                e = data[pos + 1]
                diffs, pos = dec_ints(data, pos + 2, k)
                scale = TEN[e]
                values = [(round(m * scale) + d) / scale for m, d in zip(marks, diffs, strict=True)]
            else:
                qs, pos = dec_floats(data, pos + 1, k)
                values = [q * m for q, m in zip(qs, marks, strict=True)]
        else:
            values, pos = dec_floats(data, pos, k)
        if present is not None:
            it = iter(values)
            values = [next(it) if p else None for p in present]
        cols.append(values)
    out = []
    for dt, rate, iv, nf, mark, idx, prem, oi in zip(*cols, strict=True):
        if mark is not None and idx:
            prem = (mark - idx) / idx
        out.append((start_ms + dt, rate, iv, nf, mark, idx, prem, oi))
    return out


def _unpack_v1(data: bytes, n: int, start_ms: int) -> list[Row]:
    """Blocks written before version 2 (rate in 1e-10 units, float32 index and OI)."""
    pos = 5
    cols: list[list] = []
    for code, size in _V1_FIELDS:
        present = data[pos : pos + n]
        pos += n
        k = sum(present)
        values = array(code)
        values.frombytes(unshuffle(data[pos : pos + k * size], size))
        pos += k * size
        if k == n:
            cols.append(values.tolist())
        else:
            it = iter(values.tolist())
            cols.append([next(it) if p else None for p in present])
    out = []
    at = start_ms
    for dt, rate, iv, nf, mark, rel, idx_abs, prem, oi in zip(*cols, strict=True):
        at += dt
        idx = idx_abs if rel is None else mark * (1.0 + rel)
        if mark is not None and idx:
            prem = (mark - idx) / idx
        out.append(
            (at, None if rate is None else rate / _V1_RATE_SCALE, iv, nf, mark, idx, prem, oi)
        )
    return out


#: Significant digits open interest is recorded with (see ``_oi_digits``).
OI_DIGITS = 8


def _oi_digits(oi: float | None) -> float | None:
    """Open interest to ``OI_DIGITS`` significant digits (within 0.000005 %).

    Venues report open interest in contracts or coins that the feeds multiply by
    the mark, so the dollar figure carries 15-17 digits of which the last ones
    are the product's, and every refresh moves them: kept exactly they were a
    third of the file. Eight digits keep every change of one part in 10**7, far
    below anything shown (three or four digits) or tested (the 5 % of
    oi_regime). Everything else is stored exactly as the venue sent it.
    """
    if oi is None or oi == 0 or not math.isfinite(oi):
        return oi
    return float(f"{oi:.{OI_DIGITS}g}")
