"""Notifications: the bell (in-app centre), emails (at once or in a digest) and each user's
preferences per event group.

The rows are written by the database: `herald_record_activity` calls `herald_notify`
(migration 0015) for every activity event, in the event's own transaction, and picks the
recipients (members of the workspace, never the actor) and their channels from their
preferences. Here we read, mark read and email them: `sweep` (a repeated worker job, every
`notify_sweep_seconds`) sends the "immediate" emails and the digests that are due.
Slack and Discord channels are webhooks of another kind (app.services.notify_channels).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, text, update
from sqlmodel import Session, col, select

from app import db
from app.config import settings
from app.models import (
    ActivityEvent,
    Notification,
    NotificationSettings,
    Role,
    User,
    Workspace,
    utcnow,
)
from app.providers.registry import UnknownPlatform, provider_class
from app.services import mail
from app.services.access import require_role
from app.services.errors import InvalidInput, NotFound
from app.services.mail_templates import Rendered, notification

log = logging.getLogger(__name__)

# group -> (label, what it covers)
GROUPS: dict[str, tuple[str, str]] = {
    "post_failed": ("Failed posts", "A post failed or was published on some accounts only."),
    "post_published": ("Published posts", "A post went out on every account."),
    "accounts": ("Accounts", "An account's access expires soon, expired, or was reconnected."),
    "approvals": ("Approvals", "A post waits for approval, or yours was approved or rejected."),
    "mentions": ("Mentions", "Someone mentioned you in a comment."),
    "outages": ("Outages", "A platform stops answering or answers again; a webhook failing."),
}
# The verbs of each group (the same mapping as herald_notify in migration 0015).
GROUP_VERBS: dict[str, tuple[str, ...]] = {
    "post_failed": ("post.failed", "post.partially_published"),
    "post_published": ("post.published",),
    "accounts": ("account.expiring", "account.expired", "account.reconnected"),
    "approvals": ("approval.requested", "approval.approved", "approval.rejected"),
    "mentions": ("comment.added", "comment.edited"),
    "outages": ("platform.outage", "platform.recovered", "webhook.disabled"),
}
EMAIL_CHOICES = ("immediate", "digest", "off")
DIGEST_CHOICES = ("daily", "hourly")
DIGEST_HOUR = 8  # a daily digest comes at 08:00 in the user's time zone
# Keep in step with DEFAULTS in migration 0015 (tests compare them).
DEFAULTS: dict[str, dict[str, Any]] = {
    "post_failed": {"in_app": True, "email": "immediate"},
    "post_published": {"in_app": True, "email": "off"},
    "accounts": {"in_app": True, "email": "immediate"},
    "approvals": {"in_app": True, "email": "immediate"},
    "mentions": {"in_app": True, "email": "immediate"},
    "outages": {"in_app": True, "email": "digest"},
}
BATCH = 200


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    link: str  # a path inside Herald ("/composer?post=…"), or ""


def _post_link(subject_type: str, subject_id: str, details: dict[str, Any]) -> str:
    post = details.get("post_id") or (subject_id if subject_type == "post" else "")
    return f"/composer?post={post}" if post else "/calendar"


def _platform(platform: str) -> str:
    try:
        return provider_class(platform).display_name
    except UnknownPlatform:
        return platform


def _destinations(details: dict[str, Any], status: str) -> list[str]:
    out = []
    for d in details.get("destinations") or []:
        if isinstance(d, dict) and d.get("status") == status:
            platform = _platform(str(d.get("platform", "")))
            where = f"{platform} · {d.get('account', '')}".strip(" ·")
            error = d.get("error") or ""
            out.append(f"{where}: {error}" if error and status == "failed" else where)
    return out


def render(
    verb: str, subject_type: str, subject_id: str, label: str, actor: str, details: dict[str, Any]
) -> Message:
    """What a notification says, from its activity event."""
    if subject_type == "account" and " · " in label:  # "bluesky · Name" -> "Bluesky · Name"
        platform, _, name = label.partition(" · ")
        label = f"{_platform(platform)} · {name}"
    quoted = f"“{label}”" if label else "A post"
    post_link = _post_link(subject_type, subject_id, details)
    if verb == "post.failed":
        return Message(
            f"Post failed: {quoted}",
            "\n".join(_destinations(details, "failed")) or "No account published it.",
            post_link,
        )
    if verb == "post.partially_published":
        failed = _destinations(details, "failed")
        return Message(
            f"Post partly published: {quoted}",
            "Failed on " + "; ".join(failed) if failed else "Some accounts failed.",
            post_link,
        )
    if verb == "post.published":
        done = _destinations(details, "published")
        return Message(
            f"Post published: {quoted}", "On " + ", ".join(done) if done else "", post_link
        )
    if verb == "account.expiring":
        return Message(
            f"{label}: access ends soon",
            str(details.get("error") or "Reconnect it to keep publishing."),
            "/accounts",
        )
    if verb == "account.expired":
        return Message(
            f"{label} needs reconnecting",
            str(details.get("error") or "Herald cannot publish there until it is reconnected."),
            "/accounts",
        )
    if verb == "account.reconnected":
        return Message(f"{label} was reconnected", f"By {actor}.", "/accounts")
    if verb == "approval.requested":
        return Message(f"{actor} asks for approval: {quoted}", _note(details), post_link)
    if verb in ("approval.approved", "approval.rejected"):
        word = "approved" if verb.endswith("approved") else "rejected"
        return Message(f"{actor} {word} your post {quoted}", _note(details), post_link)
    if verb == "comment.added":
        return Message(f"{actor} mentioned you: {quoted}", _note(details), post_link)
    if verb == "comment.edited":
        return Message(
            f"{actor} mentioned you in an edited comment: {quoted}", _note(details), post_link
        )
    if verb == "platform.outage":
        return Message(
            f"{label} is not answering",
            "Posts due meanwhile wait and go out as soon as it answers again."
            + (f" Last answer: {details['error']}" if details.get("error") else ""),
            "/",
        )
    if verb == "platform.recovered":
        return Message(f"{label} answers again", "Waiting posts are going out now.", "/")
    if verb == "webhook.disabled":
        return Message(
            "A webhook was switched off",
            f"{label}: {details.get('reason', '')}".strip(": "),
            "/settings/webhooks",
        )
    return Message(f"{actor}: {verb} {label}".strip(), "", "")


def _note(details: dict[str, Any]) -> str:
    for key in ("text", "body", "comment", "excerpt", "note", "reason"):
        value = details.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:500]
    return ""


def absolute(link: str) -> str:
    return f"{settings.base_url.rstrip('/')}{link}" if link else settings.base_url


def chat_text(payload: dict[str, Any]) -> str:
    """One line or three for Slack/Discord, from a webhook delivery's payload."""
    subject = payload.get("subject") or {}
    actor = payload.get("actor") or {}
    m = render(
        str(payload.get("type", "")),
        str(subject.get("type", "")),
        str(subject.get("id", "")),
        str(subject.get("label", "")),
        str(actor.get("name", "Herald")),
        payload.get("data") or {},
    )
    if payload.get("type") == "webhook.test":
        return "Herald: this channel receives your workspace's notifications."
    parts = [m.title, m.body, absolute(m.link) if m.link else ""]
    return "\n".join(p for p in parts if p)[:1900]


