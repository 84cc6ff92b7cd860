"""Threads (a post continued by replies) and "Add to queue", for the composer and the API.

A thread is stored where the providers read it: `platform_configs[<platform>]["thread"]`, the
texts of the parts after the first, for every selected network that publishes threads (X,
Bluesky, Mastodon, Threads). Other networks get the first part only. The engine publishes the
parts as a reply chain and keeps the ids of the parts already out (see publishing.py), so a
retry goes on from the part that failed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from app.models import User
from app.providers.registry import all_providers
from app.services import slots
from app.services.errors import InvalidInput

THREAD_PLATFORMS = frozenset(p.id for p in all_providers() if p.capabilities.threads)
MAX_PARTS = 25  # the first part included


def clean_parts(parts: Iterable[Any]) -> list[str]:
    """The further parts as texts; a part that is not text is refused (4xx), blank ones too."""
    out: list[str] = []
    for i, part in enumerate(parts, start=2):
        text = part.get("text") if isinstance(part, dict) else part
        if not isinstance(text, str):
            raise InvalidInput(
                f"Thread part {i} must be a text.",
                code="invalid_thread",
                details={"field": "thread"},
            )
        if not text.strip():
            raise InvalidInput(
                f"Thread part {i} is empty: write something or remove it.",
                code="invalid_thread",
                details={"field": "thread"},
            )
        out.append(text)
    if len(out) + 1 > MAX_PARTS:
        raise InvalidInput(
            f"A thread has at most {MAX_PARTS} parts.",
            code="invalid_thread",
            details={"field": "thread"},
        )
    return out


def apply(configs: dict[str, Any], platforms: Iterable[str], parts: list[str]) -> dict[str, Any]:
    """`configs` with `parts` as the thread of every thread network in `platforms` (an empty
    list removes the thread)."""
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in (configs or {}).items()}
    for platform in set(platforms) & THREAD_PLATFORMS:
        row = dict(out.get(platform) or {})
        if parts:
            row["thread"] = list(parts)
        else:
            row.pop("thread", None)
        if row:
            out[platform] = row
        else:
            out.pop(platform, None)
    return out


def parts_of(configs: dict[str, Any]) -> list[str]:
    """The thread's further parts as stored (the first thread network's, in a stable order)."""
    for platform in sorted(THREAD_PLATFORMS):
        row = (configs or {}).get(platform)
        thread = row.get("thread") if isinstance(row, dict) else None
        if isinstance(thread, list) and thread and all(isinstance(t, str) for t in thread):
            return list(thread)
    return []


def queue_time(user: User, workspace_id: uuid.UUID, account_ids: list[uuid.UUID]) -> dt.datetime:
    """The next free posting slot common to these accounts ("Add to queue"), or a clear 4xx
    when their posting schedules have none."""
    when = slots.next_free_slot(user, workspace_id, account_ids)
    if when is None:
        raise InvalidInput(
            "No free posting slot for these accounts: set posting times under Settings → "
            "Posting schedule (/settings/schedule), or pick a time.",
            code="no_free_slot",
            details={"field": "scheduled_at"},
        )
    return when
