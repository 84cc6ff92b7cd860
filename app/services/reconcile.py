"""Reconcile: rebuild the schedule from PostgreSQL and resolve what was left hanging.

Runs every minute (HERALD_RECONCILE_SECONDS). After Redis was flushed it re-creates every
missing job; it recovers destinations whose worker died mid-publish; it fails posts that are
overdue beyond the missed-post grace instead of publishing them hours late.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import text
from sqlmodel import Session, col, select

from app import db
from app.config import settings
from app.models import (
    AttemptOutcome,
    DestinationStatus,
    PostDestination,
    PublishAttempt,
    utcnow,
)
from app.services import liveness, sandbox, schedule
from app.services.post_status import refresh_post_status
from app.services.publishing import abandon

log = logging.getLogger(__name__)
# A processing/unknown destination untouched this long has lost its follow-up job.
STALLED = dt.timedelta(minutes=2)


def _fail_missed(s: Session, now: dt.datetime) -> int:
    """Waiting destinations overdue by more than the grace are failed, not published late."""
    cutoff = now - dt.timedelta(seconds=settings.missed_grace_seconds)
    rows = s.execute(
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


def recover_claims(now: dt.datetime | None = None) -> int:
    """Let go of the claims (`publishing`) whose worker is provably gone (see liveness): the
    request is retried with the platform's idempotency key, or checked on the platform first.

    Reconcile does this on every run; a worker process also does it when it starts, so a restart
    resumes at once what the killed workers held instead of at the next reconcile, which may be a
    minute away and runs from the `default` queue, behind the whole publish backlog."""
    now = now or utcnow()
    with db.session() as s:
        claims = s.exec(
            select(
                PostDestination.id, PostDestination.claimed_by, PostDestination.claimed_at
            ).where(PostDestination.status == DestinationStatus.publishing)
        ).all()
    if not claims:
        return 0
    workers = liveness.reports()
    return sum(
        1
        for dest_id, claimed_by, claimed_at in claims
        if liveness.let_go(dest_id, claimed_by, claimed_at, now, workers)
        and abandon(dest_id, f"Worker {claimed_by} stopped during the attempt")
    )


def run() -> dict[str, int]:
    """Rebuild the schedule from PostgreSQL and resolve anything left hanging.

    Runs every minute; after Redis was flushed it re-creates every missing job.
    """
    now = utcnow()
    counts = {"missed": 0, "rescheduled": 0, "abandoned": 0, "checks": 0, "sandbox_reset": 0}
    with db.session() as s:
        counts["missed"] = _fail_missed(s, now)
        waiting = s.execute(
            text(
                "SELECT d.id, COALESCE(d.next_attempt_at, p.scheduled_at), EXISTS ("
                " SELECT 1 FROM post_media pm JOIN media m ON m.id = pm.media_id"
                " WHERE pm.post_id = p.id AND m.file_type LIKE 'video/%') "
                "FROM post_destinations d JOIN posts p ON p.id = d.post_id "
                "WHERE d.status IN ('pending', 'queued') "
                "AND p.status IN ('scheduled', 'publishing') AND p.scheduled_at IS NOT NULL"
            )
        ).all()
        following = s.exec(
            select(PostDestination.id, PostDestination.status, PostDestination.updated_at).where(
                col(PostDestination.status).in_(
                    (DestinationStatus.processing, DestinationStatus.unknown)
                )
            )
        ).all()
    for start in range(0, len(waiting), 1000):
        chunk = waiting[start : start + 1000]
        present = schedule.scheduled_ids([schedule.publish_job_id(d, due) for d, due, _ in chunk])
        for dest_id, due, video in chunk:
            if schedule.publish_job_id(dest_id, due) not in present:
                schedule.schedule_publish(dest_id, due, media=video)
                counts["rescheduled"] += 1
    counts["abandoned"] = recover_claims(now)
    for dest_id, status, updated_at in following:
        if now - updated_at > STALLED:
            # Its check/verify job should have run by now: it was lost (e.g. Redis flushed).
            if status == DestinationStatus.processing:
                schedule.schedule_check(dest_id, 0)
            else:
                schedule.schedule_verify(dest_id, 0)
            counts["checks"] += 1
    liveness.forget_stale()
    # A sandbox that was reset: its accounts say so everywhere within a minute.
    counts["sandbox_reset"] = len(sandbox.flag_stale())
    log.info("reconcile: %s", counts)
    return counts