# --------------------------------------------------------------------------- the centre


@dataclass(frozen=True)
class NotificationView:
    id: int
    verb: str
    group: str
    title: str
    body: str
    link: str
    actor: str
    read: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class NotificationPage:
    items: list[NotificationView]
    unread: int
    next_before: int | None


def _view(n: Notification, e: ActivityEvent) -> NotificationView:
    m = render(e.verb, e.subject_type, e.subject_id, e.subject_label, e.actor_label, e.details)
    return NotificationView(
        n.id or 0, n.verb, n.grp, m.title, m.body, m.link, e.actor_label,
        n.read_at is not None, n.created_at,
    )  # fmt: skip


def _unread(s: Session, user_id: uuid.UUID, workspace_id: uuid.UUID) -> int:
    return int(
        s.exec(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.workspace_id == workspace_id,
                col(Notification.in_app),
                col(Notification.read_at).is_(None),
            )
        ).one()
    )


def unread_count(user: User, workspace_id: uuid.UUID) -> int:
    """The bell's number: one index-only count (no role check: it only counts the user's own
    rows of this workspace)."""
    with db.session() as s:
        return _unread(s, user.id, workspace_id)


def list_notifications(
    user: User,
    workspace_id: uuid.UUID,
    *,
    unread_only: bool = False,
    before: int | None = None,
    limit: int = 30,
) -> NotificationPage:
    """The user's notifications in this workspace, newest first."""
    if not 1 <= limit <= 100:
        raise InvalidInput("limit must be 1 to 100.", details={"field": "limit"})
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        q = (
            select(Notification, ActivityEvent)
            .join(ActivityEvent, col(ActivityEvent.id) == Notification.event_id)
            .where(
                Notification.user_id == user.id,
                Notification.workspace_id == workspace_id,
                col(Notification.in_app),
            )
        )
        if unread_only:
            q = q.where(col(Notification.read_at).is_(None))
        if before is not None:
            q = q.where(col(Notification.id) < before)
        rows = s.exec(q.order_by(col(Notification.id).desc()).limit(limit + 1)).all()
        items = [_view(n, e) for n, e in rows[:limit]]
        more = len(rows) > limit
        return NotificationPage(
            items, _unread(s, user.id, workspace_id), items[-1].id if more and items else None
        )


