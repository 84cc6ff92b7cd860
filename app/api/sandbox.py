"""/api/sandbox: what the browser needs of the sandbox simulator, behind Herald's own sign-in."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from app.api.accounts import AccountOut
from app.api.deps import current_user, workspace_of
from app.models import User
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
def list_posts(
    user: User = Depends(current_user), workspace_id: uuid.UUID = Depends(workspace_of)
) -> list[SandboxPostOut]:
    """The posts this workspace's sandbox accounts published to the simulator, newest first
    (viewer and up). 422 `sandbox_disabled` when sandbox mode is off."""
    return [SandboxPostOut(**p) for p in sandbox.posts(user, workspace_id)]


class SandboxStatusOut(BaseModel):
    enabled: bool
    reset: bool  # the sandbox was reset: the accounts below must be reconnected
    stale_accounts: list[uuid.UUID]
    message: str


@router.get("/status", response_model=SandboxStatusOut)
def get_status(
    user: User = Depends(current_user), workspace_id: uuid.UUID = Depends(workspace_of)
) -> SandboxStatusOut:
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
def reconnect(
    user: User = Depends(current_user), workspace_id: uuid.UUID = Depends(workspace_of)
) -> SandboxReconnectOut:
    """Reconnect every sandbox account of a reset sandbox in one go (admin): each keeps its
    posts and history, and its waiting posts go out now. 422 `sandbox_disabled` when off."""
    done = connect.reconnect_sandbox(user, workspace_id)
    return SandboxReconnectOut(
        reconnected=[AccountOut.of(a) for a in done.reconnected], failed=done.failed
    )
