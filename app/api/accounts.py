"""/api/accounts and /api/platforms: connect (OAuth), list, disconnect social accounts; outages."""

from __future__ import annotations

import base64
import hashlib
import html
import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import account_posts, accounts, connect, outages
from app.services.errors import ServiceError

router = APIRouter(prefix="/api", tags=["accounts"])


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


@router.get("/platforms/outages", response_model=list[outages.Outage])
def list_outages(wid: WorkspaceDep, user: CurrentUser) -> list[outages.Outage]:
    """Platforms, servers and accounts of this workspace that Herald stopped sending to because
    they keep failing (5xx, timeouts); their posts wait and go out when a probe succeeds."""
    return outages.for_workspace(user, wid)


@router.get("/accounts", response_model=list[accounts.AccountView])
def list_accounts(wid: WorkspaceDep, user: CurrentUser) -> list[accounts.AccountView]:
    return accounts.list_accounts(user, wid)


@router.post("/accounts/connect/{platform}", response_model=ConnectOut)
def start_connect(
    platform: str,
    wid: WorkspaceDep,
    user: CurrentUser,
    body: ConnectIn | None = None,
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


@router.post("/accounts/login/{platform}", status_code=201, response_model=accounts.AccountView)
def login(
    platform: str,
    body: LoginIn,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> accounts.AccountView:
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
    return account


@router.get("/accounts/callback/{platform}")
def connect_callback(
    platform: str,
    request: Request,
    user: CurrentUser,
    state: str = "",
    code: str | None = None,
    error: str | None = None,
) -> Response:
    """Where the platform sends the browser back; then on to the Accounts page (which asks
    which pages/channels to connect when the login manages several). A browser gets a tiny
    page that hands the result to the page that opened the popup and closes it."""
    try:
        result = connect.finish(user, platform, state, code, error)
    except ServiceError as exc:
        query = {"error": exc.message}
    else:
        if isinstance(result, connect.Pending):
            query = {"pick": result.key}
        else:
            query = {"connected": ", ".join(a.name or a.username for a in result)}
    target = "/accounts/?" + urlencode(query)
    if request.headers.get("sec-fetch-mode") == "navigate":
        return _handoff(target)
    return RedirectResponse(target, status_code=303)


# The callback in the connection popup: a few hundred bytes that hand the result to the
# Accounts page that opened it (same origin only: the browser refuses another's history) and
# close, instead of loading the whole app to do so. The opener's app moves to the result in
# place (a history entry and a popstate: its router navigates, the page's on_load reads it),
# without reloading (unless it already shows that very address: a navigation to it would not
# load anything); without such an opener (no popup, a blocked one), the same tab goes on.
_HANDOFF_JS = (
    "(function(){var t=document.getElementById('to').getAttribute('data-to');"
    "try{var o=window.opener;if(o&&o!==window&&window.name==='herald-connect'"
    "&&o.location.origin===location.origin){"
    "try{if(o.location.pathname+o.location.search===t){o.location.reload();}else{"
    "o.history.pushState(null,'',t);o.dispatchEvent(new o.PopStateEvent('popstate'));}}"
    "catch(e){o.location.assign(t);}window.close();return;}}"
    "catch(e){}location.replace(t);})();"
)
_HANDOFF_CSP = (
    "default-src 'none'; script-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_HANDOFF_JS.encode()).digest()).decode()
    + "'; frame-ancestors 'none'; base-uri 'none'"
)


def _handoff(target: str) -> HTMLResponse:
    to = html.escape(target, quote=True)
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Herald</title>"
        f"<noscript><meta http-equiv='refresh' content='0;url={to}'></noscript></head><body>"
        f"<a id='to' data-to='{to}' href='{to}'>Back to Herald</a>"
        f"<script>{_HANDOFF_JS}</script></body></html>"
    )
    return HTMLResponse(
        page, headers={"content-security-policy": _HANDOFF_CSP, "cache-control": "no-store"}
    )


class ChooseIn(BaseModel):
    ids: list[str] = Field(max_length=200, description="Ids of the chosen choices.")


@router.get("/accounts/pending/{key}", response_model=connect.Pending)
def pending_choice(key: str, user: CurrentUser) -> connect.Pending:
    """The pages/organizations/channels a just-finished login can publish as."""
    return connect.pending(user, key)


@router.post("/accounts/pending/{key}", status_code=201, response_model=list[accounts.AccountView])
def choose(key: str, body: ChooseIn, user: CurrentUser) -> list[accounts.AccountView]:
    """Connect the chosen ones."""
    return connect.choose(user, key, body.ids)


class WaitingOut(BaseModel):
    scheduled_posts: int = Field(description="Scheduled posts still waiting for this account.")


@router.get("/accounts/{account_id}/waiting", response_model=WaitingOut)
def waiting(
    account_id: uuid.UUID,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> WaitingOut:
    """What a disconnect would affect: scheduled posts still waiting to go out on it."""
    return WaitingOut(scheduled_posts=connect.waiting_posts(user, wid, account_id))


@router.delete("/accounts/{account_id}", response_model=account_posts.DisconnectReport)
def disconnect(
    account_id: uuid.UUID,
    wid: WorkspaceDep,
    user: CurrentUser,
    posts: str = Query(
        "keep",
        description="What happens to the scheduled posts still waiting for this account: "
        "`keep` (default) leaves them scheduled, marked 'account disconnected'; they go out if "
        "the account is connected again in time, otherwise fail with that reason. `remove` "
        "takes the account off them; a post left with no account becomes a draft.",
    ),
) -> account_posts.DisconnectReport:
    """Revoke (where the platform allows) and forget the tokens; history stays. Reports what
    happened to the waiting posts."""
    return connect.disconnect(user, wid, account_id, posts)
