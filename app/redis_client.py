"""The shared Redis connection (schedule, rate limits, login throttling)."""

from __future__ import annotations

from functools import lru_cache

from redis import Redis

from app.config import settings


@lru_cache(maxsize=1)
def redis() -> Redis:
    if not settings.redis_url:
        raise RuntimeError("HERALD_REDIS_URL is not set (use `make run`, which starts Redis)")
    return Redis.from_url(
        settings.redis_url, socket_timeout=5, socket_connect_timeout=3, health_check_interval=30
    )
