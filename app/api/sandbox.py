"""/api/sandbox: what the browser needs of the sandbox simulator, behind Herald's own sign-in."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from app.api.deps import current_user, workspace_of
from app.models import User
from app.services import sandbox

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
