"""Who changed a post last, and the refusal of an edit made from an older version of it.

Every edit bumps `posts.version` (app.services.posts); an editor sends back the version it
loaded, and a post changed since is refused with a message naming who changed it and when,
so a teammate's newer edit is never silently overwritten.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlmodel import Session, col, select

from app.models import ActivityEvent, Post, User
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


def conflict(s: Session, user: User, post: Post) -> Conflict:
    """The refusal of an edit made from an older version of `post`, for `user`."""
    event = _last_edit(s, post)
    when = event.created_at if event else post.updated_at
    try:
        local = when.astimezone(zoneinfo.ZoneInfo(user.timezone or "UTC"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = when.astimezone(dt.UTC)
    at = (
        f"{local:%H:%M}"
        if local.date() == dt.datetime.now(local.tzinfo).date()
        else (f"{local:%d %b %H:%M}")
    )
    if event is not None and event.actor_id == user.id:
        who = "You changed this post in another tab or window"
    else:
        name = event.actor_label if event else "Someone"
        who = f"{name} changed this post"
    return Conflict(
        f"{who} at {at}, after you opened it. Reload to see the newer version; your text is kept.",
        code="version_conflict",
        details={
            "version": post.version,
            "changed_by": event.actor_label if event else None,
            "changed_at": when.isoformat(),
        },
    )
