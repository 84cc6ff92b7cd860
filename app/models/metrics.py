"""Time series of engagement per published destination and per account."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, Identity, Index
from sqlmodel import Field, SQLModel

from app.models.base import json_field, ts_field


def _bigint_pk() -> Any:
    return Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))


class PostCounts(BaseModel):
    """The counters a post's metrics are read into, on every network: stored per collection
    (`PostMetric`), summed by analytics and the dashboard."""

    likes: int = 0
    comments: int = 0
    shares: int = 0
    views: int = 0
    impressions: int = 0
    clicks: int = 0

    @property
    def engagement(self) -> int:
        return engagement_of(self.likes, self.comments, self.shares)


COUNTERS: tuple[str, ...] = tuple(PostCounts.model_fields)


def engagement_of(likes: int, comments: int, shares: int) -> int:
    """What Herald calls engagement, everywhere: likes + comments + shares."""
    return likes + comments + shares


class PostMetric(SQLModel, PostCounts, table=True):
    __tablename__ = "post_metrics"
    __table_args__ = (Index("ix_post_metrics_dest_time", "destination_id", "collected_at"),)

    id: int | None = _bigint_pk()
    destination_id: uuid.UUID = Field(foreign_key="post_destinations.id", ondelete="CASCADE")
    collected_at: dt.datetime = ts_field(default_now=True)
    extra: dict[str, Any] = json_field()


class AccountMetric(SQLModel, table=True):
    __tablename__ = "account_metrics"
    __table_args__ = (
        Index("ix_account_metrics_account_time", "social_account_id", "collected_at"),
    )

    id: int | None = _bigint_pk()
    social_account_id: uuid.UUID = Field(foreign_key="social_accounts.id", ondelete="CASCADE")
    collected_at: dt.datetime = ts_field(default_now=True)
    followers: int = 0
    following: int = 0
    posts_count: int = 0
    engagement: int = 0
    impressions: int = 0
    extra: dict[str, Any] = json_field()
