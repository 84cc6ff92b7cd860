"""Every Prometheus metric of Herald, in one place, with one small function per event.

Processes record into `prometheus_client`'s multiprocess files (`PROMETHEUS_MULTIPROC_DIR`,
set by `app.observability.init_process` before this module is imported), so the numbers of
Granian's web workers and RQ's worker processes add up. `render()` exposes them, plus what is
computed at scrape time from Redis: queue depth and the age of the oldest due job.

Served at `/metrics` on the web port with `Authorization: Bearer $HERALD_METRICS_TOKEN`, and
without a token on `HERALD_METRICS_PORT` when set (every role, for a private network).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

PUBLISHES = Counter(
    "herald_publishes_total",
    "Publish attempts that finished, by platform and outcome.",
    ["platform", "outcome"],
)
LATENESS = Histogram(
    "herald_publish_lateness_seconds",
    "Seconds between a post's scheduled time and its publication.",
    ["platform"],
    buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, float("inf")),
)
IN_FLIGHT = Gauge(
    "herald_publishes_in_flight",
    "Publishes being sent to a platform right now.",
    multiprocess_mode="livesum",
)
TOKEN_REFRESH_FAILURES = Counter(
    "herald_token_refresh_failures_total",
    "Token refreshes that failed, by platform.",
    ["platform"],
)
HTTP_LATENCY = Histogram(
    "herald_http_request_duration_seconds",
    "HTTP request latency of the web app, by route template, method and status class.",
    ["route", "method", "status"],
)

log = logging.getLogger(__name__)


def record_publish(platform: str, outcome: str) -> None:
    PUBLISHES.labels(platform, outcome).inc()


def observe_lateness(platform: str, seconds: float) -> None:
    LATENESS.labels(platform).observe(max(0.0, seconds))


def set_in_flight(n: int) -> None:
    IN_FLIGHT.set(n)


def record_token_refresh_failure(platform: str) -> None:
    TOKEN_REFRESH_FAILURES.labels(platform).inc()


def observe_http(route: str, method: str, status: int, seconds: float) -> None:
    HTTP_LATENCY.labels(route, method, f"{status // 100}xx").observe(seconds)


class QueueCollector(Collector):
    """Queue depth, the age of the oldest due job and the circuit breakers that are not
    closed, read from Redis at scrape time (they are shared by every process)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from rq import Queue
        from rq_scheduler import Scheduler

        from app.redis_client import redis
        from app.services import circuit
        from app.services.schedule import QUEUES

        r = redis()
        now = time.time()
        depth = GaugeMetricFamily(
            "herald_queue_depth",
            "Jobs waiting in an RQ queue (due, not started).",
            labels=["queue"],
        )
        oldest = 0.0
        for name in QUEUES:
            queue = Queue(name, connection=r)
            depth.add_metric([name], queue.count)
            head = queue.get_job_ids(0, 1)
            job = queue.fetch_job(head[0]) if head else None
            if job is not None and job.enqueued_at is not None:
                oldest = max(oldest, now - job.enqueued_at.timestamp())
        # Due in the scheduler but not yet moved to a queue (a stalled scheduler shows here).
        due = r.zrangebyscore(
            Scheduler.scheduled_jobs_key, "-inf", now, start=0, num=1, withscores=True
        )
        if due:
            oldest = max(oldest, now - due[0][1])
        scheduled = GaugeMetricFamily(
            "herald_scheduled_jobs", "Jobs waiting in the scheduler for their time."
        )
        scheduled.add_metric([], r.zcard(Scheduler.scheduled_jobs_key))
        circuits = GaugeMetricFamily(
            "herald_circuit_state",
            "Circuit breakers that are not closed: 1 probing, 2 open (closed ones are absent).",
            labels=["scope", "platform"],
        )
        for b in circuit.open_breakers():
            circuits.add_metric([b.scope, b.platform], 1 if b.state == "probing" else 2)
        yield depth
        yield scheduled
        yield circuits
        yield GaugeMetricFamily(
            "herald_oldest_due_job_age_seconds",
            "How long the oldest job that is due has waited to start.",
            value=oldest,
        )


def render() -> tuple[bytes, str]:
    """What /metrics shows: every process's metrics (multiprocess files) and the queues."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    queues = CollectorRegistry()
    queues.register(QueueCollector())
    try:
        queue_text = generate_latest(queues)
    except Exception as exc:  # Redis down: still show what the processes recorded
        log.warning("queue metrics unavailable: %s", exc)
        queue_text = b""
    return generate_latest(processes) + queue_text, CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """Drop a dead process's live gauges (in-flight), e.g. when a worker exits."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
