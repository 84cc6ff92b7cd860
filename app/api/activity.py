"""/api/activity: the workspace's activity log (any member), newest first, filterable."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import activity

router = APIRouter(prefix="/api", tags=["activity"])


class EventOut(BaseModel):
    id: int
    actor_id: uuid.UUID | None = Field(description="The member; null for Herald (the engine).")
    actor: str
    verb: str = Field(description="e.g. post.created, post.published, account.connected.")
    subject_type: str
    subject_id: str
    subject_label: str
    details: dict[str, Any]
    created_at: dt.datetime


class EventPageOut(BaseModel):
    items: list[EventOut]
    next_before: int | None = Field(
        description="Pass as `before` for the next (older) page; null on the last page."
    )


@router.get("/activity", response_model=EventPageOut)
def list_activity(
    wid: WorkspaceDep,
    user: CurrentUser,
    verb: str | None = Query(default=None, max_length=64, description="A verb or its prefix."),
    actor: str | None = Query(
        default=None, max_length=64, description="A user id, or 'herald' for the engine."
    ),
    subject_id: str | None = Query(default=None, max_length=64),
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before: int | None = Query(default=None, ge=1),
    limit: int = Query(default=50, ge=1, le=200),
) -> EventPageOut:
    """Who created, edited, rescheduled, published, retried, connected or disconnected what."""
    page = activity.list_events(
        user,
        wid,
        verb=verb,
        actor=actor,
        subject_id=subject_id,
        since=since,
        until=until,
        before=before,
        limit=limit,
    )
    return EventPageOut(
        items=[EventOut(**e.__dict__) for e in page.items], next_before=page.next_before
    )
