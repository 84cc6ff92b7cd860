"""Analytics, served from the stored metrics (`post_metrics`, `account_metrics`) only.

Definitions (also in the API docs):
- A destination's metrics are its latest `post_metrics` row; its engagement is
  likes + comments + shares.
- Aggregates cover the destinations *published* in [from, to) (published_at) on the selected
  accounts, each counted with its latest metrics (engagement keeps growing after the range).
- Followers: `latest` is the last value collected before `to`; `change` is latest minus the
  last value collected before `from` (when there is none: the first day's value in the range);
  `series` has one value per day of the range (days in the workspace's timezone): the last
  value collected that day, carried forward over days without a collection. Platform and
  total figures sum the accounts that have a value.
- Engagement rate = engagement / views when the posts have views; otherwise engagement /
  latest followers; null when neither is known. `engagement_rate_basis` says which.
- Top posts: the 5 destinations with the highest engagement (then the most recent).
- Posts (`Aggregate.posts`, for per-post charts): every destination published in the range on
  the selected accounts with its latest metrics, oldest first (at most MAX_POSTS, the newest).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections import defaultdict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field
from sqlalchemy import text
from sqlmodel import Session, col, select

from app import db
from app.models import (
    Post,
    PostDestination,
    PostMetric,
    Role,
    SocialAccount,
    User,
    Workspace,
    utcnow,
)
from app.models.metrics import COUNTERS, PostCounts, engagement_of
from app.providers.registry import all_providers
from app.services.access import require_role
from app.services.errors import InvalidInput, NotFound
from app.services.views import copy_view

MAX_RANGE = dt.timedelta(days=366)
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
DEFAULT_RANGE = dt.timedelta(days=30)
TOP = 5
EXCERPT = 140
MAX_POSTS = 500


# --------------------------------------------------------------------------- per post


class Counts(PostCounts):
    """The counters in a response: every one is always there (also in the schema), with
    their engagement."""

    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    @computed_field(description="likes + comments + shares")  # type: ignore[prop-decorator]
    @property
    def engagement(self) -> int:
        return engagement_of(self.likes, self.comments, self.shares)


class MetricPoint(Counts):
    collected_at: dt.datetime


class DestinationAnalytics(BaseModel):
    model_config = ConfigDict(frozen=True)

    destination_id: uuid.UUID
    account_id: uuid.UUID
    platform: str
    account_name: str
    status: str
    permalink: str | None
    published_at: dt.datetime | None
    latest: MetricPoint | None = Field(description="The newest stored metrics; null before any.")
    history: list[MetricPoint] = Field(description="Every stored collection, oldest first.")


class PostAnalytics(BaseModel):
    model_config = ConfigDict(frozen=True)

    post_id: uuid.UUID
    status: str
    destinations: list[DestinationAnalytics]
    totals: dict[str, int] = Field(
        description="Sums of the destinations' latest likes, comments, shares, views, "
        "impressions, clicks, and their engagement."
    )


def post_analytics(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID) -> PostAnalytics:
    """Each destination of a post with its latest metrics and their history (oldest first)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        post = s.exec(
            select(Post).where(Post.id == post_id, Post.workspace_id == workspace_id)
        ).first()
        if post is None:
            raise NotFound("Post not found.")
        dests = s.exec(
            select(PostDestination, SocialAccount)
            .join(SocialAccount, col(SocialAccount.id) == PostDestination.social_account_id)
            .where(PostDestination.post_id == post.id)
            .order_by(SocialAccount.platform, SocialAccount.account_name)
        ).all()
        history: dict[uuid.UUID, list[MetricPoint]] = defaultdict(list)
        ids = [d.id for d, _ in dests]
        if ids:
            for m in s.exec(
                select(PostMetric)
                .where(col(PostMetric.destination_id).in_(ids))
                .order_by(col(PostMetric.collected_at), col(PostMetric.id))
            ).all():
                history[m.destination_id].append(
                    MetricPoint(collected_at=m.collected_at, **{f: getattr(m, f) for f in COUNTERS})
                )
        out = [
            DestinationAnalytics(
                destination_id=d.id,
                account_id=a.id,
                platform=a.platform,
                account_name=a.account_name or a.username,
                status=d.status.value,
                permalink=d.permalink,
                published_at=d.published_at,
                latest=history[d.id][-1] if history[d.id] else None,
                history=history[d.id],
            )
            for d, a in dests
        ]
    totals = {f: sum(getattr(d.latest, f) for d in out if d.latest) for f in COUNTERS}
    totals["engagement"] = engagement_of(totals["likes"], totals["comments"], totals["shares"])
    return PostAnalytics(post_id=post.id, status=post.status.value, destinations=out, totals=totals)


