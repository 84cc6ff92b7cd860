"""Queue names and the helpers every enqueuer uses (all on the shared Redis connection)."""

from __future__ import annotations

from rq import Queue
from rq_scheduler import Scheduler

from app.redis_client import redis

# Due publications: kept apart so a backlog of other work never delays a post.
PUBLISH = "publish"
# Everything else: token refresh, metrics sync, reconcile, housekeeping.
DEFAULT = "default"
# The worker pool listens on these, in this order of priority.
QUEUES: tuple[str, ...] = (PUBLISH, DEFAULT)


def get_queue(name: str = DEFAULT) -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r} (known: {', '.join(QUEUES)})")
    return Queue(name, connection=redis())


def publish_queue() -> Queue:
    return get_queue(PUBLISH)


def default_queue() -> Queue:
    return get_queue(DEFAULT)


def get_scheduler(name: str = DEFAULT) -> Scheduler:
    """rq-scheduler's delayed jobs land on queue `name` when due (`rqscheduler` moves them)."""
    return Scheduler(queue=get_queue(name), connection=redis())
