"""The config file: defaults, the documented shape, and one-line errors for everything else."""

import dataclasses
import os
from pathlib import Path

import pytest

from fundtui.config import (
    DEFAULT_REFRESH_S,
    SUPPORTED_VENUES,
    Config,
    ConfigError,
    VenueConfig,
    default_config_text,
    is_known_venue,
    load_config,
    parse_config,
)
from fundtui.config.toasts import ToastConfig
from fundtui.core.signals import SignalConfig
from fundtui.store import paths
from tests.fresh_process import last_json

REPO = Path(__file__).resolve().parents[1]

EXAMPLE = """
[general]
exchanges = ["okx", "binance", "hyperliquid"]
refresh_seconds = 12.5

[exchanges.binance]
api_base = "http://127.0.0.1:18100"
proxy = "socks5://127.0.0.1:1080"
enabled = true

[exchanges.okx]
enabled = false
"""


def write(tmp_path, text, name="config.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_missing_default_file_gives_defaults():
    assert not paths.config_file().exists()
    cfg = load_config(None)
    assert cfg == Config()
    assert cfg.exchanges == SUPPORTED_VENUES
    assert cfg.refresh_seconds == DEFAULT_REFRESH_S
    assert cfg.source is None


def test_default_path_is_read_when_present():
    paths.config_file().write_text("[general]\nrefresh_seconds = 60\n")
    cfg = load_config()
    assert cfg.refresh_seconds == 60.0
    assert cfg.source == str(paths.config_file())


def test_missing_explicit_path_is_an_error(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as e:
        load_config(missing)
    assert str(missing) in str(e.value)
    assert "\n" not in str(e.value)


def test_example_parses(tmp_path):
    p = write(tmp_path, EXAMPLE)
    cfg = load_config(p)
    assert cfg.exchanges == ("okx", "binance", "hyperliquid")
    assert cfg.refresh_seconds == 12.5
    assert cfg.venue("binance") == VenueConfig(
        "binance", True, "http://127.0.0.1:18100", "socks5://127.0.0.1:1080"
    )
    assert cfg.venue("okx").enabled is False
    assert cfg.venue("hyperliquid") == VenueConfig("hyperliquid")
    # okx is disabled: the active venues keep the configured order without it
    assert [v.name for v in cfg.active_venues()] == ["binance", "hyperliquid"]
    assert cfg.source == str(p)


def test_default_config_text_loads_as_the_defaults(tmp_path):
    text = default_config_text()
    assert text.lstrip().startswith("#")
    cfg = load_config(write(tmp_path, text))
    assert (cfg.exchanges, cfg.refresh_seconds, cfg.venues) == (
        Config().exchanges,
        Config().refresh_seconds,
        {},
    )
    # the commented example venue section is valid once uncommented
    example = "\n".join(
        line[2:]
        if line.startswith("# [exchanges")
        or line.startswith("# enabled")
        or line.startswith("# api_base")
        or line.startswith("# proxy")
        else line
        for line in text.splitlines()
    )
    cfg = parse_config(example)
    assert cfg.venue("binance").api_base == "http://127.0.0.1:18100"
    assert cfg.venue("binance").proxy == "socks5://127.0.0.1:1080"


def test_signals_section_sets_thresholds_and_keeps_the_rest_default():
    cfg = parse_config(
        "[signals]\nspread_8h = 0.001\nema_periods = 24\ncooldown_s = 0\ndeviation_8h = 0"
    )
    assert cfg.signals == SignalConfig(
        spread_8h=0.001, ema_periods=24, cooldown_s=0.0, deviation_8h=0.0
    )
    assert isinstance(cfg.signals.cooldown_s, float)
    assert parse_config("[signals]\n").signals == SignalConfig()
    assert Config().signals == SignalConfig()


def test_default_config_signals_block_is_the_defaults_once_uncommented():
    text = default_config_text()
    block = text[text.index("# [signals]") :]
    uncommented = "\n".join(line[2:] for line in block.splitlines())
    config = parse_config(uncommented)
    assert config.signals == SignalConfig() and config.toasts == ToastConfig()
    # every threshold, toast_min_apr, and one line per rule (and sector) of the toasts
    assert uncommented.count(" = ") == len(dataclasses.fields(SignalConfig)) + 1 + 8


def test_refresh_bounds_are_inclusive():
    assert parse_config("[general]\nrefresh_seconds = 5").refresh_seconds == 5.0
    assert parse_config("[general]\nrefresh_seconds = 3600").refresh_seconds == 3600.0


def test_trailing_slash_of_api_base_is_dropped():
    cfg = parse_config('[exchanges.gate]\napi_base = "https://gate.example:8443/"')
    assert cfg.venue("gate").api_base == "https://gate.example:8443"


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            '[general]\nrefresh_seconds = "fast"',
            '[general] refresh_seconds must be a number of seconds between 5 and 3600, got "fast"',
        ),
        ("[general]\nrefresh_seconds = 4.9", "between 5 and 3600, got 4.9"),
        ("[general]\nrefresh_seconds = 3601", "between 5 and 3600, got 3601"),
        ("[general]\nrefresh_seconds = true", "got true"),
        ("[general]\nrefresh_seconds = nan", "got nan"),
        ('[general]\nexchanges = "binance"', "exchanges must be a non-empty list"),
        ("[general]\nexchanges = []", "exchanges must be a non-empty list"),
        ("[general]\nexchanges = [1]", "exchanges must be a non-empty list"),
        ('[general]\nexchanges = ["okx", "okx"]', 'exchanges lists "okx" twice'),
        ('[general]\nexchanges = ["nosuchvenue"]', 'unknown exchange "nosuchvenue"; use one of'),
        ('[general]\nexchanges = ["Binance"]', 'unknown exchange "Binance"'),
        ('[general]\nexchanges = ["../binance"]', 'unknown exchange "../binance"'),
        (
            "[general]\nrefresh = 30",
            '[general] unknown key "refresh"; allowed: exchanges, refresh_seconds',
        ),
        ("refresh_seconds = 30", 'key "refresh_seconds" must be inside a section'),
        ("general = 3", "general must be a section ([general]), got 3"),
        (
            "[sektors]\nx = 1",
            "unknown section [sektors]; allowed: [general], [exchanges], [signals], [sectors]",
        ),
        ("[signals]\nspread = 0.001", '[signals] unknown key "spread"; allowed: spread_8h, '),
        ('[signals]\nspread_8h = "0.05%"', '[signals] spread_8h must be a number, got "0.05%"'),
        ("[signals]\nspread_8h = true", "[signals] spread_8h must be a number, got true"),
        ("[signals]\nspike_8h = nan", "[signals] spike_8h must be a number, got nan"),
        (
            "[signals]\ndeviation_8h = -0.001",
            "[signals] deviation_8h must be >= 0 (a fraction like 0.0005 (0.05 %)), got -0.001",
        ),
        ("[signals]\ncooldown_s = -1", "[signals] cooldown_s must be >= 0 (seconds), got -1"),
        (
            "[signals]\nema_periods = 0",
            "[signals] ema_periods must be a whole number from 1 to 10,000, got 0",
        ),
        (
            "[signals]\nema_periods = 12.0",
            "ema_periods must be a whole number from 1 to 10,000, got 12.0",
        ),
        (
            "[signals]\nema_periods = 100000000000000000000000",
            "ema_periods must be a whole number from 1 to 10,000, got 100000000000000000000000",
        ),
        (
            "[signals]\ndeviation_window_h = 1e300",
            "deviation_window_h must be a number of hours > 0 and at most 168, got 1e+300",
        ),
        (
            "[signals]\nspike_window_h = 0",
            "[signals] spike_window_h must be a number of hours > 0 and at most 168, got 0",
        ),
        (
            "[signals]\nextreme_quantile = 1.5",
            "[signals] extreme_quantile must be between 0 and 1, got 1.5",
        ),
        (
            "[exchanges.nosuchvenue]\nenabled = true",
            '[exchanges.nosuchvenue] unknown exchange "nosuchvenue"',
        ),
        ("[exchanges]\nbinance = 5", "[exchanges] binance must be a table ([exchanges.binance])"),
        (
            '[exchanges.binance]\napi = "http://x"',
            '[exchanges.binance] unknown key "api"; allowed: api_base, enabled, proxy',
        ),
        (
            '[exchanges.binance]\nenabled = "yes"',
            '[exchanges.binance] enabled must be true or false, got "yes"',
        ),
        ('[exchanges.binance]\napi_base = "127.0.0.1:18100"', "api_base must be an http://"),
        ('[exchanges.binance]\napi_base = "ftp://host"', "api_base must be an http://"),
        ('[exchanges.binance]\napi_base = "http://host/fapi"', "with a host and no path"),
        ('[exchanges.binance]\napi_base = "http://host:99999"', "api_base must be an http://"),
        ("[exchanges.binance]\napi_base = 5", "api_base must be an http://"),
        (
            '[exchanges.binance]\nproxy = "socks4://127.0.0.1:1080"',
            "proxy must be an http://, https:// or socks5:// URL",
        ),
        ('[exchanges.binance]\nproxy = "socks5://"', "proxy must be"),
        ("[general\nrefresh_seconds = 30", "invalid TOML: "),
    ],
)
def test_errors_are_one_line_naming_file_key_and_allowed(tmp_path, text, expected):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_config(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}: ")
    assert expected in msg
    assert "\n" not in msg


