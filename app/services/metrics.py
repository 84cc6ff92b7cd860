"""Metrics sync: read each published post's and each account's counters from the platforms
into `post_metrics` / `account_metrics` (time series: one row per sync)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlmodel import col, select

from app import db
from app.models import (
    AccountMetric,
    AccountStatus,
    DestinationStatus,
    PostDestination,
    PostMetric,
    SocialAccount,
    utcnow,
)
from app.providers.base import ProviderError
from app.services import accounts

log = logging.getLogger(__name__)

# Posts are followed for this long after publishing (engagement settles after a few weeks).
FOLLOW_FOR = dt.timedelta(days=30)
POST_FIELDS = ("likes", "comments", "shares", "views", "impressions", "clicks")
ACCOUNT_FIELDS = {"followers": "followers", "following": "following", "posts": "posts_count"}


def sync(limit: int = 1000) -> dict[str, int]:
    """One pass over connected accounts and their recent published posts."""
    counts = {"posts": 0, "accounts": 0, "errors": 0}
    with db.session() as s:
        live = list(
            s.exec(
                select(SocialAccount).where(
                    col(SocialAccount.status).in_([AccountStatus.connected, AccountStatus.expiring])
                )
            ).all()
        )
        recent = list(
            s.exec(
                select(PostDestination)
                .where(
                    PostDestination.status == DestinationStatus.published,
                    col(PostDestination.published_at) > utcnow() - FOLLOW_FOR,
                    col(PostDestination.platform_post_id).is_not(None),
                )
                .order_by(col(PostDestination.published_at).desc())
                .limit(limit)
            ).all()
        )
    by_account: dict = {}
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
                    _store_post(dest, provider.post_metrics(token, dest.platform_post_id))
                    counts["posts"] += 1
        except (ProviderError, accounts.RefreshBusy) as exc:
            counts["errors"] += 1
            log.info("metrics of %s skipped: %r", account.id, exc)
    return counts


def _store_post(dest: PostDestination, values: dict[str, int]) -> None:
    known = {k: int(values.get(k, 0)) for k in POST_FIELDS}
    extra = {k: v for k, v in values.items() if k not in POST_FIELDS}
    with db.session() as s:
        s.add(PostMetric(destination_id=dest.id, extra=extra, **known))


def _store_account(account: SocialAccount, values: dict[str, int]) -> None:
    known = {column: int(values.get(key, 0)) for key, column in ACCOUNT_FIELDS.items()}
    extra = {k: v for k, v in values.items() if k not in ACCOUNT_FIELDS}
    with db.session() as s:
        s.add(AccountMetric(social_account_id=account.id, extra=extra, **known))
