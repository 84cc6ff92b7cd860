"""Request and response bodies of the REST API."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field

from app.models import Role, User
from app.services.workspaces import InviteView, MemberView, WorkspaceView


class RegisterIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    full_name: str = Field(default="", max_length=200)
    invite_token: str | None = Field(
        default=None, max_length=200, description="Needed when sign-up is by invitation."
    )
    timezone: str | None = Field(
        default=None,
        max_length=64,
        description="IANA zone, e.g. America/New_York (the UI proposes the browser's); "
        "default UTC. Times in the API are always ISO-8601 with an offset.",
    )
    time_format: str | None = Field(
        default=None, max_length=16, description="How the UI shows times: `24h` (default) or `12h`."
    )


class LoginIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    full_name: str
    timezone: str
    time_format: str = "24h"
    timezone_confirmed: bool = False
    is_instance_admin: bool
    created_at: dt.datetime
    email_verified: bool = False

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(
            id=u.id,
            email=u.email,
            full_name=u.full_name,
            timezone=u.timezone,
            time_format=u.time_format,
            timezone_confirmed=u.timezone_confirmed,
            is_instance_admin=u.is_instance_admin,
            created_at=u.created_at,
            email_verified=u.email_verified_at is not None,
        )


class WorkspaceOut(BaseModel):
    id: uuid.UUID
    name: str
    role: Role
    subscription_tier: str
    timezone: str
    is_personal: bool

    @classmethod
    def of(cls, w: WorkspaceView) -> WorkspaceOut:
        return cls(
            id=w.id,
            name=w.name,
            role=w.role,
            subscription_tier=w.tier,
            timezone=w.timezone,
            is_personal=w.is_personal,
        )


class MeOut(BaseModel):
    user: UserOut
    workspaces: list[WorkspaceOut]


class WorkspaceIn(BaseModel):
    name: str = Field(max_length=200)


class MemberOut(BaseModel):
    user_id: uuid.UUID
    email: str
    full_name: str
    role: Role
    joined_at: dt.datetime

    @classmethod
    def of(cls, m: MemberView) -> MemberOut:
        return cls(**m.__dict__)


class RoleIn(BaseModel):
    role: str


class InviteIn(BaseModel):
    role: str = "editor"
    email: str | None = Field(default=None, max_length=320)


class InviteOut(BaseModel):
    id: uuid.UUID
    role: Role
    email: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    status: str

    @classmethod
    def of(cls, i: InviteView) -> InviteOut:
        return cls(**i.__dict__)


class CreatedInviteOut(InviteOut):
    link: str  # contains the token; shown once
    emailed: bool = Field(
        default=False,
        description="The invite was emailed to `email`; false: share the link by hand",
    )


class InviteInfoOut(BaseModel):
    workspace_name: str
    role: Role
    invited_by: str
    expires_at: dt.datetime


class AcceptIn(BaseModel):
    token: str = Field(max_length=200)
