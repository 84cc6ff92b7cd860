"""/api/accounts and /api/platforms: connect (OAuth), list, disconnect social accounts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from app.api.deps import current_user, workspace_of
from app.models import AccountStatus, User
from app.services import accounts, connect
from app.services.errors import ServiceError

router = APIRouter(prefix="/api", tags=["accounts"])


class AccountOut(BaseModel):
    id: uuid.UUID
    platform: str
    platform_account_id: str
    name: str
    username: str
    avatar_url: str
    status: AccountStatus
    last_error: str | None
    token_expires_at: dt.datetime | None
    is_sandbox: bool

    @classmethod
    def of(cls, a: accounts.AccountView) -> AccountOut:
        return cls(**{k: getattr(a, k) for k in cls.model_fields})


class ConnectIn(BaseModel):
    instance_url: str | None = Field(
        default=None, max_length=500, description="Federated platforms: your server's address."
    )


class ConnectOut(BaseModel):
    authorize_url: str


@router.get("/platforms")
def list_platforms() -> list[dict[str, Any]]:
    """Every connector: id, name, whether it is configured here, limits and capabilities."""
    return connect.platforms()


@router.get("/accounts", response_model=list[AccountOut])
def list_accounts(
    wid: uuid.UUID = Depends(workspace_of), user: User = Depends(current_user)
) -> list[AccountOut]:
    return [AccountOut.of(a) for a in accounts.list_accounts(user, wid)]


@router.post("/accounts/connect/{platform}", response_model=ConnectOut)
def start_connect(
    platform: str,
    body: ConnectIn | None = None,
    wid: uuid.UUID = Depends(workspace_of),
    user: User = Depends(current_user),
) -> ConnectOut:
    """Start connecting an account: send the user to `authorize_url`."""
    instance = body.instance_url if body else None
    return ConnectOut(authorize_url=connect.start(user, wid, platform, instance))


class LoginIn(BaseModel):
    identifier: str = Field(max_length=300, description="Handle, e.g. alice.bsky.social")
    app_password: str = Field(max_length=300)
    service_url: str | None = Field(default=None, max_length=500, description="Own PDS, if any")


@router.post("/accounts/login/{platform}", status_code=201, response_model=AccountOut)
def login(
    platform: str,
    body: LoginIn,
    wid: uuid.UUID = Depends(workspace_of),
    user: User = Depends(current_user),
) -> AccountOut:
    """Connect a platform that uses app passwords instead of OAuth (Bluesky)."""
    account = connect.login(
        user, wid, platform, body.identifier, body.app_password, body.service_url
    )
    return AccountOut.of(account)


@router.get("/accounts/callback/{platform}")
def connect_callback(
    platform: str,
    state: str = "",
    code: str | None = None,
    error: str | None = None,
    user: User = Depends(current_user),
) -> RedirectResponse:
    """Where the platform sends the browser back; then on to the Accounts page."""
    try:
        account = connect.finish(user, platform, state, code, error)
    except ServiceError as exc:
        return RedirectResponse("/accounts/?" + urlencode({"error": exc.message}), status_code=303)
    return RedirectResponse("/accounts/?" + urlencode({"connected": account.name}), status_code=303)


@router.delete("/accounts/{account_id}", status_code=204)
def disconnect(
    account_id: uuid.UUID,
    wid: uuid.UUID = Depends(workspace_of),
    user: User = Depends(current_user),
) -> Response:
    """Revoke (where the platform allows) and forget the tokens; posts and history stay."""
    connect.disconnect(user, wid, account_id)
    return Response(status_code=204)
