"""Restarting Herald mid-burst loses nothing, doubles nothing and resumes nothing a user stopped.

The launcher runs as `make run` runs it (`python -m app.cli run`, without the web app, on the
test run's PostgreSQL and Redis): its worker pool and scheduler are real processes. The platform
simulator runs in this test process, outside the launcher's tree, so it counts what reached the
platforms across the restarts. A burst of due posts goes to Mastodon (idempotency key) and X (no
key: an unclear outcome is settled by reading the account's posts) with latency, so requests are
in flight when the whole tree is SIGKILLed; Herald is started again, stopped with SIGINT (Ctrl-C)
in the middle of a second burst, and started once more. Some posts are stopped by their user
before the burst, while waiting and while their request is in flight.

Asserted: no process of a stopped launcher survives; every destination not stopped is published
exactly once on its platform, under the platform's id; one stopped while waiting is never sent;
one stopped in flight is sent at most once and reads published exactly when it went out; nothing
stays pending, publishing or unknown; the killed workers' claims are recovered as soon as Herald
is back.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress

import psutil
import pytest
from sqlalchemy import text

from app import db
from app.models import DestinationStatus, PostStatus
from app.services import posts
from app.services.errors import Conflict
from simulator import SimServer
from tests.integration.engine import (
    LOGS,
    X_APP,
    environ,
    mastodon_account,
    new_user,
    wait_for,
    x_account,
)
from tests.support.processes import free_port, spawn

WORKERS = 2
# Marks every process a launcher of this test starts (they inherit it): none may survive a kill.
MARK = "HERALD_RESTART_TEST"
HANGING = ("pending", "queued", "publishing", "processing", "unknown")


SEED = 23


@pytest.fixture
def launchers() -> Iterator[list[Launcher]]:
    """The launchers a test started; whatever still runs at its end is killed."""
    started: list[Launcher] = []
    yield started
    for launcher in started:
        if launcher.proc.poll() is None:
            launcher.kill()


def _cmdline(process: psutil.Process) -> str:
    """A process's command line; empty for one that exited meanwhile (a zombie until reaped:
    the launcher's short-lived children, such as the migration, are one for a moment)."""
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


class Launcher:
    """`python -m app.cli run --no-web` in its own session, as a terminal would start it."""

    def __init__(self, env: dict[str, str], n: int) -> None:
        self.started = dt.datetime.now(dt.UTC)
        self.log = LOGS / f"restart-run{n}.log"
        self.log.unlink(missing_ok=True)
        self.proc = spawn([sys.executable, "-m", "app.cli", "run", "--no-web"], self.log, env)

    def tree(self) -> list[psutil.Process]:
        root = psutil.Process(self.proc.pid)
        return [root, *root.children(recursive=True)]

    def wait_ready(self, timeout: float = 60) -> None:
        """Until every worker process of this launcher reports itself (after its warm-up) and
        its scheduler runs."""

        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"the launcher exited ({self.proc.returncode}): {self.log}")
            with db.engine().connect() as conn:
                workers = conn.execute(
                    text("SELECT count(*) FROM worker_processes WHERE started_at >= :t"),
                    {"t": self.started},
                ).scalar_one()
            return workers >= WORKERS and any("scheduler" in _cmdline(p) for p in self.tree())

        wait_for(ready, timeout, f"the launcher to start (see {self.log})")

    def kill(self) -> list[int]:
        """SIGKILL the whole tree at once: freeze every process first (SIGSTOP: nothing forks,
        respawns or cleans up meanwhile), then kill them all. Returns the pids."""
        frozen: dict[int, psutil.Process] = {}
        while found := [p for p in self.tree() if p.pid not in frozen]:
            for p in found:
                with suppress(psutil.NoSuchProcess):
                    p.send_signal(signal.SIGSTOP)
                frozen[p.pid] = p
        for p in frozen.values():
            with suppress(psutil.NoSuchProcess):
                p.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        return list(frozen)

    def interrupt(self, timeout: float = 40) -> tuple[int, list[int]]:
        """Ctrl-C: SIGINT to the launcher alone (its children have their own sessions), which
        stops them gracefully. Returns its exit code and the pids of the tree."""
        pids = [p.pid for p in self.tree()]
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout), pids


