"""AI caption usage: one row per generation that reached the AI server (billing, quotas)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Column, Identity, Index
from sqlmodel import Field, SQLModel

from app.models.base import ts_field


class AIUsage(SQLModel, table=True):
    __tablename__ = "ai_usage"
    __table_args__ = (Index("ix_ai_usage_workspace_time", "workspace_id", "created_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    model: str = Field(max_length=200)
    platform: str = Field(max_length=32)
    # Requests sent to the AI server for this generation (re-asks included).
    requests: int = 1
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # "ok", or the error code the generation ended with (ai_timeout, ai_invalid_output, ...).
    outcome: str = Field(default="ok", max_length=40)
    created_at: dt.datetime = ts_field(default_now=True)
