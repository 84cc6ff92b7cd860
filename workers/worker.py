"""Herald's RQ worker: many jobs in flight per process, in lanes.

RQ stays the queue (jobs, queues, worker registration, results of repeated jobs) and
rq-scheduler the schedule. What changes is execution: a publish spends almost all its time
waiting for a platform, so one process runs up to `HERALD_WORKER_CONCURRENCY` jobs at once in
threads instead of one. Concurrency is limited by the lanes' slots, the rate budgets and the
circuit breakers — not by the number of processes.

Lanes: jobs of the `publish-media` queue (posts with video: long uploads) may take at most
`HERALD_WORKER_MEDIA_CONCURRENCY` slots, so short posts always find a free one. The process only
takes a job from a queue whose lane has a free slot; what it cannot start stays in Redis for
other processes.

Jobs run without RQ's per-job timeout (a signal cannot stop a thread): every platform call has
its own connect/read/write timeouts, and the engine's budgets and deadlines bound the rest.
Shutdown: the first SIGINT/SIGTERM stops taking jobs and waits for those in flight; a second one
exits at once (reconcile recovers what was in flight).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from types import FrameType
from typing import Any, cast

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.job import Job, JobStatus
from rq.queue import Queue
from rq.utils import now
from rq.worker import SimpleWorker

from app.config import settings
from app.observability import metrics
from app.services import liveness, publishing, reconcile
from app.services.schedule import MEDIA_QUEUE

log = logging.getLogger("herald.worker")
# How long one poll of the queues blocks: bounds how late a freed slot or a stop is noticed.
POLL_SECONDS = 1
# RQ's worker heartbeat (its registry entry lives worker_ttl seconds).
HEARTBEAT_SECONDS = 10.0

# A job's hash, its dependents' and its dependencies' keys, "{id}" where its id goes (RQ's own
# spelling: the dependencies key really has two colons).
JOB_KEYS = (
    Job.key_for("{id}"),
    Job.dependents_key_for("{id}"),
    f"{Job.redis_job_namespace_prefix}:{{id}}:dependencies",
)

# KEYS[1]: a queue. ARGV: how many job ids to pop, then JOB_KEYS. Returns, per popped id, the id,
# its job's fields (empty: the job was deleted meanwhile) and 1 if the job was deleted as it was
# taken: a job that keeps no result (`result_ttl` 0: every publish, check, verify and mail job)
# needs nothing in Redis once it runs (PostgreSQL holds the outcome), so finishing it costs no
# command; and a job that re-schedules its own destination can never lose the new job to the
# clean-up of the old one.
TAKE = """
local ids = redis.call('LPOP', KEYS[1], ARGV[1])
if not ids then
  return {}
end
local function key(template, id)
  local at = string.find(template, '{id}', 1, true)
  return string.sub(template, 1, at - 1) .. id .. string.sub(template, at + 4)
end
local out = {}
for _, id in ipairs(ids) do
  local job = key(ARGV[2], id)
  local fields = redis.call('HGETALL', job)
  local deleted = 0
  for i = 1, #fields, 2 do
    if fields[i] == 'result_ttl' and fields[i + 1] == '0' then
      redis.call('DEL', job, key(ARGV[3], id), key(ARGV[4], id))
      deleted = 1
    end
  end
  table.insert(out, id)
  table.insert(out, fields)
  table.insert(out, deleted)
