"""The scheduler process: rq-scheduler's loop, plus two things its CLI cannot do.

- It re-creates the repeated jobs (reconcile, token refresh) whenever they are missing, so a
  flushed Redis heals itself: reconcile then rebuilds every publish job from PostgreSQL.
- It re-registers its own liveness key when that vanished, so /api/health stays truthful.

Run: `python -m workers.scheduler [--interval SECONDS]`.
"""

from __future__ import annotations

import argparse
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from typing import TYPE_CHECKING, Any, cast

from redis.exceptions import ConnectionError as RedisConnectionError
from rq.job import Job
from rq.queue import Queue
from rq.utils import now, utcformat
from rq_scheduler import Scheduler

from app.config import settings
from app.redis_client import redis
from app.services import schedule

if TYPE_CHECKING:
    from rq_scheduler import Scheduled  # our stub's name (stubs/rq_scheduler)

log = logging.getLogger("herald.scheduler")


# Release the tick lock only if this scheduler still holds it (compare and delete).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class HeraldScheduler(Scheduler):
    """rq-scheduler with exact due times: it polls every `interval` seconds, but sleeps only
    until the next job is due when that comes sooner, and compares sub-second timestamps.

    Several schedulers may run on one Redis (one per node): each tick takes a lock, and only its
    owner releases it — rq-scheduler's own `remove_lock` deletes the key unconditionally, so a
    tick slower than the lock's lifetime would drop another scheduler's lock.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._token = uuid.uuid4().hex
        self._release = self.connection.register_script(_RELEASE)
        self._ticks = 0

    def acquire_lock(self) -> bool:
        ttl_ms = int((self._interval + 10) * 1000)
        acquired = self.connection.set(self.scheduler_lock_key, self._token, px=ttl_ms, nx=True)
        self._lock_acquired = bool(acquired)
        return self._lock_acquired

    def remove_lock(self) -> None:
        if self._lock_acquired:
            self._release(keys=[self.scheduler_lock_key], args=[self._token])
            self._lock_acquired = False

    def get_jobs_to_queue(self, with_times: bool = False) -> Iterator[Scheduled]:
        return self.get_jobs(time.time(), with_times=with_times)

    def _sleep_seconds(self, elapsed: float) -> float:
        upcoming = cast(
            list[tuple[bytes, float]],
            self.connection.zrange(self.scheduled_jobs_key, 0, 0, withscores=True),
        )
        wait = self._interval - elapsed
        if upcoming:
            wait = min(wait, upcoming[0][1] - time.time())
        return max(0.005, wait)

    def run(self, burst: bool = False) -> None:
        self.register_birth()
        self._install_signal_handlers()
        try:
            while True:
                start = time.time()
                try:
                    self.heartbeat()
                    if self.acquire_lock():
                        self.enqueue_jobs()
                        self.remove_lock()
                        if burst:
                            break
                    wait = self._sleep_seconds(time.time() - start)
                except RedisConnectionError as exc:  # Redis restarting: keep trying
                    log.warning("Redis unavailable (%s); retrying", exc)
                    wait = 1.0
                time.sleep(wait)
        finally:
            with suppress(RedisConnectionError):
                self.remove_lock()
                self.register_death()

    def _move_one_shot_jobs(self, batch: int = 2000) -> None:
        """Move Herald's due one-shot jobs (publish-/check-/verify-…) to their queues in two
        pipelined round trips for the whole batch, instead of rq-scheduler's several round trips
        per job (a burst of thousands of posts due at one second is then enqueued in a blink).
        What is left (the repeated jobs) goes through rq-scheduler's own enqueue_jobs."""
        r = self.connection
        due = cast(
            list[bytes],
            r.zrangebyscore(self.scheduled_jobs_key, "-inf", time.time(), start=0, num=batch),
        )
        ids = [i.decode() for i in due if i.decode().startswith(schedule.ONE_SHOT_PREFIXES)]
        if not ids:
            return
        with r.pipeline(transaction=False) as pipe:
            for job_id in ids:
                pipe.hget(Job.key_for(job_id), "origin")
            origins = pipe.execute()
        enqueued_at = utcformat(now())
        queues = set()
        with r.pipeline(transaction=False) as pipe:
            for job_id, origin in zip(ids, origins, strict=True):
                pipe.zrem(self.scheduled_jobs_key, job_id)
                if origin is None:  # the job was deleted meanwhile (unscheduled)
                    continue
                queue_key = Queue.redis_queue_namespace_prefix + origin.decode()
                queues.add(queue_key)
                pipe.hset(
                    Job.key_for(job_id), mapping={"status": "queued", "enqueued_at": enqueued_at}
                )
                pipe.rpush(queue_key, job_id)
            if queues:
                pipe.sadd(Queue.redis_queues_keys, *queues)
            pipe.execute()

    def heartbeat(self) -> None:
        if not self.connection.exists(self.key):
            self.connection.hset(self.key, "birth", str(time.time()))
        super().heartbeat()

    def enqueue_jobs(self) -> Iterator[Scheduled]:
        self._move_one_shot_jobs()
        created = schedule.ensure_repeating_jobs(self)
        if created and self._ticks:
            log.warning("Redis lost the repeated jobs (flushed?): re-created %s", created)
        elif created:
            log.debug("scheduled the repeated jobs: %s", ", ".join(created))
        self._ticks += 1
        return super().enqueue_jobs()


def build(interval: float | None = None) -> HeraldScheduler:
    return HeraldScheduler(
        queue=schedule.queue(schedule.PUBLISH_QUEUE),
        connection=redis(),
        interval=interval or settings.scheduler_interval,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--interval",
        type=float,
        default=settings.scheduler_interval,
        help="seconds between polls (default: %(default)s)",
    )
    parser.add_argument("--burst", action="store_true", help="run once and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    build(args.interval).run(burst=args.burst)


if __name__ == "__main__":
    main()
