"""/api/sandbox: what the browser needs of the sandbox simulator, behind Herald's own sign-in."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from app.api.accounts import AccountOut
from app.api.deps import CurrentUser, WorkspaceDep
from app.services import connect, sandbox

router = APIRouter(prefix="/api/sandbox", tags=["sandbox"])


class SandboxPostOut(BaseModel):
    platform: str
    account: str
    post_id: str
    text: str
    received_at: str
    permalink: str | None = None
    replays: int = 0
    media: int = 0


@router.get("/posts", response_model=list[SandboxPostOut])
def list_posts(user: CurrentUser, workspace_id: WorkspaceDep) -> list[SandboxPostOut]:
    """The posts this workspace's sandbox accounts published to the simulator, newest first
    (viewer and up). 422 `sandbox_disabled` when sandbox mode is off."""
    return [SandboxPostOut(**p) for p in sandbox.posts(user, workspace_id)]


class SandboxStatusOut(BaseModel):
    enabled: bool
    reset: bool  # the sandbox was reset: the accounts below must be reconnected
    stale_accounts: list[uuid.UUID]
    message: str


@router.get("/status", response_model=SandboxStatusOut)
def get_status(user: CurrentUser, workspace_id: WorkspaceDep) -> SandboxStatusOut:
    """Sandbox mode, and whether the simulator's state was reset since this workspace's
    sandbox accounts were connected (`reset`; they are then marked expired, once, and their
    posts wait). Viewer and up."""
    found = sandbox.status(user, workspace_id)
    return SandboxStatusOut(
        enabled=found.enabled,
        reset=found.reset,
        stale_accounts=found.stale_accounts,
        message=found.message,
    )


class SandboxReconnectOut(BaseModel):
    reconnected: list[AccountOut]
    failed: dict[uuid.UUID, str]


@router.post("/reconnect", response_model=SandboxReconnectOut)
def reconnect(user: CurrentUser, workspace_id: WorkspaceDep) -> SandboxReconnectOut:
    """Reconnect every sandbox account of a reset sandbox in one go (admin): each keeps its
    posts and history, and its waiting posts go out now. 422 `sandbox_disabled` when off."""
    done = connect.reconnect_sandbox(user, workspace_id)
    return SandboxReconnectOut(
        reconnected=[AccountOut.of(a) for a in done.reconnected], failed=done.failed
    )


# The simulator's pages are rendered by it: nothing in them may run or load from elsewhere.
_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@router.get("/p/{platform}/{post_id:path}", response_class=HTMLResponse)
def post_page(platform: str, post_id: str, user: CurrentUser) -> HTMLResponse:
    """A sandbox post's permalink: the simulated network's page of it (author, text, media,
    counters), for a member of the workspace that published it; 404 otherwise."""
    status, page = sandbox.post_page(user, platform, post_id)
    return HTMLResponse(page, status, headers={"content-security-policy": _PAGE_POLICY})


@router.get("/avatar/{platform}/{account}", response_class=Response)
def avatar(platform: str, account: str, name: str = "") -> Response:
    """A sandbox account's avatar (SVG initials drawn by the simulator), public like a
    network's image host; 422 `sandbox_disabled` when sandbox mode is off."""
    sandbox.require()
    svg = sandbox.avatar_svg(platform, account.removesuffix(".svg"), name)
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={
            "cache-control": "public, max-age=86400",
            "content-security-policy": _PAGE_POLICY,
        },
    )
