"""The calculator's config sections: [fees.<venue>] and [calculator]."""

from __future__ import annotations

import pytest

from fundtui.config import ConfigError, default_config_text, parse_config
from fundtui.core.fees import PERP


def test_fee_override_keeps_the_other_default():
    cfg = parse_config("[fees.bybit]\ntaker = 0.0004")
    assert cfg.fees["bybit"].taker == 0.0004
    assert cfg.fees["bybit"].maker == PERP["bybit"].maker


def test_brackets_path_is_relative_to_the_config(tmp_path):
    cfg = parse_config('[calculator]\nbinance_brackets = "b.json"', str(tmp_path / "c.toml"))
    assert cfg.binance_brackets == tmp_path / "b.json"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[fees.binance]\ntaker = 5", "[fees.binance] taker must be a fraction between 0 and 0.01"),
        ("[fees.binance]\ntaker = -0.1", "taker must be a fraction"),
        ('[fees.binance]\ntaker = "0.05%"', "taker must be a fraction"),
        (
            "[fees.binance]\nspot = 0.001",
            '[fees.binance] unknown key "spot"; allowed: maker, taker',
        ),
        ("[fees.nosuchvenue]\ntaker = 0.001", "unknown exchange"),
        ("[fees]\nbinance = 1", "binance must be a table"),
        ("[calculator]\nbinance_brackets = 3", "binance_brackets must be the path"),
        ("[calculator]\nbrackets = 'x'", '[calculator] unknown key "brackets"'),
    ],
)
def test_bad_values_are_one_line(text, said):
    with pytest.raises(ConfigError) as e:
        parse_config(text, "cfg.toml")
    assert said in str(e.value) and "\n" not in str(e.value)
    assert str(e.value).startswith("cfg.toml: ")


def test_default_config_documents_the_sections_and_still_loads():
    text = default_config_text()
    assert "# [fees.binance]" in text and "# [calculator]" in text
    parse_config(text)
    start = text.index("# [fees.binance]")
    block = text[start : text.index("\n\n", start)]  # the fees and calculator tables
    uncommented = "\n".join(line[2:].split("#")[0] for line in block.splitlines())
    cfg = parse_config(uncommented)
    assert cfg.fees["binance"] == PERP["binance"] and cfg.binance_brackets is not None
