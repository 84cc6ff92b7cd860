"""Logs, metrics and error reporting of a Herald process: `init_process(role)` at its start.

Roles: web, worker, scheduler, migrate, cli (and `run`, the supervisor of `make run`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app import logs
from app.config import settings


def metrics_dir(fresh: Path | None = None) -> Path:
    """The multiprocess metrics directory of this process tree (PROMETHEUS_MULTIPROC_DIR).

    `make run` passes one shared, emptied directory to every child; a process started on
    its own (a container role) gets a private one. Must run before prometheus_client loads.
    """
    if fresh is not None:
        fresh.mkdir(parents=True, exist_ok=True)
        for stale in fresh.glob("*.db"):
            stale.unlink()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(fresh)
    elif not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="herald-metrics-")
    return Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def serve_metrics_port() -> None:
    """HERALD_METRICS_PORT > 0: /metrics on that port, no token (for a private network)."""
    if settings.metrics_port <= 0:
        return
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from app.observability import metrics

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            body, content_type = metrics.render()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:  # scrapes are not news
            pass

    server = ThreadingHTTPServer(("0.0.0.0", settings.metrics_port), Handler)
    Thread(target=server.serve_forever, name="metrics", daemon=True).start()


def init_process(role: str) -> None:
    """Logging format and levels, the metrics directory and Sentry for this process."""
    logs.configure(role)
    metrics_dir()
    from app.observability import sentry

    sentry.init(role)
