"""The schedule in Redis (rq-scheduler + RQ queues). PostgreSQL stays the source of truth:
everything here can be rebuilt by `reconcile.run()` after Redis is lost.

Job ids are deterministic: `publish-<destination>-<due ms>`, so one destination cannot be
scheduled twice for the same time. The due time is part of the id because a running job may
re-schedule its own destination (a rate limit, a retry): RQ cleans up the running job's
record when it finishes, which must not take the new job with it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import cast

from rq import Queue
from rq.job import Job
from rq_scheduler import Scheduler

from app.config import settings
from app.models import utcnow
from app.redis_client import redis

PUBLISH_QUEUE = "publish"
# Posts with video: long uploads get their own lane, so they never hold up short posts.
MEDIA_QUEUE = "publish-media"
DEFAULT_QUEUE = "default"
QUEUES = (PUBLISH_QUEUE, MEDIA_QUEUE, DEFAULT_QUEUE)


class WorkerJob:
    """The worker functions (in `workers/jobs.py`) that services queue: the one place that
    names them, so no service spells a dotted path (a unit test checks each one exists)."""

    PUBLISH = "workers.jobs.publish"  # plain strings: RQ stores the dotted path
    CHECK = "workers.jobs.check"
    VERIFY = "workers.jobs.verify"
    RECONCILE = "workers.jobs.reconcile"
    REFRESH_TOKENS = "workers.jobs.refresh_tokens"
    SYNC_METRICS = "workers.jobs.sync_metrics"
    SYNC_WORKSPACE_METRICS = "workers.jobs.sync_workspace_metrics"
    SWEEP_UPLOADS = "workers.jobs.sweep_uploads"
    SEND_MAIL = "workers.jobs.send_mail"
    SWEEP_MAIL = "workers.jobs.sweep_mail"
    DELIVER_WEBHOOKS = "workers.jobs.deliver_webhooks"
    SEND_NOTIFICATIONS = "workers.jobs.send_notifications"


# A publish can upload video: allow it time, but not forever.
PUBLISH_TIMEOUT = 15 * 60

# Ids of the jobs that run once (never repeated): the scheduler moves them in batches.
ONE_SHOT_PREFIXES = ("publish-", "check-", "verify-", "mail-")

# Repeated jobs: id -> (function, interval seconds getter).
# id: (job, its interval in seconds, read when scheduled)
REPEATING: dict[str, tuple[str, Callable[[], float]]] = {
    "repeat-reconcile": (WorkerJob.RECONCILE, lambda: settings.reconcile_seconds),
    "repeat-refresh-tokens": (WorkerJob.REFRESH_TOKENS, lambda: settings.token_refresh_seconds),
    "repeat-sync-metrics": (WorkerJob.SYNC_METRICS, lambda: settings.metrics_sync_seconds),
    "repeat-sweep-uploads": (WorkerJob.SWEEP_UPLOADS, lambda: settings.upload_sweep_seconds),
    "repeat-sweep-mail": (WorkerJob.SWEEP_MAIL, lambda: settings.mail_sweep_seconds),
    "repeat-deliver-webhooks": (
        WorkerJob.DELIVER_WEBHOOKS,
        lambda: settings.webhook_sweep_seconds,
    ),
    "repeat-notifications": (
        WorkerJob.SEND_NOTIFICATIONS,
        lambda: settings.notify_sweep_seconds,
    ),
}


def queue(name: str = PUBLISH_QUEUE) -> Queue:
    return Queue(name, connection=redis())


@lru_cache(maxsize=1)
def scheduler() -> Scheduler:
    return Scheduler(queue=queue(PUBLISH_QUEUE), connection=redis())


def _ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def publish_job_id(destination_id: uuid.UUID | str, due: dt.datetime) -> str:
    return f"publish-{destination_id}-{_ms(due)}"


def _naive_utc(when: dt.datetime) -> dt.datetime:
    """rq-scheduler stores naive UTC datetimes."""
    return when.astimezone(dt.UTC).replace(tzinfo=None)


Job_ = tuple[str, str, tuple[str, ...], dt.datetime, str]  # id, function, args, due, queue


def _put_all(jobs: list[Job_]) -> None:
    """Schedule jobs: those due already straight into their queue, the others into
    rq-scheduler's set at their exact instant (rq-scheduler itself rounds down to the second;
    Herald's scheduler compares exact times, so nothing runs early) — one round trip for all
    the future ones."""
    sched = scheduler()
    now = utcnow()
    later = [j for j in jobs if j[3] > now]
    for job_id, func, args, _, queue_name in (j for j in jobs if j[3] <= now):
        sched.cancel(job_id)
        queue(queue_name).enqueue(
            func, *args, job_id=job_id, job_timeout=PUBLISH_TIMEOUT, result_ttl=0
        )
    if not later:
        return
    with sched.connection.pipeline() as pipe:
        for job_id, func, args, at, queue_name in later:
            job = sched._create_job(
                func,
                args=args,
                id=job_id,
                queue_name=queue_name,
                timeout=PUBLISH_TIMEOUT,
                result_ttl=0,  # outcomes live in PostgreSQL (publish_attempts)
                commit=False,
            )
            job.save(pipeline=pipe)
            pipe.zadd(sched.scheduled_jobs_key, {job_id: at.timestamp()})
        pipe.execute()


def _put(job_id: str, func: str, args: tuple[str, ...], at: dt.datetime, queue_name: str) -> None:
    _put_all([(job_id, func, args, at, queue_name)])


def media_lane(mime_types: Iterable[str]) -> bool:
    """Does a post with these attachments belong in the media lane (it uploads video)?"""
    return any(m.startswith("video/") for m in mime_types)


def schedule_publishes(due: list[tuple[uuid.UUID, dt.datetime]], *, media: bool = False) -> None:
    """Publish each destination at its time (now, if that has passed); `media`: in the media
    lane."""
    lane = MEDIA_QUEUE if media else PUBLISH_QUEUE
    _put_all([(publish_job_id(d, at), WorkerJob.PUBLISH, (str(d),), at, lane) for d, at in due])


def schedule_publish(destination_id: uuid.UUID, at: dt.datetime, *, media: bool = False) -> None:
    schedule_publishes([(destination_id, at)], media=media)


def schedule_check(destination_id: uuid.UUID, delay_seconds: float) -> None:
    """Poll a platform that is still processing (read-only check, then finalize)."""
    at = utcnow() + dt.timedelta(seconds=delay_seconds)
    job_id = f"check-{destination_id}-{_ms(at)}"
    _put(job_id, WorkerJob.CHECK, (str(destination_id),), at, PUBLISH_QUEUE)


def schedule_verify(destination_id: uuid.UUID, delay_seconds: float) -> None:
    """Decide an unknown outcome by reading the account's recent posts."""
    at = utcnow() + dt.timedelta(seconds=delay_seconds)
    job_id = f"verify-{destination_id}-{_ms(at)}"
    _put(job_id, WorkerJob.VERIFY, (str(destination_id),), at, DEFAULT_QUEUE)


