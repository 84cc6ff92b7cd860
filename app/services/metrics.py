"""Metrics sync: read each published post's and each account's counters from the platforms
into `post_metrics` / `account_metrics` (time series: one row per sync)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from rq.job import Job
from sqlmodel import col, select

from app import db
from app.models import (
    AccountMetric,
    AccountStatus,
    DestinationStatus,
    PostDestination,
    PostMetric,
    Role,
    SocialAccount,
    User,
    utcnow,
)
from app.models.metrics import COUNTERS
from app.providers.base import ProviderError
from app.redis_client import redis
from app.services import accounts, schedule
from app.services.access import require_role

log = logging.getLogger(__name__)

# Posts are followed for this long after publishing (engagement settles after a few weeks).
FOLLOW_FOR = dt.timedelta(days=30)
ACCOUNT_FIELDS = {"followers": "followers", "following": "following", "posts": "posts_count"}


def sync(limit: int = 1000, workspace_id: uuid.UUID | None = None) -> dict[str, int]:
    """One pass over connected accounts and their recent published posts (of one workspace,
    when given)."""
    counts = {"posts": 0, "accounts": 0, "errors": 0}
    with db.session() as s:
        query = select(SocialAccount).where(
            col(SocialAccount.status).in_([AccountStatus.connected, AccountStatus.expiring])
        )
        dests = select(PostDestination).where(
            PostDestination.status == DestinationStatus.published,
            col(PostDestination.published_at) > utcnow() - FOLLOW_FOR,
            col(PostDestination.platform_post_id).is_not(None),
        )
        if workspace_id is not None:
            query = query.where(SocialAccount.workspace_id == workspace_id)
            dests = dests.join(
                SocialAccount, col(SocialAccount.id) == PostDestination.social_account_id
            ).where(SocialAccount.workspace_id == workspace_id)
        live = list(s.exec(query).all())
        recent = list(
            s.exec(dests.order_by(col(PostDestination.published_at).desc()).limit(limit)).all()
        )
    by_account: dict[uuid.UUID, list[PostDestination]] = {}
    for dest in recent:
        by_account.setdefault(dest.social_account_id, []).append(dest)
    for account in live:
        try:
            account, token = accounts.fresh_token(account)
            provider = accounts.provider_for(account)
            if provider.capabilities.account_metrics:
                values = provider.account_metrics(token)
                _store_account(account, values)
                counts["accounts"] += 1
            if provider.capabilities.post_metrics:
                for dest in by_account.get(account.id, []):
                    post_id = dest.platform_post_id
                    assert post_id is not None  # selected so
                    _store_post(dest, provider.post_metrics(token, post_id))
                    counts["posts"] += 1
        except (ProviderError, accounts.RefreshBusy) as exc:
            counts["errors"] += 1
            log.info("metrics of %s skipped: %r", account.id, exc)
    return counts


def _store_post(dest: PostDestination, values: dict[str, int]) -> None:
    known = {k: int(values.get(k, 0)) for k in COUNTERS}
    extra = {k: v for k, v in values.items() if k not in COUNTERS}
    with db.session() as s:
        s.add(PostMetric.model_validate({"destination_id": dest.id, "extra": extra, **known}))


def _store_account(account: SocialAccount, values: dict[str, int]) -> None:
    known = {column: int(values.get(key, 0)) for key, column in ACCOUNT_FIELDS.items()}
    extra = {k: v for k, v in values.items() if k not in ACCOUNT_FIELDS}
    with db.session() as s:
        s.add(
            AccountMetric.model_validate({"social_account_id": account.id, "extra": extra, **known})
        )


def sync_job_id(workspace_id: uuid.UUID) -> str:
    return f"sync-metrics-{workspace_id}"


def request_sync(user: User, workspace_id: uuid.UUID) -> bool:
    """ "Sync now" for one workspace (admin): queue a sync of its accounts and recent posts.
    Returns False when one is already waiting or running (nothing more is queued)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
    job_id = sync_job_id(workspace_id)
    if redis().exists(Job.key_for(job_id)):
        status = Job.fetch(job_id, connection=redis()).get_status(refresh=True)
        if status in ("queued", "started", "scheduled", "deferred"):
            return False
    schedule.queue(schedule.DEFAULT_QUEUE).enqueue(
        schedule.WorkerJob.SYNC_WORKSPACE_METRICS,
        str(workspace_id),
        job_id=job_id,
        job_timeout=600,
        result_ttl=0,
        failure_ttl=3600,
    )
    return True
