"""The publishing engine for tests: the simulator over HTTP (in a thread), a real RQ worker
pool and the scheduler as separate processes, and helpers to create accounts and wait."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlmodel import select

from app import db
from app.models import (
    ActivityEvent,
    AttemptOutcome,
    DestinationStatus,
    Post,
    PostDestination,
    PostStatus,
    PublishAttempt,
    User,
)
from app.providers.base import TokenSet
from app.providers.registry import get_provider
from app.providers.x import XProvider
from app.services import accounts, auth, posts
from simulator import SimServer
from tests.integration.helpers import mastodon_account as mastodon_account  # re-exported
from tests.support.processes import ended, spawn, stop

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "test-artifacts"

# Fast clocks for tests: short backoff, frequent reconcile, short platform timeouts.
ENGINE_ENV = {
    "HERALD_RECONCILE_SECONDS": "2",
    "HERALD_RETRY_BASE_SECONDS": "0.3",
    "HERALD_RETRY_MAX_SECONDS": "2",
    "HERALD_SCHEDULER_INTERVAL": "0.5",
    "HERALD_HTTP_TIMEOUT_SECONDS": "3",
    "HERALD_VERIFY_DELAY_SECONDS": "2",
    "HERALD_BREAKER_COOLDOWN_SECONDS": "1",
    "HERALD_BREAKER_MAX_COOLDOWN_SECONDS": "4",
    "HERALD_WORKERS": "1",
    "HERALD_WORKER_CONCURRENCY": "8",
    "HERALD_WORKER_MEDIA_CONCURRENCY": "2",
}
os.environ.update(ENGINE_ENV)  # inherited by the worker and scheduler processes

TERMINAL = {DestinationStatus.published, DestinationStatus.failed, DestinationStatus.cancelled}


# The simulator's sandbox X app. Worker processes read it from the environment they inherit.
X_APP = {"HERALD_X_CLIENT_ID": "herald-sandbox", "HERALD_X_CLIENT_SECRET": "herald-sandbox-secret"}

# Engine settings of the thread tests: retries and checks after 1 s, and no circuit breaker (the
# tests fail single destinations on purpose).
THREAD_ENV = {
    "HERALD_RETRY_BASE_SECONDS": "1",
    "HERALD_VERIFY_DELAY_SECONDS": "1",
    "HERALD_BREAKER_THRESHOLD": "1000",
}


@contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for a while (this process and the processes it starts)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def engine_processes(
    env: dict[str, str] | None = None, pools: int = 1, schedulers: int = 1
) -> Iterator[list[subprocess.Popen]]:
    """Worker pools and schedulers as processes (several of each: one per simulated node)."""
    commands = [
        (["app.cli", "worker"], LOGS / f"engine-worker{i or ''}.log") for i in range(pools)
    ] + [
        (["workers.scheduler"], LOGS / f"engine-scheduler{i or ''}.log") for i in range(schedulers)
    ]
    children = [(spawn([sys.executable, "-m", *argv], log, env), log) for argv, log in commands]
    procs = [proc for proc, _ in children]
    try:
        _wait_ready(pools * int({**os.environ, **(env or {})}["HERALD_WORKERS"]), children)
        yield procs
    finally:
        for proc in procs:
            stop(proc)


def _wait_ready(
    workers: int, children: list[tuple[subprocess.Popen, Path]], timeout: float = 90
) -> None:
    """Until every worker process reports itself (after its warm-up) and a scheduler lives: a
    test's first post must not be due while the engine is still starting."""
    from sqlalchemy import text

    from app.redis_client import redis

    def ready() -> bool:
        for proc, log in children:
            if why := ended(proc, log):
                raise RuntimeError(why)
        with db.engine().connect() as conn:
            reported = conn.execute(text("SELECT count(*) FROM worker_processes")).scalar_one()
        return reported >= workers and any(redis().scan_iter("rq:scheduler:*", count=100))

    wait_for(ready, timeout, "the worker processes and the scheduler to start")


def x_provider(server: SimServer) -> XProvider:
    return get_provider(  # type: ignore[return-value]
        "x",
        api_base=server.url_for("x"),
        client_id=X_APP["HERALD_X_CLIENT_ID"],
        client_secret=X_APP["HERALD_X_CLIENT_SECRET"],
    )


