"""Outage: 1,000 destinations due over 120 s on three platforms; one platform answers 500 to
everything for 60 s, then recovers.

What must hold: nothing doubled, lost or stuck; no destination tried more than
HERALD_MAX_ATTEMPTS times; the failing platform left alone (its circuit breaker opens after a few
failures, then one probe per cool-down); the healthy platforms as punctual as without an outage;
the failing platform's posts out soon after it recovers.

  --outage-platform   which platform fails (default x: no idempotency key, so unclear answers
                      are checked on the account before any retry)

Prints its figures last, as one JSON line (seconds for times).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from bench import harness

PLATFORMS = ("mastodon", "x", "threads")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = harness.arguments("bench.outage", __doc__)
    harness.load_arguments(p, destinations=1000, accounts=90, window=120.0, settle=180.0)
    p.add_argument("--outage-start", type=float, default=30.0, help="s into the window")
    p.add_argument("--outage", type=float, default=60.0, help="outage length in s (default 60)")
    p.add_argument("--outage-platform", choices=PLATFORMS, default="x")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    harness.start_services(
        {
            "HERALD_X_CLIENT_ID": "herald-sandbox",
            "HERALD_X_CLIENT_SECRET": "herald-sandbox-secret",
            # Budgets wide enough for the benchmark's pace (the defaults model real quotas).
            "HERALD_RATE_BUDGETS": '{"threads": {"account": [1000, 86400]}}',
        }
    )
    from app.config import settings

    sim = harness.Simulator()
    procs = [
        harness.spawn("worker", [sys.executable, "-m", "app.cli", "worker"]),
        harness.spawn("scheduler", [sys.executable, "-m", "workers.scheduler"]),
    ]
    try:
        for platform in PLATFORMS:
            sim.post("/_sim/knobs", {"platform": platform, "latency_ms": args.latency_ms})
        user, wid, accounts = harness.make_accounts(sim, args.accounts, PLATFORMS)
        load = harness.make_load(user, wid, accounts, args.destinations, "outage")
        platform_of = {
            dest: accounts[i % len(accounts)].platform for i, dest in enumerate(load.due)
        }
        times = harness.spread_due(load, args.window)
        start = times[0]
        began = time.monotonic()
        time.sleep(max(0.0, (start - dt.datetime.now(dt.UTC)).total_seconds() + args.outage_start))
        sim.post("/_sim/faults", {"platform": args.outage_platform, "kind": "500", "count": None})
        outage_began = dt.datetime.now(dt.UTC)
        print(f"outage: {args.outage_platform} answers 500 to everything", file=sys.stderr)
        time.sleep(args.outage)
        requests = _fired(sim, args.outage_platform)
        sim.http.delete("/_sim/faults")
        recovered = dt.datetime.now(dt.UTC)
        print(f"outage over after {requests} requests reached it", file=sys.stderr)
        rest = (max(times) - dt.datetime.now(dt.UTC)).total_seconds()
        harness.wait_unstuck(time.monotonic() + max(0.0, rest) + args.settle)
        figures = harness.measure(load, sim, began)
        result = _result(args, load, sim, platform_of, outage_began, recovered, requests)
        result |= {
            "duplicates": figures["duplicates"],
            "max_attempts_allowed": settings.max_attempts,
            "breaker_cooldown_s": settings.breaker_cooldown_seconds,
            "run_seconds": figures["run_seconds"],
        }
        print(f"outage: states {harness.counts()}", file=sys.stderr)
    finally:
        harness.shut_down(procs, sim)
    harness.emit(result)


def _fired(sim: harness.Simulator, platform: str) -> int:
    faults = sim.http.get("/_sim/faults").json().get(platform, [])
    return sum(int(f.get("fired", 0)) for f in faults)


def _result(args, load, sim, platform_of, outage_began, recovered, requests) -> dict:
    from sqlalchemy import text

    from app import db

    with db.engine().connect() as conn:
        rows = conn.execute(text("SELECT id, status::text, attempts FROM post_destinations")).all()
    status = {r.id: r.status for r in rows}
    max_attempts = max((r.attempts for r in rows), default=0)
    first_received: dict[str, dt.datetime] = {}
    for p in sim.posts():
        at = dt.datetime.fromisoformat(p["received_at"])
        first_received[p["text"]] = min(at, first_received.get(p["text"], at))
    healthy, after_recovery = [], []
    lost = 0
    for dest, (text_, due) in load.due.items():
        got = first_received.get(text_)
        if got is None:
            lost += status.get(dest) != "failed"
            continue
        if platform_of[dest] != args.outage_platform:
            healthy.append((got - due).total_seconds())
        elif due < recovered:
            after_recovery.append((got - recovered).total_seconds())
    stuck = sum(1 for s in status.values() if s in harness.STUCK)
    return {
        "destinations": args.destinations,
        "published": sum(1 for s in status.values() if s == "published"),
        "failed": sum(1 for s in status.values() if s == "failed"),
        "lost": lost,
        "stuck": stuck,
        "max_attempts_per_destination": max_attempts,
        "requests_during_outage": requests,
        "outage_s": round((recovered - outage_began).total_seconds(), 1),
        "lateness_p50_healthy_s": round(harness.percentile(healthy, 50), 3),
        "lateness_p99_healthy_s": round(harness.percentile(healthy, 99), 3),
        "published_after_recovery_s": round(max(after_recovery, default=0.0), 3),
    }


if __name__ == "__main__":
    main()
