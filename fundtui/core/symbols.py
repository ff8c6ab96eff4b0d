"""Base-asset normalization across venues.

Venues list low-priced coins in bundles: Binance and Bybit's ``1000PEPE`` is a
contract on 1,000 PEPE, Hyperliquid calls the same thing ``kPEPE``, and there are
``1000000MOG``, ``1MBABYDOGE``, ``10000SATS`` and Bybit's ``SHIB1000``. Funding
rates are per unit of notional, so they compare directly; prices differ by the
multiplier, which is kept so a price can be brought back to one coin.
"""

from __future__ import annotations

import re

# A leading power of ten of at least 100 ("100", "1000", ... "1000000"), or a
# 1M / 1K shorthand, followed by the real ticker. "1INCH" stays as it is: a bare
# "1" is part of that name, not a multiplier; the ticker after a prefix has at least
# two characters, so "100X" stays a name.
_NUMERIC_PREFIX = re.compile(r"^(1(?:0{2,9}))([A-Z][A-Z0-9]+)$")
# Bybit also bundles with a suffix of 1000 or more: "SHIB1000" is 1,000 SHIB.
_NUMERIC_SUFFIX = re.compile(r"^([A-Z][A-Z]+)(1(?:0{3,9}))$")
_SHORT_PREFIX = re.compile(r"^1([MK])([A-Z][A-Z0-9]*)$")
_LOWER_K_PREFIX = re.compile(r"^k([A-Z][A-Z0-9]*)$")

_SHORTHAND = {"K": 1_000, "M": 1_000_000}


def split_base(raw: str) -> tuple[str, int]:
    """Return ``(base, multiplier)`` for a venue's base asset name.

    >>> split_base("1000PEPE")
    ('PEPE', 1000)
    >>> split_base("kPEPE")
    ('PEPE', 1000)
    >>> split_base("1MBABYDOGE")
    ('BABYDOGE', 1000000)
    >>> split_base("SHIB1000")
    ('SHIB', 1000)
    >>> split_base("1INCH")
    ('1INCH', 1)

    The lowercase ``k`` prefix is Hyperliquid's; an uppercase leading K (KAVA,
    KSM) is part of the name. Pass the venue's own spelling, not an upper-cased one.
    """
    name = raw.strip()
    if m := _LOWER_K_PREFIX.match(name):
        return m.group(1), 1_000
    name = name.upper()
    if m := _NUMERIC_PREFIX.match(name):
        return m.group(2), int(m.group(1))
    if m := _NUMERIC_SUFFIX.match(name):
        return m.group(1), int(m.group(2))
    if m := _SHORT_PREFIX.match(name):
        return m.group(2), _SHORTHAND[m.group(1)]
    return name, 1
