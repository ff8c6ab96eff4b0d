"""Headless output for people and spreadsheets: ``snapshot --top/--sort/--base``,
``snapshot --csv`` and ``history --csv``, with venue strings made inert."""

from __future__ import annotations

import csv
import io
import json

import pytest

from fundtui import cli
from fundtui.commands.csv_out import cell
from fundtui.core.quote import Quote
from fundtui.feeds import demo
from tests.fakesource import FakeSource, FrozenClock, quote
from tests.test_cli_history import store_some

FORMULA = '=HYPERLINK("http://x","ok")'
ESCAPE = "\x1b]0;PWNED\x07T-USDT-SWAP"


def evil(venue: str, symbol: str, rate: float) -> Quote:
    return Quote(venue, symbol, "EVIL", "USDT", rate, 8.0)


QUOTES = {
    "binance": [quote("binance", "BTC", 0.0001), quote("binance", "ETH", 0.0003)]
    + [evil("binance", ESCAPE, 0.0)],
    "okx": [quote("okx", "BTC", 0.0002), quote("okx", "ETH", -0.0001)]
    + [evil("okx", FORMULA, 0.0005)],
    "bybit": [quote("bybit", "SOL", 0.001)],
}


@pytest.fixture(autouse=True)
def market(monkeypatch):
    """The demo market replaced by fixed quotes: spreads EVIL 0.05 %, ETH 0.04 %,
    BTC 0.01 %; SOL on one venue only (no spread)."""
    clock = FrozenClock()

    def sources(names, **kw):
        return [FakeSource(n, QUOTES[n], clock) for n in names]

    monkeypatch.setattr(demo, "demo_sources", sources)


def snapshot(capsys, *flags):
    argv = ["snapshot", "--demo", "--exchanges", "binance,okx,bybit", *flags]
    assert cli.main(argv) == 0
    return capsys.readouterr().out


def bases_of_table(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines()[1:] if not line.startswith(" ")]


def test_the_table_is_largest_spread_first_by_default(capsys):
    assert bases_of_table(snapshot(capsys)) == ["EVIL", "ETH", "BTC", "SOL"]


@pytest.mark.parametrize(
    "flags, bases",
    [
        (["--top", "2"], ["EVIL", "ETH"]),
        (["--sort", "apr", "--top", "1"], ["EVIL"]),
        (["--sort", "base"], ["BTC", "ETH", "EVIL", "SOL"]),
        (["--sort", "okx"], ["EVIL", "BTC", "ETH", "SOL"]),  # okx's APR; SOL has none
        (["--sort", "BINANCE"], ["ETH", "BTC", "EVIL", "SOL"]),
        (["--base", "sol,btc"], ["BTC", "SOL"]),
        (["--base", "btc,eth,sol", "--top", "2", "--sort", "base"], ["BTC", "ETH"]),
    ],
)
def test_top_sort_and_base_pick_the_rows(capsys, flags, bases):
    assert bases_of_table(snapshot(capsys, *flags)) == bases


def test_sort_by_net_follows_the_net_apr_of_the_json(capsys):
    spreads = json.loads(snapshot(capsys, "--json"))["spreads"]
    by_net = [s["base"] for s in sorted(spreads, key=lambda s: -s["net_apr"])]
    assert bases_of_table(snapshot(capsys, "--sort", "net"))[:3] == by_net


@pytest.mark.parametrize(
    "flags, says",
    [
        (["--top", "0"], "whole number of rows"),
        (["--sort", "volume"], "expected one of spread, apr, net"),
        (["--base", "BTC,\x1b[2J"], "\\x1b[2J"),
        (["--json", "--csv"], "not allowed with"),
    ],
)
def test_bad_output_flags_are_one_line(capsys, flags, says):
    assert cli.main(["snapshot", "--demo", *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and "\x1b" not in err


def test_json_stays_whole_and_says_so_when_asked_to_cut(capsys):
    assert cli.main(["snapshot", "--demo", "--json", "--top", "1"]) == 2
    assert "--json holds everything polled" in capsys.readouterr().err


def test_snapshot_csv_rows_and_inert_venue_strings(capsys):
    out = snapshot(capsys, "--csv", "--top", "2")
    assert "\x1b" not in out and "\x07" not in out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["base"], r["exchange"]) for r in rows] == [
        ("EVIL", "binance"),
        ("EVIL", "okx"),
        ("ETH", "binance"),
        ("ETH", "okx"),
    ]
    evil_binance, evil_okx, eth_binance, eth_okx = rows
    assert evil_binance["symbol"] == "\\x1b]0;PWNED\\x07T-USDT-SWAP"
    assert evil_okx["symbol"] == "'" + FORMULA  # a spreadsheet shows it as text
    assert float(eth_okx["funding_rate"]) == -0.0001  # a number, not quoted text
    assert float(eth_okx["spread_8h"]) == pytest.approx(0.0004)
    assert (eth_okx["long_exchange"], eth_okx["short_exchange"]) == ("okx", "binance")
    assert eth_binance["next_funding_time"] == "2026-01-01T01:00:00Z"
    assert eth_binance["stale"] == "false"


@pytest.mark.parametrize(
    "value, shown",
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\\x09x"),
        ("a\nb", "a\\x0ab"),
        ("BTC", "BTC"),
        (-0.5, "-0.5"),
        (None, ""),
        (float("nan"), ""),
        (True, "true"),
    ],
)
def test_a_cell_is_inert(value, shown):
    assert cell(value) == shown


def test_history_csv_is_every_sample_one_row_each(capsys):
    store_some()
    assert cli.main(["history", "BTC", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    binance = [r for r in rows if r["exchange"] == "binance"]
    okx = [r for r in rows if r["exchange"] == "okx"]
    assert len(binance) == 24 and len(okx) == 24 and len(rows) == 48
    assert [float(r["funding_rate"]) for r in binance] == pytest.approx(
        [0.0001 + k * 1e-6 for k in range(24)]
    )
    assert float(okx[0]["rate_8h"]) == pytest.approx(0.0001)  # 0.005 % per 4 h
    assert okx[0]["time"].endswith("Z") and int(okx[0]["time_ms"]) > 0


def test_history_csv_thins_with_every(capsys):
    store_some()
    assert cli.main(["history", "BTC", "--venue", "binance", "--csv", "--every", "30"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert 4 <= len(rows) <= 5 and {r["exchange"] for r in rows} == {"binance"}
