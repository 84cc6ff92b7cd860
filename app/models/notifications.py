"""In-app notifications (one row per recipient of an activity event) and each user's
notification preferences. The rows are written by the database (`herald_record_activity`,
migration 0015) in the event's own transaction; app.services.notifications reads and sends them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Identity, Index
from sqlmodel import Field, SQLModel

from app.models.base import json_field, ts_field


class Notification(SQLModel, table=True):
    """One event for one member. `in_app`: shown in the bell; `email_state`: "immediate" or
    "digest" while an email is still to be sent, NULL once sent (or never asked for)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_ws", "user_id", "workspace_id", "id"),
        Index(
            "ix_notifications_unread",
            "user_id",
            "workspace_id",
            postgresql_where="in_app AND read_at IS NULL",
        ),
        Index(
            "ix_notifications_email_due",
            "email_state",
            "created_at",
            postgresql_where="email_state IS NOT NULL",
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    event_id: int = Field(
        sa_column=Column(
            BigInteger, ForeignKey("activity_events.id", ondelete="CASCADE"), nullable=False
        )
    )
    verb: str = Field(max_length=64)
    grp: str = Field(max_length=32)
    in_app: bool = True
    email_state: str | None = Field(default=None, max_length=16)
    emailed_at: dt.datetime | None = ts_field()
    read_at: dt.datetime | None = ts_field()
    created_at: dt.datetime = ts_field(default_now=True)


class NotificationSettings(SQLModel, table=True):
    """A user's choices: per event group {"in_app": bool, "email": "immediate"|"digest"|"off"}
    (a group left out takes the default), and how often the digest comes."""

    __tablename__ = "notification_settings"

    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    prefs: dict[str, Any] = json_field()
    digest: str = Field(default="daily", max_length=16)  # daily | hourly
    updated_at: dt.datetime = ts_field(default_now=True)
