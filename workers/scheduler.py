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
from contextlib import suppress

from redis.exceptions import ConnectionError as RedisConnectionError
from rq_scheduler import Scheduler

from app.config import settings
from app.redis_client import redis
from app.services import schedule

log = logging.getLogger("herald.scheduler")


class HeraldScheduler(Scheduler):
    """rq-scheduler with exact due times: it polls every `interval` seconds, but sleeps only
    until the next job is due when that comes sooner, and compares sub-second timestamps."""

    def get_jobs_to_queue(self, with_times: bool = False):  # type: ignore[override]
        return self.get_jobs(time.time(), with_times=with_times)

    def _sleep_seconds(self, elapsed: float) -> float:
        upcoming = self.connection.zrange(self.scheduled_jobs_key, 0, 0, withscores=True)
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

    def heartbeat(self) -> None:
        if not self.connection.exists(self.key):
            self.connection.hset(self.key, "birth", time.time())
        super().heartbeat()

    def enqueue_jobs(self):  # type: ignore[override]
        created = schedule.ensure_repeating_jobs(self)
        if created:  # expected at a first start; later, Redis must have lost them
            level = logging.WARNING if getattr(self, "_ensured", False) else logging.DEBUG
            log.log(level, "re-created repeated jobs: %s", ", ".join(created))
        self._ensured = True
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
