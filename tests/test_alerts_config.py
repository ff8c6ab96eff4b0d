"""The [alerts] section: its defaults, its checks (each URL by apprise itself, with
nothing sent), and config errors that name the key and never the URL's secret."""

from __future__ import annotations

import pytest

from fundtui import cli
from fundtui.config import Config, ConfigError, default_config_text, parse_config
from fundtui.config.alerts import ALERT_RULES, AlertsConfig
from fundtui.core.signal_types import RULES
from tests.netguard import loopback_only  # noqa: F401 - autouse: nothing leaves the machine


def test_defaults_send_nowhere_and_filter_nothing():
    a = Config().alerts
    assert a == AlertsConfig()
    assert (a.urls, a.rules, a.coins, a.min_apr, a.digest_seconds) == ((), None, None, 0.0, 60.0)
    assert parse_config("[alerts]\n").alerts == AlertsConfig()


def test_a_full_section_is_parsed():
    a = parse_config(
        "[alerts]\n"
        'urls = ["json://127.0.0.1:8080/hook", "ntfy://ntfy.example/fundtui"]\n'
        'rules = ["spread", "deviation", "spike", "sector"]\n'
        'coins = ["Watchlist", "btc"]\n'
        "min_apr = 0.5\ndigest_seconds = 0\ntimeout_seconds = 2.5\nretries = 0\n"
    ).alerts
    assert a.urls == ("json://127.0.0.1:8080/hook", "ntfy://ntfy.example/fundtui")
    assert a.rules == ("spread", "deviation", "spike", "sector")
    assert a.coins == ("watchlist", "BTC")
    assert (a.min_apr, a.digest_seconds, a.timeout_seconds, a.retries) == (0.5, 0.0, 2.5, 0)


def test_the_rules_are_the_signal_rules_and_sector():
    assert ALERT_RULES == (*RULES, "sector")
    listed = ", ".join(f'"{r}"' for r in ALERT_RULES)
    assert parse_config(f"[alerts]\nrules = [{listed}]").alerts.rules == ALERT_RULES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('rules = ["spred"]', '[alerts] rules: unknown rule "spred"; allowed: spread, deviation'),
        ('urls = ["nope"]', "[alerts] urls[0] is not an apprise URL"),
        (
            'urls = ["json://127.0.0.1/a", "foo://s3cr3tT0ken@host/x"]',
            '[alerts] urls[1] with scheme "foo" is not a URL apprise can send to',
        ),
        ('urls = "ntfy://ntfy.sh/x"', "[alerts] urls must be a list like"),
        ('coins = ["$$"]', '[alerts] coins: "$$" is not a coin symbol'),
        ("min_apr = -0.1", "[alerts] min_apr must be an APR fraction (0.5 = 50 %) from 0 to 100"),
        ("digest_seconds = 1e9", "[alerts] digest_seconds must be seconds from 0 to 3600"),
        ("timeout_seconds = 0", "[alerts] timeout_seconds must be seconds from 0.1 to 120"),
        ("retries = 1.5", "[alerts] retries must be a whole number from 0 to 10"),
        ("url = []", '[alerts] unknown key "url"; allowed: urls, rules'),
    ],
)
def test_errors_are_one_line_naming_the_key(text, expected):
    with pytest.raises(ConfigError) as e:
        parse_config(f"[alerts]\n{text}\n")
    message = str(e.value)
    assert "\n" not in message
    assert message.startswith("config.toml: " + expected), message
    assert "s3cr3tT0ken" not in message


def test_a_bad_url_in_the_file_is_exit_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('[alerts]\nurls = ["tgram://not-a-token-s3cr3t/"]\n')
    assert cli.main(["alerts", "test", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "urls[0]" in err and "s3cr3t" not in err


def test_the_template_block_parses_once_uncommented_and_keeps_the_defaults():
    text = default_config_text()
    assert parse_config(text).alerts == AlertsConfig()
    start = text.index("# [alerts]")
    block = text[start : text.index("\n\n", start)]
    a = parse_config("\n".join(line[2:] for line in block.splitlines())).alerts
    assert a.urls == ("ntfy://ntfy.sh/my-topic", "json://127.0.0.1:8080/hook")
    assert a.coins == ("watchlist",) and a.min_apr == 0.5
    assert (a.digest_seconds, a.timeout_seconds, a.retries) == (60.0, 10.0, 2)


def test_the_config_repr_shows_no_url():
    cfg = parse_config('[alerts]\nurls = ["json://user:hunter2pw@127.0.0.1/hook"]')
    assert "hunter2pw" not in repr(cfg) and "hunter2pw" not in repr(cfg.alerts)
