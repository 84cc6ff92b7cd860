"""Circuit breakers: recognise an outage instead of hammering it.

A breaker watches one scope: a platform (`x`), one federated server (`mastodon@mastodon.social`)
or one account (`account:<id>`). After `HERALD_BREAKER_THRESHOLD` consecutive failures that
say "the platform is down" (5xx, timeouts, refused connections) it opens: nothing is sent to
that scope for a cool-down. Then exactly one request goes through as a probe (the next due
destination): success closes the breaker and releases what waited, failure opens it again with
a doubled cool-down (up to `HERALD_BREAKER_MAX_COOLDOWN_SECONDS`). Destinations that meet an
open breaker wait without spending attempts (see publishing.py).

State lives in Redis (shared by every worker process of every host); every transition is one
Lua script, so concurrent workers agree on who probes and when it opens.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast
from urllib.parse import urlsplit

from redis.commands.core import Script

from app.config import settings
from app.redis_client import redis

PREFIX = "herald:breaker:"
INDEX = "herald:breakers"  # scopes that are not closed (for health, the dashboard banner)

# KEYS: one breaker hash per scope. ARGV: now, probe ttl. Returns {allowed, probed keys joined
# by ",", wait until (s), blocking key, watched}. Every open scope of the request must be past
# its cool-down and not already probed: then this request is the probe of each of them.
# `watched` is 0 when no breaker of the request has any state (no success needs recording): a
# breaker that exists has `failures` (the first thing recorded) or a `state`.
_ADMIT = """
local now = tonumber(ARGV[1])
local probe_ttl = tonumber(ARGV[2])
local probes = {}
local watched = 0
for i, key in ipairs(KEYS) do
  local state = redis.call('HMGET', key, 'state', 'open_until', 'probe_until', 'failures')
  if state[1] or state[4] then
    watched = 1
  end
  if state[1] == 'open' then
    local open_until = tonumber(state[2])
    local probe_until = tonumber(state[3]) or 0
    if now < open_until then
      return {0, '', tostring(open_until), key, 1}
    end
    if now < probe_until then
      return {0, '', tostring(probe_until), key, 1}
    end
    table.insert(probes, key)
  end
end
for i, key in ipairs(probes) do
  redis.call('HSET', key, 'probe_until', now + probe_ttl)
end
return {1, table.concat(probes, ','), '0', '', watched}
"""

# KEYS: the breakers of one request, outermost first. ARGV: now, outcome ("ok" | "down"), the
# keys this request probed (","-joined), threshold, cooldown, max cooldown, message, platform,
# index set, account id. Returns "opened:<key>" / "closed:<key>" for each breaker that changed.
# A platform (or server) breaker opens only when the failures come from two accounts at least:
# one account's trouble is its own breaker's business.
_RECORD = """
local now = tonumber(ARGV[1])
local outcome = ARGV[2]
local probed = ',' .. ARGV[3] .. ','
local threshold = tonumber(ARGV[4])
local cooldown = tonumber(ARGV[5])
local max_cooldown = tonumber(ARGV[6])
local changed = {}
for i, key in ipairs(KEYS) do
  local state = redis.call('HGET', key, 'state')
  if outcome == 'ok' then
    if state == 'open' then
      table.insert(changed, 'closed:' .. key)
    end
    redis.call('DEL', key, key .. ':accounts')
    redis.call('SREM', ARGV[9], key)
  elseif state == 'open' then
    if string.find(probed, ',' .. key .. ',', 1, true) then
      local next = math.min(max_cooldown, tonumber(redis.call('HGET', key, 'cooldown')) * 2)
      redis.call('HINCRBY', key, 'failures', 1)
      redis.call('HSET', key, 'open_until', now + next, 'cooldown', next, 'probe_until', 0,
                 'last_error', ARGV[7])
    end
  else
    local failures = redis.call('HINCRBY', key, 'failures', 1)
    redis.call('HSET', key, 'last_error', ARGV[7], 'platform', ARGV[8])
    local accounts = 2
    if i < #KEYS then
      redis.call('SADD', key .. ':accounts', ARGV[10])
      redis.call('EXPIRE', key .. ':accounts', 3600)
      accounts = redis.call('SCARD', key .. ':accounts')
    end
    if failures >= threshold and accounts >= 2 then
      redis.call('HSET', key, 'state', 'open', 'opened_at', now, 'open_until', now + cooldown,
                 'cooldown', cooldown, 'probe_until', 0)
      redis.call('PERSIST', key)
      redis.call('SADD', ARGV[9], key)
      table.insert(changed, 'opened:' .. key)
    else
      redis.call('EXPIRE', key, 3600)
    end
  end