def mark_read(user: User, workspace_id: uuid.UUID, notification_id: int) -> int:
    """Mark one notification read; returns the unread count left."""
    with db.session() as s:
        n = s.get(Notification, notification_id)
        if n is None or n.user_id != user.id or n.workspace_id != workspace_id:
            raise NotFound("Notification not found.")
        if n.read_at is None:
            n.read_at = utcnow()
            s.add(n)
            s.flush()
        return _unread(s, user.id, workspace_id)


def mark_all_read(user: User, workspace_id: uuid.UUID) -> int:
    """Mark every notification of this workspace read; returns how many were unread."""
    with db.session() as s:
        result = s.connection().execute(
            update(Notification)
            .where(
                col(Notification.user_id) == user.id,
                col(Notification.workspace_id) == workspace_id,
                col(Notification.read_at).is_(None),
            )
            .values(read_at=utcnow())
        )
        return int(getattr(result, "rowcount", 0) or 0)


# --------------------------------------------------------------------------- preferences


@dataclass(frozen=True)
class Preferences:
    groups: dict[str, dict[str, Any]]  # group -> {"in_app": bool, "email": str}
    digest: str


def get_preferences(user: User) -> Preferences:
    with db.session() as s:
        row = s.get(NotificationSettings, user.id)
        stored = row.prefs if row is not None else {}
        return Preferences(
            {g: {**DEFAULTS[g], **(stored.get(g) or {})} for g in GROUPS},
            row.digest if row is not None else "daily",
        )


