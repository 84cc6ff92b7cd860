"""Post approvals: a workspace can require that editors' posts are approved by an admin before
they are scheduled.

The rules (what a five-person team moving from Buffer expects):
- The setting `require_approval` is off by default; admins turn it on or off.
- With it on, an editor's "schedule" or "publish now" submits the post instead: it stays
  unscheduled (`status` draft, `approval` pending) with the time the editor asked for (none for
  "publish now": it goes out as soon as it is approved).
- Admins' own posts skip approval (as in Buffer); an admin scheduling a post that waits for
  approval approves it. Viewers can do nothing.
- Approving schedules the post. If its time has passed meanwhile, approving is refused with
  `approval_time_passed` until the approver picks a new time (or publishes now): a post is never
  published late without somebody saying so.
- Rejecting needs a comment, which is shown to the author. A rejected post stays unscheduled
  until it is edited and submitted again.
- An editor editing a pending or approved post (content, targets, media, time) sends it back to
  pending; saving it as a draft withdraws it.
- Turning the setting on leaves posts already scheduled as they are (they were scheduled by
  the rules of the time); turning it off leaves pending posts pending, for an admin to decide.
- The engine never publishes a post that is pending or rejected: a database trigger
  (`herald_approval_guard`, migration 0013) refuses the claim, even for a job left in the queue.

Each step is recorded in the activity log (`approval.requested`, `approval.approved`,
`approval.rejected`) with the post's author (`author_id`) and the comment, for notifications.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app import db
from app.models import DestinationStatus, Post, PostApproval, PostStatus, Role, User, utcnow
from app.services import plans, posts, schedule
from app.services.access import require_role
from app.services.approval_rules import (
    BLOCKED,
    decide,
    is_approver,
    is_required,
    required,
    set_required,
)
from app.services.approval_rules import record as _record
from app.services.errors import Conflict, InvalidInput
from app.services.post_status import WAITING, refresh_post_status

MAX_COMMENT = 2000
__all__ = ["BLOCKED", "is_required", "set_required"]


def record(s: Session, user: User, post: Post, verb: str) -> None:
    _record(s, user, post, verb, posts.label(post))


# --------------------------------------------------------------------------- the actions


def submit(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID) -> posts.PostView:
    """Submit a post for approval as it stands (its time, or none: as soon as approved)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
        posts.get_locked(s, workspace_id, post_id)  # another workspace's post: 404 first
        if not required(s, workspace_id):
            raise Conflict(
                "This workspace does not require approval: schedule the post instead.",
                code="approval_not_required",
            )
    current = posts.get_post(user, workspace_id, post_id)
    if current.status not in (PostStatus.draft, PostStatus.scheduled, PostStatus.cancelled):
        raise Conflict(
            f"A {current.status.value} post cannot be submitted for approval.",
            code="not_submittable",
        )
    if current.approval == PostApproval.pending:
        raise Conflict("This post is already waiting for approval.", code="already_pending")
    mode = "schedule" if current.scheduled_at else "now"
    return posts.update_post(
        user, workspace_id, post_id, posts.input_of(current), mode=mode, submit=True
    )


def approve(
    user: User,
    workspace_id: uuid.UUID,
    post_id: uuid.UUID,
    *,
    scheduled_at: dt.datetime | None = None,
    timezone: str | None = None,
    now: bool = False,
) -> posts.PostView:
    """Approve a waiting post and schedule it: at its time, at `scheduled_at` (a new time), or
    now. A time that has passed is refused (`approval_time_passed`), never published late."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        post = posts.get_locked(s, workspace_id, post_id)
        if post.approval != PostApproval.pending or post.status != PostStatus.draft:
            raise Conflict(_not_pending(post), code="not_pending")
        dests = posts.lock_destinations(s, post, "approved")
        if scheduled_at is not None:
            post.timezone = timezone or post.timezone
            post.scheduled_at = posts.resolve_time(scheduled_at, post.timezone)
        when = utcnow() if now or post.scheduled_at is None else post.scheduled_at
        if when < utcnow() - posts.PAST_SLACK:
            raise Conflict(
                "This post was due at "
                f"{when:%Y-%m-%d %H:%M} UTC, which has passed while it waited for approval. "
                "Choose a new time, or approve it to publish now.",
                code="approval_time_passed",
                details={"field": "scheduled_at", "scheduled_at": when.isoformat()},
            )
        plans.check_post(s, workspace_id, when, exclude=post.id)
        decide(post, user, PostApproval.approved, None, utcnow())
        post.scheduled_at = when
        post.status = PostStatus.scheduled
        waiting = [d for d in dests if d.status in WAITING]
        stale = [(d.id, d.next_attempt_at) for d in waiting if d.next_attempt_at]
        for d in waiting:
            d.status = DestinationStatus.pending
            d.next_attempt_at = when
            d.give_up_at = posts.give_up_at(when)
            d.updated_at = utcnow()
            s.add(d)
        s.add(post)
        s.flush()
        refresh_post_status(s, post.id)
        view = posts.views(s, [post])[0]
        record(s, user, post, "approval.approved")
        video = schedule.media_lane(m.file_type for m in posts.post_media(s, post))
        s.commit()
    for dest_id, due in stale:
        if due != when:
            schedule.unschedule(dest_id, due)
    schedule.schedule_publishes([(d.id, when) for d in waiting], media=video)
    return view


def reject(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID, comment: str) -> posts.PostView:
    """Send a waiting post back to its author with a comment (required)."""
    comment = comment.strip()
    if not comment:
        raise InvalidInput(
            "Say what needs to change: a comment is required to reject a post.",
            code="comment_required",
            details={"field": "comment"},
        )
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(
            f"The comment is too long (at most {MAX_COMMENT} characters).",
            code="comment_too_long",
            details={"field": "comment"},
        )
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        post = posts.get_locked(s, workspace_id, post_id)
        if post.approval != PostApproval.pending or post.status != PostStatus.draft:
            raise Conflict(_not_pending(post), code="not_pending")
        decide(post, user, PostApproval.rejected, comment, utcnow())
        s.add(post)
        s.flush()
        view = posts.views(s, [post])[0]
        record(s, user, post, "approval.rejected")
    return view


def _not_pending(post: Post) -> str:
    if post.approval == PostApproval.approved:
        return "This post is already approved."
    if post.approval == PostApproval.rejected:
        return "This post was rejected; it can be approved once it is submitted again."
    return "This post is not waiting for approval."


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Summary:
    """What waits for approval in a workspace, for the dashboard."""

    required: bool
    can_approve: bool
    pending: int  # every post waiting (what an admin has to decide)
    mine_pending: int  # the user's own posts waiting
    mine_rejected: int  # the user's own posts sent back


def summary(user: User, workspace_id: uuid.UUID) -> Summary:
    with db.session() as s:
        member = require_role(s, user, workspace_id, Role.viewer)
        rows = s.exec(
            select(Post.approval, Post.author_id, func.count())
            .where(
                Post.workspace_id == workspace_id,
                col(Post.approval).in_(BLOCKED),
                Post.status == PostStatus.draft,
            )
            .group_by(col(Post.approval), col(Post.author_id))
        ).all()
        return Summary(
            required=required(s, workspace_id),
            can_approve=is_approver(member),
            pending=sum(n for a, _, n in rows if a == PostApproval.pending),
            mine_pending=sum(
                n for a, who, n in rows if a == PostApproval.pending and who == user.id
            ),
            mine_rejected=sum(
                n for a, who, n in rows if a == PostApproval.rejected and who == user.id
            ),
        )
