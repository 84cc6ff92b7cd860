"""The dashboard: what is coming up, what just went out, what needs attention, and how the
last days went. Read-only; every block is one query, scoped to the workspace, for viewers up.

Numbers (see `Stats`):
- published: posts with at least one destination published in the window;
- failed: posts (not cancelled) with a destination that failed, and is still failed, in the
  window;
- scheduled: posts waiting to go out within the next `days` days;
- engagement: the latest metrics snapshot of each destination published in the window.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ConfigDict
from sqlalchemy import and_, distinct, func, or_
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from app import db
from app.models import (
    AccountStatus,
    DestinationStatus,
    Post,
    PostDestination,
    PostMetric,
    PostStatus,
    Role,
    SocialAccount,
    User,
    utcnow,
)
from app.models.metrics import COUNTERS, PostCounts
from app.services import accounts
from app.services.access import require_role

UPCOMING_DAYS = 7
# Overdue posts still waiting (the engine will publish or mark them missed) stay visible.
OVERDUE_VISIBLE = dt.timedelta(hours=24)
UPCOMING_LIMIT = 10
RECENT_LIMIT = 8
FAILURE_LIMIT = 10
STAT_WINDOWS = (7, 30)
BROKEN = (AccountStatus.expiring, AccountStatus.expired, AccountStatus.revoked, AccountStatus.error)


@dataclass(frozen=True)
class AccountRef:
    id: uuid.UUID
    platform: str
    name: str
    username: str
    avatar_url: str
    status: AccountStatus


@dataclass(frozen=True)
class DestinationItem:
    id: uuid.UUID
    account: AccountRef
    status: DestinationStatus
    permalink: str | None
    error_message: str | None
    published_at: dt.datetime | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class PostItem:
    id: uuid.UUID
    content: str
    status: PostStatus
    scheduled_at: dt.datetime | None
    destinations: list[DestinationItem] = field(default_factory=list)

    @property
    def published_at(self) -> dt.datetime | None:
        times = [d.published_at for d in self.destinations if d.published_at]
        return max(times) if times else None


@dataclass(frozen=True)
class BrokenAccount(AccountRef):
    last_error: str | None
    is_sandbox: bool
    status_changed_at: dt.datetime | None


class Stats(PostCounts):
    """Posts of the last (or, scheduled, next) `days` days; the counters are the sums of the
    latest metrics of those published."""

    model_config = ConfigDict(frozen=True)

    days: int
    published: int = 0
    failed: int = 0
    scheduled: int = 0


@dataclass(frozen=True)
class Overview:
    upcoming: list[PostItem]
    recent: list[PostItem]
    failures: list[PostItem]
    broken_accounts: list[BrokenAccount]
    account_count: int  # accounts that are not disconnected
    post_count: int  # every post of the workspace, drafts included
    stats: dict[int, Stats]
    generated_at: dt.datetime
    # `fingerprint()` as it was just before these were read (compare later ones with it).
    fingerprint: str = ""


# --------------------------------------------------------------------------- blocks


def _ref_fields(a: SocialAccount) -> tuple[uuid.UUID, str, str, str, str, AccountStatus]:
    """The fields of the account's AccountRef, in order."""
    name = a.account_name or a.username
    return (a.id, a.platform, name, a.username, accounts.avatar_of(a), a.status)


def _ref(a: SocialAccount) -> AccountRef:
    return AccountRef(*_ref_fields(a))


def _posts_with(
    s: Session,
    post_ids: Select[uuid.UUID, int],
    dest_filter: ColumnElement[bool] | None = None,
) -> list[PostItem]:
    """Posts whose ids the subquery `post_ids` selects (in its order), with their destinations
    (those matching `dest_filter`) and accounts: one statement."""
    ranked = post_ids.subquery()
    query = (
        select(Post, PostDestination, SocialAccount, ranked.c.rank)
        .join(ranked, ranked.c.id == Post.id)
        .join(PostDestination, col(PostDestination.post_id) == Post.id)
        .join(SocialAccount, col(SocialAccount.id) == PostDestination.social_account_id)
    )
    if dest_filter is not None:
        query = query.where(dest_filter)
    rows = s.exec(query.order_by(ranked.c.rank, SocialAccount.platform, SocialAccount.account_name))
    items: dict[uuid.UUID, PostItem] = {}
    for post, dest, account, _rank in rows.all():
        item = items.get(post.id)
        if item is None:
            item = items[post.id] = PostItem(post.id, post.content, post.status, post.scheduled_at)
        item.destinations.append(
            DestinationItem(dest.id, _ref(account), dest.status, dest.permalink,
                            dest.error_message, dest.published_at, dest.updated_at)
        )  # fmt: skip
    return list(items.values())


