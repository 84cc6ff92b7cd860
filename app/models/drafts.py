"""The composer's autosaved working copies: what a user typed and has not saved yet."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import id_field, json_field, ts_field


class ComposerDraft(SQLModel, table=True):
    """One user's unsaved composer in one workspace: `slot` is "new" (a post not created yet)
    or the id of the post being edited, so each post has its own working copy per user."""

    __tablename__ = "composer_drafts"
    __table_args__ = (
        UniqueConstraint("user_id", "workspace_id", "slot", name="uq_composer_drafts_slot"),
    )

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    post_id: uuid.UUID | None = Field(
        default=None, foreign_key="posts.id", ondelete="CASCADE", index=True
    )
    slot: str = Field(max_length=40)
    # The post's version the copy was made from (None for a new post).
    base_version: int | None = None
    payload: dict[str, Any] = json_field()
    updated_at: dt.datetime = ts_field(default_now=True)
