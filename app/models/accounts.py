"""Connected social accounts and the instance's OAuth apps per platform."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import enum_field, id_field, json_field, ts_field


class AccountStatus(enum.StrEnum):
    connected = "connected"
    expiring = "expiring"
    expired = "expired"
    revoked = "revoked"
    error = "error"


class SocialAccount(SQLModel, table=True):
    __tablename__ = "social_accounts"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "platform_account_id"),)

    id: uuid.UUID = id_field()
    workspace_id: uuid.UUID = Field(foreign_key="workspaces.id", ondelete="CASCADE", index=True)
    platform: str = Field(max_length=32, index=True)
    platform_account_id: str = Field(max_length=200)
    account_name: str = Field(default="", max_length=200)
    username: str = Field(default="", max_length=200)
    avatar_url: str = Field(default="", max_length=2000)
    # Platform specifics: instance URL, page ids, boards, limits read from the platform...
    meta: dict[str, Any] = json_field()
    # Fernet-encrypted; never returned by any API.
    access_token: str = Field(default="")
    refresh_token: str | None = Field(default=None)
    token_expires_at: dt.datetime | None = ts_field(index=True)
    scopes: str = Field(default="", max_length=1000)
    status: AccountStatus = enum_field(
        AccountStatus, "status", AccountStatus.connected, type_name="account_status"
    )
    last_error: str | None = None
    status_changed_at: dt.datetime | None = ts_field()
    connected_by: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    is_sandbox: bool = False
    # The sandbox simulator's state id when the account was connected (sandbox accounts only):
    # another id now means the sandbox was reset and the account must be connected again.
    sandbox_state: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = ts_field(default_now=True)
    updated_at: dt.datetime = ts_field(default_now=True)
    last_refreshed_at: dt.datetime | None = ts_field()


class PlatformApp(SQLModel, table=True):
    """OAuth client credentials of this instance for one platform (env may override).

    Federated platforms (Mastodon) register one app per server: `instance_url` tells them apart;
    it is empty for centralised platforms.
    """

    __tablename__ = "platform_apps"
    __table_args__ = (UniqueConstraint("platform", "instance_url"),)

    id: uuid.UUID = id_field()
    platform: str = Field(max_length=32)
    instance_url: str = Field(default="", max_length=500)
    client_id: str = Field(max_length=500)
    client_secret: str = Field(default="")  # Fernet-encrypted
    config: dict[str, Any] = json_field()
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: dt.datetime = ts_field(default_now=True)