# --------------------------------------------------------------------------- aggregate


class DayValue(BaseModel):
    model_config = ConfigDict(frozen=True)

    date: dt.date
    value: int


class Followers(BaseModel):
    model_config = ConfigDict(frozen=True)

    latest: int | None = Field(description="Last value collected before `to`.")
    change: int | None = Field(
        description="latest − the last value before `from` (or the first day's value)."
    )
    series: list[DayValue] = Field(
        description="One value per day (workspace timezone), carried over days without data."
    )


class PublishedPost(BaseModel):
    """A destination published in the range."""

    model_config = ConfigDict(frozen=True)

    post_id: uuid.UUID
    destination_id: uuid.UUID
    account_id: uuid.UUID
    platform: str
    permalink: str | None
    published_at: dt.datetime
    content: str  # the first EXCERPT characters


class TopPost(PublishedPost):
    engagement: int
    likes: int
    comments: int
    shares: int
    views: int


class Stats(Counts):
    """The counters are the sums over the posts published; engagement is theirs."""

    followers: Followers
    posts_published: int
    engagement_rate: float | None = Field(
        description="engagement / views when there are views, else engagement / followers."
    )
    engagement_rate_basis: str | None = Field(description='"views", "followers" or null')
    top_posts: list[TopPost] = Field(description="Top 5 destinations by engagement.")

    @property
    def stats(self) -> Stats:
        """The figures alone (an account's or a platform's are its Stats)."""
        return self


class AccountStats(Stats):
    account_id: uuid.UUID
    platform: str
    account_name: str


class PlatformStats(Stats):
    platform: str
    accounts: int


