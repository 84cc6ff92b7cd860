"""/api/activity: the workspace's activity log (any member), newest first, filterable."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import activity

router = APIRouter(prefix="/api", tags=["activity"])


@router.get("/activity", response_model=activity.EventPage)
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
) -> activity.EventPage:
    """Who created, edited, rescheduled, published, retried, connected or disconnected what."""
    return activity.list_events(
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