end
return changed
"""


@lru_cache(maxsize=1)
def _scripts() -> tuple[Script, Script]:
    r = redis()
    return r.register_script(_ADMIT), r.register_script(_RECORD)


def scopes(
    platform: str, account_id: str, api_base: str = "", federated: bool = False
) -> list[str]:
    """The breakers a request to this account passes: its platform (or, for a federated platform,
    its server) and the account itself."""
    if federated:
        host = urlsplit(api_base).hostname or api_base or "default"
        outer = f"{platform}@{host}"
    else:
        outer = platform
    return [outer, f"account:{account_id}"]


def _key(scope: str) -> str:
    return PREFIX + scope


def _scope(key: str) -> str:
    return key.removeprefix(PREFIX)


@dataclass(frozen=True)
class Gate:
    """May a request go out now? If not, `retry_at` (epoch s) says when to ask again and `scope`
    which breaker said no; `probe` lists the keys of the breakers this request probes."""

    allowed: bool
    probe: str = ""
    retry_at: float = 0.0
    scope: str = ""
    # False when no breaker of the request had any state: a success changes nothing then.
    watched: bool = True


def admit(scope_list: list[str], probe_ttl: float | None = None) -> Gate:
    """Ask every breaker of a request; at most one request per open scope is let through (the
    probe) once its cool-down is over."""
    admit_script, _ = _scripts()
    ttl = probe_ttl if probe_ttl is not None else 3 * settings.http_timeout_seconds + 30
    allowed, probe, until, blocking, watched = admit_script(
        keys=[_key(s) for s in scope_list], args=[time.time(), ttl]
    )
    return Gate(
        bool(int(allowed)),
        _decode(probe),
        float(_decode(until)),
        _scope(_decode(blocking)) if _decode(blocking) else "",
        bool(int(watched)),
    )


def record(scope_list: list[str], ok: bool, *, probe: str = "", message: str = "") -> list[str]:
    """Feed one outcome to the breakers of a request (`probe`: its Gate's). Returns
    "opened:<scope>" / "closed:<scope>" for each breaker that changed state."""
    _, record_script = _scripts()
    changed = record_script(
        keys=[_key(s) for s in scope_list],
        args=[
            time.time(),
            "ok" if ok else "down",
            probe,
            settings.breaker_threshold,
            settings.breaker_cooldown_seconds,
            settings.breaker_max_cooldown_seconds,
            message[:300],
            scope_list[0].split("@")[0],
            INDEX,
            scope_list[-1],
        ],
    )
    out = []
    for item in changed:
        what, _, key = (item.decode() if isinstance(item, bytes) else item).partition(":")
        out.append(f"{what}:{_scope(key)}")
    return out


def _decode(value: object) -> str:
    """A Redis reply (bytes, or a number from a script) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


def is_open(scope: str) -> bool:
    return cast(bytes | None, redis().hget(_key(scope), "state")) == b"open"


def last_error(scope: str) -> str:
    value = cast(bytes | None, redis().hget(_key(scope), "last_error"))
    return value.decode() if value else ""


@dataclass(frozen=True)
class BreakerState:
    scope: str
    platform: str
    state: str  # "open" (waiting out the cool-down) or "probing"
    opened_at: float
    open_until: float
    cooldown: float
    failures: int
    last_error: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "platform": self.platform,
            "state": self.state,
            "opened_at": self.opened_at,
            "next_probe_at": self.open_until,
            "cooldown_seconds": self.cooldown,
            "failures": self.failures,
            "last_error": self.last_error,
        }


def open_breakers() -> list[BreakerState]:
    """Every breaker that is not closed, platforms and servers first."""
    r = redis()
    keys = sorted(k.decode() for k in cast(set[bytes], r.smembers(INDEX)))
    if not keys:
        return []
    with r.pipeline() as pipe:
        for key in keys:
            pipe.hgetall(key)
        rows = pipe.execute()
    now = time.time()
    found = []
    for key, row in zip(keys, rows, strict=True):
        data = {k.decode(): v.decode() for k, v in row.items()}
        if data.get("state") != "open":
            r.srem(INDEX, key)  # closed meanwhile (or expired)
            continue
        open_until = float(data.get("open_until", 0))
        probing = float(data.get("probe_until", 0)) > now and now >= open_until
        found.append(
            BreakerState(
                _scope(key),
                data.get("platform", ""),
                "probing" if probing else "open",
                float(data.get("opened_at", 0)),
                open_until,
                float(data.get("cooldown", 0)),
                int(data.get("failures", 0)),
                data.get("last_error", ""),
            )
        )
    found.sort(key=lambda b: (b.scope.startswith("account:"), b.scope))
    return found


def summary() -> dict[str, Any]:
    """JSON for /api/health and the REST API: open breakers by scope."""
    return {b.scope: b.as_dict() for b in open_breakers()}


def reset(scope: str | None = None) -> None:
    """Close one breaker (or all): an operator who knows the platform is back."""
    r = redis()
    keys = [_key(scope)] if scope else [k.decode() for k in cast(set[bytes], r.smembers(INDEX))]
    if keys:
        r.delete(*keys, *(f"{k}:accounts" for k in keys))
        r.srem(INDEX, *keys)