@pytest.mark.parametrize(
    "text, where",
    [
        ('[general]\nrefresh_seconds = 30\nexchanges = ["okx",\n', "line 4, column 1"),
        ('[general]\nrefresh_seconds = 30\nexchanges = ["okx"', "line 3, column 19"),
        ("[general]\nrefresh_seconds = = 30\n", "line 2, column 19"),
    ],
)
def test_invalid_toml_names_line_and_column(tmp_path, text, where):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert "invalid TOML" in str(e.value)
    assert where in str(e.value)
    assert "\n" not in str(e.value)


def test_non_utf8_file_is_one_line(tmp_path):
    p = tmp_path / "config.toml"
    p.write_bytes(b"[general]\nrefresh_seconds = 30 # \xff\n")
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert "not UTF-8" in str(e.value) and "\n" not in str(e.value)


def test_a_directory_is_not_a_config(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path)
    assert str(tmp_path) in str(e.value) and "\n" not in str(e.value)


def test_known_venues():
    for v in SUPPORTED_VENUES:
        assert is_known_venue(v)
    assert not is_known_venue("")
    assert not is_known_venue("__init__")  # a file in ccxt's folder, not an exchange
    assert not is_known_venue("base")  # ccxt's base package
    assert not is_known_venue("BINANCE")
    assert not is_known_venue("binance.py")


