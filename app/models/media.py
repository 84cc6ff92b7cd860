"""The media library and which posts use which media."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

from app.models.base import id_field, ts_field


class Media(SQLModel, table=True):
    __tablename__ = "media"
    __table_args__ = (Index("ix_media_workspace_created", "workspace_id", "created_at"),)

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    uploaded_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    storage_key: str = Field(max_length=500, unique=True)
    url: str = Field(default="", max_length=2000)
    filename: str = Field(default="", max_length=300)
    file_type: str = Field(max_length=100)  # MIME type sniffed from the bytes
    file_size: int = Field(sa_column=Column(BigInteger, nullable=False))
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds, for video
    checksum: str = Field(max_length=64)  # sha256 hex
    created_at: dt.datetime = ts_field(default_now=True)


class PostMedia(SQLModel, table=True):
    __tablename__ = "post_media"

    post_id: uuid.UUID = Field(foreign_key="posts.id", ondelete="CASCADE", primary_key=True)
    media_id: uuid.UUID = Field(
        foreign_key="media.id", ondelete="RESTRICT", primary_key=True, index=True
    )
    position: int = 0
    # The image's description for this post (alt text), sent where the network takes it.
    alt_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class MediaUpload(SQLModel, table=True):
    """A presigned upload not confirmed yet. Its declared size counts toward the workspace's
    storage until it is confirmed (then it is a Media) or the sweep deletes it and its object."""

    __tablename__ = "media_uploads"

    storage_key: str = Field(max_length=500, primary_key=True)
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    content_type: str = Field(max_length=100)
    created_at: dt.datetime = ts_field(default_now=True)
    expires_at: dt.datetime = ts_field(nullable=False, index=True)
