"""Per-account and per-platform publish budgets: token buckets in Redis.

A bucket holds up to `capacity` tokens and refills `capacity` tokens every `period` seconds,
continuously. Taking a token is atomic (one Lua script), so many workers share a budget.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import lru_cache

from redis.commands.core import Script

from app.config import settings
from app.providers.registry import all_providers
from app.redis_client import redis

# KEYS[1] bucket; ARGV capacity, refill per second, now, cost. Returns {taken, wait_ms}.
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local taken = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  taken = 1
else
  wait = math.ceil((cost - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
return {taken, wait}
"""

# platform -> scope ("account" | "platform") -> (capacity, period seconds), as each provider
# declares it; override with HERALD_RATE_BUDGETS (same JSON shape).
DEFAULT_BUDGETS: dict[str, dict[str, tuple[int, float]]] = {
    p.id: p.rate_budgets for p in all_providers()
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    wait_seconds: float = 0.0


def budgets(platform: str) -> dict[str, tuple[int, float]]:
    overrides = json.loads(settings.rate_budgets or "{}")
    merged = {**DEFAULT_BUDGETS.get(platform, {}), **overrides.get(platform, {})}
    return {scope: (int(c), float(p)) for scope, (c, p) in merged.items()}


@lru_cache(maxsize=1)
def script() -> Script:
    return redis().register_script(_TAKE)


def take(platform: str, account_id: str) -> Decision:
    """Take one publish token from the account's and the platform's buckets.

    When one bucket is empty nothing is taken from the other, and the answer says how long
    to wait. (A token taken from the first bucket before the second refused is kept: the
    error is one publish's worth of budget, in the safe direction.)
    """
    take_one = script()
    now = time.time()
    for scope, (capacity, period) in budgets(platform).items():
        key = f"herald:budget:{platform}:{scope}" + (f":{account_id}" if scope == "account" else "")
        taken, wait_ms = take_one(keys=[key], args=[capacity, capacity / period, now, 1])
        if not taken:
            return Decision(False, wait_ms / 1000)
    return Decision(True)
