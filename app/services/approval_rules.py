"""Post approvals, the part the posts service calls while it saves a post: the workspace setting
and what saving does to a post's approval (the rules are described in app.services.approvals).

Kept apart from app.services.approvals, which builds on app.services.posts, so that the posts
service can call these without an import cycle.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Session, col, select

from app import db
from app.models import Membership, Post, PostApproval, PostStatus, Role, User, Workspace, utcnow
from app.services import activity
from app.services.access import RANK, admin_session, effective_role, require_role

# Approval states in which the engine must not publish (the trigger of migration 0013 agrees).
BLOCKED = (PostApproval.pending, PostApproval.rejected)


def required(s: Session, workspace_id: uuid.UUID) -> bool:
    value = s.exec(
        select(col(Workspace.require_approval)).where(Workspace.id == workspace_id)
    ).first()
    return bool(value)


def is_required(user: User, workspace_id: uuid.UUID) -> bool:
    """Whether the workspace requires approval (any member may ask)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        return required(s, workspace_id)


def set_required(user: User, workspace_id: uuid.UUID, on: bool) -> bool:
    """Turn the setting on or off (admins, signed in). Posts already scheduled stay scheduled;
    posts waiting stay waiting."""
    with admin_session(user, workspace_id, "change workspace settings") as s:
        ws = s.get(Workspace, workspace_id)
        assert ws is not None
        ws.require_approval = on
        s.add(ws)
        return on


def is_approver(member: Membership) -> bool:
    return RANK[effective_role(member.role)] >= RANK[Role.admin]


def on_save(
    s: Session, user: User, member: Membership, post: Post, mode: str, *, submit: bool = False
) -> str | None:
    """Decide a post's approval as it is saved with `mode` (called by posts.create_post and
    posts.update_post once they have set the status). May turn the post back into an unscheduled
    one waiting for approval. `submit`: ask for approval even where it is not needed (an admin's
    own post). Returns the activity verb to record, if any."""
    now = utcnow()
    if mode == "draft":
        if post.approval in (PostApproval.pending, PostApproval.approved):
            post.approval = PostApproval.none  # withdrawn; a rejected post keeps its comment
        return None
    if not submit and is_approver(member):
        if post.approval in BLOCKED:
            decide(post, user, PostApproval.approved, None, now)
            return "approval.approved"
        return None
    if not submit and not required(s, post.workspace_id):
        if post.approval in BLOCKED:
            post.approval = PostApproval.none
        return None
    post.status = PostStatus.draft
    if mode == "now":
        post.scheduled_at = None  # "as soon as it is approved"
    post.approval = PostApproval.pending
    post.approval_requested_by = user.id
    post.approval_requested_at = now
    post.approval_decided_by = None
    post.approval_decided_at = None
    post.approval_comment = None
    return "approval.requested"


def decide(
    post: Post, user: User, state: PostApproval, comment: str | None, now: dt.datetime
) -> None:
    post.approval = state
    post.approval_decided_by = user.id
    post.approval_decided_at = now
    post.approval_comment = comment
    post.updated_at = now


def record(s: Session, user: User, post: Post, verb: str | None, label: str) -> None:
    """Record an approval event (no-op for None), naming the post's author for notifications."""
    if verb is None:
        return
    activity.record(
        s,
        post.workspace_id,
        user,
        verb,
        "post",
        post.id,
        label,
        {
            "author_id": str(post.author_id) if post.author_id else None,
            "comment": post.approval_comment,
            "scheduled_at": post.scheduled_at,
        },
    )
