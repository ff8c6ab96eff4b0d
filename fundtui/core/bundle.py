"""Contracts that bundle many coins: binance ``1000PEPEUSDT``, hyperliquid ``kPEPE``.

A bundled contract's price is per 1,000 (or 1,000,000) coins, its size in
bundles. The calculators work per coin of the base asked for, so a size of
474,158,370 PEPE is 474,158.37 contracts of 1000PEPE: both are shown, or a
trader orders a thousand times too much (or too little). Pure string work on
the market's symbol; nothing is looked up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fundtui.core.number_text import quantity

#: ``1000PEPE``, ``1000000MOG``, ``kPEPE``: a power of ten of at least 100 (or ``k``,
#: hyperliquid's thousand) before the coin. ``1INCH`` is a coin, not a bundle.
_BUNDLE = re.compile(r"(10{2,}|k)([A-Z][A-Z0-9]*)")
_QUOTES = ("USDT", "USDC")


@dataclass(frozen=True, slots=True)
class Bundle:
    coins: int  # coins per contract unit
    contract: str  # the bundle's name: 1000PEPE
    coin: str  # the coin: PEPE


def _head(symbol: str) -> str:
    """``1000PEPE/USDT:USDT`` and ``1000PEPEUSDT`` -> ``1000PEPE``."""
    head = symbol.split("/")[0]
    if "/" not in symbol:
        for quote in _QUOTES:
            if head.endswith(quote) and len(head) > len(quote):
                return head[: -len(quote)]
    return head


def _parse(name: str) -> Bundle | None:
    m = _BUNDLE.fullmatch(name)
    if m is None:
        return None
    return Bundle(1000 if m[1] == "k" else int(m[1]), name, m[2])


def bundle_of(base: str, symbol: str = "") -> Bundle | None:
    """The bundle behind ``base`` on the market ``symbol`` (which may be empty), or None
    when one contract unit is one coin.

    ``base`` is what was asked for: ``PEPE`` on ``1000PEPEUSDT`` is a bundle of the
    coin asked for; ``1000PEPE`` is itself a bundle (the sizes are then in bundles).
    """
    asked = _parse(base)
    if asked is not None:
        return asked
    found = _parse(_head(symbol)) if symbol else None
    if found is not None and found.coin.upper() == base.upper():
        return found
    return None


def contracts_and_coins(qty: float, base: str, bundle: Bundle) -> tuple[float, float]:
    """``qty`` of ``base`` as (contract units of the bundle, coins of its coin)."""
    if bundle.contract.upper() == base.upper():
        return qty, qty * bundle.coins  # sized in bundles already
    return qty / bundle.coins, qty


def bundle_line(qty: float, base: str, bundle: Bundle) -> str:
    """``= 474,158.37 contracts of 1000PEPE (1,000 PEPE each)``, or the coins of a size
    given in bundles."""
    n, coins = contracts_and_coins(qty, base, bundle)
    each = f"{quantity(bundle.coins)} {bundle.coin} each"
    if bundle.contract.upper() == base.upper():
        return f"= {quantity(coins)} {bundle.coin} ({each})"
    return f"= {quantity(n)} contracts of {bundle.contract} ({each})"
