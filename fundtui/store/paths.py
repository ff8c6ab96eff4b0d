"""Where fundtui keeps its files: platformdirs' per-user config, data and cache folders.

Each can be redirected with an environment variable (FUNDTUI_CONFIG_DIR,
FUNDTUI_DATA_DIR, FUNDTUI_CACHE_DIR), which tests and benchmarks use to stay
out of the user's folders.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "fundtui"

#: The files of a history folder (``history_dir``), named here only.
HISTORY_FILE = "history.sqlite3"
SIGNAL_LOG_FILE = "signals.jsonl"
CHECKPOINT_FILE = "signals-state.json"
#: Held (flock) by the one process that polls for this folder; see store.poller_lock.
POLLER_LOCK_FILE = "poller.lock"
#: The poller's latest answers and hits, read by the processes attached to it.
LIVE_FILE = "live.sqlite3"
#: The rule state as earlier versions kept it (pickle): never read, since loading
#: a pickle can run code; moved aside once when found.
LEGACY_CHECKPOINT_FILE = "signals-state.pickle"


def _dir(env: str, default: str) -> Path:
    value = os.environ.get(env)
    return Path(value) if value else Path(default)


def config_dir() -> Path:
    return _dir("FUNDTUI_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return _dir("FUNDTUI_DATA_DIR", platformdirs.user_data_dir(APP_NAME))


def cache_dir() -> Path:
    return _dir("FUNDTUI_CACHE_DIR", platformdirs.user_cache_dir(APP_NAME))


def history_dir(demo: bool = False) -> Path:
    """Where history, the signals log and the signal state live. The demo market
    keeps its own, so simulated rates never mix with real ones."""
    return data_dir() / "demo" if demo else data_dir()


def config_file() -> Path:
    return config_dir() / "config.toml"
