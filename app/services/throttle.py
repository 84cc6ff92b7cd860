"""Per-caller request budgets (token buckets in Redis, shared by every web worker): presigned
uploads per user, registrations per IP."""

from __future__ import annotations

import math
import time

from app.services import ratelimit
from app.services.errors import TooManyRequests


def take(key: str, per_hour: int, message: str, code: str) -> None:
    """Take one request from `key`'s hourly budget (capacity `per_hour`, refilled continuously),
    or TooManyRequests saying when to come back. `per_hour` <= 0: unlimited."""
    if per_hour <= 0:
        return
    taken, wait_ms = ratelimit.script()(
        keys=[f"herald:throttle:{key}"], args=[per_hour, per_hour / 3600, time.time(), 1]
    )
    if not taken:
        wait = max(1, math.ceil(wait_ms / 1000))
        when = f"{wait} seconds" if wait < 90 else f"{math.ceil(wait / 60)} minutes"
        raise TooManyRequests(f"{message} Try again in {when}.", code=code, retry_after=wait)