def save_preferences(
    user: User, groups: dict[str, dict[str, Any]] | None = None, digest: str | None = None
) -> Preferences:
    """Change some groups' channels and/or the digest frequency; the rest stays."""
    current = get_preferences(user)
    merged = {g: dict(v) for g, v in current.groups.items()}
    for g, choice in (groups or {}).items():
        if g not in GROUPS:
            raise InvalidInput(
                f"Unknown group {g!r}; use one of {', '.join(GROUPS)}.",
                code="invalid_group",
                details={"field": "groups"},
            )
        if not isinstance(choice, dict):
            raise InvalidInput(f"{g}: give in_app and/or email.", details={"field": g})
        if "in_app" in choice:
            if not isinstance(choice["in_app"], bool):
                raise InvalidInput(f"{g}.in_app must be true or false.", details={"field": g})
            merged[g]["in_app"] = choice["in_app"]
        if "email" in choice:
            if choice["email"] not in EMAIL_CHOICES:
                raise InvalidInput(
                    f"{g}.email must be one of {', '.join(EMAIL_CHOICES)}.", details={"field": g}
                )
            merged[g]["email"] = choice["email"]
        unknown = set(choice) - {"in_app", "email"}
        if unknown:
            raise InvalidInput(
                f"{g}: unknown setting {sorted(unknown)[0]!r}.", details={"field": g}
            )
    digest = current.digest if digest is None else digest
    if digest not in DIGEST_CHOICES:
        raise InvalidInput(
            f"digest must be one of {', '.join(DIGEST_CHOICES)}.", details={"field": "digest"}
        )
    with db.session() as s:
        row = s.get(NotificationSettings, user.id) or NotificationSettings(user_id=user.id)
        row.prefs, row.digest, row.updated_at = merged, digest, utcnow()
        s.add(row)
    return Preferences(merged, digest)


# --------------------------------------------------------------------------- email


_CLAIM_IMMEDIATE = text(
    """
    UPDATE notifications SET email_state = NULL, emailed_at = :now
    WHERE id IN (SELECT id FROM notifications WHERE email_state = 'immediate'
                 ORDER BY created_at LIMIT :n FOR UPDATE SKIP LOCKED)
    RETURNING id
    """
)
_PENDING_DIGESTS = text(
    """
    SELECT n.user_id, min(n.created_at) AS oldest, coalesce(ns.digest, 'daily') AS digest,
           u.timezone
    FROM notifications n JOIN users u ON u.id = n.user_id
    LEFT JOIN notification_settings ns ON ns.user_id = n.user_id
    WHERE n.email_state = 'digest'
    GROUP BY n.user_id, ns.digest, u.timezone
    """
)
_CLAIM_DIGEST = text(
    """
    UPDATE notifications SET email_state = NULL, emailed_at = :now
    WHERE id IN (SELECT id FROM notifications WHERE email_state = 'digest' AND user_id = :u
                 FOR UPDATE SKIP LOCKED)
    RETURNING id
    """
)


def _loaded(s: Session, ids: list[int]) -> list[tuple[Notification, ActivityEvent, User, str]]:
    rows = s.exec(
        select(Notification, ActivityEvent, User, Workspace.name)
        .join(ActivityEvent, col(ActivityEvent.id) == Notification.event_id)
        .join(User, col(User.id) == Notification.user_id)
        .join(Workspace, col(Workspace.id) == Notification.workspace_id)
        .where(col(Notification.id).in_(ids))
        .order_by(col(Notification.id))
    ).all()
    return [(n, e, u, w) for n, e, u, w in rows]


def _message(e: ActivityEvent) -> Message:
    return render(e.verb, e.subject_type, e.subject_id, e.subject_label, e.actor_label, e.details)


PREFS_NOTE = "Choose what you are emailed about: "


def _immediate_message(rows: list[tuple[Notification, ActivityEvent, User, str]]) -> Rendered:
    """One notification as its own email; several found in one sweep (a burst of failures)
    as one email listing them, so a bad minute is one email, not fifty."""
    prefs = f"{PREFS_NOTE}{absolute('/settings/notifications')}"
    if len(rows) == 1:
        _n, e, _u, workspace = rows[0]
        m = _message(e)
        body = "\n\n".join(p for p in (m.body, f"Workspace: {workspace}", prefs) if p)
        return notification(m.title, body, absolute(m.link), "Open in Herald")
    lines = []
    for _n, e, _u, workspace in rows:
        m = _message(e)
        lines.append(f"- {m.title} ({workspace})" + (f": {m.body}" if m.body else ""))
    title = f"{len(rows)} Herald notifications: {_message(rows[0][1]).title}"
    body = "\n".join(lines) + f"\n\n{prefs}"
    return notification(title, body, absolute("/notifications"), "See them in Herald")