class Aggregate(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: dt.datetime = Field(serialization_alias="from")
    end: dt.datetime = Field(serialization_alias="to")
    timezone: str = Field(description="The workspace timezone the daily series use.")
    totals: Stats
    accounts: list[AccountStats]
    platforms: list[PlatformStats]
    # Every destination published in the range, oldest first (see the module docstring).
    posts: list[TopPost] = Field(default_factory=list, exclude=True)


class _Dest(PublishedPost):
    metrics: dict[str, int]  # every counter of COUNTERS

    @property
    def engagement(self) -> int:
        m = self.metrics
        return engagement_of(m["likes"], m["comments"], m["shares"])


def check_range(
    start: dt.datetime | None, end: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) as aware UTC datetimes; naive values are read as UTC. Default: 30 days
    up to now."""
    try:
        end = _aware(end) if end else utcnow()
        start = _aware(start) if start else end - DEFAULT_RANGE
    except OverflowError:
        start = end = EARLIEST - dt.timedelta(days=1)  # refused just below
    if start < EARLIEST or end > LATEST:
        raise InvalidInput(
            "Dates must be between 1970 and 9000.", code="invalid_range", details={"field": "from"}
        )
    if start >= end:
        raise InvalidInput(
            "`from` must be before `to`.", code="invalid_range", details={"field": "from"}
        )
    if end - start > MAX_RANGE:
        raise InvalidInput(
            "The range can span at most 366 days.", code="invalid_range", details={"field": "to"}
        )
    return start, end


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _accounts(
    s: Session, workspace_id: uuid.UUID, account_id: uuid.UUID | None, platform: str | None
) -> list[SocialAccount]:
    if platform is not None and platform not in {p.id for p in all_providers()}:
        raise InvalidInput(
            f"Unknown platform {platform!r}.",
            code="invalid_platform",
            details={"field": "platform"},
        )
    query = select(SocialAccount).where(SocialAccount.workspace_id == workspace_id)
    if account_id is not None:
        query = query.where(SocialAccount.id == account_id)
    if platform is not None:
        query = query.where(SocialAccount.platform == platform)
    rows = list(s.exec(query.order_by(SocialAccount.platform, SocialAccount.account_name)).all())
    if account_id is not None and not rows:
        exists = s.exec(
            select(SocialAccount.id).where(
                SocialAccount.id == account_id, SocialAccount.workspace_id == workspace_id
            )
        ).first()
        if exists is None:
            raise NotFound("Account not found.")
    return rows


def _days(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo) -> list[dt.date]:
    first = start.astimezone(zone).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _follower_series(
    s: Session,
    ids: list[uuid.UUID],
    start: dt.datetime,
    end: dt.datetime,
    tz: str,
    days: list[dt.date],
) -> dict[uuid.UUID, tuple[int | None, dict[dt.date, int]]]:
    """Per account: the last value before `start`, and a carried-forward value per day."""
    if not ids:
        return {}
    params = {"ids": ids, "start": start, "end": end, "tz": tz}
    before = dict(
        s.execute(
            text(
                "SELECT DISTINCT ON (social_account_id) social_account_id, followers "
                "FROM account_metrics "
                "WHERE social_account_id = ANY(:ids) AND collected_at < :start "
                "ORDER BY social_account_id, collected_at DESC"
            ),
            params,
        ).all()
    )
    daily: dict[uuid.UUID, dict[dt.date, int]] = defaultdict(dict)
    for account, day, followers in s.execute(
        text(
            "SELECT DISTINCT ON (social_account_id, day) social_account_id, "
            "(collected_at AT TIME ZONE :tz)::date AS day, followers "
            "FROM account_metrics WHERE social_account_id = ANY(:ids) "
            "AND collected_at >= :start AND collected_at < :end "
            "ORDER BY social_account_id, day, collected_at DESC"
        ),
        params,
    ).all():
        daily[account][day] = followers
    out = {}
    for account in ids:
        known: int | None = before.get(account)
        dense: dict[dt.date, int] = {}
        for day in days:
            known = daily[account].get(day, known)
            if known is not None:
                dense[day] = known
        out[account] = (before.get(account), dense)
    return out


def _followers(
    parts: list[tuple[int | None, dict[dt.date, int]]], days: list[dt.date]
) -> Followers:
    """Followers of one account, or the sum over several (each that has a value)."""
    latest_sum = change_sum = None
    series: list[DayValue] = []
    for day in days:
        values = [dense[day] for _, dense in parts if day in dense]
        if values:
            series.append(DayValue(date=day, value=sum(values)))
    for before, dense in parts:
        if not dense:  # nothing known up to the end of the range
            continue
        latest = dense[max(dense)]
        base = before if before is not None else dense[min(dense)]
        latest_sum = (latest_sum or 0) + latest
        change_sum = (change_sum or 0) + latest - base
    return Followers(latest=latest_sum, change=change_sum, series=series)


# The counters of a destination's latest metrics (`m`), 0 before any.
_LATEST_COUNTS = ", ".join(f"coalesce(m.{name}, 0) AS {name}" for name in COUNTERS)


def _published(
    s: Session, workspace_id: uuid.UUID, ids: list[uuid.UUID], start: dt.datetime, end: dt.datetime
) -> list[_Dest]:
    """Destinations published in [start, end) on the accounts, with their latest metrics."""
    if not ids:
        return []
    rows = s.execute(
        text(
            "SELECT d.post_id, d.id AS destination_id, d.social_account_id AS account_id, "
            "a.platform, d.permalink, d.published_at, "
            f"left(p.content, {EXCERPT}) AS content, {_LATEST_COUNTS} "
            "FROM post_destinations d "
            "JOIN posts p ON p.id = d.post_id "
            "JOIN social_accounts a ON a.id = d.social_account_id "
            "LEFT JOIN LATERAL (SELECT * FROM post_metrics pm WHERE pm.destination_id = d.id "
            "  ORDER BY pm.collected_at DESC, pm.id DESC LIMIT 1) m ON true "
            "WHERE p.workspace_id = :wid AND d.social_account_id = ANY(:ids) "
            "AND d.status = 'published' AND d.published_at >= :start AND d.published_at < :end"
        ),
        {"wid": workspace_id, "ids": ids, "start": start, "end": end},
    ).all()
    return [
        _Dest(
            **{name: r[name] for name in PublishedPost.model_fields},
            metrics={name: r[name] for name in COUNTERS},
        )
        for r in (row._mapping for row in rows)
    ]


def _top_post(d: _Dest) -> TopPost:
    counts = ("likes", "comments", "shares", "views")
    return copy_view(TopPost, d, **{name: d.metrics[name] for name in counts})


def _stats(dests: list[_Dest], followers: Followers) -> dict[str, Any]:
    """The fields of the Stats of these destinations."""
    sums = {f: sum(d.metrics[f] for d in dests) for f in COUNTERS}
    engagement = engagement_of(sums["likes"], sums["comments"], sums["shares"])
    rate: float | None = None
    basis: str | None = None
    if sums["views"] > 0:
        rate, basis = engagement / sums["views"], "views"
    elif followers.latest:
        rate, basis = engagement / followers.latest, "followers"
    top = sorted(dests, key=lambda d: (d.engagement, d.published_at), reverse=True)[:TOP]
    return {
        "followers": followers,
        "posts_published": len(dests),
        "engagement_rate": round(rate, 6) if rate is not None else None,
        "engagement_rate_basis": basis,
        "top_posts": [_top_post(d) for d in top],
        **sums,
    }


def aggregate(
    user: User,
    workspace_id: uuid.UUID,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    account_id: uuid.UUID | None = None,
    platform: str | None = None,
) -> Aggregate:
    """Per account, per platform and in total over [start, end): see the module docstring."""
    start, end = check_range(start, end)
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        ws = s.get(Workspace, workspace_id)
        assert ws is not None
        tz = ws.timezone or "UTC"
        try:
            zone = zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz, zone = "UTC", zoneinfo.ZoneInfo("UTC")
        accounts = _accounts(s, workspace_id, account_id, platform)
        ids = [a.id for a in accounts]
        days = _days(start, end, zone)
        series = _follower_series(s, ids, start, end, tz, days)
        dests = _published(s, workspace_id, ids, start, end)
    by_account: dict[uuid.UUID, list[_Dest]] = defaultdict(list)
    for d in dests:
        by_account[d.account_id].append(d)
    per_account = [
        AccountStats(
            account_id=a.id,
            platform=a.platform,
            account_name=a.account_name or a.username,
            **_stats(by_account[a.id], _followers([series[a.id]], days)),
        )
        for a in accounts
    ]
    platforms: dict[str, list[SocialAccount]] = defaultdict(list)
    for a in accounts:
        platforms[a.platform].append(a)
    per_platform = [
        PlatformStats(
            platform=name,
            accounts=len(group),
            **_stats(
                [d for a in group for d in by_account[a.id]],
                _followers([series[a.id] for a in group], days),
            ),
        )
        for name, group in sorted(platforms.items())
    ]
    totals = Stats(**_stats(dests, _followers([series[i] for i in ids], days)))
    ordered = sorted(dests, key=lambda d: (d.published_at, str(d.destination_id)))[-MAX_POSTS:]
    return Aggregate(
        start=start,
        end=end,
        timezone=tz,
        totals=totals,
        accounts=per_account,
        platforms=per_platform,
        posts=[_top_post(d) for d in ordered],
    )


def fingerprint(user: User, workspace_id: uuid.UUID) -> str:
    """Changes whenever metrics are stored or a destination is published in the workspace:
    one cheap query an open analytics page asks every few seconds."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        row = s.execute(
            text(
                "SELECT "
                "(SELECT count(*) || '/' || coalesce(max(m.id), 0) FROM account_metrics m "
                " JOIN social_accounts a ON a.id = m.social_account_id "
                " WHERE a.workspace_id = :wid), "
                "(SELECT count(*) || '/' || coalesce(max(m.id), 0) FROM post_metrics m "
                " JOIN post_destinations d ON d.id = m.destination_id "
                " JOIN social_accounts a ON a.id = d.social_account_id "
                " WHERE a.workspace_id = :wid), "
                "(SELECT count(*) FROM post_destinations d "
                " JOIN social_accounts a ON a.id = d.social_account_id "
                " WHERE a.workspace_id = :wid AND d.status = 'published')"
            ),
            {"wid": workspace_id},
        ).one()
    return "|".join(str(v) for v in row)


def has_metrics(user: User, workspace_id: uuid.UUID) -> bool:
    """Whether any metrics were ever stored for this workspace's accounts or posts."""
    accounts_part, posts_part, _ = fingerprint(user, workspace_id).split("|")
    return not (accounts_part.startswith("0/") and posts_part.startswith("0/"))