def test_other_ccxt_ids_are_accepted_when_ccxt_ships_them():
    pytest.importorskip("ccxt")  # the check reads ccxt's folder, it does not import it
    assert is_known_venue("mexc")
    assert is_known_venue("kucoinfutures")
    assert not is_known_venue("mexcc")
    cfg = parse_config(
        '[general]\nexchanges = ["binance", "mexc"]\n[exchanges.mexc]\n'
        'proxy = "http://127.0.0.1:3128"'
    )
    assert cfg.exchanges == ("binance", "mexc")
    assert cfg.venue("mexc").proxy == "http://127.0.0.1:3128"


def test_loading_a_config_with_a_ccxt_id_does_not_import_ccxt(tmp_path):
    p = write(tmp_path, '[general]\nexchanges = ["mexc", "okx"]\n')
    code = (
        "import sys; from pathlib import Path; from fundtui.config import load_config; "
        f"c = load_config(Path({str(p)!r})); "
        "import json; print(json.dumps([list(c.exchanges), 'ccxt' in sys.modules]))"
    )
    assert last_json(code) == [["mexc", "okx"], False]


@pytest.mark.parametrize(
    "make, reason",
    [
        ("dev-zero", "not a regular file"),
        ("fifo", "not a regular file"),
        ("folder", "not a regular file"),
        ("not-utf8", "not UTF-8 text (byte 18)"),
        ("huge", "more than the 4,194,304 allowed"),
    ],
)
def test_an_unusable_config_file_is_one_config_error_and_is_left_alone(tmp_path, make, reason):
    path = {"dev-zero": Path("/dev/zero"), "folder": tmp_path}.get(make, tmp_path / "c.toml")
    if make == "fifo":
        os.mkfifo(path)  # a plain read would block until a writer came
    elif make == "not-utf8":
        path.write_bytes(b'[general]\nbell = "\xe9"\n')
    elif make == "huge":
        with open(path, "wb") as f:
            f.truncate(5 * 1024 * 1024)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert str(e.value).startswith(f"{path}: cannot be used as the config file: ")
    assert str(e.value).endswith(reason)
    assert path.exists()


def test_nesting_thousands_deep_is_a_config_error_not_a_recursion_error(tmp_path):
    with pytest.raises(ConfigError, match="invalid TOML: nested too deep"):
        parse_config("a = " + "[" * 100_000, "deep.toml")


def test_numbers_in_the_config_are_toml_numbers_not_strings():
    for text in (
        '[general]\nrefresh_seconds = "٣٠"',
        '[general]\nrefresh_seconds = "30"',
        '[fees.binance]\ntaker = "0.0005"',
        '[signals]\nspread_8h = "1_0"',
    ):
        with pytest.raises(ConfigError, match="must be a"):
            parse_config(text)
