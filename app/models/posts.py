"""Posts, their per-account destinations, and the audit trail of publish attempts."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, id_field, json_field, ts_field


class PostStatus(enum.StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    publishing = "publishing"
    published = "published"
    partially_published = "partially_published"
    failed = "failed"
    cancelled = "cancelled"


class PostApproval(enum.StrEnum):
    """Where a post stands with the workspace's approvers (app.services.approvals)."""

    none = "none"  # no approval asked for (the workspace does not require it, or an admin's post)
    pending = "pending"  # submitted, waiting for an admin: never published in this state
    approved = "approved"
    rejected = "rejected"  # sent back with a comment: never published in this state


class DestinationStatus(enum.StrEnum):
    pending = "pending"
    queued = "queued"
    publishing = "publishing"
    processing = "processing"  # accepted by the platform, waiting for it to finish (finalize)
    published = "published"
    failed = "failed"
    unknown = "unknown"  # request may have reached the platform; reconciliation decides
    cancelled = "cancelled"


class AttemptOutcome(enum.StrEnum):
    published = "published"
    pending = "pending"
    rate_limited = "rate_limited"
    transient = "transient"
    unknown = "unknown"
    auth_error = "auth_error"
    failed = "failed"
    skipped = "skipped"


class Post(SQLModel, table=True):
    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_workspace_scheduled", "workspace_id", "scheduled_at"),
        Index("ix_posts_status_scheduled", "status", "scheduled_at"),
        UniqueConstraint("workspace_id", "idempotency_key"),
    )

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    author_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    content: str = ""
    scheduled_at: dt.datetime | None = ts_field()
    # IANA zone the author scheduled in, so the UI shows the wall time they chose.
    timezone: str = Field(default="UTC", max_length=64)
    status: PostStatus = enum_field(PostStatus, "status", PostStatus.draft, type_name="post_status")
    # Per-platform options and variants, keyed by platform id.
    platform_configs: dict[str, Any] = json_field()
    idempotency_key: str | None = Field(default=None, max_length=200)
    approval: PostApproval = enum_field(
        PostApproval, "approval", PostApproval.none, type_name="post_approval"
    )
    approval_requested_by: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    approval_requested_at: dt.datetime | None = ts_field()
    approval_decided_by: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    approval_decided_at: dt.datetime | None = ts_field()
    # The approver's comment (required when rejecting), shown to the author.
    approval_comment: str | None = None
    # Bumped by every edit (app.services.posts), so an edit made from an older copy is refused.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: dt.datetime = ts_field(default_now=True)
    updated_at: dt.datetime = ts_field(default_now=True)


class PostDestination(SQLModel, table=True):
    """One post on one social account: the unit that is published exactly once."""

    __tablename__ = "post_destinations"
    __table_args__ = (
        UniqueConstraint("post_id", "social_account_id"),
        Index("ix_destinations_status_next", "status", "next_attempt_at"),
    )

    id: uuid.UUID = id_field()
    post_id: uuid.UUID = Field(foreign_key="posts.id", ondelete="CASCADE", index=True)
    social_account_id: uuid.UUID = Field(
        foreign_key="social_accounts.id", ondelete="CASCADE", index=True
    )
    status: DestinationStatus = enum_field(
        DestinationStatus, "status", DestinationStatus.pending, type_name="destination_status"
    )
    content_override: str | None = None
    platform_post_id: str | None = Field(default=None, max_length=200)
    permalink: str | None = Field(default=None, max_length=2000)
    error_message: str | None = None
    attempts: int = 0
    next_attempt_at: dt.datetime | None = ts_field()
    # When the engine stops trying (HERALD_GIVE_UP_AFTER_SECONDS after it was due, or after a
    # retry was asked for). None: not scheduled.
    give_up_at: dt.datetime | None = ts_field()
    # A user stopped publishing while a request was in flight: the engine cancels instead of
    # trying again once that request's outcome is known.
    stop_requested_at: dt.datetime | None = ts_field()
    claimed_at: dt.datetime | None = ts_field()
    claimed_by: str | None = Field(default=None, max_length=200)
    # Opaque provider state while the platform processes (containers, upload ids...).
    pending_state: dict[str, Any] = json_field()
    # Sent to platforms that de-duplicate retries (e.g. Mastodon's Idempotency-Key).
    idempotency_key: uuid.UUID = Field(default_factory=uuid.uuid4)
    published_at: dt.datetime | None = ts_field()
    created_at: dt.datetime = ts_field(default_now=True)
    updated_at: dt.datetime = ts_field(default_now=True)


class PublishAttempt(SQLModel, table=True):
    """Audit trail: one row per try at publishing a destination."""

    __tablename__ = "publish_attempts"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    destination_id: uuid.UUID = Field(
        foreign_key="post_destinations.id", ondelete="CASCADE", index=True
    )
    started_at: dt.datetime = ts_field(default_now=True)
    finished_at: dt.datetime | None = ts_field()
    worker: str = Field(default="", max_length=200)
    request_id: str | None = Field(default=None, max_length=200)
    outcome: AttemptOutcome | None = enum_field(
        AttemptOutcome, "outcome", None, type_name="attempt_outcome"
    )
    http_status: int | None = None
    error: str | None = None
