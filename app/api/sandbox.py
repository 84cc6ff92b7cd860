"""/api/sandbox: what the browser needs of the sandbox simulator, behind Herald's own sign-in."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

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


@router.get("/status", response_model=sandbox.SandboxStatus)
def get_status(user: CurrentUser, workspace_id: WorkspaceDep) -> sandbox.SandboxStatus:
    """Sandbox mode, and whether the simulator's state was reset since this workspace's
    sandbox accounts were connected (`reset`; they are then marked expired, once, and their
    posts wait). Viewer and up."""
    return sandbox.status(user, workspace_id)


@router.post("/reconnect", response_model=connect.SandboxReconnect)
def reconnect(user: CurrentUser, workspace_id: WorkspaceDep) -> connect.SandboxReconnect:
    """Reconnect every sandbox account of a reset sandbox in one go (admin): each keeps its
    posts and history, and its waiting posts go out now. 422 `sandbox_disabled` when off."""
    return connect.reconnect_sandbox(user, workspace_id)


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
