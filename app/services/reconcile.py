"""Reconcile: rebuild the schedule from PostgreSQL and resolve what was left hanging.

Runs every minute (HERALD_RECONCILE_SECONDS). After Redis was flushed it re-creates every
missing job; it recovers destinations whose worker died mid-publish; it fails posts that are
overdue beyond the missed-post grace instead of publishing them hours late.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid

from sqlalchemy import text
from sqlmodel import Session, select

from app import db
from app.config import settings
from app.models import (
    AttemptOutcome,
    DestinationStatus,
    PostDestination,
    PublishAttempt,
    SocialAccount,
    utcnow,
)
from app.providers.registry import provider_class
from app.services import schedule
from app.services.publishing import ACTIVE, HOST, refresh_post_status

log = logging.getLogger(__name__)
# A processing/unknown destination untouched this long has lost its follow-up job.
STALLED = dt.timedelta(minutes=2)


def _worker_gone(claimed_by: str | None, claimed_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Is the worker that claimed a destination dead? Exact on this host (its pid), by age
    elsewhere (longer than any publish may take)."""
    host, _, pid = (claimed_by or "").rpartition(":")
    if host == HOST and pid.isdigit():
        try:
            os.kill(int(pid), 0)
            return False
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return claimed_at is None or now - claimed_at > dt.timedelta(seconds=schedule.PUBLISH_TIMEOUT)


def _abandon(destination_id: uuid.UUID, idempotent: bool) -> None:
    """A worker died mid-publish: the request may or may not have reached the platform."""
    now = utcnow()
    with db.session() as s:
        dest = s.get(PostDestination, destination_id, with_for_update=True)
        if dest is None or dest.status != DestinationStatus.publishing:
            return
        attempt = s.exec(
            select(PublishAttempt)
            .where(PublishAttempt.destination_id == dest.id, PublishAttempt.finished_at.is_(None))  # type: ignore[union-attr]
            .order_by(PublishAttempt.id.desc())  # type: ignore[union-attr]
        ).first()
        if attempt is not None:
            attempt.finished_at = now
            attempt.outcome = AttemptOutcome.unknown
            attempt.error = f"Worker {dest.claimed_by} stopped during the attempt"
            s.add(attempt)
        dest.claimed_by = None
        dest.updated_at = now
        if idempotent:  # the platform de-duplicates: simply try again with the same key
            dest.status = DestinationStatus.queued
            dest.next_attempt_at = now
        else:
            dest.status = DestinationStatus.unknown
            dest.next_attempt_at = None
            sent_at = (dest.claimed_at or now).isoformat()
            dest.pending_state = {"verify_tries": 0, "sent_at": sent_at}
        s.add(dest)
        refresh_post_status(s, dest.post_id)
    if idempotent:
        schedule.schedule_publish(destination_id, now)
    else:
        schedule.schedule_verify(destination_id, 1.0)


def _fail_missed(s: Session, now: dt.datetime) -> int:
    """Waiting destinations overdue by more than the grace are failed, not published late."""
    cutoff = now - dt.timedelta(seconds=settings.missed_grace_seconds)
    rows = s.exec(
        text(
            "SELECT d.id, d.post_id FROM post_destinations d JOIN posts p ON p.id = d.post_id "
            "WHERE d.status IN ('pending', 'queued') AND p.status IN ('scheduled', 'publishing') "
            "AND COALESCE(d.next_attempt_at, p.scheduled_at) < :cutoff FOR UPDATE OF d SKIP LOCKED"
        ),
        params={"cutoff": cutoff},
    ).all()
    for dest_id, post_id in rows:
        dest = s.get(PostDestination, dest_id)
        assert dest is not None
        dest.status = DestinationStatus.failed
        dest.error_message = (
            "Missed: Herald could not publish within "
            f"{settings.missed_grace_seconds // 60} min of the scheduled time, so it was not "
            "published. Reschedule or publish it now."
        )
        dest.updated_at = now
        s.add(dest)
        s.add(
            PublishAttempt(
                destination_id=dest_id,
                started_at=now,
                finished_at=now,
                outcome=AttemptOutcome.skipped,
                error=dest.error_message,
                worker="reconcile",
            )
        )
        s.flush()
        refresh_post_status(s, post_id)
    return len(rows)


def run() -> dict[str, int]:
    """Rebuild the schedule from PostgreSQL and resolve anything left hanging.

    Runs every minute; after Redis was flushed it re-creates every missing job.
    """
    now = utcnow()
    counts = {"missed": 0, "rescheduled": 0, "abandoned": 0, "checks": 0}
    with db.session() as s:
        counts["missed"] = _fail_missed(s, now)
        waiting = s.exec(
            text(
                "SELECT d.id, COALESCE(d.next_attempt_at, p.scheduled_at) FROM post_destinations d "
                "JOIN posts p ON p.id = d.post_id WHERE d.status IN ('pending', 'queued') "
                "AND p.status IN ('scheduled', 'publishing') AND p.scheduled_at IS NOT NULL"
            )
        ).all()
        active = s.exec(
            select(
                PostDestination.id,
                PostDestination.status,
                PostDestination.claimed_by,
                PostDestination.claimed_at,
                PostDestination.updated_at,
                SocialAccount.platform,
            )
            .join(SocialAccount, SocialAccount.id == PostDestination.social_account_id)
            .where(PostDestination.status.in_(ACTIVE))  # type: ignore[attr-defined]
        ).all()
    for start in range(0, len(waiting), 1000):
        chunk = waiting[start : start + 1000]
        present = schedule.scheduled_ids([schedule.publish_job_id(d, due) for d, due in chunk])
        for dest_id, due in chunk:
            if schedule.publish_job_id(dest_id, due) not in present:
                schedule.schedule_publish(dest_id, due)
                counts["rescheduled"] += 1
    for dest_id, status, claimed_by, claimed_at, updated_at, platform in active:
        if status == DestinationStatus.publishing:
            if _worker_gone(claimed_by, claimed_at, now):
                _abandon(dest_id, provider_class(platform).capabilities.idempotent_publish)
                counts["abandoned"] += 1
        elif now - updated_at > STALLED:
            # Its check/verify job should have run by now: it was lost (e.g. Redis flushed).
            if status == DestinationStatus.processing:
                schedule.schedule_check(dest_id, 0)
            else:
                schedule.schedule_verify(dest_id, 0)
            counts["checks"] += 1
    log.info("reconcile: %s", counts)
    return counts