end
return out
"""


class Lane:
    """A number of slots; a queue of the lane is polled only while one is free."""

    def __init__(self, name: str, slots: int) -> None:
        self.name = name
        self.slots = max(1, slots)
        self.busy = 0

    @property
    def free(self) -> bool:
        return self.busy < self.slots


class HeraldWorker(SimpleWorker):
    """An RQ worker that runs up to `settings.worker_concurrency` jobs at once (see module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        total = max(1, settings.worker_concurrency)
        media = min(total, max(1, settings.worker_media_concurrency))
        self.general = Lane("general", total)
        self.media = Lane("media", media)
        self._changed = threading.Condition()
        self._pool = ThreadPoolExecutor(max_workers=total, thread_name_prefix="job")
        self._stopping = threading.Event()
        self._stop_asked = 0.0
        self._take = self.connection.register_script(TAKE)

    # -- lanes

    def _lane(self, queue: Queue) -> Lane:
        return self.media if queue.name == MEDIA_QUEUE else self.general

    def in_flight(self) -> int:
        return self.general.busy

    def _open_queues(self) -> list[Queue]:
        """Queues whose lane has a free slot (a media job takes a slot of both lanes)."""
        if not self.general.free:
            return []
        return [q for q in self._ordered_queues if self._lane(q).free]

    def _take_slot(self, lane: Lane) -> None:
        with self._changed:
            self.general.busy += 1
            if lane is self.media:
                self.media.busy += 1
            metrics.set_in_flight(self.general.busy)

    def _give_back(self, lane: Lane) -> None:
        with self._changed:
            self.general.busy -= 1
            if lane is self.media:
                self.media.busy -= 1
            metrics.set_in_flight(self.general.busy)
            self._changed.notify_all()

    # -- the loop

    def work(  # type: ignore[override]  # RQ's further options are taken by keyword only
        self, burst: bool = False, logging_level: str = "INFO", **_: Any
    ) -> bool:
        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging_level, format="%(asctime)s %(name)s %(message)s")
        self.bootstrap(logging_level)
        publishing.warm_up()
        stop_beating = threading.Event()
        liveness.beat()
        liveness.start_beating(stop_beating)
        try:  # after a restart: resume what the killed workers held (reconcile may be far off)
            recovered = reconcile.recover_claims()
            if recovered:
                log.info("recovered %d claims of workers that are gone", recovered)
        except Exception as exc:  # the database may be restarting: reconcile does it later
            log.warning("could not recover the claims of workers that are gone: %s", exc)
        self._install_signal_handlers()
        log.info(
            "worker %s: up to %d jobs at once (%d for video uploads) on %s",
            liveness.worker_id(),
            self.general.slots,
            self.media.slots,
            ", ".join(self.queue_names()),
        )
        taken = 0
        beat_at = 0.0
        try:
            while not self._stopping.is_set():
                if time.monotonic() - beat_at > HEARTBEAT_SECONDS:  # not once per job
                    self.heartbeat()
                    beat_at = time.monotonic()
                queues = self._open_queues()
                if not queues:
                    with self._changed:
                        self._changed.wait(POLL_SECONDS)
                    continue
                try:
                    batch = self._pop_ready(queues)
                    if not batch:  # nothing queued: block until something is
                        found = Queue.dequeue_any(
                            queues,
                            None if burst else POLL_SECONDS,
                            connection=self.connection,
                            job_class=self.job_class,
                            serializer=self.serializer,
                        )
                        batch = [(*found, False)] if found else []
                except (RedisConnectionError, RedisTimeoutError) as exc:
                    log.warning("Redis unavailable (%s); retrying", exc)
                    time.sleep(1.0)
                    continue
                except Exception as exc:  # DequeueTimeout: nothing due
                    if type(exc).__name__ != "DequeueTimeout":
                        raise
                    continue
                if not batch:
                    if burst and self.in_flight() == 0:
                        break
                    if burst:
                        with self._changed:
                            self._changed.wait(0.1)
                    continue
                for job, queue, deleted in batch:
                    lane = self._lane(queue)
                    self._take_slot(lane)
                    self._pool.submit(self._perform, job, queue, lane, deleted)
                taken += len(batch)
        finally:
            self._drain()
            stop_beating.set()
            try:
                liveness.leave()
            except Exception as exc:  # the database may be down; the report simply ages
                log.warning("could not record this worker's exit: %s", exc)
            self.register_death()  # type: ignore[no-untyped-call]  # RQ leaves it unannotated
            self.unsubscribe()  # type: ignore[no-untyped-call]  # RQ leaves it unannotated
        return bool(taken)

    def _pop_ready(self, queues: list[Queue]) -> list[tuple[Job, Queue, bool]]:
        """Up to the free slots' worth of queued jobs, without blocking: one round trip per queue
        (the TAKE script pops the ids, reads their jobs and deletes those that keep no result).
        Taking one job per round trip made this thread wait for the GIL at every Redis reply
        while the job threads ran, which capped a process at about 80 jobs a second however
        many slots were free."""
        popped: list[tuple[Job, Queue, bool]] = []
        general_free = self.general.slots - self.general.busy
        media_free = self.media.slots - self.media.busy
        for queue in queues:
            lane_free = media_free if self._lane(queue) is self.media else general_free
            count = min(general_free, lane_free)
            if count <= 0:
                continue
            jobs = self._take_jobs(queue, count)
            popped += [(job, queue, deleted) for job, deleted in jobs]
            general_free -= len(jobs)
            if self._lane(queue) is self.media:
                media_free -= len(jobs)
        return popped

    def _take_jobs(self, queue: Queue, count: int) -> list[tuple[Job, bool]]:
        """Pop up to `count` job ids off `queue` and restore their jobs, in one round trip; each
        with whether it was deleted from Redis as it was taken (see TAKE). A job deleted after
        it was queued (unscheduled meanwhile) is skipped, as RQ does."""
        reply = cast(list[Any], self._take(keys=[queue.key], args=[count, *JOB_KEYS]))
        jobs = []
        for raw_id, fields, deleted in zip(reply[::3], reply[1::3], reply[2::3], strict=True):
            if not fields:
                continue
            job = self.job_class(
                raw_id.decode(), connection=self.connection, serializer=self.serializer
            )
            job.restore(dict(zip(fields[::2], fields[1::2], strict=True)))
            jobs.append((job, bool(deleted)))
        return jobs

    def _drain(self) -> None:
        """Wait for the jobs in flight (a second signal exits at once, see _on_signal)."""
        if self.in_flight():
            log.info("worker %s: finishing %d jobs in flight", self.name, self.in_flight())
        self._pool.shutdown(wait=True)

    def _perform(self, job: Job, queue: Queue, lane: Lane, deleted: bool) -> None:
        """Run one job in this thread and record its end the way RQ does (`deleted`: the job
        was deleted from Redis as it was taken, see TAKE)."""
        started = time.monotonic()
        try:
            job.started_at = now()
            job.worker_name = self.name
            result = job.func(*job.args, **job.kwargs)
            job.ended_at = now()
            ttl = job.get_result_ttl(self.default_result_ttl)
            if ttl == 0:  # nothing to keep: one DEL at most, no MULTI/EXEC
                if not deleted:
                    self.connection.delete(job.key, job.dependents_key, job.dependencies_key)
            else:
                with self.connection.pipeline() as pipe:
                    job._status = JobStatus.FINISHED
                    job._handle_success(ttl, pipeline=pipe, worker_name=self.name)
                    job.cleanup(ttl, pipeline=pipe, remove_from_queue=False)
                    pipe.execute()
            log.info(
                "%s %s: %s (%.2f s)",
                (job.func_name or "").rsplit(".", 1)[-1],
                ",".join(str(a) for a in job.args),
                result if isinstance(result, str) else "done",
                time.monotonic() - started,
            )
        except Exception:
            job.ended_at = now()
            exc_string = "".join(traceback.format_exception(*sys.exc_info()))
            log.error("job %s failed", job.id, exc_info=True)  # Sentry gets the exception
            try:
                with self.connection.pipeline() as pipe:
                    job._status = JobStatus.FAILED
                    job.set_status(JobStatus.FAILED, pipeline=pipe)
                    job._handle_failure(exc_string, pipeline=pipe, worker_name=self.name)
                    pipe.execute()
            except Exception as exc:  # Redis down: the failure is in the log; PG holds the truth
                log.warning("could not record the failure of job %s: %s", job.id, exc)
        finally:
            self._give_back(lane)

    # -- signals

    def _install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # A stop often arrives twice at once (the pool's SIGINT and a SIGTERM to the process
        # group): only a second signal seconds later means "now".
        if not self._stopping.is_set():
            log.info("worker %s: stopping after the jobs in flight (again to stop now)", self.name)
            self._stop_asked = time.monotonic()
            self._stopping.set()
        elif time.monotonic() - self._stop_asked > 2:
            log.warning("worker %s: stopping now; reconcile recovers the jobs in flight", self.name)
            os._exit(1)
