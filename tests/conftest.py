"""Shared test setup: every test runs with its own config, data and cache folders."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    for name in ("CONFIG", "DATA", "CACHE"):
        d = tmp_path / name.lower()
        d.mkdir()
        monkeypatch.setenv(f"FUNDTUI_{name}_DIR", str(d))
