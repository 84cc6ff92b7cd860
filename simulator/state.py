"""In-memory state shared by every simulated platform: knobs, injected faults, rate windows and
the log of accepted posts. One process, guarded by one re-entrant lock (the event loop thread
serves HTTP while tests mutate knobs from their own thread)."""

from __future__ import annotations

import fnmatch
import math
import random
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.platform import PlatformSim


class SimError(ValueError):
    """Bad use of the simulator's own control API (answered with HTTP 400)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime, digits: int = 3) -> str:
    """ISO-8601 in UTC with a Z suffix and `digits` fractional digits (Rails style)."""
    text = ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return (text[: len(text) - 6 + digits] if digits else text[:-7]) + "Z"


# ----------------------------------------------------------------------------- faults

FAULT_KINDS = ("429", "401", "500", "502", "503", "504", "duplicate", "timeout", "drop")
_ALIASES = {
    "rate_limit": "429",
    "rate_limited": "429",
    "expired_token": "401",
    "invalid_token": "401",
    "auth": "401",
    "server_error": "500",
    "bad_gateway": "502",
    "unavailable": "503",
    "gateway_timeout": "504",
    "close": "drop",
    "hang": "timeout",
}


@dataclass
class Fault:
    """One injected failure.

    kind: "429" (with the platform's rate-limit headers), "401" (token rejected), "500"/"502"/
    "503"/"504", "duplicate" (the platform's duplicate-content error), "timeout" (never answer:
    hold the request until the client gives up, then drop it) or "drop" (close the connection
    mid-response). `after_accept=True` lets the request take effect first (the post is created
    and recorded), then fails the response: the "did it post?" case. Kinds may be written with
    an "_after_accept" suffix, e.g. "timeout_after_accept".
    count: how many matching requests fail (None = every one, e.g. with `probability`).
    skip: how many matching requests pass first (e.g. skip=2 fails the third part of a thread).
    """

    kind: str
    count: int | None = 1
    probability: float | None = None
    method: str | None = None
    path: str | None = None  # fnmatch pattern on the platform-relative path, e.g. /api/v1/statuses
    after_accept: bool = False
    reset_in_s: float = 60.0  # 429: when the window resets
    reset_at: str | None = None  # 429: exact ISO-8601 reset time (wins over reset_in_s)
    hang_s: float = 30.0  # timeout: longest hold before dropping the connection
    message: str | None = None  # override of the platform's error text
    skip: int = 0
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    fired: int = 0

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Fault:
        spec = dict(spec)
        known = {f.name for f in fields(cls)} - {"id", "fired"}
        unknown = set(spec) - known
        if unknown:
            raise SimError(f"unknown fault fields: {sorted(unknown)}; known: {sorted(known)}")
        kind = str(spec.pop("kind", ""))
        if kind.endswith("_after_accept"):
            kind = kind.removesuffix("_after_accept")
            spec["after_accept"] = True
        kind = _ALIASES.get(kind, kind)
        if kind not in FAULT_KINDS:
            raise SimError(f"unknown fault kind {kind!r}; known: {FAULT_KINDS}")
        if "probability" in spec and spec["probability"] is not None:
            p = float(spec["probability"])
            if not 0 <= p <= 1:
                raise SimError("probability must be between 0 and 1")
            spec["probability"] = p
            spec.setdefault("count", None)
        if spec.get("count") is not None and int(spec["count"]) < 1:
            raise SimError("count must be >= 1 (or null for unlimited)")
        if spec.get("method"):
            spec["method"] = str(spec["method"]).upper()
        return cls(kind=kind, **spec)

    def matches(self, method: str, path: str) -> bool:
        if self.count is not None and self.count <= 0:
            return False
        if self.method and self.method != method.upper():
            return False
        return not self.path or fnmatch.fnmatchcase(path, self.path)

    def reset_time(self) -> datetime:
        if self.reset_at:
            return datetime.fromisoformat(self.reset_at.replace("Z", "+00:00")).astimezone(UTC)
        return utcnow() + timedelta(seconds=self.reset_in_s)

    def wait(self, unit_s: float = 1) -> int:
        """Whole units of `unit_s` seconds (at least 1) until the fault lifts."""
        return max(1, math.ceil((self.reset_time() - utcnow()).total_seconds() / unit_s))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ----------------------------------------------------------------------------- knobs


@dataclass
class Knobs:
    """Behaviour settings. None = inherit (account → platform → platform defaults)."""

    # Time the platform takes on a request once it has arrived whole; a client that goes away
    # meanwhile (killed, timed out) does not undo it.
    latency_ms: float | None = None
    jitter_ms: float | None = None
    # Media processing time: uploads answer 202 and stay "processing" this long.
    media_processing_ms: float | None = None
    # Rate families, e.g. {"statuses": {"limit": 300, "window_s": 10800}}.
    quotas: dict[str, dict[str, float]] | None = None

    @classmethod
    def names(cls) -> set[str]:
        return {f.name for f in fields(cls)}

    def merged(self, over: Knobs) -> Knobs:
        out = Knobs(**{k: v for k, v in asdict(self).items()})
        for name in self.names() - {"quotas"}:
            value = getattr(over, name)
            if value is not None:
                setattr(out, name, value)
        if over.quotas:
            quotas = {k: dict(v) for k, v in (self.quotas or {}).items()}
            for family, conf in over.quotas.items():
                quotas.setdefault(family, {}).update(conf)
            out.quotas = quotas
        return out


@dataclass
class RateState:
    allowed: bool
    limit: int
    remaining: int
    reset_at: datetime


# ----------------------------------------------------------------------------- simulator


class Simulator:
    """All simulated platforms plus their controls. Create one per process (or per test run)."""

    def __init__(
        self,
        platforms: Iterable[type[PlatformSim]] | None = None,
        seed: int | None = None,
        *,
        organic: bool = False,
    ) -> None:
        self.lock = threading.RLock()
        # Sandbox mode: published posts gather engagement over time (simulator.organic).
        self.organic = organic
        self._grown: dict[str, float] = {}
        self.rng = random.Random(seed)
        self.platforms: dict[str, PlatformSim] = {}
        self._knobs: dict[tuple[str, str | None], Knobs] = {}
        self._faults: dict[tuple[str, str | None], list[Fault]] = {}
        self._rates: dict[tuple[Any, ...], tuple[float, int]] = {}
        self._posts: list[dict[str, Any]] = []
        # Which state this is: a new id whenever everything is forgotten (reset, or a kept
        # state that could not be loaded), so a client can tell its accounts are gone.
        self.state_id = uuid.uuid4().hex
        self.state_created_at = time.time()
        self.persistent = False  # kept on disk (simulator.persist)
        self.restored = False  # loaded from disk at start
        self.reset_reason: str | None = None
        if platforms is None:
            from simulator.bluesky import BlueskySim
            from simulator.facebook import FacebookSim
            from simulator.instagram import InstagramSim
            from simulator.linkedin import LinkedInSim
            from simulator.mastodon import MastodonSim
            from simulator.pinterest import PinterestSim
            from simulator.threads import ThreadsSim
            from simulator.tiktok import TikTokSim
            from simulator.x import XSim
            from simulator.youtube import YouTubeSim

            platforms = [
                BlueskySim, FacebookSim, InstagramSim, LinkedInSim, MastodonSim, PinterestSim,
                ThreadsSim, TikTokSim, XSim, YouTubeSim,
            ]  # fmt: skip
        for cls in platforms:
            platform = cls(self)
            self.platforms[platform.id] = platform

    def __getitem__(self, platform_id: str) -> PlatformSim:
        try:
            return self.platforms[platform_id]
        except KeyError:
            raise SimError(
                f"unknown platform {platform_id!r}; known: {sorted(self.platforms)}"
            ) from None

    def reset(self) -> None:
        """Forget everything: posts, knobs, faults, rate windows, apps, accounts, tokens."""
        with self.lock:
            self._knobs.clear()
            self._faults.clear()
            self._rates.clear()
            self._posts.clear()
            self._grown.clear()
            for platform in self.platforms.values():
                platform.reset()
            self.mark_fresh("reset through the simulator's controls")

    def mark_fresh(self, reason: str | None) -> None:
        """This is a new, empty state (a new id); `reason` says why the old one is gone."""
        with self.lock:
            self.state_id = uuid.uuid4().hex
            self.state_created_at = time.time()
            self.restored = False
            self.reset_reason = reason

    def state(self) -> dict[str, Any]:
        """Which state this is (GET /_sim/state)."""
        with self.lock:
            return {
                "state_id": self.state_id,
                "created_at": iso(datetime.fromtimestamp(self.state_created_at, UTC)),
                "persistent": self.persistent,
                "restored": self.restored,
                "reset_reason": self.reset_reason,
            }

    # -- knobs
    def set_knobs(self, platform: str, account: str | None = None, **values: Any) -> dict:
        """Set knobs for a platform (account=None) or one account; returns the effective set.

        Besides the Knobs fields, `faults=[{...}]` injects faults and (platform level only)
        `instance={...}` changes the platform's own settings (e.g. Mastodon max_characters).
        """
        plat = self[platform]
        faults = values.pop("faults", None) or []
        instance = values.pop("instance", None)
        unknown = set(values) - Knobs.names()
        if unknown:
            raise SimError(f"unknown knobs: {sorted(unknown)}; known: {sorted(Knobs.names())}")
        if instance is not None:
            if account is not None:
                raise SimError("'instance' settings are platform-wide; omit 'account'")
            plat.configure(instance)
        if "quotas" in values and values["quotas"] is not None:
            for family, conf in values["quotas"].items():
                if family not in plat.default_knobs().quotas:
                    raise SimError(f"unknown quota family {family!r} for {platform}")
                if set(conf) - {"limit", "window_s"}:
                    raise SimError("a quota takes 'limit' and 'window_s'")
        with self.lock:
            current = self._knobs.get((platform, account), Knobs())
            self._knobs[(platform, account)] = current.merged(Knobs(**values))
            for spec in faults:
                self.inject(platform, account=account, **spec)
        return asdict(self.effective_knobs(platform, account))

    def effective_knobs(self, platform: str, account: str | None = None) -> Knobs:
        with self.lock:
            knobs = (
                self[platform].default_knobs().merged(self._knobs.get((platform, None), Knobs()))
            )
            if account is not None:
                knobs = knobs.merged(self._knobs.get((platform, account), Knobs()))
            return knobs

    def knobs_snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                pid: {
                    "effective": asdict(self.effective_knobs(pid)),
                    "settings": plat.settings(),
                    "accounts": {
                        acc: asdict(k) for (p, acc), k in self._knobs.items() if p == pid and acc
                    },
                    "faults": [
                        dict(f.to_dict(), account=acc)
                        for (p, acc), lst in self._faults.items()
                        if p == pid
                        for f in lst
                    ],
                }
                for pid, plat in self.platforms.items()
            }

    # -- faults
    def inject(self, platform: str, kind: str, *, account: str | None = None, **spec: Any) -> Fault:
        """Queue a fault, e.g. inject("mastodon", "429", path="/api/v1/statuses", count=2)."""
        self[platform]
        fault = Fault.from_spec({"kind": kind, **spec})
        with self.lock:
            self._faults.setdefault((platform, account), []).append(fault)
        return fault

    def clear_faults(self, platform: str | None = None) -> None:
        with self.lock:
            for key in [k for k in self._faults if platform is None or k[0] == platform]:
                del self._faults[key]

    def pick_fault(
        self, platform: str, account: str | None, method: str, path: str
    ) -> Fault | None:
        """The first fault (account-level first) matching this request, without consuming it."""
        with self.lock:
            scopes = [(platform, account), (platform, None)] if account else [(platform, None)]
            for scope in scopes:
                for fault in self._faults.get(scope, []):
                    if not fault.matches(method, path):
                        continue
                    if fault.probability is not None and self.rng.random() >= fault.probability:
                        continue
                    if fault.skip > 0:  # this one passes (and counts against the skip)
                        fault.skip -= 1
                        continue
                    return fault
        return None

    def consume(self, fault: Fault) -> bool:
        """Use up one firing of `fault`; False if a concurrent request took the last one."""
        with self.lock:
            if fault.count is not None:
                if fault.count <= 0:
                    return False
                fault.count -= 1
            fault.fired += 1
            return True

    # -- rate windows
    def rate(
        self,
        platform: str,
        family: str,
        key: str,
        *,
        account: str | None = None,
        aligned: bool = False,
        consume: bool = True,
    ) -> RateState:
        """Count one hit in a fixed window. `aligned` windows start at multiples of the period
        (Rack::Attack); others start at the first hit (Mastodon's RateLimiter)."""
        quota = (self.effective_knobs(platform, account).quotas or {}).get(family)
        if not quota:
            return RateState(True, 0, 0, utcnow())
        limit, period = int(quota["limit"]), float(quota["window_s"])
        now = time.time()
        with self.lock:
            start, count = self._rates.get((platform, family, key), (now, 0))
            if aligned:
                aligned_start = math.floor(now / period) * period
                if aligned_start != start:
                    start, count = aligned_start, 0
            elif now >= start + period:
                start, count = now, 0
            allowed = count < limit
            if allowed and consume:
                count += 1
            self._rates[(platform, family, key)] = (start, count)
        reset = datetime.fromtimestamp(start + period, UTC)
        return RateState(allowed, limit, max(0, limit - count), reset)

    # -- the post log
    def record_post(
        self,
        platform: str,
        account: str,
        post_id: str,
        text: str,
        *,
        idempotency_key: str | None = None,
        media: list[dict[str, Any]] | None = None,
        permalink: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        entry = {
            "platform": platform,
            "account": account,
            "post_id": post_id,
            "text": text,
            "idempotency_key": idempotency_key,
            "media": media or [],
            "permalink": permalink,
            "received_at": iso(utcnow(), 6),
            "received_monotonic": time.monotonic(),
            "replays": 0,
            "deleted": False,
            **(extra or {}),
        }
        with self.lock:
            self._posts.append(entry)
        return entry

    def note_replay(self, platform: str, post_id: str) -> None:
        """An idempotent retry returned an existing post (counted, not a new post)."""
        with self.lock:
            for entry in self._posts:
                if entry["platform"] == platform and entry["post_id"] == post_id:
                    entry["replays"] += 1

    def mark_deleted(self, platform: str, post_id: str) -> None:
        """The post was deleted on the platform; it stays in the log (duplicates still count)."""
        with self.lock:
            for entry in self._posts:
                if entry["platform"] == platform and entry["post_id"] == post_id:
                    entry["deleted"] = True

    def posts(self, platform: str | None = None, account: str | None = None) -> list[dict]:
        with self.lock:
            return [
                dict(p)
                for p in self._posts
                if (platform is None or p["platform"] == platform)
                and (account is None or p["account"] == account)
            ]
