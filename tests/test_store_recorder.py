"""Restart continuity: the engine continues from its checkpoint plus stored history,
or warms up from stored history alone, and ends where a never-stopped engine is."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from fundtui.core.quote import Quote
from fundtui.core.signal_state import VERSION
from fundtui.core.signals import SignalConfig, SignalEngine
from fundtui.engine.recorder import Recorder, chosen, warm_up_hours
from tests.enginestate import exact_state

MIN = 60_000
T0 = 1_767_225_600_000  # 2026-01-01 00:00 UTC
STEP = 30_000


def refresh(i: int) -> tuple[int, list[Quote]]:
    """Refresh ``i``: BTC on two venues and a USDC duplicate; rates follow a wave."""
    t = T0 + i * STEP
    wave = 0.0001 + 0.0004 * math.sin(i / 7)
    qs = [
        Quote(
            "binance",
            "BTC/USDT:USDT",
            "BTC",
            "USDT",
            round(wave, 8),
            8.0,
            mark_price=100.0 + i,
            index_price=100.0,
            open_interest_usd=1e6 + i * 1e3,
            # as a replay derives it from the stored USD figure (history keeps no coins)
            open_interest_coins=(1e6 + i * 1e3) / (100.0 + i),
            timestamp_ms=t,
        ),
        Quote("binance", "BTC/USDC:USDC", "BTC", "USDC", 0.0009, 8.0, timestamp_ms=t),
        Quote("okx", "BTC/USDT:USDT", "BTC", "USDT", round(wave / 4, 8), 4.0, timestamp_ms=t),
    ]
    return t, qs


def paths(tmp_path):
    return (
        tmp_path / "history.sqlite3",
        tmp_path / "signals.jsonl",
        tmp_path / "signals-state.json",
    )


def run(recorder: Recorder, engine: SignalEngine, start: int, stop: int) -> list:
    hits = []
    for i in range(start, stop):
        t, qs = refresh(i)
        recorder.record_poll(qs, t)
        board = chosen(qs)
        hits += recorder.evaluate(t, board)
        engine.update(t, board)
        recorder.maintain(t)
    return hits


def same_state(a: SignalEngine, b: SignalEngine, cooldowns: bool = True) -> None:
    """Every market's state the same, bit for bit; and the cooldowns unless the engine
    replayed history (a replay emits no hits, so it starts none)."""
    sa, sb = exact_state(a), exact_state(b)
    assert sa["markets"] == sb["markets"]
    if cooldowns:
        assert sa["cooldowns"] == sb["cooldowns"]
    for venue in ("binance", "okx"):
        assert a.ema(venue, "BTC/USDT:USDT") == pytest.approx(
            b.ema(venue, "BTC/USDT:USDT"), rel=1e-12, abs=1e-15
        )
        assert a.velocity(venue, "BTC/USDT:USDT") == b.velocity(venue, "BTC/USDT:USDT")


@pytest.mark.parametrize("cooldown_s", [0, 1800])
def test_close_and_reopen_continues_from_the_checkpoint(tmp_path, cooldown_s):
    # windows need no coverage here: within an hour and a half every rule may fire
    config = SignalConfig(cooldown_s=cooldown_s, min_coverage=0.0)
    rec, problems = Recorder.open(config, *paths(tmp_path))
    assert problems == []
    assert rec.warm_up(T0).source == "none"
    steady = SignalEngine(config)
    run(rec, steady, 0, 60)
    assert rec.close() == []
    assert json.loads(paths(tmp_path)[2].read_text())["version"] == VERSION
    again, _ = Recorder.open(config, *paths(tmp_path))
    warm = again.warm_up(T0 + 60 * STEP)
    assert warm.source == "checkpoint" and warm.samples == 0 and warm.problems == []
    same_state(again.engine, steady)
    # and the next hour of refreshes gives what the never-stopped engine gives
    fired = 0
    for i in range(60, 180):
        t, board = _next(i)
        hits = steady.update(t, board)
        assert again.evaluate(t, board) == hits
        fired += len(hits)
    assert fired > 0
    same_state(again.engine, steady)


def _next(i):
    t, qs = refresh(i)
    return t, chosen(qs)


def test_killed_writer_replays_what_was_stored_after_the_checkpoint(tmp_path):
    config = SignalConfig(cooldown_s=0)
    rec, _ = Recorder.open(config, *paths(tmp_path))
    rec.warm_up(T0)
    steady = SignalEngine(config)
    run(rec, steady, 0, 50)  # 25 min: checkpoints at 0 and 10 and 20 min, then 4.5 min more
    # no close(): the process died; a second process opens the same files
    again, _ = Recorder.open(config, *paths(tmp_path))
    warm = again.warm_up(T0 + 50 * STEP)
    assert warm.source == "checkpoint"
    assert 0 < warm.samples <= 10 * 3  # the refreshes after the last checkpoint, 3 quotes each
    same_state(again.engine, steady, cooldowns=False)


@pytest.mark.parametrize("spoil", ["delete", "garbage", "thresholds"])
def test_without_a_usable_checkpoint_it_warms_up_from_stored_history(tmp_path, spoil):
    config = SignalConfig(cooldown_s=0)
    rec, _ = Recorder.open(config, *paths(tmp_path))
    rec.warm_up(T0)
    run(rec, SignalEngine(config), 0, 80)
    rec.close()
    state = paths(tmp_path)[2]
    if spoil == "delete":
        state.unlink()
    elif spoil == "garbage":
        state.write_bytes(b"not a pickle")
    else:
        config = dataclasses.replace(config, spread_8h=0.001)
    steady = SignalEngine(config)
    for i in range(80):
        steady.update(*_next(i))
    again, problems = Recorder.open(config, *paths(tmp_path))
    warm = again.warm_up(T0 + 80 * STEP, spread_refreshes=3)
    assert problems == [] and warm.source == "history"
    if spoil == "garbage":  # moved aside and said so, in one line
        assert (
            len(warm.problems) == 1 and "moved to signals-state.json.corrupt-" in warm.problems[0]
        )
        assert not state.exists()
        assert [p.read_bytes() for p in tmp_path.glob("signals-state.json.corrupt-*")] == [
            b"not a pickle"
        ]
    else:  # missing, or saved with other thresholds: nothing to say; the next save replaces it
        assert warm.problems == []
        assert state.exists() == (spoil == "thresholds")
    assert warm.samples == 80 * 3
    assert [t for t, _ in warm.spreads] == [T0 + i * STEP for i in (77, 78, 79)]
    # the spread of the last refresh: binance 8h rate minus okx's 8h-equivalent
    _, last = refresh(79)
    assert warm.spreads[-1][1]["BTC"] == pytest.approx(
        abs(last[0].rate_8h - last[2].rate_8h), rel=1e-9
    )
    same_state(again.engine, steady, cooldowns=False)
    assert again.close() == []
    assert json.loads(state.read_text())["config"]["spread_8h"] == config.spread_8h


def test_warm_up_reads_only_the_longest_rule_window():
    assert warm_up_hours(SignalConfig()) == 24.0
    assert (
        warm_up_hours(
            SignalConfig(
                deviation_window_h=2,
                spike_window_h=1,
                oi_lookback_h=1,
                ema_periods=2,
                ema_period_h=1,
                ema_min_history_h=1,
            )
        )
        == 2.0
    )
    assert warm_up_hours(SignalConfig(deviation_window_h=200)) == 24.0


def test_a_history_file_that_is_not_a_database_is_set_aside_and_a_new_one_started(tmp_path):
    history, log, state = paths(tmp_path)
    garbage = b"this is not a database" * 100
    history.write_bytes(garbage)
    rec, problems = Recorder.open(SignalConfig(spread_8h=0.0001), history, log, state)
    assert len(problems) == 1 and "moved" in problems[0] and problems[0].isprintable()
    (aside,) = tmp_path.glob(history.name + ".corrupt-*")
    assert aside.read_bytes() == garbage  # nothing lost
    assert rec.store is not None
    rec.warm_up(T0)
    t, qs = refresh(10)
    rec.record_poll(qs, t)
    assert rec.store.latest_at() == t  # the new file records
    assert rec.close() == []


def test_an_unusable_history_file_leaves_signals_running(tmp_path):
    # a command that only reads (create_history=False) moves nothing: it writes nothing
    history, log, state = paths(tmp_path)
    history.write_bytes(b"this is not a database" * 100)
    rec, problems = Recorder.open(
        SignalConfig(spread_8h=0.0001), history, log, state, create_history=False
    )
    assert not list(tmp_path.glob(history.name + ".corrupt-*"))
    assert len(problems) == 1 and str(history) in problems[0]
    assert "running without history" in problems[0]
    assert rec.store is None
    rec.warm_up(T0)
    t, qs = refresh(10)
    rec.record_poll(qs, t)  # nowhere to write: no error
    hits = rec.evaluate(t, chosen(qs))
    assert "spread" in [h.rule for h in hits]
    assert log.read_text().count("\n") == len(hits)  # hits still reach the log
    assert rec.close() == []
