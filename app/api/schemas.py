"""Request and response bodies of the REST API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RegisterIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    full_name: str = Field(default="", max_length=200)
    invite_token: str | None = Field(
        default=None, max_length=200, description="Needed when sign-up is by invitation."
    )


class LoginIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class WorkspaceIn(BaseModel):
    name: str = Field(max_length=200)


class RoleIn(BaseModel):
    role: str


class InviteIn(BaseModel):
    role: str = "editor"
    email: str | None = Field(default=None, max_length=320)


class AcceptIn(BaseModel):
    token: str = Field(max_length=200)