def schedule_mail(outbox_id: uuid.UUID, at: dt.datetime | None = None) -> None:
    """Send an outbox email now (or retry it at `at`) on a worker."""
    at = at or utcnow()
    _put(f"mail-{outbox_id}-{_ms(at)}", WorkerJob.SEND_MAIL, (str(outbox_id),), at, DEFAULT_QUEUE)


def unschedule(destination_id: uuid.UUID, due: dt.datetime | None) -> None:
    """Remove the publish job of a destination due at `due` (nothing to do without one)."""
    if due is None:
        return
    job_id = publish_job_id(destination_id, due)
    scheduler().cancel(job_id)
    for name in (PUBLISH_QUEUE, MEDIA_QUEUE):
        queue(name).remove(job_id)
    if redis().exists(Job.key_for(job_id)):
        Job(job_id, connection=redis()).delete()


def scheduled_ids(job_ids: list[str]) -> set[str]:
    """Which of these job ids are waiting in the scheduler or a queue."""
    r = redis()
    sched_key = Scheduler.scheduled_jobs_key
    with r.pipeline() as pipe:
        for job_id in job_ids:
            pipe.zscore(sched_key, job_id)
        scores = pipe.execute()
    waiting = {j for j, score in zip(job_ids, scores, strict=True) if score is not None}
    queued = {
        raw.decode()
        for name in QUEUES
        for raw in cast(list[bytes], r.lrange(f"rq:queue:{name}", 0, -1))
    }
    return waiting | (set(job_ids) & queued)


def ensure_repeating_jobs(sched: Scheduler | None = None) -> list[str]:
    """(Re)create the repeated jobs that are missing, e.g. after Redis was flushed.

    Returns the ids created; a missing reconcile job is scheduled to run right away.
    """
    sched = sched or scheduler()
    created = []
    for job_id, (func, interval) in REPEATING.items():
        if sched.connection.zscore(sched.scheduled_jobs_key, job_id) is None:
            sched.schedule(
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                func,
                interval=interval(),
                id=job_id,
                queue_name=DEFAULT_QUEUE,
                result_ttl=60,
                timeout=600,
            )
            created.append(job_id)
    return created
