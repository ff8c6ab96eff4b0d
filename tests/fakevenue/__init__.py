"""The project's own fake venue server for integration tests (loopback only)."""

from tests.fakevenue.server import VENUES, FakeVenue, Route

__all__ = ["VENUES", "FakeVenue", "Route"]
