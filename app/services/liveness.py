"""Which worker holds which claim, provably, across hosts and containers.

A worker's id names its host, its boot and PID namespace, and its pid: two containers that share
a hostname (compose `hostname:`, `network_mode: host`) but not a PID namespace never look like
one process. Every worker process reports itself in `worker_processes` every few seconds with
the destinations it holds. A claim is recovered only when its worker is provably gone:

- same boot and PID namespace as the checker, and no process with that pid any more; or
- its report is older than `STALE` (the process stopped reporting: dead, or its host is); or
- a report read after the claim was made does not list the destination (the worker let go of
  it without recording an outcome, e.g. its database connection broke mid-finish).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from functools import cache

from sqlalchemy import text

from app import db, processes
from app.models import utcnow

log = logging.getLogger(__name__)

# A worker reports this often; a report older than STALE means the worker is gone.
BEAT_SECONDS = 5.0
STALE = dt.timedelta(seconds=45)

_held: set[uuid.UUID] = set()
_held_lock = threading.Lock()


def _read(path: str) -> str:
    try:
        with open(path) as fh:
            return fh.read().strip()
    except OSError:
        return ""


@cache
def namespace() -> str:
    """This process's boot and PID namespace: equal only for processes that can see each other's
    pids."""
    boot = _read("/proc/sys/kernel/random/boot_id")[:8] or "noboot"
    try:
        pidns = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        pidns = "nons"
    return f"{boot}.{pidns}"


def worker_id() -> str:
    """`host/namespace/pid`, unique among live processes of every host (asked for at every
    claim: worked out once per process, a forked child gets its own)."""
    return _worker_id(os.getpid())


@cache
def _worker_id(pid: int) -> str:
    return f"{socket.gethostname()}/{namespace()}/{pid}"


def hold(destination_id: uuid.UUID) -> None:
    """Record that this process is about to claim (or holds) a destination. Called before the
    claim, so any report made after the claim lists it."""
    with _held_lock:
        _held.add(destination_id)


def release(destination_id: uuid.UUID) -> None:
    with _held_lock:
        _held.discard(destination_id)


def held() -> list[uuid.UUID]:
    with _held_lock:
        return list(_held)


_BEAT = text(
    """
    INSERT INTO worker_processes (id, host, pid, started_at, seen_at, holding)
    VALUES (:id, :host, :pid, :now, :now, :holding)
    ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, holding = excluded.holding
    """
)


def beat() -> None:
    """Report this process as alive with what it holds (the snapshot is taken after `now`)."""
    now = utcnow()
    holding = held()
    with db.engine().begin() as conn:
        conn.execute(
            _BEAT,
            {
                "id": worker_id(),
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "now": now,
                "holding": holding,
            },
        )


def leave() -> None:
    """A clean exit: this process holds nothing any more."""
    with db.engine().begin() as conn:
        conn.execute(text("DELETE FROM worker_processes WHERE id = :id"), {"id": worker_id()})


def start_beating(stop: threading.Event) -> threading.Thread:
    """Report every BEAT_SECONDS until `stop` is set; a failed report is retried next beat."""

    def loop() -> None:
        while not stop.is_set():
            try:
                beat()
            except Exception as exc:  # the database may be restarting: keep beating
                log.warning("worker report failed: %s", exc)
            stop.wait(BEAT_SECONDS)

    thread = threading.Thread(target=loop, name="liveness", daemon=True)
    thread.start()
    return thread


def reports() -> dict[str, tuple[dt.datetime, set[uuid.UUID]]]:
    """Every worker's last report: id → (seen_at, holding)."""
    with db.engine().connect() as conn:
        rows = conn.execute(text("SELECT id, seen_at, holding FROM worker_processes")).all()
    return {r.id: (r.seen_at, set(r.holding)) for r in rows}


def let_go(
    destination_id: uuid.UUID,
    claimed_by: str | None,
    claimed_at: dt.datetime | None,
    now: dt.datetime,
    known: dict[str, tuple[dt.datetime, set[uuid.UUID]]],
) -> bool:
    """Is the claim of `destination_id` provably no longer held by the worker that made it?"""
    if not claimed_by:
        return True
    host_ns, _, pid = claimed_by.rpartition("/")
    if host_ns.endswith("/" + namespace()) and pid.isdigit() and not processes.alive(int(pid)):
        return True
    report = known.get(claimed_by)
    if report is None:
        # Never reported (or left cleanly): gone once a report would have arrived.
        return claimed_at is None or now - claimed_at > STALE
    seen_at, holding = report
    if now - seen_at > STALE:
        return True
    return claimed_at is not None and seen_at > claimed_at and destination_id not in holding


def forget_stale(older_than: dt.timedelta = dt.timedelta(days=1)) -> None:
    """Drop reports of workers long gone (they hold nothing: their claims were recovered)."""
    with db.engine().begin() as conn:
        conn.execute(
            text("DELETE FROM worker_processes WHERE seen_at < :cutoff"),
            {"cutoff": utcnow() - older_than},
        )
