"""/api/posts/{id}/submit|approve|reject and the workspace's approval setting.

See app.services.approvals for the rules: with `require_approval` on, editors' posts wait for an
admin's approval before they are scheduled, and the engine never publishes one that waits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import approval_rules, approvals, posts

router = APIRouter(prefix="/api", tags=["approvals"])


class ApprovalSettings(BaseModel):
    require_approval: bool = Field(
        description="Editors' posts wait for an admin's approval before they are scheduled. "
        "Turning it on leaves posts already scheduled as they are."
    )


class ApproveIn(BaseModel):
    scheduled_at: dt.datetime | None = Field(
        default=None,
        description="A new time (ISO-8601; without an offset, wall time in `timezone`). Needed "
        "when the post's own time has passed while it waited (409 `approval_time_passed`).",
    )
    timezone: str | None = None
    now: bool = Field(default=False, description="Approve and publish right away.")


class RejectIn(BaseModel):
    comment: str = Field(
        max_length=approvals.MAX_COMMENT, description="What needs to change (required)."
    )


class SummaryOut(BaseModel):
    required: bool
    can_approve: bool
    pending: int = Field(description="Posts waiting for approval in the workspace.")
    mine_pending: int = Field(description="The caller's own posts waiting for approval.")
    mine_rejected: int = Field(description="The caller's own posts sent back with a comment.")


@router.get("/workspaces/{workspace_id}/approval", response_model=ApprovalSettings)
def get_setting(workspace_id: uuid.UUID, user: CurrentUser) -> ApprovalSettings:
    return ApprovalSettings(require_approval=approval_rules.is_required(user, workspace_id))


@router.put("/workspaces/{workspace_id}/approval", response_model=ApprovalSettings)
def put_setting(
    workspace_id: uuid.UUID, body: ApprovalSettings, user: CurrentUser
) -> ApprovalSettings:
    """Turn approvals on or off (admins, signed in)."""
    on = approval_rules.set_required(user, workspace_id, body.require_approval)
    return ApprovalSettings(require_approval=on)


@router.get("/approvals/summary", response_model=SummaryOut)
def summary(wid: WorkspaceDep, user: CurrentUser) -> SummaryOut:
    """Counts for the dashboard. The posts themselves: `GET /api/posts?approval=pending`."""
    return SummaryOut(**asdict(approvals.summary(user, wid)))


@router.post("/posts/{post_id}/submit", response_model=posts.PostView)
def submit(post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> posts.PostView:
    """Submit a post for approval as it stands (editors). Saving with `mode` schedule or now in
    a workspace that requires approval does the same for an editor. 409 `approval_not_required`
    when the workspace does not require approval."""
    return approvals.submit(user, wid, post_id)


@router.post("/posts/{post_id}/approve", response_model=posts.PostView)
def approve(
    post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser, body: ApproveIn | None = None
) -> posts.PostView:
    """Approve a waiting post and schedule it (admins). 409 `approval_time_passed` when its time
    has passed: give `scheduled_at` or `now`."""
    body = body or ApproveIn()
    return approvals.approve(
        user, wid, post_id, scheduled_at=body.scheduled_at, timezone=body.timezone, now=body.now
    )


@router.post("/posts/{post_id}/reject", response_model=posts.PostView)
def reject(
    post_id: uuid.UUID, body: RejectIn, wid: WorkspaceDep, user: CurrentUser
) -> posts.PostView:
    """Send a waiting post back to its author with a comment (admins; 422 without one)."""
    return approvals.reject(user, wid, post_id, body.comment)
