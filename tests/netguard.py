"""A fixture that fails any name lookup other than loopback, for tests that drive ccxt.

Import ``loopback_only`` into a test module (``from tests.netguard import loopback_only``)
and mark it autouse there; a code path that would reach a real venue then fails
the test instead of going to the internet.
"""

from __future__ import annotations

import socket

import pytest

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK:
            raise OSError(f"test tried to resolve {name!r}: tests stay on loopback")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
