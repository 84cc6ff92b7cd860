"""Threads (a post continued by replies) and "Add to queue", for the composer and the API.

A thread is stored in `platform_configs[<platform>]["thread"]`: the parts after the first, for
every selected network that publishes threads (X, Bluesky, Mastodon, Threads), each
`{"text": ..., "media_ids": [...]}`, plus `"media_alt": {media id: alt text}` when some of the
part's images are described (threads stored before parts had media are plain texts, and are
read as parts without media). Other networks get the first part only. The engine hands the
providers the texts as `options["thread"]` and each part's media (with their alt text) as
`PublishRequest.thread_media`, publishes the parts as a reply chain and keeps the ids of the
parts already out (see publishing.py), so a retry goes on from the part that failed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from app.models import User
from app.providers.registry import all_providers
from app.services import slots
from app.services.errors import InvalidInput

THREAD_PLATFORMS = frozenset(p.id for p in all_providers() if p.capabilities.threads)
MAX_PARTS = 25  # the first part included
MAX_PART_MEDIA = 10  # per part, before the network's own limit (which is checked per network)
# The longest alt text stored, per image (networks take 500 to 4,086; each network's own limit
# is checked); the post's own images share it (posts.MAX_ALT_TEXT).
MAX_ALT_TEXT = 5_000


def empty_part(number: int) -> str:
    """What is wrong with part `number` (2 = the first further part) holding nothing."""
    return f"Thread part {number} is empty: write something, add media, or remove it."


class ThreadPart(BaseModel):
    """One further part of a thread: its text and the library media attached to it."""

    model_config = ConfigDict(frozen=True)

    text: str = ""
    media_ids: list[uuid.UUID] = Field(default_factory=list)
    # Alt text of the part's images, by media id (only ids in media_ids, never blank).
    media_alt: dict[uuid.UUID, str] = Field(default_factory=dict)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """As JSON (the REST API's posts): "media_alt" only when some image has one."""
        out: dict[str, Any] = handler(self)
        if not self.media_alt:
            out.pop("media_alt", None)
        return out


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_thread", details={"field": "thread"})


def _media_ids(i: int, raw: Any) -> list[uuid.UUID]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _refuse(f"Thread part {i}: media_ids must be a list of media ids.")
    out: list[uuid.UUID] = []
    for value in raw:
        try:
            media_id = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        except ValueError:
            raise _refuse(f"Thread part {i}: {value!r} is not a media id.") from None
        if media_id not in out:
            out.append(media_id)
    if len(out) > MAX_PART_MEDIA:
        raise _refuse(f"Thread part {i} has {len(out)} attachments; at most {MAX_PART_MEDIA}.")
    return out


def _media_alt(i: int, raw: Any, media_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """A part's alt texts: those of its own media, trimmed, blank ones left out."""
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise _refuse(f"Thread part {i}: media_alt must map media ids to alt texts.")
    out: dict[uuid.UUID, str] = {}
    for key, value in raw.items():
        try:
            media_id = key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))
        except ValueError:
            raise _refuse(f"Thread part {i}: {key!r} is not a media id.") from None
        if not isinstance(value, str):
            raise _refuse(f"Thread part {i}: an alt text must be a text.")
        if len(value.strip()) > MAX_ALT_TEXT:
            raise _refuse(f"Thread part {i}: alt text is limited to {MAX_ALT_TEXT:,} characters.")
        if media_id in media_ids and value.strip():
            out[media_id] = value.strip()
    return out


def clean_parts(parts: Iterable[Any]) -> list[ThreadPart]:
    """The further parts: texts, or {"text", "media_ids", "media_alt"}. A part that is neither
    is refused (4xx), and so is one with neither text nor media."""
    out: list[ThreadPart] = []
    for i, part in enumerate(parts, start=2):
        if isinstance(part, BaseModel):  # a ThreadPart, or the API's part model
            part = part.model_dump()
        text = part.get("text", "") if isinstance(part, dict) else part
        if not isinstance(text, str):
            raise _refuse(f"Thread part {i} must be a text.")
        media_ids = _media_ids(i, part.get("media_ids") if isinstance(part, dict) else None)
        if not text.strip() and not media_ids:
            raise _refuse(empty_part(i))
        alt = _media_alt(i, part.get("media_alt") if isinstance(part, dict) else None, media_ids)
        out.append(ThreadPart(text=text, media_ids=media_ids, media_alt=alt))
    if len(out) + 1 > MAX_PARTS:
        raise InvalidInput(
            f"A thread has at most {MAX_PARTS} parts.",
            code="invalid_thread",
            details={"field": "thread"},
        )
    return out


