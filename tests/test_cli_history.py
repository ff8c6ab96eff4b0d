"""``fundtui signals`` and ``fundtui history``: offline, on the demo market and a
history file written the way the app writes it."""

from __future__ import annotations

import json
import sys
import time
import types

import pytest

from fundtui import cli
from fundtui.core.accrual import Settlement
from fundtui.core.quote import Quote
from fundtui.engine.recorder import history_folder
from fundtui.store.history import HistoryStore

HOUR = 3_600_000


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def store_some(demo: bool = False) -> int:
    """Two hours of BTC on binance (every 5 min) and okx, plus one cached settlement."""
    folder = history_folder(demo)
    t_end = now_ms()
    with HistoryStore.open(folder / "history.sqlite3") as store:
        for k in range(24):
            t = t_end - (23 - k) * 5 * 60_000
            store.record(
                [
                    Quote(
                        "binance",
                        "BTC/USDT:USDT",
                        "BTC",
                        "USDT",
                        0.0001 + k * 1e-6,
                        8.0,
                        mark_price=60_000.0 + k,
                        index_price=60_000.0,
                        open_interest_usd=5e8,
                    ),
                    Quote("okx", "BTC/USDT:USDT", "BTC", "USDT", 0.00005, 4.0),
                    Quote("okx", "ETH/USDT:USDT", "ETH", "USDT", 0.0002, 8.0),
                ],
                t,
            )
        store.save_settlements("binance", "BTC/USDT:USDT", [Settlement(t_end - HOUR, 0.0001, 8.0)])
    return t_end


def test_history_json_gives_every_sample_and_the_cached_settlements(capsys):
    store_some()
    assert cli.main(["history", "btc", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["base"] == "BTC"
    assert sorted(out["venues"]) == ["binance", "okx"]
    rates = [s["funding_rate"] for s in out["venues"]["binance"]]
    assert rates == pytest.approx([0.0001 + k * 1e-6 for k in range(24)])
    assert out["venues"]["okx"][0]["interval_hours"] == 4.0
    assert [(s["venue"], s["rate"]) for s in out["settled"]] == [("binance", 0.0001)]


def test_history_text_thins_to_the_last_sample_per_period_and_filters_by_venue(capsys):
    store_some()
    assert cli.main(["history", "BTC", "--venue", "okx", "--every", "30"]) == 0
    out = capsys.readouterr().out
    assert "binance" not in out
    assert out.startswith("okx: 24 samples in the last 24 h, the last of every 30 min shown")
    rows = [line for line in out.splitlines() if line.startswith("  20")]
    assert 4 <= len(rows) <= 5  # two hours in 30-minute periods
    # 0.005 % per 4 h to three significant digits; its 8h-equivalent 0.0100 %
    assert all("0.00500%" in r and "4h" in r and "0.0100%" in r for r in rows), rows
    assert "settled BTC/USDT:USDT: none cached" in out


def test_history_bundled_names_normalize_and_missing_is_exit_1(capsys):
    assert cli.main(["history", "BTC"]) == 1
    assert "no history stored yet" in capsys.readouterr().err
    store_some()
    assert cli.main(["history", "1000PEPE"]) == 1
    assert "nothing stored for PEPE" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["history", "BT C"], "BASE must be a coin"),
        (["history", "BTC", "--hours", "-1"], "--hours must be more than 0"),
        (["history", "BTC", "--hours", "nan"], "--hours must be a number, got 'nan'"),
        (["history", "BTC", "--hours", "٣"], "--hours must be a number, got '٣'"),
        (["history", "BTC", "--hours", "1_0"], "--hours must be a number"),
        (["history", "BTC", "--hours", "1e999"], "--hours must be a number"),
        (["history", "BTC", "--venue", "../okx"], "unknown exchange '../okx'"),
        (["history", "BTC", "--venue", "x" * 300], "unknown exchange 'xxxxxxxxxx"),
        (["history", "BTC", "--every", "x"], "--every must be a number"),
    ],
)
def test_history_bad_flags_are_one_line_exit_2(capsys, argv, fragment):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