def send_immediate(limit: int = BATCH) -> int:
    """Email the notifications asked for "immediately" (one email per user per sweep); the
    outbox rows are written in the transaction that claims them (app.services.mail sends them
    on a worker). Returns the emails written."""
    sent = 0
    with db.session() as s:
        ids = [
            r.id for r in s.connection().execute(_CLAIM_IMMEDIATE, {"now": utcnow(), "n": limit})
        ]
        if not ids:
            return 0
        by_user: dict[uuid.UUID, list[tuple[Notification, ActivityEvent, User, str]]] = {}
        for row in _loaded(s, ids):
            by_user.setdefault(row[2].id, []).append(row)
        for rows in by_user.values():
            user = rows[0][2]
            try:
                if mail.send(s, user.email, _immediate_message(rows), kind="notification"):
                    sent += 1
            except InvalidInput:
                log.warning("user %s has no usable email address", user.id)
    return sent


def digest_due(oldest: dt.datetime, frequency: str, zone: str, now: dt.datetime) -> bool:
    """Has a digest boundary (the top of an hour, or 08:00 local for a daily digest) passed
    since the oldest waiting notification?"""
    if frequency == "hourly":
        boundary = oldest.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        return now >= boundary
    try:
        tz: dt.tzinfo = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC
    local = oldest.astimezone(tz)
    boundary = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if local >= boundary:
        boundary += dt.timedelta(days=1)
    return now >= boundary


def _digest_message(rows: list[tuple[Notification, ActivityEvent, User, str]]) -> Rendered:
    lines: list[str] = []
    by_ws: dict[str, list[str]] = {}
    for _n, e, _u, workspace in rows:
        m = _message(e)
        by_ws.setdefault(workspace, []).append(f"- {m.title}" + (f" ({m.body})" if m.body else ""))
    for workspace, items in by_ws.items():
        lines.append(f"{workspace}:\n" + "\n".join(items))
    count = len(rows)
    title = f"Herald digest: {count} notification{'s' if count != 1 else ''}"
    lines.append(f"{PREFS_NOTE}{absolute('/settings/notifications')}")
    return notification(title, "\n\n".join(lines), absolute("/notifications"), "See them all")


def send_digests(now: dt.datetime | None = None) -> int:
    """Email each user whose digest is due everything waiting for it, in one email."""
    now = now or utcnow()
    sent = 0
    with db.session() as s:
        pending = s.connection().execute(_PENDING_DIGESTS).all()
    for p in pending:
        if not digest_due(p.oldest, p.digest, p.timezone, now):
            continue
        with db.session() as s:
            ids = [
                r.id for r in s.connection().execute(_CLAIM_DIGEST, {"now": now, "u": p.user_id})
            ]
            rows = _loaded(s, ids) if ids else []
            if rows:
                try:
                    if mail.send(s, rows[0][2].email, _digest_message(rows), kind="digest"):
                        sent += 1
                except InvalidInput:
                    log.warning("user %s has no usable email address", p.user_id)
    return sent


PRUNE_BATCH = 5000


def prune(now: dt.datetime | None = None) -> int:
    """Delete notifications older than `notify_keep_days` whose email (if any) has gone, at most
    PRUNE_BATCH a call (later sweeps take the rest); how many went."""
    cutoff = (now or utcnow()) - dt.timedelta(days=settings.notify_keep_days)
    with db.session() as s:
        old = (
            select(Notification.id)
            .where(col(Notification.created_at) < cutoff, col(Notification.email_state).is_(None))
            .limit(PRUNE_BATCH)
        )
        result = s.connection().execute(
            delete(Notification).where(col(Notification.id).in_(old.scalar_subquery()))
        )
        return int(getattr(result, "rowcount", 0) or 0)


def sweep() -> dict[str, int]:
    """The repeated job: immediate emails, the digests that are due, and old rows pruned."""
    return {"immediate": send_immediate(), "digests": send_digests(), "pruned": prune()}
