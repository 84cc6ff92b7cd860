"""The activity log of a workspace and its outgoing webhooks (with their delivery outbox)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Index
from sqlmodel import Field, SQLModel

from app.models.base import id_field, json_field, ts_field


class ActivityEvent(SQLModel, table=True):
    """Who did what to which thing, and when. `actor_id` NULL with label "Herald": the engine."""

    __tablename__ = "activity_events"
    __table_args__ = (
        Index("ix_activity_events_ws_created", "workspace_id", "created_at"),
        Index("ix_activity_events_ws_subject", "workspace_id", "subject_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_label: str = Field(default="Herald", max_length=320)
    verb: str = Field(max_length=64)
    subject_type: str = Field(max_length=32)
    subject_id: str = Field(default="", max_length=64)
    subject_label: str = Field(default="", max_length=200)
    details: dict[str, Any] = json_field()
    created_at: dt.datetime = ts_field(default_now=True)


class Webhook(SQLModel, table=True):
    """An endpoint that receives the workspace's activity events it subscribed to."""

    __tablename__ = "webhooks"

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=200)
    secret: str = Field(max_length=500)  # encrypted (app.crypto), shown in clear once
    events: list[str] = json_field(list)  # verbs, "post.*" prefixes or "*"
    # "herald" (signed JSON), or a chat app's incoming webhook: "slack" / "discord" (a message).
    kind: str = Field(default="herald", max_length=16)
    active: bool = True
    failure_count: int = 0  # consecutive failed attempts
    disabled_reason: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = ts_field(default_now=True)
    last_success_at: dt.datetime | None = ts_field()


class WebhookDelivery(SQLModel, table=True):
    """One event for one webhook: an outbox row the worker sends, retries and logs."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_hook", "webhook_id", "created_at"),
    )

    id: uuid.UUID = id_field()
    webhook_id: uuid.UUID = Field(foreign_key="webhooks.id", ondelete="CASCADE")
    event_id: int | None = Field(default=None, sa_type=BigInteger)
    event: str = Field(max_length=64)
    payload: dict[str, Any] = json_field()
    status: str = Field(default="pending", max_length=16)  # pending|sending|delivered|failed
    response_code: int | None = None
    response_excerpt: str = Field(default="", max_length=500)
    error: str = Field(default="", max_length=500)
    attempts: int = 0
    created_at: dt.datetime = ts_field(default_now=True)
    next_attempt_at: dt.datetime | None = ts_field()
    deadline_at: dt.datetime | None = ts_field()
    last_attempt_at: dt.datetime | None = ts_field()
    delivered_at: dt.datetime | None = ts_field()
