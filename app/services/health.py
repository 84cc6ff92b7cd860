"""Liveness of the pieces Herald needs: database, Redis, RQ workers and the scheduler; and the
platforms Herald stopped sending to (open circuit breakers), which never make Herald unhealthy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from app import db
from app.redis_client import redis
from app.services import circuit, liveness

# rq-scheduler keeps one hash per live scheduler, expiring a few seconds after its interval.
SCHEDULER_KEYS = "rq:scheduler_instance:*"


def _check(fn: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    try:
        detail = fn()
        return {"ok": True, **(detail or {})}
    except Exception as exc:  # any failure means "down"; the message says why
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}


def _database() -> dict[str, Any]:
    with db.engine().connect() as conn:
        conn.execute(text("SELECT 1"))
    return {}


def _redis() -> dict[str, Any]:
    redis().ping()
    return {}


def _workers() -> dict[str, Any]:
    """Worker processes that reported themselves lately (PostgreSQL: it survives a Redis
    flush, after which RQ's own worker registry stays empty until the workers restart)."""
    now = dt.datetime.now(dt.UTC)
    live = [seen for seen, _ in liveness.reports().values() if now - seen < liveness.STALE]
    if not live:
        raise RuntimeError("no live worker")
    return {"count": len(live)}


def _scheduler() -> dict[str, Any]:
    r = redis()
    alive = [k for k in r.scan_iter(SCHEDULER_KEYS, count=100) if not r.hexists(k, "death")]
    if not alive:
        raise RuntimeError("no live rq-scheduler")
    return {"count": len(alive)}


def status() -> dict[str, Any]:
    checks = {
        "database": _check(_database),
        "redis": _check(_redis),
        "worker": _check(_workers),
        "scheduler": _check(_scheduler),
    }
    return {
        "ok": all(c["ok"] for c in checks.values()),
        "checks": checks,
        "platforms": _platforms() if checks["redis"]["ok"] else {},
    }


def _platforms() -> dict[str, Any]:
    """Open breakers of whole platforms and servers (accounts are counted, not named)."""
    out: dict[str, Any] = {}
    accounts = 0
    for b in circuit.open_breakers():
        if b.scope.startswith("account:"):
            accounts += 1
        else:
            out[b.scope] = {k: v for k, v in b.as_dict().items() if k != "scope"}
    return {"failing": out, "accounts_failing": accounts}
