"""Chaos: the publish load while things break, then check that nothing was lost or doubled.

During the load: worker processes are SIGKILLed at random (the pool starts new ones), Redis
is restarted and flushed once (the schedule is rebuilt from PostgreSQL), PostgreSQL is restarted
once (outcomes wait for it; claims nobody holds any more are recovered), and the simulator
answers a share of the requests with 429, 5xx or a timeout *after* accepting the post.
Accounts are split between Mastodon (idempotency key) and X (no key: unclear outcomes are
resolved by reading the account's recent posts).

Target: every destination ends published exactly once or failed with a reason; 0 duplicates;
0 stuck. Prints its figures last, as one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import sys
import time

from bench import harness


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = harness.arguments("bench.chaos", __doc__)
    harness.load_arguments(p, destinations=1500, accounts=100, window=60.0, settle=240.0)
    p.add_argument("--workers", type=int, default=2, help="W worker processes (default 2)")
    p.add_argument("--fault-rate", type=float, default=0.2, help="share of faulty answers")
    p.add_argument("--kills", type=int, default=6, help="workers SIGKILLed during the load")
    return p.parse_args(argv)


def inject_faults(sim: harness.Simulator, rate: float) -> None:
    """429, 5xx and timeouts after accepting, in equal shares, on the publish endpoints."""
    kinds = ["429", "503", "timeout_after_accept"]
    for platform, path in (("mastodon", "/api/v1/statuses"), ("x", "/2/tweets")):
        for i, kind in enumerate(kinds):
            # Faults are tried in order, so later ones see only what earlier ones let through.
            share = rate / len(kinds) / (1 - rate * i / len(kinds))
            sim.post("/_sim/faults", {"platform": platform, "kind": kind, "path": path,
                                      "method": "POST", "count": None, "probability": share,
                                      "reset_in_s": 3, "hang_s": 6})  # fmt: skip


def kill_a_worker(pool) -> int | None:
    import psutil

    children = psutil.Process(pool.pid).children()
    if not children:
        return None
    victim = random.choice(children)
    os.kill(victim.pid, signal.SIGKILL)
    return victim.pid


def restart_redis() -> None:
    from app import embedded
    from app.redis_client import redis

    directory = harness.SERVICES.data_dir / "redis"
    embedded.stop_redis(directory)
    time.sleep(1.0)
    embedded.start_redis(directory)
    redis().flushdb()


def restart_postgres() -> None:
    from app import embedded

    directory = harness.SERVICES.data_dir / "pg"
    embedded.stop_postgres(directory)
    time.sleep(2.0)
    embedded.start_postgres(directory, database="postgres")


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    harness.SERVICES.own_redis = True
    harness.SERVICES.own_postgres = True
    harness.start_services(
        {
            "HERALD_RECONCILE_SECONDS": "15",
            "HERALD_HTTP_TIMEOUT_SECONDS": "3",
            "HERALD_RETRY_BASE_SECONDS": "1",
            "HERALD_RETRY_MAX_SECONDS": "10",
            "HERALD_MAX_ATTEMPTS": "8",
            "HERALD_X_CLIENT_ID": "herald-sandbox",
            "HERALD_X_CLIENT_SECRET": "herald-sandbox-secret",
        }
    )
    sim = harness.Simulator()
    procs = [
        harness.spawn("worker", [sys.executable, "-m", "app.cli", "worker"],
                      {"HERALD_WORKERS": str(args.workers)}),
        harness.spawn("scheduler", [sys.executable, "-m", "workers.scheduler"]),
    ]  # fmt: skip
    try:
        for platform in ("mastodon", "x"):
            sim.post("/_sim/knobs", {"platform": platform, "latency_ms": args.latency_ms})
        user, wid, accounts = harness.make_accounts(sim, args.accounts, ("mastodon", "x"))
        load = harness.make_load(user, wid, accounts, args.destinations, "chaos")
        start = harness.spread_due(load, args.window)[0]
        inject_faults(sim, args.fault_rate)
        began = time.monotonic()
        time.sleep(max(0.0, (start - dt.datetime.now(dt.UTC)).total_seconds()))
        # Break things while the posts are due: kills spread over the window, one Redis restart.
        events = sorted(
            [(random.uniform(0, args.window), "kill") for _ in range(args.kills)]
            + [(args.window * 0.4, "redis"), (args.window * 0.7, "postgres")]
        )
        t0 = time.monotonic()
        for at, what in events:
            time.sleep(max(0.0, at - (time.monotonic() - t0)))
            if what == "kill":
                print(f"chaos: killed worker {kill_a_worker(procs[0])}", file=sys.stderr)
            elif what == "redis":
                restart_redis()
                print("chaos: Redis restarted and flushed", file=sys.stderr)
            else:
                restart_postgres()
                print("chaos: PostgreSQL restarted", file=sys.stderr)
        time.sleep(max(0.0, args.window - (time.monotonic() - t0)))
        sim.http.delete("/_sim/faults")  # let the retries through, then wait for quiet
        harness.wait_unstuck(time.monotonic() + args.settle)
        figures = harness.measure(load, sim, began)
        state = harness.counts()
        stuck = sum(state.get(s, 0) for s in harness.STUCK)
        failed_without_reason = _failed_without_reason()
        result = {
            "destinations": args.destinations,
            "published": state.get("published", 0),
            "failed": state.get("failed", 0),
            "duplicates": figures["duplicates"],
            "stuck": stuck,
            "lost": figures["lost"] - state.get("failed", 0),
            "failed_without_reason": failed_without_reason,
            "published_in_db_not_on_platform": _published_but_absent(load, sim),
            "lateness_p50_s": figures["lateness_p50_s"],
            "lateness_p99_s": figures["lateness_p99_s"],
            "run_seconds": figures["run_seconds"],
        }
        print(f"chaos: states {state}", file=sys.stderr)
    finally:
        harness.shut_down(procs, sim)
    harness.emit(result)


def _failed_without_reason() -> int:
    return harness.count_destinations("status = 'failed' AND coalesce(error_message, '') = ''")


def _published_but_absent(load: harness.Load, sim: harness.Simulator) -> int:
    from sqlalchemy import text

    from app import db

    on_platform = {p["text"] for p in sim.posts()}
    with db.engine().connect() as conn:
        published = {
            row[0]
            for row in conn.execute(
                text("SELECT id FROM post_destinations WHERE status = 'published'")
            ).all()
        }
    return sum(1 for d, (t, _) in load.due.items() if d in published and t not in on_platform)


if __name__ == "__main__":
    main()
