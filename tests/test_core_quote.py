"""A quote's normalized figures exist only for a usable interval: never a guess."""

import math

import pytest

from fundtui.core.quote import Quote


def quote(interval):
    return Quote("okx", "LPT/USDT:USDT", "LPT", "USDT", 0.0001, interval)


@pytest.mark.parametrize("interval", [None, 0.0, -8.0, math.nan, math.inf])
def test_an_unusable_interval_gives_no_8h_or_apr_figure(interval):
    q = quote(interval)
    assert not q.has_rate
    assert (q.hourly, q.rate_8h, q.apr) == (None, None, None)


def test_a_known_interval_normalizes_as_the_formulas_sheet_says():
    # docs/FORMULAS.md TV-N1 turned around: 0.01 % per 4 h = 0.02 %/8h = 21.9 % APR
    q = quote(4.0)
    assert q.has_rate
    assert q.rate_8h == pytest.approx(0.0002) and q.apr == pytest.approx(0.219)
    assert q.hourly == pytest.approx(0.000025)