def _gone(pids: list[int], mark: str, timeout: float = 15) -> None:
    """No process of the list lives (a zombie waiting for init counts as dead), and no process
    of this machine carries the launcher's mark."""

    def dead(pid: int) -> bool:
        try:
            return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    def marked() -> list[int]:
        found = []
        for p in psutil.process_iter():
            with suppress(psutil.Error):
                if p.environ().get(MARK) == mark and p.status() != psutil.STATUS_ZOMBIE:
                    found.append(p.pid)
        return found

    wait_for(lambda: all(dead(pid) for pid in pids) and not marked(), timeout, "no survivors")


def _counts() -> Counter[str]:
    with db.engine().connect() as conn:
        rows = conn.execute(
            text("SELECT status::text, count(*) FROM post_destinations GROUP BY 1")
        ).all()
    return Counter(dict(rows))


def _in(post_ids: list[uuid.UUID], status: str) -> list[uuid.UUID]:
    """Posts among `post_ids` with a destination in `status`."""
    with db.engine().connect() as conn:
        rows = conn.execute(
            text(
                "SELECT DISTINCT post_id FROM post_destinations "
                "WHERE post_id = ANY(:ids) AND status = CAST(:status AS destination_status)"
            ),
            {"ids": post_ids, "status": status},
        ).all()
    return [r[0] for r in rows]


def _rows() -> list:
    with db.engine().connect() as conn:
        return conn.execute(
            text(
                "SELECT d.id, d.post_id, d.status::text AS status, d.platform_post_id, p.content, "
                "a.platform::text AS platform FROM post_destinations d "
                "JOIN posts p ON p.id = d.post_id "
                "JOIN social_accounts a ON a.id = d.social_account_id"
            )
        ).all()


