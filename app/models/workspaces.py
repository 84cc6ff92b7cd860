"""Workspaces (teams), their members and invitations."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, id_field, ts_field


class Role(enum.StrEnum):
    admin = "admin"
    editor = "editor"
    viewer = "viewer"


class Tier(enum.StrEnum):
    free = "free"
    pro = "pro"
    business = "business"


class Workspace(SQLModel, table=True):
    __tablename__ = "workspaces"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=100)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="RESTRICT", index=True)
    subscription_tier: Tier = enum_field(Tier, "subscription_tier", Tier.free, type_name="tier")
    timezone: str = Field(default="UTC", max_length=64)
    is_personal: bool = False
    # Editors' posts wait for an admin's approval before being scheduled (services.approvals).
    require_approval: bool = False
    created_at: dt.datetime = ts_field(default_now=True)


class Membership(SQLModel, table=True):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    role: Role = enum_field(Role, "role", Role.viewer)
    created_at: dt.datetime = ts_field(default_now=True)


class Invitation(SQLModel, table=True):
    """An invite link. Only the token's hash is stored; a link works once, until it expires."""

    __tablename__ = "invitations"

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: Role = enum_field(Role, "role", Role.editor, type_name="invite_role")
    email: str | None = Field(default=None, max_length=320)
    invited_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: dt.datetime = ts_field(default_now=True)
    expires_at: dt.datetime = ts_field(nullable=False)
    accepted_at: dt.datetime | None = ts_field()
    accepted_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    revoked_at: dt.datetime | None = ts_field()
