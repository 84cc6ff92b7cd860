"""/api/accounts and /api/platforms: connect (OAuth), list, disconnect social accounts; outages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from app.api.deps import current_user, workspace_of
from app.models import AccountStatus, User
from app.services import accounts, connect, outages
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
    sandbox: bool = Field(
        default=False, description="Connect a simulated account (sandbox mode must be on)."
    )


class ConnectOut(BaseModel):
    authorize_url: str


@router.get("/platforms")
def list_platforms() -> list[dict[str, Any]]:
    """Every connector: id, name, whether it is configured here, limits and capabilities."""
    return connect.platforms()


class OutageOut(BaseModel):
    scope: str = Field(description="`x`, `mastodon@<server>` or `account:<id>`.")
    platform: str
    name: str
    state: str = Field(description="`open` (waiting out the cool-down) or `probing`.")
    since: dt.datetime
    next_probe_at: dt.datetime
    last_error: str
    waiting: int = Field(description="Destinations of this workspace waiting for it.")

    @classmethod
    def of(cls, o: outages.Outage) -> OutageOut:
        return cls(
            scope=o.scope,
            platform=o.platform,
            name=o.name,
            state=o.state,
            since=dt.datetime.fromtimestamp(o.since, dt.UTC),
            next_probe_at=dt.datetime.fromtimestamp(o.next_probe_at, dt.UTC),
            last_error=o.last_error,
            waiting=o.waiting,
        )


@router.get("/platforms/outages", response_model=list[OutageOut])
def list_outages(
    wid: uuid.UUID = Depends(workspace_of), user: User = Depends(current_user)
) -> list[OutageOut]:
    """Platforms, servers and accounts of this workspace that Herald stopped sending to because
    they keep failing (5xx, timeouts); their posts wait and go out when a probe succeeds."""
    return [OutageOut.of(o) for o in outages.for_workspace(user, wid)]


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
    body = body or ConnectIn()
    url = connect.start(user, wid, platform, body.instance_url, sandbox=body.sandbox)
    return ConnectOut(authorize_url=url)


class LoginIn(BaseModel):
    identifier: str = Field(
        default="", max_length=300, description="Handle, e.g. alice.bsky.social"
    )
    app_password: str = Field(default="", max_length=300)
    service_url: str | None = Field(default=None, max_length=500, description="Own PDS, if any")
    sandbox: bool = Field(
        default=False, description="Sign in to the simulator (its own login when none is given)."
    )


@router.post("/accounts/login/{platform}", status_code=201, response_model=AccountOut)
def login(
    platform: str,
    body: LoginIn,
    wid: uuid.UUID = Depends(workspace_of),
    user: User = Depends(current_user),
) -> AccountOut:
    """Connect a platform that uses app passwords instead of OAuth (Bluesky)."""
    account = connect.login(
        user,
        wid,
        platform,
        body.identifier,
        body.app_password,
        body.service_url,
        sandbox=body.sandbox,
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
    """Where the platform sends the browser back; then on to the Accounts page (which asks
    which pages/channels to connect when the login manages several)."""
    try:
        result = connect.finish(user, platform, state, code, error)
    except ServiceError as exc:
        query = {"error": exc.message}
    else:
        if isinstance(result, connect.Pending):
            query = {"pick": result.key}
        else:
            query = {"connected": ", ".join(a.name or a.username for a in result)}
    return RedirectResponse("/accounts/?" + urlencode(query), status_code=303)


class ChoiceOut(BaseModel):
    id: str
    name: str
    username: str
    avatar_url: str
    connected: bool = Field(description="Already connected to this workspace.")


class PendingOut(BaseModel):
    key: str
    platform: str
    platform_name: str
    choices: list[ChoiceOut]


class ChooseIn(BaseModel):
    ids: list[str] = Field(max_length=200, description="Ids of the chosen choices.")


@router.get("/accounts/pending/{key}", response_model=PendingOut)
def pending_choice(key: str, user: User = Depends(current_user)) -> PendingOut:
    """The pages/organizations/channels a just-finished login can publish as."""
    found = connect.pending(user, key)
    return PendingOut(
        key=found.key,
        platform=found.platform,
        platform_name=found.platform_name,
        choices=[ChoiceOut(**vars(c)) for c in found.choices],
    )


@router.post("/accounts/pending/{key}", status_code=201, response_model=list[AccountOut])
def choose(key: str, body: ChooseIn, user: User = Depends(current_user)) -> list[AccountOut]:
    """Connect the chosen ones."""
    return [AccountOut.of(a) for a in connect.choose(user, key, body.ids)]


class DisconnectOut(BaseModel):
    account_id: uuid.UUID
    posts: str = Field(description="The choice applied: keep or remove.")
    waiting: int = Field(description="Destinations that were waiting for this account.")
    removed: int = Field(description="Destinations removed from their posts (posts=remove).")
    kept: int = Field(
        description="Destinations kept and marked 'account disconnected' (posts=keep): they go "
        "out if the account is connected again before they are due, else fail with that reason."
    )
    drafted: int = Field(description="Posts left with no destination, now drafts.")


class WaitingOut(BaseModel):
    scheduled_posts: int = Field(description="Scheduled posts still waiting for this account.")


@router.get("/accounts/{account_id}/waiting", response_model=WaitingOut)
def waiting(
    account_id: uuid.UUID,
    wid: uuid.UUID = Depends(workspace_of),
    user: User = Depends(current_user),
) -> WaitingOut:
    """What a disconnect would affect: scheduled posts still waiting to go out on it."""
    return WaitingOut(scheduled_posts=connect.waiting_posts(user, wid, account_id))


@router.delete("/accounts/{account_id}", response_model=DisconnectOut)
def disconnect(
    account_id: uuid.UUID,
    posts: str = Query(
        "keep",
        description="What happens to the scheduled posts still waiting for this account: "
        "`keep` (default) leaves them scheduled, marked 'account disconnected'; they go out if "
        "the account is connected again in time, otherwise fail with that reason. `remove` "
        "takes the account off them; a post left with no account becomes a draft.",
    ),
    wid: uuid.UUID = Depends(workspace_of),
    user: User = Depends(current_user),
) -> DisconnectOut:
    """Revoke (where the platform allows) and forget the tokens; history stays. Reports what
    happened to the waiting posts."""
    report = connect.disconnect(user, wid, account_id, posts)
    return DisconnectOut(**vars(report))
