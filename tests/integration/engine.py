"""The publishing engine for tests: the simulator over HTTP (in a thread), a real RQ worker
pool and the scheduler as separate processes, and helpers to create accounts and wait."""

from __future__ import annotations

import datetime as dt
import os
import signal
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

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "test-artifacts"

# Fast clocks for tests: short backoff, frequent reconcile, short platform timeouts.
ENGINE_ENV = {
    "HERALD_RECONCILE_SECONDS": "2",
    "HERALD_RETRY_BASE_SECONDS": "0.3",
    "HERALD_RETRY_MAX_SECONDS": "2",
    "HERALD_SCHEDULER_INTERVAL": "0.5",
    "HERALD_HTTP_TIMEOUT_SECONDS": "3",
    "HERALD_WORKERS": "2",
}
os.environ.update(ENGINE_ENV)  # inherited by the worker and scheduler processes

TERMINAL = {DestinationStatus.published, DestinationStatus.failed, DestinationStatus.cancelled}


def _spawn(name: str, args: list[str]) -> subprocess.Popen:
    LOGS.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=(LOGS / f"{name}.log").open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def engine_processes() -> Iterator[list[subprocess.Popen]]:
    procs = [
        _spawn("engine-worker", ["-m", "app.cli", "worker"]),
        _spawn("engine-scheduler", ["-m", "workers.scheduler"]),
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            _stop(proc)


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
