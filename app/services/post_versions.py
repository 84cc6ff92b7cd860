"""Who changed a post last, and the refusal of an edit made from an older version of it.

Every edit bumps `posts.version` (app.services.posts); an editor sends back the version it
loaded, and a post changed since is refused with a message naming who changed it and when,
so a teammate's newer edit is never silently overwritten.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from sqlmodel import Session, col, select

from app import db
from app.models import ActivityEvent, Post, Role, User
from app.services.access import require_role
from app.services.errors import Conflict

# The activity verbs that change what a post says or when it goes out.
EDIT_VERBS = ("post.created", "post.edited", "post.rescheduled", "post.cancelled")


def _last_edit(s: Session, post: Post) -> ActivityEvent | None:
    return s.exec(
        select(ActivityEvent)
        .where(
            ActivityEvent.workspace_id == post.workspace_id,
            ActivityEvent.subject_id == str(post.id),
            col(ActivityEvent.verb).in_(EDIT_VERBS),
        )
        .order_by(col(ActivityEvent.id).desc())
        .limit(1)
    ).first()


def _who_and_when(user: User, post: Post, event: ActivityEvent | None) -> str:
    """ "Alice changed this post at 10:42" (in `user`'s time zone)."""
    when = event.created_at if event else post.updated_at
    try:
        local = when.astimezone(zoneinfo.ZoneInfo(user.timezone or "UTC"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = when.astimezone(dt.UTC)
    today = local.date() == dt.datetime.now(local.tzinfo).date()
    at = f"{local:%H:%M}" if today else f"{local:%d %b %H:%M}"
    if event is not None and event.actor_id == user.id:
        return f"You changed this post in another tab or window at {at}"
    name = event.actor_label if event else "Someone"
    return f"{name} changed this post at {at}"


def newer_edit(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID, version: int) -> str:
    """For an editor holding `version` of a post: who changed it since and when ("" if no one),
    so the composer can say so before a save runs into it."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        post = s.exec(
            select(Post).where(Post.id == post_id, Post.workspace_id == workspace_id)
        ).first()
        if post is None or post.version <= version:
            return ""
        return _who_and_when(user, post, _last_edit(s, post))


def conflict(s: Session, user: User, post: Post) -> Conflict:
    """The refusal of an edit made from an older version of `post`, for `user`."""
    event = _last_edit(s, post)
    when = event.created_at if event else post.updated_at
    return Conflict(
        f"{_who_and_when(user, post, event)}, after you opened it. Reload to see the newer "
        "version; your text is kept.",
        code="version_conflict",
        details={
            "version": post.version,
            "changed_by": event.actor_label if event else None,
            "changed_at": when.isoformat(),
        },
    )