def upcoming(s: Session, workspace_id: uuid.UUID, now: dt.datetime) -> list[PostItem]:
    """Posts waiting or going out within the next week, soonest first."""
    ids = (
        select(
            Post.id,
            func.row_number().over(order_by=(col(Post.scheduled_at), col(Post.id))).label("rank"),
        )
        .where(
            Post.workspace_id == workspace_id,
            col(Post.status).in_([PostStatus.scheduled, PostStatus.publishing]),
            col(Post.scheduled_at) >= now - OVERDUE_VISIBLE,
            col(Post.scheduled_at) < now + dt.timedelta(days=UPCOMING_DAYS),
        )
        .order_by(col(Post.scheduled_at), col(Post.id))
        .limit(UPCOMING_LIMIT)
    )
    return _posts_with(s, ids)


def _latest_by_destination(
    s: Session,
    workspace_id: uuid.UUID,
    status: DestinationStatus,
    at: Mapped[Any],
    limit: int,
    *where: ColumnElement[bool],
) -> list[PostItem]:
    """Posts (matching `where`) with destinations in `status`, the latest (by the destinations'
    `at`) first, each with those destinations only."""
    last = func.max(at)
    ids: Select[uuid.UUID, int] = (
        select(
            col(PostDestination.post_id).label("id"),
            func.row_number().over(order_by=last.desc()).label("rank"),
        )
        .join(Post, col(Post.id) == PostDestination.post_id)
        .where(Post.workspace_id == workspace_id, *where, PostDestination.status == status)
        .group_by(col(PostDestination.post_id))
        .order_by(last.desc())
        .limit(limit)
    )
    return _posts_with(s, ids, col(PostDestination.status) == status)


def recent(s: Session, workspace_id: uuid.UUID) -> list[PostItem]:
    """The latest posts that went out, newest first, with their published destinations."""
    return _latest_by_destination(
        s,
        workspace_id,
        DestinationStatus.published,
        col(PostDestination.published_at),
        RECENT_LIMIT,
    )


def failures(s: Session, workspace_id: uuid.UUID) -> list[PostItem]:
    """Posts with destinations that failed and were not retried yet, latest failure first;
    only the failed destinations are listed (with the platform's message)."""
    return _latest_by_destination(
        s,
        workspace_id,
        DestinationStatus.failed,
        col(PostDestination.updated_at),
        FAILURE_LIMIT,
        col(Post.status) != PostStatus.cancelled,
    )


def accounts_summary(s: Session, workspace_id: uuid.UUID) -> tuple[int, list[BrokenAccount]]:
    """How many accounts are connected (not disconnected), and those needing attention,
    most recently broken first."""
    rows = s.exec(select(SocialAccount).where(SocialAccount.workspace_id == workspace_id)).all()
    live = sum(1 for a in rows if a.status != AccountStatus.revoked)
    broken = sorted(
        (a for a in rows if a.status in BROKEN),
        key=lambda a: a.status_changed_at or a.updated_at,
        reverse=True,
    )
    return live, [
        BrokenAccount(*_ref_fields(a), a.last_error, a.is_sandbox, a.status_changed_at)
        for a in broken
    ]


