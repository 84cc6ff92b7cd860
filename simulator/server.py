"""Run the simulator with uvicorn in a background thread (tests, benchmarks, the dev server)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Self

import uvicorn
from starlette.types import ASGIApp

from simulator.app import create_app
from simulator.state import Simulator

_DROP_MESSAGES = (
    "ASGI callable returned without completing response.",
    "ASGI callable returned without starting response.",
)


class _QuietDrops(logging.Filter):
    """Injected 'drop'/'timeout' faults end responses early on purpose; don't log them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in _DROP_MESSAGES


def quiet_injected_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


class ServerThread:
    """Serves an ASGI app with uvicorn from a daemon thread (`with` starts and stops it), on a
    socket bound at once: `port` 0 takes a free one, known as `self.port` before starting."""

    def __init__(
        self,
        app: ASGIApp,
        host: str,
        port: int,
        *,
        label: str,
        thread_name: str,
        graceful_s: float,
        join_s: float,
    ) -> None:
        self.host = host
        self._label = label  # "<label> did not start"
        self._thread_name = thread_name
        self._join_s = join_s
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="warning",
            http="h11",
            lifespan="off",
            timeout_graceful_shutdown=graceful_s,
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> Self:
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            daemon=True,
            name=self._thread_name,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self._label} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=self._join_s)
        self._sock.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SimServer(ServerThread):
    """`with SimServer() as srv:` serves `srv.sim` at `srv.url` (a free port on 127.0.0.1)."""

    def __init__(
        self,
        sim: Simulator | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        secret: str | None = None,
    ) -> None:
        self.sim = sim or Simulator()
        super().__init__(
            create_app(self.sim, secret),
            host,
            port,
            label="simulator",
            thread_name="sim",
            graceful_s=2,
            join_s=10,
        )

    def url_for(self, platform: str) -> str:
        """API base of one platform, e.g. http://127.0.0.1:PORT/mastodon."""
        return f"{self.url}/{platform}"

    def start(self, timeout: float = 10.0) -> Self:
        quiet_injected_drops()
        return super().start(timeout)
