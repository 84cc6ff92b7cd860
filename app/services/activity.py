"""The activity log of a workspace: who created, edited, rescheduled, published, retried,
connected or disconnected what, and when.

Services call `record` with their own session, so the event commits (or rolls back) with the
action. The engine's outcomes are recorded by the database itself: `herald_derive_post_status`
(migration 0011) writes `post.published` / `post.partially_published` / `post.failed` once, when
a post reaches that outcome, in the engine's transaction. Both go through the SQL function
`herald_record_activity`, which also queues the webhook deliveries the event calls for (an
outbox in the same transaction); `app.services.webhooks` sends them.

Notifications hook in there too: `herald_record_activity` calls `herald_notify` (migration 0015),
which writes the recipients' notification rows in the same transaction
(app.services.notifications).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import event, text
from sqlmodel import Session, col, select

from app import db
from app.models import ActivityEvent, Role, User, utcnow
from app.redis_client import redis
from app.services import schedule
from app.services.access import key_scope, require_role
from app.services.errors import InvalidInput

ENGINE = "Herald"
KICK_KEY = "herald:webhooks:kick"
log = logging.getLogger(__name__)

# The verbs Herald records (webhooks subscribe to these, "post.*" prefixes, or "*").
VERBS = (
    "post.created",
    "post.edited",
    "post.rescheduled",
    "post.cancelled",
    "post.deleted",
    "post.published",
    "post.partially_published",
    "post.failed",
    "post.retried",
    "approval.requested",
    "approval.approved",
    "approval.rejected",
    "account.connected",
    "account.disconnected",
    "account.expiring",
    "account.expired",
    "account.reconnected",
    "member.added",
    "member.role_changed",
    "member.removed",
    "invite.created",
    "invite.accepted",
    "invite.revoked",
    "webhook.created",
    "webhook.disabled",
    "comment.added",
    "comment.edited",
    "comment.deleted",
    "platform.outage",
    "platform.recovered",
)

_RECORD = text(
    "SELECT herald_record_activity(:ws, :actor, :label, :verb, :stype, :sid, :slabel, "
    "CAST(:details AS jsonb), :now)"
)


def actor_label(user: User | None) -> str:
    if user is None:
        return ENGINE
    name = user.full_name.strip() or user.email
    return f"{name} (API key)" if key_scope() is not None else name


def record(
    s: Session,
    workspace_id: uuid.UUID,
    actor: User | None,
    verb: str,
    subject_type: str,
    subject_id: uuid.UUID | str | None,
    subject_label: str = "",
    details: dict[str, Any] | None = None,
) -> int:
    """Record an event in the caller's transaction; returns the webhook deliveries queued
    (they are handed to a worker once the transaction commits)."""
    details = dict(details or {})
    scope = key_scope()
    if scope is not None and actor is not None:
        details.setdefault("api_key_id", str(scope.key_id))
    queued = (
        s.connection()
        .execute(
            _RECORD,
            {
                "ws": workspace_id,
                "actor": actor.id if actor is not None else None,
                "label": actor_label(actor),
                "verb": verb,
                "stype": subject_type,
                "sid": str(subject_id) if subject_id is not None else "",
                "slabel": (subject_label or "")[:200],
                "details": json.dumps(details, default=_plain),
                "now": utcnow(),
            },
        )
        .scalar()
    )
    if queued:
        _kick_after_commit(s)
    return int(queued or 0)


def _plain(value: Any) -> str:
    """JSON for details: times as ISO-8601, anything else (UUIDs) as text."""
    return value.isoformat() if isinstance(value, dt.datetime) else str(value)


def _kick_after_commit(s: Session) -> None:
    if not event.contains(s, "after_commit", _kick):
        event.listen(s, "after_commit", _kick)


def _kick(_session: Session) -> None:
    kick()


def kick() -> None:
    """Have a worker send the webhook deliveries due now (`webhooks.deliver_due`): at most one
    run waits at a time; the repeated sweep covers a kick that got lost."""
    try:
        if redis().set(KICK_KEY, "1", nx=True, ex=60):
            schedule.queue(schedule.DEFAULT_QUEUE).enqueue(
                schedule.WorkerJob.DELIVER_WEBHOOKS,
                job_id=f"webhooks-{uuid.uuid4().hex[:12]}",
                job_timeout=300,
                result_ttl=0,
                failure_ttl=3600,
            )
    except Exception:  # Redis down: the sweep sends them once it is back
        log.warning("could not queue webhook deliveries", exc_info=True)


class EventView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    actor_id: uuid.UUID | None = Field(description="The member; null for Herald (the engine).")
    actor: str
    verb: str = Field(description="e.g. post.created, post.published, account.connected.")
    subject_type: str
    subject_id: str
    subject_label: str
    details: dict[str, Any]
    created_at: dt.datetime


class EventPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[EventView]
    next_before: int | None = Field(
        description="Pass as `before` for the next (older) page; null on the last page."
    )


def list_events(
    user: User,
    workspace_id: uuid.UUID,
    *,
    verb: str | None = None,
    actor: str | None = None,
    subject_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before: int | None = None,
    limit: int = 50,
) -> EventPage:
    """The workspace's events, newest first (any member). `verb`: a verb or its prefix
    ("post." or "post"); `actor`: a user id, or "herald" for the engine."""
    if not 1 <= limit <= 200:
        raise InvalidInput("limit must be 1 to 200.", details={"field": "limit"})
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        q = select(ActivityEvent).where(ActivityEvent.workspace_id == workspace_id)
        if verb:
            q = q.where(col(ActivityEvent.verb).startswith(verb.strip().rstrip("*")))
        if actor:
            if actor.lower() == "herald":
                q = q.where(col(ActivityEvent.actor_id).is_(None))
            else:
                try:
                    q = q.where(ActivityEvent.actor_id == uuid.UUID(actor))
                except ValueError as exc:
                    raise InvalidInput(
                        "actor must be a user id or 'herald'.", details={"field": "actor"}
                    ) from exc
        if subject_id:
            q = q.where(ActivityEvent.subject_id == subject_id.strip())
        if since is not None:
            q = q.where(ActivityEvent.created_at >= since)
        if until is not None:
            q = q.where(ActivityEvent.created_at < until)
        if before is not None:
            q = q.where(col(ActivityEvent.id) < before)
        rows = s.exec(q.order_by(col(ActivityEvent.id).desc()).limit(limit + 1)).all()
        items = [
            EventView(
                id=e.id or 0,
                actor_id=e.actor_id,
                actor=e.actor_label,
                verb=e.verb,
                subject_type=e.subject_type,
                subject_id=e.subject_id,
                subject_label=e.subject_label,
                details=e.details,
                created_at=e.created_at,
            )
            for e in rows[:limit]
        ]
        more = len(rows) > limit
        return EventPage(items=items, next_before=items[-1].id if more and items else None)
