"""/api/analytics: per-post metrics with history, and aggregates over a date range (viewer+).

Everything is served from the metrics Herald has stored (synced from the platforms hourly).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import analytics

router = APIRouter(prefix="/api/analytics", tags=["analytics"])


class MetricsOut(BaseModel):
    collected_at: dt.datetime
    likes: int
    comments: int
    shares: int
    views: int
    impressions: int
    clicks: int
    engagement: int = Field(description="likes + comments + shares")

    @classmethod
    def of(cls, m: analytics.MetricPoint) -> MetricsOut:
        return cls(**m.__dict__, engagement=m.engagement)


class DestinationMetricsOut(BaseModel):
    destination_id: uuid.UUID
    account_id: uuid.UUID
    platform: str
    account_name: str
    status: str
    permalink: str | None
    published_at: dt.datetime | None
    latest: MetricsOut | None = Field(description="The newest stored metrics; null before any.")
    history: list[MetricsOut] = Field(description="Every stored collection, oldest first.")


class PostAnalyticsOut(BaseModel):
    post_id: uuid.UUID
    status: str
    totals: dict[str, int] = Field(
        description="Sums of the destinations' latest likes, comments, shares, views, "
        "impressions, clicks, and their engagement."
    )
    destinations: list[DestinationMetricsOut]


class DayValueOut(BaseModel):
    date: dt.date
    value: int


class FollowersOut(BaseModel):
    latest: int | None = Field(description="Last value collected before `to`.")
    change: int | None = Field(
        description="latest − the last value before `from` (or the first day's value)."
    )
    series: list[DayValueOut] = Field(
        description="One value per day (workspace timezone), carried over days without data."
    )


class TopPostOut(BaseModel):
    post_id: uuid.UUID
    destination_id: uuid.UUID
    account_id: uuid.UUID
    platform: str
    permalink: str | None
    published_at: dt.datetime
    content: str
    engagement: int
    likes: int
    comments: int
    shares: int
    views: int


class StatsOut(BaseModel):
    followers: FollowersOut
    posts_published: int
    likes: int
    comments: int
    shares: int
    views: int
    impressions: int
    clicks: int
    engagement: int = Field(description="likes + comments + shares of the posts published")
    engagement_rate: float | None = Field(
        description="engagement / views when there are views, else engagement / followers."
    )
    engagement_rate_basis: str | None = Field(description='"views", "followers" or null')
    top_posts: list[TopPostOut] = Field(description="Top 5 destinations by engagement.")

    @staticmethod
    def fields(s: analytics.Stats) -> dict[str, Any]:
        return {
            **{k: v for k, v in s.__dict__.items() if k not in ("followers", "top_posts")},
            "followers": FollowersOut(
                latest=s.followers.latest,
                change=s.followers.change,
                series=[DayValueOut(**d.__dict__) for d in s.followers.series],
            ),
            "top_posts": [TopPostOut(**t.__dict__) for t in s.top_posts],
        }


class AccountStatsOut(StatsOut):
    account_id: uuid.UUID
    platform: str
    account_name: str


class PlatformStatsOut(StatsOut):
    platform: str
    accounts: int


class AggregateOut(BaseModel):
    start: dt.datetime = Field(serialization_alias="from")
    end: dt.datetime = Field(serialization_alias="to")
    timezone: str = Field(description="The workspace timezone the daily series use.")
    totals: StatsOut
    accounts: list[AccountStatsOut]
    platforms: list[PlatformStatsOut]


@router.get("/posts/{post_id}", response_model=PostAnalyticsOut)
def post_analytics(post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> PostAnalyticsOut:
    """Per destination (platform, account, permalink): the latest metrics and their history."""
    view = analytics.post_analytics(user, wid, post_id)
    return PostAnalyticsOut(
        post_id=view.post_id,
        status=view.status,
        totals=view.totals,
        destinations=[
            DestinationMetricsOut(
                **{k: v for k, v in d.__dict__.items() if k not in ("latest", "history")},
                latest=MetricsOut.of(d.latest) if d.latest else None,
                history=[MetricsOut.of(m) for m in d.history],
            )
            for d in view.destinations
        ],
    )


@router.get(
    "/aggregate",
    response_model=AggregateOut,
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
) -> AggregateOut:
    """Per account, per platform and in total over [from, to) (at most 366 days; times
    without an offset are UTC): followers (latest, change, daily series), posts published,
    their engagement (each with its latest metrics), engagement rate and top posts."""
    agg = analytics.aggregate(
        user, wid, start=start, end=end, account_id=account_id, platform=platform
    )
    return AggregateOut(
        start=agg.start,
        end=agg.end,
        timezone=agg.timezone,
        totals=StatsOut(**StatsOut.fields(agg.totals)),
        accounts=[
            AccountStatsOut(
                account_id=a.account_id,
                platform=a.platform,
                account_name=a.account_name,
                **StatsOut.fields(a.stats),
            )
            for a in agg.accounts
        ],
        platforms=[
            PlatformStatsOut(platform=p.platform, accounts=p.accounts, **StatsOut.fields(p.stats))
            for p in agg.platforms
        ],
    )
