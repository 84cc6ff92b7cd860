"""People, their browser sessions and workspace API keys."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Column, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.models.base import id_field, ts_field


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = id_field()
    email: str = Field(sa_column=Column(String(320), unique=True, nullable=False))
    full_name: str = Field(default="", max_length=200)
    password_hash: str
    timezone: str = Field(default="UTC", max_length=64)
    # "24h" or "12h": how every time is shown and typed in the UI.
    time_format: str = Field(default="24h", max_length=3)
    # The user chose their zone (sign-up, the sign-in prompt or Profile): the prompt is not
    # offered again.
    timezone_confirmed: bool = False
    is_instance_admin: bool = False
    is_active: bool = True
    created_at: dt.datetime = ts_field(default_now=True)
    last_login_at: dt.datetime | None = ts_field()
    # When the user proved the address (a verification or reset link from an email).
    email_verified_at: dt.datetime | None = ts_field()


class UserSession(SQLModel, table=True):
    """A signed-in browser. Only the token's hash is stored."""

    __tablename__ = "sessions"

    id: uuid.UUID = id_field()
    token_hash: str = Field(max_length=64, unique=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    created_at: dt.datetime = ts_field(default_now=True)
    expires_at: dt.datetime = ts_field(nullable=False, index=True)
    last_seen_at: dt.datetime | None = ts_field()
    user_agent: str = Field(default="", max_length=500)
    ip: str = Field(default="", max_length=64)


class ApiKey(SQLModel, table=True):
    """A Bearer key scoped to one workspace. Shown once; stored hashed."""

    __tablename__ = "api_keys"

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(default_factory=list, sa_type=JSONB, nullable=False)
    created_at: dt.datetime = ts_field(default_now=True)
    last_used_at: dt.datetime | None = ts_field()
    expires_at: dt.datetime | None = ts_field()
    revoked_at: dt.datetime | None = ts_field()
