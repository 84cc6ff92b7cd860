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

from sqlmodel import select

from app import db
from app.models import DestinationStatus, PostDestination, User
from app.providers.base import TokenSet
from app.services import accounts, auth
from simulator import SimServer
from tests.support.processes import spawn, stop

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


@contextmanager
def engine_processes() -> Iterator[list[subprocess.Popen]]:
    procs = [
        spawn([sys.executable, "-m", "app.cli", "worker"], LOGS / "engine-worker.log"),
        spawn([sys.executable, "-m", "workers.scheduler"], LOGS / "engine-scheduler.log"),
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            stop(proc)


def new_user(email: str | None = None) -> tuple[User, uuid.UUID]:
    signed = auth.register(email or f"u{uuid.uuid4().hex[:8]}@example.com", "a long password!")
    from app.services.workspaces import list_workspaces

    return signed.user, list_workspaces(signed.user)[0].id


def mastodon_account(server: SimServer, user: User, wid: uuid.UUID, username: str = "alice"):
    token = TokenSet(access_token=server.sim["mastodon"].issue_token(username))
    api_base = server.url_for("mastodon")
    from app.providers.registry import get_provider

    info = get_provider("mastodon", api_base=api_base).account_info(token)
    return accounts.save_account(user, wid, "mastodon", token, info, api_base=api_base)


def destinations(post_id: uuid.UUID) -> list[PostDestination]:
    with db.session() as s:
        return list(s.exec(select(PostDestination).where(PostDestination.post_id == post_id)).all())


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
