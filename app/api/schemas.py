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


class WorkspaceIn(BaseModel):
    name: str = Field(max_length=200)


class RoleIn(BaseModel):
    role: str


class InviteIn(BaseModel):
    role: str = "editor"
    email: str | None = Field(default=None, max_length=320)


class AcceptIn(BaseModel):
    token: str = Field(max_length=200)
