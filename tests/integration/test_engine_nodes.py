"""Many hosts: several worker pools and schedulers on one Redis and PostgreSQL publish each
destination exactly once; a claim is recovered only when its worker is provably gone; the
scheduler's tick lock is released only by its owner."""

from __future__ import annotations

import datetime as dt
import os
import uuid

from sqlalchemy import text

from app import db
from app.models import DestinationStatus, utcnow
from app.redis_client import redis
from app.services import liveness, posts
from tests.integration.engine import (
    engine_processes,
    mastodon_account,
    new_user,
    soon,
    wait_for,
    wait_settled,
)
from workers.scheduler import HeraldScheduler

SEED = 17


def test_two_pools_and_two_schedulers_publish_each_destination_exactly_once(clean_db, server):
    server.sim.reset()
    user, wid = new_user()
    accounts = [mastodon_account(server, user, wid, f"acct{i}") for i in range(10)]
    due = soon(4)
    views = []
    for i in range(150):
        data = posts.PostInput(
            content=f"Node test {i}",
            account_ids=[accounts[i % 10].id, accounts[(i + 1) % 10].id],
            scheduled_at=due + dt.timedelta(seconds=(i % 30) / 10),
        )
        views.append(posts.create_post(user, wid, data, mode="schedule")[0])
    with engine_processes(pools=2, schedulers=2):
        for view in views:
            dests = wait_settled(view.id, 60)
            assert all(d.status == DestinationStatus.published for d in dests)
        with db.engine().connect() as conn:
            workers = conn.execute(
                text("SELECT count(DISTINCT worker) FROM publish_attempts")
            ).scalar_one()
            reported = conn.execute(text("SELECT count(*) FROM worker_processes")).scalar_one()
    received = [p["text"] for p in server.sim.posts("mastodon")]
    for i in range(150):
        assert received.count(f"Node test {i}") == 2  # one per account, never twice
    assert workers == 2  # both pools took work
    assert reported == 2


def test_worker_identity_names_host_namespace_and_pid():
    host, ns, pid = liveness.worker_id().split("/")
    assert pid == str(os.getpid()) and ns == liveness.namespace() and host


def _report(worker: str, seen_at: dt.datetime, holding: list[uuid.UUID]) -> None:
    with db.engine().begin() as conn:
        conn.execute(
            text(
                "INSERT INTO worker_processes (id, host, pid, started_at, seen_at, holding) "
                "VALUES (:id, 'other-host', 1, :at, :at, :holding)"
            ),
            {"id": worker, "at": seen_at, "holding": holding},
        )


def test_a_claim_is_recovered_only_when_its_worker_is_provably_gone(clean_db):
    now = utcnow()
    dest = uuid.uuid4()
    claimed_at = now - dt.timedelta(seconds=20)
    # Another host (another namespace): its pid means nothing here, only its reports count.
    alive, gone, dropped = "other-host/aaaa.1/42", "other-host/aaaa.1/43", "other-host/aaaa.1/44"
    _report(alive, now - dt.timedelta(seconds=2), [dest])
    _report(gone, now - liveness.STALE - dt.timedelta(seconds=1), [dest])
    _report(dropped, now - dt.timedelta(seconds=2), [])
    known = liveness.reports()
    assert not liveness.let_go(dest, alive, claimed_at, now, known)
    assert liveness.let_go(dest, gone, claimed_at, now, known)  # stopped reporting
    assert liveness.let_go(dest, dropped, claimed_at, now, known)  # reported without it
    # A report older than the claim proves nothing yet.
    assert not liveness.let_go(dest, dropped, now - dt.timedelta(seconds=1), now, known)
    # Same namespace: a pid that no longer exists is gone at once.
    here = liveness.worker_id().rsplit("/", 1)[0]
    assert liveness.let_go(dest, f"{here}/{2**22 + 7}", now, now, known)
    assert not liveness.let_go(dest, liveness.worker_id(), now, now, known)


def test_the_scheduler_lock_is_released_only_by_its_owner(clean_db):
    a, b = HeraldScheduler(connection=redis()), HeraldScheduler(connection=redis())
    assert a.acquire_lock() and not b.acquire_lock()
    redis().delete(a.scheduler_lock_key)  # a's tick outlived its lock...
    assert b.acquire_lock()  # ...so b took it
    a.remove_lock()  # a must not drop b's lock
    assert redis().get(b.scheduler_lock_key) is not None
    b.remove_lock()
    assert redis().get(b.scheduler_lock_key) is None
    wait_for(lambda: a.acquire_lock(), 1, "the lock to be free")
    a.remove_lock()