def test_signals_on_the_demo_market_reports_what_holds_now(capsys):
    assert cli.main(["signals", "--demo", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["history"]["source"] == "none"
    assert len(out["venues"]) == 6 and out["errors"] == {}
    rules = {h["rule"] for h in out["hits"]}
    assert "spread" in rules  # the demo plants cross-venue divergences
    for h in out["hits"]:
        assert abs(h["value"]) >= h["threshold"] or h["rule"] == "exhaustion"
    # nothing written: the command only reads the app's files
    assert not (history_folder(True) / "signals.jsonl").exists()


def test_signals_text_and_history_warm_up(capsys):
    store_some(demo=True)
    assert cli.main(["signals", "--demo"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("# signals warmed up from 24 h of stored history (72 samples)")
    assert out.splitlines()[1].split()[:3] == ["RULE", "BASE", "VENUES"]


def test_signals_with_every_venue_disabled_is_exit_2(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[general]\nexchanges = ["okx"]\n[exchanges.okx]\nenabled = false\n')
    assert cli.main(["signals", "--demo", "--config", str(cfg)]) == 2
    assert "every venue is disabled" in capsys.readouterr().err


class Failing:
    """A source whose every poll fails with ``exc``."""

    def __init__(self, name, exc):
        self.name, self.exc = name, exc

    async def poll(self):
        raise self.exc

    async def close(self):
        pass


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_signals_json_when_no_venue_answers_is_the_same_document(monkeypatch, capsys):
    from fundtui.feeds import demo
    from fundtui.feeds.source import VenueError

    assert cli.main(["signals", "--demo", "--json", "--config", str(write_okx_gate())]) == 0
    answered = json.loads(capsys.readouterr().out)
    monkeypatch.setattr(
        demo,
        "demo_sources",
        lambda names, **kw: [
            Failing(names[0], VenueError(names[0], "HTTP 503 maintenance")),
            Failing(names[1], TimeoutError("read timed out")),
        ],
    )
    assert cli.main(["signals", "--demo", "--json", "--config", str(write_okx_gate())]) == 1
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert list(doc) == list(answered)
    assert doc["venues"] == [] and doc["hits"] == []
    assert doc["errors"] == {"okx": "HTTP 503 maintenance", "gate": "TimeoutError: read timed out"}
    assert doc["history"] == {"source": "none", "hours": answered["history"]["hours"], "samples": 0}
    assert out.err.splitlines() == [
        "fundtui: okx: HTTP 503 maintenance",
        "fundtui: gate: TimeoutError: read timed out",
        "fundtui: no exchange answered",
    ]


def write_okx_gate():
    from fundtui.store import paths

    path = paths.config_dir() / "okx-gate.toml"
    path.write_text('[general]\nexchanges = ["okx", "gate"]\n')
    return path


@pytest.mark.parametrize("demo", [True, False])
def test_signals_writes_no_file_in_a_fresh_data_folder(monkeypatch, capsys, demo):
    from fundtui.feeds import demo as demo_feed
    from fundtui.store import paths

    if not demo:  # the live path, on the demo market's answers under the venues' names
        registry = types.ModuleType("fundtui.feeds.registry")
        registry.make_sources = lambda venues: demo_feed.demo_sources([v.name for v in venues])
        monkeypatch.setitem(sys.modules, "fundtui.feeds.registry", registry)
    data = paths.data_dir()
    assert files_under(data) == []
    flags = ["--demo"] if demo else []
    assert cli.main(["signals", *flags]) == 0
    assert capsys.readouterr().out.startswith("# signals start fresh: no stored history yet")
    assert cli.main(["signals", "--json", *flags]) == 0
    assert json.loads(capsys.readouterr().out)["history"]["source"] == "none"
    assert files_under(data) == []  # no history, log, checkpoint or folder
