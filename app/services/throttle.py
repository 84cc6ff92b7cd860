"""Per-caller request budgets (token buckets in Redis, shared by every web worker): presigned
uploads per user, registrations per IP."""

from __future__ import annotations

import math
import time

from app.services import ratelimit
from app.services.errors import TooManyRequests


def wait_for(redis_key: str, per_hour: int) -> int | None:
    """Take one request from the hourly budget at `redis_key` (capacity `per_hour`, refilled
    continuously): None when taken (or `per_hour` <= 0: unlimited), else the whole seconds
    until one is available."""
    if per_hour <= 0:
        return None
    taken, wait_ms = ratelimit.script()(
        keys=[redis_key], args=[per_hour, per_hour / 3600, time.time(), 1]
    )
    return None if taken else max(1, math.ceil(wait_ms / 1000))


def duration(seconds: int) -> str:
    """A wait in words: seconds up to 89, then minutes (rounded up)."""
    return f"{seconds} seconds" if seconds < 90 else f"{math.ceil(seconds / 60)} minutes"


def take(key: str, per_hour: int, message: str, code: str) -> None:
    """Take one request from `key`'s hourly budget (capacity `per_hour`, refilled continuously),
    or TooManyRequests saying when to come back. `per_hour` <= 0: unlimited."""
    wait = wait_for(f"herald:throttle:{key}", per_hour)
    if wait is not None:
        raise TooManyRequests(
            f"{message} Try again in {duration(wait)}.", code=code, retry_after=wait
        )
