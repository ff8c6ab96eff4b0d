"""Freed heap goes back to the OS after the writer's big passes (engine/heap.py)."""

from __future__ import annotations

import sys

import pytest

from fundtui.core.signal_types import SignalConfig
from fundtui.engine import heap, recorder
from fundtui.engine.recorder import Recorder
from tests.test_store_recorder import paths, refresh

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")


def rss_anon_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise AssertionError("no RssAnon in /proc/self/status")


@linux
def test_trimming_gives_freed_heap_in_the_middle_back():
    # blocks above pymalloc's 512 bytes come from malloc; freeing every other one
    # leaves free memory between live blocks, which glibc keeps without a trim
    heap.give_back()
    blocks = [bytes(16_000) for _ in range(5_000)]  # ~80 MB, under mmap's threshold
    kept = blocks[::4]
    del blocks
    before = rss_anon_kb()
    assert heap.give_back() is True
    after = rss_anon_kb()
    assert before - after > 30_000, (before, after)  # most of the ~60 MB freed
    assert len(kept) == 1_250 and all(len(b) == 16_000 for b in kept)


def test_maintenance_trims_after_a_compaction_and_a_save_only(tmp_path, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(heap, "give_back", lambda: calls.append(1) or True)
    history, log, state = paths(tmp_path)
    rec, _ = Recorder.open(SignalConfig(), history, log, state)
    t, qs = refresh(0)
    rec.record_poll(qs, t)
    rec.evaluate(t, qs)
    rec.maintain(t)  # the first compaction of this period
    assert calls == [1]
    rec.maintain(t + 1)  # the same period, no save due: nothing to give back
    assert calls == [1]
    later = t + recorder.CHECKPOINT_EVERY_MS
    rec.evaluate(later, refresh(1)[1])
    rec.maintain(later)  # a new period and a save
    assert calls == [1, 1]
    assert state.exists()
    rec.close()


def test_freezing_startup_moves_what_lives_out_of_the_collector_s_way():
    import gc

    gc.unfreeze()
    try:
        heap.freeze_startup()
        assert gc.get_freeze_count() > 0
        assert gc.get_count()[0] < 100  # collected just before
    finally:
        gc.unfreeze()


_FRAGMENT = """
import sys
from fundtui.engine import heap
if sys.argv[1] == "tune":
    assert heap.tune() is True
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
big = b"x" * (8 << 20)  # one block that glibc maps and unmaps: it raises its threshold
del big
blocks = [b"x" * 300_000 for _ in range(100)]  # ~30 MB of answer-sized buffers
kept = blocks[1::2]
before = rss()
del blocks
print(before - rss(), len(kept))
"""


def _freed_kb(mode: str) -> int:
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", _FRAGMENT, mode], capture_output=True, text=True, check=True
    )
    freed, kept = map(int, out.stdout.split())
    assert kept == 50
    return freed


@linux
def test_tuned_answer_sized_buffers_go_back_to_the_os_when_freed():
    # Without tuning glibc, a freed 8 MB block raises its mmap threshold past 300 KB:
    # such buffers then come from the heap, and freeing every other one gives
    # nothing back. Tuned, each is mapped on its own and unmapped when freed.
    assert _freed_kb("tune") > 12_000
