"""One value of the signal engine's state each way, by kind: exact out, strict back in.

JSON numbers written with ``repr`` round-trip a float exactly; infinities and
NaN are written as the strings ``"inf"``, ``"-inf"`` and ``"nan"``; float64
rings and the open-interest queue's values are base64 of little-endian float64,
sample counts of int32. Each decoder takes exactly what its encoder writes and
raises :class:`StateError` naming what it got for anything else. The layout of
a whole state is in ``signal_state``.
"""

from __future__ import annotations

import base64
import binascii
import math
import sys
from array import array
from typing import Any

#: Integers beyond this are not from the engine (times are ~2**41 ms).
MAX_INT = 2**62
_TAGS = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


class StateError(ValueError):
    """The data is not a state this version wrote; ``str()`` says where and why."""


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
