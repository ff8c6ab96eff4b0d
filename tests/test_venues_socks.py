"""A venue reached through a SOCKS5 proxy, end to end, on loopback only.

The venue's api_base points at an address where nothing listens; a minimal
SOCKS5 server of the test's own forwards every CONNECT to the fake venue and
records where the client asked to go.
"""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

pytest_plugins = ("tests.fakevenue.fixtures",)


class Socks5Server:
    """No-auth SOCKS5, CONNECT only, every destination sent to one upstream."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.asked: list[tuple[str, int]] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"socks5://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        try:
            ver, n = await reader.readexactly(2)
            await reader.readexactly(n)
            writer.write(b"\x05\x00")  # no authentication
            _, cmd, _, atyp = await reader.readexactly(4)
            if atyp == 1:
                host = socket.inet_ntoa(await reader.readexactly(4))
            elif atyp == 3:
                host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, await reader.readexactly(16))
            port = int.from_bytes(await reader.readexactly(2), "big")
            assert ver == 5 and cmd == 1
            self.asked.append((host, port))
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            writer.write(b"\x05\x00\x00\x01" + b"\x00" * 6)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()


async def test_requests_go_through_the_configured_socks5_proxy(fakes, make_venue):
    fake = fakes["okx"]
    up = urlsplit(fake.url)
    proxy = Socks5Server((up.hostname, up.port))
    url = await proxy.start()
    try:
        # 127.0.0.2:9 has no listener: only the proxy can deliver these requests.
        source = make_venue("okx", api_base="http://127.0.0.2:9", proxy=url)
        poll = await source.poll()
        assert any(q.base == "BTC" for q in poll.quotes)
        assert proxy.asked and set(proxy.asked) == {("127.0.0.2", 9)}
        assert fake.hits() >= 1
    finally:
        await proxy.stop()
