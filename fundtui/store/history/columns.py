"""Number columns to bytes and back, the pieces a packed block is made of.

- integers: the first as int64, then zigzag deltas at the narrowest byte width
  that holds them, byte-planed (all first bytes, then all second bytes...);
- floats: as integers in units of 10**-e when every value is a decimal of at
  most ``MAX_DECIMALS`` places (checked value by value, ``n / 10**e == v``),
  delta-coded as integers, else as XOR-ed float bits.

Every value reads back exactly, bit for bit. The block layout that strings the
columns together is ``codec.py``'s. A malformed column raises ``sqlite3.DatabaseError``, as a
malformed block does.
"""

from __future__ import annotations

import math
import sqlite3
import struct
from array import array
from itertools import accumulate

#: Largest decimal exponent tried for a column (okx sends rates with 16 decimals).
MAX_DECIMALS = 18
WIDTH_CODE = {1: "B", 2: "H", 4: "I", 8: "Q"}
#: Powers of ten as floats: exact up to 10**22, so ``n / TEN[e]`` is correctly rounded.
TEN = tuple(10.0**e for e in range(MAX_DECIMALS + 1))


def shuffle(data: bytes, size: int) -> bytes:
    return b"".join(data[i::size] for i in range(size)) if size > 1 else data


def unshuffle(data: bytes, size: int) -> bytes:
    if size <= 1:
        return data
    out = bytearray(len(data))
    n = len(data) // size
    for i in range(size):
        out[i::size] = data[i * n : (i + 1) * n]
    return bytes(out)


def enc_ints(values: list[int]) -> bytes:
    """Integers: the first as int64, then zigzag deltas at the narrowest width, byte-planed.

    A constant column (every delta zero) costs nine bytes; one that moves by a
    few units a sample costs one byte a value before compression.
    """
    first = values[0]
    zz = []
    prev = first
    for v in values[1:]:
        d = v - prev
        prev = v
        zz.append(d << 1 if d >= 0 else (-d << 1) - 1)
    top = max(zz, default=0)
    width = (
        0
        if top == 0
        else 1
        if top < 1 << 8
        else 2
        if top < 1 << 16
        else (4 if top < 1 << 32 else 8)
    )
    head = struct.pack("<qB", first, width)
    if not width:
        return head
    return head + shuffle(array(WIDTH_CODE[width], zz).tobytes(), width)


def dec_ints(data: bytes, pos: int, n: int) -> tuple[list[int], int]:
    first, width = struct.unpack_from("<qB", data, pos)
    pos += 9
    if not width:
        return [first] * n, pos
    k = (n - 1) * width
    zz = array(WIDTH_CODE[width])
    zz.frombytes(unshuffle(data[pos : pos + k], width))
    pos += k
    return list(accumulate([(z >> 1) ^ -(z & 1) for z in zz], initial=first)), pos


def decimals(v: float) -> int:
    """Decimal places of the shortest text that reads back as ``v`` (``repr``)."""
    r = repr(v)
    mant, _, exp = r.partition("e")
    places = len(mant.partition(".")[2].rstrip("0"))
    return max(places - int(exp), 0) if exp else places


def scaled(values: list[float]) -> tuple[int, list[int]] | None:
    """``(e, ints)`` with ``ints[i] / 10**e == values[i]`` exactly for every value, or None.

    ``e`` is the most decimal places any value needs (from its shortest repr),
    so numbers a venue sent as decimal text ("0.00013062", "93902.89680851")
    become small integers; anything else (NaN, -0.0, computed products,
    magnitudes past 2**62) is refused and stored as float bits instead.
    """
    # Guess from three values, then check all; a value needing more places fails
    # the check, and only then is every distinct value's repr read.
    e = max(decimals(values[0]), decimals(values[-1]), decimals(values[len(values) // 2]))
    got = scale_exactly(values, e)
    if got is None:
        e2 = max(map(decimals, set(values)))
        if e2 > e:
            got = scale_exactly(values, e2)
            e = e2
    return None if got is None else (e, got)


def scale_exactly(values: list[float], e: int) -> list[int] | None:
    if e > MAX_DECIMALS:
        return None
    scale = TEN[e]
    ints: list[int] = []
    for v in values:
        if not -4e18 < v * scale < 4e18:
            return None
        n = round(v * scale)
        if n / scale != v or (not n and math.copysign(1.0, v) < 0):
            return None
        ints.append(n)
    return ints


def enc_floats(values: list[float]) -> bytes:
    """Floats exactly: as decimal integers when they are decimals, else XOR-ed float bits."""
    sc = scaled(values)
    if sc is not None:
        return b"D" + bytes((sc[0],)) + enc_ints(sc[1])
    bits = array("Q", array("d", values).tobytes())
    xs = array("Q", bits)
    for i in range(len(bits) - 1, 0, -1):
        xs[i] ^= bits[i - 1]
    return b"X" + shuffle(xs.tobytes(), 8)


def dec_floats(data: bytes, pos: int, n: int) -> tuple[list[float], int]:
    tag = data[pos]
    if tag == 68:  # D
        scale = TEN[data[pos + 1]]
        ints, pos = dec_ints(data, pos + 2, n)
        return [v / scale for v in ints], pos
    if tag != 88:  # X
        raise sqlite3.DatabaseError(f"unknown packed column tag {tag}")
    xs = array("Q")
    xs.frombytes(unshuffle(data[pos + 1 : pos + 1 + 8 * n], 8))
    for i in range(1, n):
        xs[i] ^= xs[i - 1]
    return array("d", xs.tobytes()).tolist(), pos + 1 + 8 * n
