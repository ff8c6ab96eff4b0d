"""How a funding rate is written for people: one rule for the board, the detail
view and the headless commands.

A rate is a fraction per some period (0.0001 = 0.01 % per 8 h). Written with a
fixed four decimals of a percent, hourly rates lose their digits: hyperliquid's
base 0.00125 %/h showed ``0.0013%``, and eight times that reads 0.0104 where the
8h-equivalent is 0.0100. So a rate gets at least :data:`SIGNIFICANT` significant
digits: four decimals of a percent as before (0.0100 %, 1.2345 %), more for a
smaller rate (0.00125 %, 0.000125 %), never more than :data:`RATE_MOST` decimals
(a rate under 0.0001 % shows fewer digits: at 0.0001 %/h that is 0.9 % APR, and
the column stays bounded). An APR gets two decimals under 100 % (12.34 %), one
under 1000 % (123.4 %), none above (1234 %), and more under 1 % (0.876 %), up to
:data:`APR_MOST`.

Every figure is rounded half away from zero on the decimal a person reads
(``fundtui.core.numbers.fixed``): 5.475 % is ``5.48%`` and -5.475 % is ``-5.48%``.
"""

from __future__ import annotations

from fundtui.core.numbers import decimals_for, fixed

SIGNIFICANT = 3
#: Decimals of a percent for a rate per interval, per hour or per 8 h.
RATE_LEAST = 4
RATE_MOST = 6
#: Most decimals of a percent for an APR under 1 %.
APR_MOST = 4
#: At and above these, four decimals already give three significant digits
#: (0.00995 % rounds to 0.0100 %); the common case skips the digit count.
_RATE_PLAIN = 0.0000995
_APR_PLAIN = 0.00995


def pct(x: float, decimals: int = 4) -> str:
    """``x`` (a fraction) as a percent with ``decimals`` decimals, never ``-0.0000%``."""
    return fixed(x, decimals, shift=2) + "%"


def signed_pct(x: float, decimals: int = 3) -> str:
    """:func:`pct` with a ``+`` on anything that does not show a ``-``."""
    s = pct(x, decimals)
    return s if s[0] == "-" else "+" + s


def rate_decimals(x: float, most: int = RATE_MOST) -> int:
    """Decimals of a percent that give the rate ``x`` three significant digits,
    between :data:`RATE_LEAST` and ``most``."""
    if abs(x) >= _RATE_PLAIN or most <= RATE_LEAST:
        return RATE_LEAST
    return decimals_for(x, SIGNIFICANT, RATE_LEAST, most, shift=2)


def rate_pct(x: float, most: int = RATE_MOST) -> str:
    """A rate per interval, per hour or per 8 h: ``0.0100%``, ``0.00125%``."""
    return fixed(x, rate_decimals(x, most), shift=2) + "%"


def signed_rate_pct(x: float, most: int = RATE_MOST) -> str:
    """:func:`rate_pct` with a ``+`` on anything that does not show a ``-``."""
    s = rate_pct(x, most)
    return s if s[0] == "-" else "+" + s


def apr_decimals(x: float, most: int = APR_MOST) -> int:
    """2 under 100 %, 1 under 1000 %, 0 above (as rounded); more under 1 %, to ``most``."""
    a = abs(x)
    if a >= 9.9995:  # 999.95 % and up shows as 1000 % or more
        return 0
    if a >= 0.99995:
        return 1
    if a >= _APR_PLAIN or most <= 2:
        return 2
    return decimals_for(x, SIGNIFICANT, 2, most, shift=2)


def apr_pct(x: float, most: int = APR_MOST) -> str:
    """An APR: ``12.34%``, ``123.4%``, ``1234%``, ``0.876%``."""
    return fixed(x, apr_decimals(x, most), shift=2) + "%"
