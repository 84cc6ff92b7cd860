"""Comments on a post: the team's internal thread about it (never published)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from app.models.base import id_field, json_field, ts_field


class PostComment(SQLModel, table=True):
    """One comment. `mentions`: the members it @mentions, as spans of `body`
    (`{"user_id", "start", "end"}`), so the thread can highlight them even after a rename.
    A deleted comment keeps its row (`deleted_at`) with its text and mentions cleared."""

    __tablename__ = "post_comments"
    __table_args__ = (Index("ix_post_comments_post_created", "post_id", "created_at"),)

    id: uuid.UUID = id_field()
    post_id: uuid.UUID = Field(foreign_key="posts.id", ondelete="CASCADE")
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    author_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    mentions: list[dict[str, Any]] = json_field(list)
    created_at: dt.datetime = ts_field(default_now=True)
    edited_at: dt.datetime | None = ts_field()
    deleted_at: dt.datetime | None = ts_field()
