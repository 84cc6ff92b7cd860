"""A small non-sticky TCP load balancer for tests: every new connection goes to the next live
backend in turn (a refused backend is skipped), like a balancer in TCP mode without session
affinity. It remembers which backend served each websocket (`/_event`) and can drop every
open connection, which is what a balancer restart or a network blip does to browsers."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from tests.support.processes import free_port


@dataclass
class _Conn:
    backend: int
    websocket: bool
    writers: list[asyncio.StreamWriter] = field(default_factory=list)


class RoundRobinProxy:
    def __init__(self, backends: list[int]) -> None:
        self.backends = list(backends)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.websockets: list[int] = []  # backend port of each websocket, in order
        self._turn = 0
        self._open: list[_Conn] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> RoundRobinProxy:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", self.port), self._loop
        )
        self._server = started.result(10)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.drop_all()
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def live_websocket_backend(self) -> int | None:
        """The backend holding the newest websocket that is still open."""
        live = [c for c in self._open if c.websocket]
        return live[-1].backend if live else None

    def drop_all(self) -> None:
        def close() -> None:
            for conn in self._open:
                for writer in conn.writers:
                    writer.close()

        self._loop.call_soon_threadsafe(close)

    async def _connect(self) -> tuple[int, asyncio.StreamReader, asyncio.StreamWriter] | None:
        for _ in range(len(self.backends)):
            port = self.backends[self._turn % len(self.backends)]
            self._turn += 1
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                return port, reader, writer
            except OSError:
                continue  # a dead node: the balancer tries the next one
        return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.read(65536)
        backend = await self._connect()
        if not head or backend is None:
            writer.close()
            return
        port, b_reader, b_writer = backend
        conn = _Conn(port, b" /_event" in head.split(b"\r\n", 1)[0], [writer, b_writer])
        if conn.websocket:
            self.websockets.append(port)
        self._open.append(conn)
        b_writer.write(head)
        try:
            await asyncio.gather(self._pipe(reader, b_writer), self._pipe(b_reader, writer))
        finally:
            self._open.remove(conn)
            for w in conn.writers:
                w.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