def test_restarts_mid_burst_publish_each_destination_once_and_never_resume_a_stopped_one(
    clean_db, server: SimServer, launchers: list[Launcher]
) -> None:
    sim = server.sim
    sim.reset()
    for platform in ("mastodon", "x"):  # requests take 0.8–1.6 s: many are in flight at once
        sim.set_knobs(platform, latency_ms=800, jitter_ms=800)
    # Some answers are lost after X took the post (unclear: read the account before anything),
    # some Mastodon requests fail (retried with the same idempotency key).
    sim.inject("x", "timeout_after_accept", path="/2/tweets", method="POST", count=None,
               probability=0.08, hang_s=4)  # fmt: skip
    sim.inject("mastodon", "503", path="/api/v1/statuses", count=None, probability=0.08)
    user, wid = new_user()
    with environ(X_APP):
        pairs = [
            (
                mastodon_account(server, user, wid, f"m{i}").id,
                x_account(server, user, wid, f"x{i}")[0].id,
            )
            for i in range(4)
        ]
    mark = uuid.uuid4().hex
    env = {
        **X_APP,
        MARK: mark,
        "HERALD_SANDBOX": "0",  # the test's own simulator stands in for the platforms
        "HERALD_PORT": str(free_port()),
        "HERALD_WORKERS": str(WORKERS),
        "HERALD_WORKER_CONCURRENCY": "16",
        "HERALD_LOG_LEVEL": "INFO",
    }

    def burst(tag: str, n: int, lead: float, spread: float) -> list[uuid.UUID]:
        """`n` posts, each to one Mastodon and one X account, due over `spread` seconds."""
        start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=lead + 0.02 * n)
        made = []
        for i in range(n):
            data = posts.PostInput(
                content=f"{tag} {i}",
                account_ids=list(pairs[i % len(pairs)]),
                scheduled_at=start + dt.timedelta(seconds=spread * i / n),
            )
            made.append(posts.create_post(user, wid, data, mode="schedule")[0].id)
        return made

    # What each stop found, by destination: "waiting" (cancelled at once: never to be sent),
    # "in flight" (a request in flight or an unclear outcome: marked, settled by the engine),
    # "published" (done before the stop).
    stops: dict[uuid.UUID, str] = {}

    def stop(post_ids: list[uuid.UUID]) -> None:
        for post_id in post_ids:
            try:
                view = posts.cancel_post(user, wid, post_id)
            except Conflict:  # published meanwhile: nothing left to stop
                continue
            for d in view.destinations:
                if d.status == DestinationStatus.cancelled:
                    stops[d.id] = "waiting"
                elif d.status == DestinationStatus.published:
                    stops[d.id] = "published"
                else:
                    assert d.stop_requested_at is not None, d
                    stops[d.id] = "in flight"

    def launch() -> Launcher:
        launchers.append(Launcher(env, len(launchers) + 1))
        launchers[-1].wait_ready()
        return launchers[-1]

    started = time.monotonic()
    run1 = launch()
    # Stopped before they were due (which is amid the burst and the kill).
    early = burst("Stopped early", 3, 6, 4)
    stop(early)
    first = burst("Burst one", 120, 1.5, 8)
    # Mid-burst: some posts published, many requests in flight. Stop a few in flight (or with an
    # unclear outcome) and a few still waiting, then kill everything at once.
    wait_for(
        lambda: _counts()["published"] >= 50 and len(_in(first, "publishing")) >= 6,
        40,
        "the burst to be half way with requests in flight",
    )
    stop(_in(first, "publishing")[:3] + _in(first, "unknown")[:2])
    stop((_in(first[-30:], "pending") + _in(first[-30:], "queued"))[:3])
    at_kill = _counts()
    pids = run1.kill()
    _gone(pids, mark)
    killed = len(pids)

    run2 = launch()
    second = burst("Burst two", 40, 1, 4)
    wait_for(
        lambda: len(_in(second, "publishing")) >= 4,
        30,
        "the second burst to have requests in flight",
    )
    stop(_in(second, "publishing")[:1])
    at_interrupt = _counts()
    interrupted_at = dt.datetime.now(dt.UTC)
    code, pids = run2.interrupt()
    assert code == 0, f"the launcher did not stop cleanly: see {run2.log}"
    _gone(pids, mark)
    # A graceful stop: its workers finished what they held and signed off.
    with db.engine().connect() as conn:
        left = conn.execute(
            text("SELECT count(*) FROM worker_processes WHERE started_at >= :t"),
            {"t": run2.started},
        ).scalar_one()
    assert left == 0

    run3 = launch()
    wait_for(lambda: not any(_counts()[s] for s in HANGING), 90, "every destination to settle")
    settled_after = time.monotonic() - started

    sent = Counter((p["platform"], p["text"]) for p in sim.posts())
    ids = {(p["platform"], p["text"]): p["post_id"] for p in sim.posts()}
    rows = _rows()
    assert len(rows) == 2 * (len(early) + len(first) + len(second))
    for row in rows:
        key, found = (row.platform, row.content), stops.get(row.id)
        if found is None or found == "published":
            # Exactly once on the platform, and Herald knows it by the platform's id.
            assert row.status == "published" and sent[key] == 1, (row, sent[key])
            assert row.platform_post_id == ids[key]
        elif found == "in flight":
            # The platform may have taken the request already in flight: then it reads published.
            assert sent[key] <= 1, (row, sent[key])
            assert row.status == ("published" if sent[key] else "cancelled"), (row, sent[key])
        else:
            assert sent[key] == 0 and row.status == "cancelled", (row, sent[key])
    assert sum(sent.values()) == sum(1 for r in rows if r.status == "published")
    stopped_posts = {r.post_id for r in rows if r.id in stops}
    for post_id in set(first + second) - stopped_posts:
        assert posts.get_post(user, wid, post_id).status == PostStatus.published
    for post_id in early:
        assert posts.get_post(user, wid, post_id).status == PostStatus.cancelled

    with db.engine().connect() as conn:
        open_attempts = conn.execute(
            text("SELECT count(*) FROM publish_attempts WHERE finished_at IS NULL")
        ).scalar_one()
        abandoned, recovered_by = conn.execute(
            text(
                "SELECT count(*), max(finished_at) FROM publish_attempts "
                "WHERE error LIKE 'Worker % stopped%'"
            )
        ).one()
        unclear = conn.execute(
            text("SELECT count(DISTINCT destination_id) FROM publish_attempts "
                 "WHERE outcome = 'unknown'")
        ).scalar_one()  # fmt: skip
    assert open_attempts == 0  # every attempt, of killed workers too, has its outcome
    # The claims of the killed workers were recovered as soon as Herald was back, not after the
    # backlog (or a later restart): the second launcher's workers let go of them when starting.
    assert abandoned >= at_kill["publishing"] // 2 and recovered_by < interrupted_at
    replays = sum(p.get("replays", 0) for p in sim.posts())
    print(
        f"\nrestart: {len(rows)} destinations; {killed} processes SIGKILLed with "
        f"{at_kill['publishing']} requests in flight ({dict(at_kill)}); SIGINT with "
        f"{at_interrupt['publishing']} in flight; {abandoned} claims of killed workers recovered, "
        f"{unclear} unclear outcomes checked on the platform, {replays} idempotent replays; "
        f"{sum(sent.values())} posts on the platforms, none twice; "
        f"stops: {dict(Counter(stops.values()))}; "
        f"settled {settled_after:.0f} s after the first start"
    )
    assert run3.interrupt()[0] == 0
