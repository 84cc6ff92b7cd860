"""What a provider answers: publish and status results, posts read back and metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal


@dataclass
class PublishResult:
    state: Literal["published", "pending"]
    platform_post_id: str | None = None
    permalink: str | None = None
    # JSON-serialisable; handed back to check_status()/finalize() when state == "pending".
    pending_state: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class StatusResult:
    state: Literal["processing", "ready", "failed"]
    message: str | None = None
    # Suggested delay before the next check_status() call.
    retry_after: float | None = None
    pending_state: dict[str, Any] = field(default_factory=dict)


@dataclass
class RecentPost:
    platform_post_id: str
    text: str
    created_at: datetime
    permalink: str | None = None


# Metrics are plain dicts of counters. Keys used when the platform has them: likes, comments,
# shares, views, quotes (post); followers, following, posts (account).
Metrics = dict[str, int]


def counters(source: Mapping[str, Any], **fields: str) -> Metrics:
    """Metrics read from a platform's counters: `counters(stats, likes="likeCount")` is
    {"likes": stats["likeCount"]} as an int, 0 where the platform left the counter out."""
    return {name: int(source.get(key) or 0) for name, key in fields.items()}