def x_account(
    server: SimServer, user: User, wid: uuid.UUID, username: str, expires_in: float = 7200
):
    """Connect an X account whose access token expires in `expires_in` seconds; returns the
    account and what the simulator issued."""
    issued = server.sim["x"].issue_token(username, expires_in=expires_in)
    token = TokenSet(
        access_token=issued["access_token"],
        refresh_token=issued["refresh_token"],
        expires_at=dt.datetime.fromtimestamp(issued["expires_at"], dt.UTC),
        scope=issued["scope"],
    )
    info = x_provider(server).account_info(token)
    api_base = server.url_for("x")
    view = accounts.save_account(user, wid, "x", token, info, api_base=api_base)
    return view, issued


def new_user(email: str | None = None) -> tuple[User, uuid.UUID]:
    signed = auth.register(email or f"u{uuid.uuid4().hex[:8]}@example.com", "a long password!")
    from app.services.workspaces import list_workspaces

    return signed.user, list_workspaces(signed.user)[0].id


def new_world(server: SimServer, **connected: tuple[str, str]) -> dict[str, Any]:
    """What an engine test's `world` starts from: the simulator reset, a new user with their
    workspace, and the accounts `connected` names: key=(platform, username), for "mastodon" and
    "x" (the account's view under that key)."""
    server.sim.reset()
    user, wid = new_user()
    world: dict[str, Any] = {"user": user, "wid": wid, "sim": server.sim, "server": server}
    for key, (platform, username) in connected.items():
        if platform == "x":
            world[key] = x_account(server, user, wid, username)[0]
        else:
            assert platform == "mastodon", platform
            world[key] = mastodon_account(server, user, wid, username)
    return world


def workspace_events(wid: uuid.UUID) -> list[ActivityEvent]:
    """The workspace's activity events, oldest first."""
    with db.session() as s:
        return list(
            s.exec(
                select(ActivityEvent)
                .where(ActivityEvent.workspace_id == wid)
                .order_by(ActivityEvent.id)  # type: ignore[arg-type]
            ).all()
        )


def destinations(post_id: uuid.UUID) -> list[PostDestination]:
    with db.session() as s:
        return list(s.exec(select(PostDestination).where(PostDestination.post_id == post_id)).all())


def attempts(post_id: uuid.UUID) -> list[PublishAttempt]:
    """Every publish attempt of a post's destinations, oldest first."""
    with db.session() as s:
        return list(
            s.exec(
                select(PublishAttempt)
                .join(PostDestination, PostDestination.id == PublishAttempt.destination_id)
                .where(PostDestination.post_id == post_id)
                .order_by(PublishAttempt.id)
            ).all()
        )


def post_status(post_id: uuid.UUID) -> PostStatus:
    with db.session() as s:
        post = s.get(Post, post_id)
        assert post is not None
        return post.status


def wait_for(
    predicate: Callable[[], object], timeout: float = 20, what: str = "condition"
) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def wait_settled(post_id: uuid.UUID, timeout: float = 20) -> list[PostDestination]:
    """Wait until every destination of the post is published, failed or cancelled."""

    def settled():
        dests = destinations(post_id)
        return dests if dests and all(d.status in TERMINAL for d in dests) else None

    return wait_for(settled, timeout, f"post {post_id} to settle")  # type: ignore[return-value]


def soon(seconds: float = 1.5) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)


def schedule(world, content: str, at: dt.datetime | None = None, **kw) -> posts.PostView:
    """Schedule a post (on `world["account"]` unless `account_ids` says otherwise)."""
    data = posts.PostInput(
        content=content,
        account_ids=kw.pop("account_ids", [world["account"].id]),
        scheduled_at=at or soon(),
        **kw,
    )
    view, created = posts.create_post(world["user"], world["wid"], data, mode="schedule")
    assert created
    return view


def published_on_time(
    world, platform: str, content: str, lead: float
) -> tuple[posts.PostView, PostDestination, dict[str, Any]]:
    """`content` scheduled `lead` seconds ahead is published once, within 3 s of its time, in
    one attempt: the post, its destination and the post the simulated `platform` received."""
    at = soon(lead)
    view = schedule(world, content, at)
    [dest] = wait_settled(view.id)
    assert dest.status == DestinationStatus.published
    [received] = [p for p in world["sim"].posts(platform) if p["text"] == content]
    lateness = dt.datetime.fromisoformat(received["received_at"]) - at
    assert dt.timedelta(0) <= lateness < dt.timedelta(seconds=3), lateness
    assert dest.platform_post_id == received["post_id"]
    assert post_status(view.id) == PostStatus.published
    [attempt] = attempts(view.id)
    assert attempt.outcome == AttemptOutcome.published and attempt.finished_at
    return view, dest, received
