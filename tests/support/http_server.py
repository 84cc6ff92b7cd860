"""The plumbing of the small standard-library HTTP servers the tests run (webhook receiver,
Sentry ingestion, security probe): a quiet handler and serving from a thread while in `with`."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that does not log every request to stderr."""

    def log_message(self, *args: object) -> None:
        pass


class BackgroundServer:
    """`with` serves `_server` (built by the subclass) from a daemon thread, then shuts it."""

    _server: ThreadingHTTPServer

    def __enter__(self) -> Self:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