def stored(parts: list[ThreadPart]) -> list[dict[str, Any]]:
    """Parts as platform_configs keep them (JSON; "media_alt" only when some image has one)."""
    out: list[dict[str, Any]] = []
    for p in parts:
        row: dict[str, Any] = {"text": p.text, "media_ids": [str(m) for m in p.media_ids]}
        alt = {str(m): a for m, a in p.media_alt.items() if m in p.media_ids and a}
        if alt:
            row["media_alt"] = alt
        out.append(row)
    return out


def apply(
    configs: dict[str, Any], platforms: Iterable[str], parts: list[ThreadPart]
) -> dict[str, Any]:
    """`configs` with `parts` as the thread of every thread network in `platforms` (an empty
    list removes the thread)."""
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in (configs or {}).items()}
    for platform in set(platforms) & THREAD_PLATFORMS:
        row = dict(out.get(platform) or {})
        if parts:
            row["thread"] = stored(parts)
        else:
            row.pop("thread", None)
        if row:
            out[platform] = row
        else:
            out.pop(platform, None)
    return out


def read(thread: Any) -> list[ThreadPart] | None:
    """A stored thread (texts, {"text", "media_ids", "media_alt"}, or a mix) as parts; None
    when it is not a thread at all (a provider then says what is wrong)."""
    if not isinstance(thread, list):
        return None
    out: list[ThreadPart] = []
    for part in thread:
        if isinstance(part, str):
            out.append(ThreadPart(text=part))
        elif isinstance(part, dict) and isinstance(part.get("text", ""), str):
            try:
                text, alt = part.get("text", ""), part.get("media_alt") or {}
                media_ids = part.get("media_ids") or []
                out.append(ThreadPart(text=text, media_ids=media_ids, media_alt=alt))
            except ValueError:
                return None
        else:
            return None
    return out


def parts_of(configs: dict[str, Any]) -> list[ThreadPart]:
    """The thread's further parts as stored (the first thread network's, in a stable order)."""
    for platform in sorted(THREAD_PLATFORMS):
        row = (configs or {}).get(platform)
        parts = read(row.get("thread")) if isinstance(row, dict) else None
        if parts:
            return parts
    return []


def media_ids_of(configs: dict[str, Any]) -> list[uuid.UUID]:
    """Every medium the thread parts of any network use (once each, in order)."""
    out: list[uuid.UUID] = []
    for row in (configs or {}).values():
        parts = read(row.get("thread")) if isinstance(row, dict) else None
        for part in parts or []:
            out += [m for m in part.media_ids if m not in out]
    return out


def without_media(configs: dict[str, Any], media_id: uuid.UUID) -> dict[str, Any]:
    """`configs` with `media_id` taken off every thread part (a medium deleted from the
    library); a part left with neither text nor media is dropped."""
    out = dict(configs or {})
    for platform, row in out.items():
        parts = read(row.get("thread")) if isinstance(row, dict) else None
        if not parts or not any(media_id in p.media_ids for p in parts):
            continue
        kept = [
            ThreadPart(
                text=p.text,
                media_ids=[m for m in p.media_ids if m != media_id],
                media_alt={m: a for m, a in p.media_alt.items() if m != media_id},
            )
            for p in parts
        ]
        kept = [p for p in kept if p.text.strip() or p.media_ids]
        out[platform] = {**row, "thread": stored(kept)}
    return out


def provider_options(options: dict[str, Any]) -> tuple[dict[str, Any], list[list[uuid.UUID]]]:
    """A network's stored options as providers take them: `thread` as the parts' texts, and
    each part's media ids beside them (what the engine turns into `thread_media`)."""
    parts = read(options.get("thread"))
    if parts is None:
        return dict(options), []
    out = dict(options)
    if parts:
        out["thread"] = [p.text for p in parts]
    else:
        out.pop("thread", None)
    return out, [list(p.media_ids) for p in parts]


def parts_alt(options: dict[str, Any]) -> list[dict[uuid.UUID, str]]:
    """Beside provider_options' media ids: each further part's alt texts by media id."""
    return [dict(p.media_alt) for p in read(options.get("thread")) or []]


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
