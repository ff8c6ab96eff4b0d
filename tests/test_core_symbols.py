import pytest

from fundtui.core.symbols import split_base


@pytest.mark.parametrize(
    "raw,base,mult",
    [
        ("1000PEPE", "PEPE", 1_000),
        ("kPEPE", "PEPE", 1_000),
        ("kBONK", "BONK", 1_000),
        ("1000000MOG", "MOG", 1_000_000),
        ("1MBABYDOGE", "BABYDOGE", 1_000_000),
        ("10000SATS", "SATS", 10_000),
        ("1000SHIB", "SHIB", 1_000),
        ("SHIB1000", "SHIB", 1_000),  # bybit's suffix form
        ("BTC", "BTC", 1),
        ("btc", "BTC", 1),
        ("1INCH", "1INCH", 1),  # a bare 1 is part of the name
        ("KAVA", "KAVA", 1),  # uppercase K is part of the name
        ("KSM", "KSM", 1),
        ("MEW", "MEW", 1),  # not 1M + EW
        ("100X", "100X", 1),  # needs a ticker of two or more after the power of ten
        ("A8", "A8", 1),
        ("ZRX100", "ZRX100", 1),  # a suffix bundle is 1000 or more
    ],
)
def test_split_base(raw, base, mult):
    assert split_base(raw) == (base, mult)
