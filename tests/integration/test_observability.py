"""Metrics, error reporting and logs of real processes: a worker publishing to the simulator
records into the multiprocess metrics files that /metrics shows; Sentry events from a failing
job and from the API (its database down) reach a local fake DSN endpoint with every secret
scrubbed; HERALD_LOG_FORMAT=json writes one JSON object per line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue
from rq_scheduler import Scheduler

from app.config import settings
from app.observability import metrics
from app.redis_client import redis
from app.services import circuit, posts
from simulator import SimServer, Simulator
from tests.integration.engine import (
    engine_processes,
    mastodon_account,
    new_user,
    soon,
    wait_settled,
)
from tests.integration.helpers import client
from tests.support.fake_sentry import FakeSentry
from tests.support.processes import free_port, spawn, stop, wait_http

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "test-artifacts"


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
def metrics_dir(tmp_path, monkeypatch) -> Path:
    """A multiprocess metrics directory shared with the processes this test starts."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.usefixtures("clean_db")
def test_a_publish_by_a_worker_process_shows_in_metrics_by_platform_and_outcome(metrics_dir):
    with SimServer(Simulator(seed=5)) as server, engine_processes():
        user, wid = new_user()
        account = mastodon_account(server, user, wid)
        data = posts.PostInput(content="counted", account_ids=[account.id], scheduled_at=soon())
        view, _ = posts.create_post(user, wid, data, mode="schedule")
        [dest] = wait_settled(view.id)
        assert dest.status == "published"
        time.sleep(0.5)  # the worker writes its counters right after the outcome
    found = samples(metrics.render()[0].decode())
    key = ("herald_publishes_total", (("outcome", "published"), ("platform", "mastodon")))
    assert found[key] == 1.0
    assert found[("herald_publish_lateness_seconds_count", (("platform", "mastodon"),))] == 1.0


@pytest.mark.usefixtures("clean_db")
def test_queue_depth_and_the_oldest_due_job_are_read_from_redis_at_scrape_time():
    queue = Queue("publish", connection=redis())
    queue.enqueue("workers.jobs.ping", job_id=f"probe-{uuid.uuid4().hex}")
    redis().zadd(Scheduler.scheduled_jobs_key, {"overdue-probe": time.time() - 42})
    redis().zadd(Scheduler.scheduled_jobs_key, {"later-probe": time.time() + 3600})
    found = samples(metrics.render()[0].decode())
    assert found[("herald_queue_depth", (("queue", "publish"),))] == 1
    assert found[("herald_queue_depth", (("queue", "default"),))] == 0
    assert found[("herald_scheduled_jobs", ())] == 2
    assert 42 <= found[("herald_oldest_due_job_age_seconds", ())] < 60


@pytest.mark.usefixtures("clean_db")
def test_open_circuit_breakers_are_read_from_redis_at_scrape_time():
    for account in ("a", "b", "a"):  # failures from two accounts open the platform's breaker
        circuit.record(["x", f"account:{account}"], False, message="X answered 503")
    found = samples(metrics.render()[0].decode())
    assert found[("herald_circuit_state", (("platform", "x"), ("scope", "x")))] == 2
    assert not any(name == "herald_circuit_state" and dict(labels)["scope"] == "account:b"
                   for name, labels in found)  # fmt: skip
    circuit.reset()


def test_metrics_endpoint_needs_its_token_and_times_requests_by_route(monkeypatch):
    c = client()
    assert c.get("/metrics").status_code == 404  # off without a token
    monkeypatch.setattr(settings, "metrics_token", type(settings.metrics_token)("s3cret-token"))
    assert c.get("/metrics").status_code == 401
    assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    c.get("/api/posts/not-a-uuid")  # a route with a path parameter
    r = c.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    found = samples(r.text)
    by_template = [
        labels
        for (name, labels) in found
        if name == "herald_http_request_duration_seconds_count"
        and ("route", "/api/posts/{post_id}") in labels
    ]
    assert by_template, "latency is labelled by route template, not by raw path"


def _secrets_absent(event: dict, *secrets: str) -> None:
    text = json.dumps(event)
    for secret in secrets:
        at = text.find(secret)
        assert at < 0, (
            f"{secret!r} leaked into the Sentry event: …{text[max(0, at - 300) : at + 60]}…"
        )


@pytest.mark.usefixtures("clean_db")
def test_a_failing_job_reaches_sentry_with_its_secrets_scrubbed():
    with FakeSentry() as sentry:
        worker = spawn(
            [sys.executable, "-m", "app.cli", "worker"],
            LOGS / "sentry-worker.log",
            {"HERALD_SENTRY_DSN": sentry.dsn, "HERALD_WORKERS": "1"},
        )
        try:
            poison = "hk_live0123456789abcdef Bearer sk-leaky-token"
            Queue("default", connection=redis()).enqueue("workers.jobs.publish", poison)
            event = sentry.wait_for_event(lambda e: e.get("tags", {}).get("role") == "worker")
        finally:
            stop(worker)
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    _secrets_absent(event, "hk_live0123456789abcdef", "sk-leaky-token")
    assert "[Filtered]" in json.dumps(event)


@pytest.fixture
def web_without_database(fake_sentry) -> Iterator[str]:
    """The web app with its database unreachable: API calls fail with a real server error."""
    port = free_port()
    env = {
        "HERALD_PORT": str(port),
        "HERALD_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/gone",
        "HERALD_SENTRY_DSN": fake_sentry.dsn,
        "GRANIAN_WORKERS": "1",
    }
    log = LOGS / "sentry-web.log"
    proc = spawn([sys.executable, "-m", "app.cli", "web"], log, env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/ping", proc, log, timeout=300)
        yield base
    finally:
        stop(proc)


@pytest.fixture
def fake_sentry() -> Iterator[FakeSentry]:
    with FakeSentry() as server:
        yield server


def test_an_api_error_reaches_sentry_without_cookies_tokens_or_passwords(
    web_without_database, fake_sentry
):
    r = httpx.post(
        f"{web_without_database}/api/auth/login?token=url-token-123",
        json={"email": "a@example.com", "password": "my-password-123"},
        headers={
            "Authorization": "Bearer session-token-456",
            "Cookie": "herald_session=cookie-789",
        },
    )
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "internal_error"
    assert httpx.get(f"{web_without_database}/ping").status_code == 200  # liveness holds
    event = fake_sentry.wait_for_event(lambda e: e.get("tags", {}).get("role") == "web")
    assert "OperationalError" in json.dumps(event["exception"])
    _secrets_absent(event, "my-password-123", "session-token-456", "c-789", "url-token-123")
    assert "cookies" not in event.get("request", {})


def test_json_logs_are_one_object_per_line():
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        cwd=ROOT,
        env={**os.environ, "HERALD_LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert lines and all({"ts", "level", "role", "logger", "message"} <= set(e) for e in lines)
    assert lines[-1]["role"] == "migrate" and "database schema is current" in lines[-1]["message"]
