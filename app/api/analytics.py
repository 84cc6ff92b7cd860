"""/api/analytics: per-post metrics with history, and aggregates over a date range (viewer+).

Everything is served from the metrics Herald has stored (synced from the platforms hourly).
"""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter, Query

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import analytics

router = APIRouter(prefix="/api/analytics", tags=["analytics"])


@router.get("/posts/{post_id}", response_model=analytics.PostAnalytics)
def post_analytics(
    post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser
) -> analytics.PostAnalytics:
    """Per destination (platform, account, permalink): the latest metrics and their history."""
    return analytics.post_analytics(user, wid, post_id)


@router.get(
    "/aggregate",
    response_model=analytics.Aggregate,
    response_model_by_alias=True,
)
def aggregate(
    wid: WorkspaceDep,
    user: CurrentUser,
    start: dt.datetime | None = Query(
        default=None, alias="from", description="ISO-8601; default: 30 days before `to`."
    ),
    end: dt.datetime | None = Query(
        default=None, alias="to", description="ISO-8601, exclusive; default: now."
    ),
    account_id: uuid.UUID | None = None,
    platform: str | None = Query(default=None, max_length=32),
) -> analytics.Aggregate:
    """Per account, per platform and in total over [from, to) (at most 366 days; times
    without an offset are UTC): followers (latest, change, daily series), posts published,
    their engagement (each with its latest metrics), engagement rate and top posts."""
    return analytics.aggregate(
        user, wid, start=start, end=end, account_id=account_id, platform=platform
    )
