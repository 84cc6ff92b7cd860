"""Posting schedules: weekly time slots per social account ("Mondays 09:00"), as wall times in
the account's own timezone or, when it has none, the workspace's."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Column, Identity, SmallInteger, Time, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import ts_field


class PostingSchedule(SQLModel, table=True):
    """Per-account schedule settings (one row once the account's slots were saved)."""

    __tablename__ = "posting_schedules"

    social_account_id: uuid.UUID = Field(
        foreign_key="social_accounts.id", ondelete="CASCADE", primary_key=True
    )
    # IANA zone the slots are read in; None: the workspace's timezone.
    timezone: str | None = Field(default=None, max_length=64)
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: dt.datetime = ts_field(default_now=True)


class PostingSlot(SQLModel, table=True):
    """One weekly slot: weekday (0 = Monday … 6 = Sunday) at a local wall time (minutes)."""

    __tablename__ = "posting_slots"
    __table_args__ = (UniqueConstraint("social_account_id", "weekday", "local_time"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    social_account_id: uuid.UUID = Field(
        foreign_key="social_accounts.id", ondelete="CASCADE", index=True
    )
    weekday: int = Field(sa_column=Column(SmallInteger, nullable=False))
    local_time: dt.time = Field(sa_column=Column(Time(timezone=False), nullable=False))