def stats(s: Session, workspace_id: uuid.UUID, now: dt.datetime) -> tuple[dict[int, Stats], int]:
    """The numbers of each window in STAT_WINDOWS, and the workspace's post count."""
    longest = now - dt.timedelta(days=max(STAT_WINDOWS))
    published = col(PostDestination.status) == DestinationStatus.published
    latest = (
        select(PostMetric)
        .join(PostDestination, col(PostDestination.id) == PostMetric.destination_id)
        .join(Post, col(Post.id) == PostDestination.post_id)
        .where(
            Post.workspace_id == workspace_id,
            published,
            col(PostDestination.published_at) >= longest,
        )
        .ext(distinct_on(col(PostMetric.destination_id)))
        .order_by(
            col(PostMetric.destination_id),
            col(PostMetric.collected_at).desc(),
            col(PostMetric.id).desc(),
        )  # fmt: skip
        .subquery()
    )
    columns = []
    for days in STAT_WINDOWS:
        since = now - dt.timedelta(days=days)
        in_window = and_(published, col(PostDestination.published_at) >= since)
        columns += [
            func.count(distinct(col(PostDestination.post_id))).filter(in_window),
            func.count(distinct(col(PostDestination.post_id))).filter(
                col(PostDestination.status) == DestinationStatus.failed,
                col(Post.status) != PostStatus.cancelled,
                col(PostDestination.updated_at) >= since,
            ),
            func.count(distinct(col(Post.id))).filter(
                col(Post.status) == PostStatus.scheduled,
                col(Post.scheduled_at) >= now,
                col(Post.scheduled_at) < now + dt.timedelta(days=days),
            ),
            *[
                func.coalesce(func.sum(getattr(latest.c, name)).filter(in_window), 0)
                for name in COUNTERS
            ],
        ]
    post_count = (
        select(func.count()).select_from(Post).where(Post.workspace_id == workspace_id)
    ).scalar_subquery()
    query = (
        select(post_count, *columns)
        .select_from(Post)
        .join(PostDestination, col(PostDestination.post_id) == Post.id)
        .outerjoin(latest, latest.c.destination_id == PostDestination.id)
        .where(
            Post.workspace_id == workspace_id,
            or_(
                col(PostDestination.published_at) >= longest,
                col(PostDestination.updated_at) >= longest,
                col(Post.scheduled_at) >= now,
            ),
        )
    )
    row = s.exec(query).one()
    total, values = int(row[0] or 0), [int(v or 0) for v in row[1:]]
    names = ("published", "failed", "scheduled", *COUNTERS)
    out = {}
    for i, days in enumerate(STAT_WINDOWS):
        chunk = values[i * len(names) : (i + 1) * len(names)]
        out[days] = Stats(days=days, **dict(zip(names, chunk, strict=True)))
    return out, total


# --------------------------------------------------------------------------- entry points


def overview(user: User, workspace_id: uuid.UUID, *, now: dt.datetime | None = None) -> Overview:
    """Everything the dashboard shows, for any member of the workspace."""
    now = now or utcnow()
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        marker = _fingerprint(s, workspace_id)
        account_count, broken = accounts_summary(s, workspace_id)
        numbers, post_count = stats(s, workspace_id, now)
        return Overview(
            upcoming=upcoming(s, workspace_id, now),
            recent=recent(s, workspace_id),
            failures=failures(s, workspace_id),
            broken_accounts=broken,
            account_count=account_count,
            post_count=post_count,
            stats=numbers,
            generated_at=now,
            fingerprint=marker,
        )


def fingerprint(user: User, workspace_id: uuid.UUID) -> str:
    """A cheap marker that changes whenever a post, destination or account of the workspace
    changes (one query): open dashboards poll it and reload only when it moved."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        return _fingerprint(s, workspace_id)


def _fingerprint(s: Session, workspace_id: uuid.UUID) -> str:
    mine = col(Post.workspace_id) == workspace_id
    dests = select(PostDestination.id).join(Post, col(Post.id) == PostDestination.post_id)
    accts = col(SocialAccount.workspace_id) == workspace_id
    parts: list[SelectOfScalar[Any]] = [
        select(func.count()).select_from(Post).where(mine),
        select(func.max(Post.updated_at)).where(mine),
        select(func.count()).select_from(dests.where(mine).subquery()),
        select(func.max(PostDestination.updated_at))
        .join(Post, col(Post.id) == PostDestination.post_id)
        .where(mine),
        select(func.count()).select_from(SocialAccount).where(accts),
        select(func.max(SocialAccount.updated_at)).where(accts),
        select(func.max(SocialAccount.status_changed_at)).where(accts),
    ]
    values = s.exec(select(*[p.scalar_subquery() for p in parts])).one()
    return "|".join(str(v) for v in values)
