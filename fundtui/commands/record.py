"""``fundtui record``: the engine without the board, for a server that never sleeps.

    fundtui record [--config PATH] [--demo] [--exchanges A,B] [--refresh SECONDS]
                   [--quiet | --verbose]

The rules need hours of samples (24 h means, EMAs, 8 h spike windows, three
settlements in a row); they get them only while something polls. ``record``
runs the same engine as the board (same config, same data folder, same
history, signals log and rule checkpoint) in a plain asyncio loop, and logs one
line per event to stderr (``fundtui.commands.record_log``). ``--demo`` records
the simulated market into the demo folder, never into the real history.

One process polls a data folder: ``record`` takes the folder's poller lock
(``fundtui.store.poller_lock``) and, while another fundtui holds it, stands by
and tries again every refresh interval.

SIGTERM, SIGINT and SIGHUP (systemd stopping the unit, Ctrl-C, the SSH session
or tmux pane going away) stop the engine: the writer thread saves the rules'
state (so no hit fires twice within its cooldown across a restart) and closes
the history; the exit is 0. A bad config or flag is one line and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from fundtui.commands import flags, say

if TYPE_CHECKING:
    from fundtui.commands.record_log import EventLog
    from fundtui.config import Config
    from fundtui.engine.engine import Engine, SourceFactory

#: The signals that end a recording, each the way quitting the board does.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
#: Venue statuses are looked at this often (a venue goes stale with no event).
TICK_S = 1.0


class Lock(Protocol):
    def try_acquire(self) -> bool: ...
    def release(self) -> None: ...
    def holder(self) -> int | None: ...


def register(commands: Any, add_common: Callable[..., None]) -> None:
    p = commands.add_parser(
        "record",
        allow_abbrev=False,
        help="poll and record history and signals with no board (for a server)",
        description="Run the engine without the board: poll the venues, record history, "
        "evaluate the signal rules and write the signals log, logging one line per event "
        "to stderr. SIGTERM, SIGINT and SIGHUP save the rules' state and exit 0.",
    )
    flags.add_exchanges(
        p, "poll these venues instead of the configured ones (even when disabled in the config)"
    )
    flags.add_refresh(p)
    noise = p.add_mutually_exclusive_group()
    noise.add_argument("--quiet", action="store_true", help="log warnings and errors only")
    noise.add_argument("--verbose", action="store_true", help="log every poll too")
    add_common(p, defaults=False)
    p.set_defaults(run=run)


def recording_config(
    config: Config, exchanges: Sequence[str] | None, refresh_s: float | None
) -> Config:
    """The config with ``--exchanges`` and ``--refresh`` applied."""
    return flags.override(config, exchanges, refresh_s)


def source_factory(config: Config, demo: bool) -> SourceFactory:
    names = [v.name for v in config.active_venues()]
    if demo:

        def factory() -> Sequence[Any]:
            from fundtui.feeds.demo import demo_sources

            return demo_sources(names)
    else:

        def factory() -> Sequence[Any]:
            from fundtui.feeds.registry import make_sources

            return make_sources(config.active_venues())

    return factory


def run(args: argparse.Namespace) -> int:
    from fundtui.commands import record_log
    from fundtui.config import load_config
    from fundtui.store.paths import history_dir

    config = recording_config(load_config(args.config), args.exchanges, args.refresh)
    if not config.active_venues():
        say(f"no exchanges to poll: every venue is disabled in {config.source}")
        return 2
    record_log.setup(quiet=args.quiet, verbose=args.verbose)
    folder = history_dir(args.demo)
    return asyncio.run(record(config, source_factory(config, args.demo), folder, args.demo))


async def wait_for_lock(lock: Lock, every_s: float, stop: asyncio.Event) -> bool:
    """Take the poller lock, standing by (one line) while another process holds it.

    Tries again every ``every_s``; False when told to stop before getting it.
    """
    from fundtui.commands.record_log import log

    said = False
    while not lock.try_acquire():
        if not said:
            pid = lock.holder()
            who = f" (pid {pid})" if pid is not None else ""
            log.info("another fundtui polls this data folder%s; standing by", who)
            said = True
        try:
            await asyncio.wait_for(stop.wait(), every_s)
            return False
        except TimeoutError:
            pass
    if said:
        log.info("the poller lock is free: taking over polling")
    return True


async def record(
    config: Config,
    factory: SourceFactory,
    folder: Path,
    demo: bool = False,
    *,
    lock: Lock | None = None,
    make_engine: Callable[..., Engine] | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Record until a stop signal (or ``stop`` is set); returns the exit code (0).

    ``lock``: the poller lock to wait for (default: the engine's own, so that the
    engine, once started, finds it held by this process and polls).
    """
    from fundtui.commands.record_log import EventLog, log

    loop = asyncio.get_running_loop()
    stop = stop if stop is not None else asyncio.Event()
    why: list[str] = []

    def stopping(sig: signal.Signals) -> None:
        if not why:
            why.append(sig.name)
        stop.set()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stopping, sig)
    events = EventLog(config.refresh_seconds)
    engine = (make_engine or _engine)(config, factory, folder, demo, events)
    lock = lock if lock is not None else engine.lock
    try:
        if lock is not None:
            try:
                taken = await wait_for_lock(lock, config.refresh_seconds, stop)
            except OSError:  # unusable lock file: the engine says so and polls anyway
                taken = True
            if not taken:
                log.info("stopped (%s) while standing by", why[0] if why else "asked to")
                return 0
        alerts = _alerts(engine, config)
        engine.start()
        log.info("recording into %s", folder)
        ticker = loop.create_task(_tick(engine, events))
        await stop.wait()
        log.info("stopping (%s)", why[0] if why else "asked to")
        ticker.cancel()
        await engine.stop()  # the writer saves the rules' state, closes history
        if alerts is not None:  # pending sends get a second; the hits are in the log
            await asyncio.to_thread(alerts.close, 1.0)
        log.info("stopped: signal state saved, history closed")
        return 0
    finally:
        if lock is not None:
            lock.release()
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def _engine(
    config: Config, factory: SourceFactory, folder: Path, demo: bool, events: EventLog
) -> Engine:
    """The engine as the board runs it, its events into the log."""
    from fundtui.engine import events as ev
    from fundtui.engine.engine import Engine
    from fundtui.store.watchlist import Watchlist

    _, notice = Watchlist.load()
    if notice:
        events.event(ev.Notice(notice))

    def emit(event: ev.Event) -> None:
        events.event(event)
        if isinstance(event, ev.VenuePolled | ev.StatusChanged):
            events.statuses(engine.market.statuses, engine.clock())

    engine = Engine(
        config,
        factory,
        emit,
        history_dir=folder,
        demo=demo,
        # read again at each hourly catch-up: the board may have changed it
        watched=lambda: Watchlist.load()[0].bases,
    )
    return engine


def _alerts(engine: Engine, config: Config) -> Any:
    """The alert dispatcher on the engine's logged hits (None without alert URLs);
    each delivery and failure is a log line."""
    from fundtui.engine.alerts import attach_alerts

    return attach_alerts(engine, config, log_alert)


def log_alert(outcome: Any) -> None:
    """One line per alert delivery (INFO) or failure (WARNING), the URL never in full."""
    from fundtui.commands.record_log import log

    log.log(logging.INFO if outcome.ok else logging.WARNING, "%s", outcome.line)


async def _tick(engine: Engine, events: EventLog) -> None:
    """A venue goes stale with no event: look once a second (as the board's clock does)."""
    while True:
        await asyncio.sleep(TICK_S)
        now = engine.clock()
        engine.check_stale(now)
        events.statuses(engine.market.statuses, now)
