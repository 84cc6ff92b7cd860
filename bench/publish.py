"""Publish lateness and throughput: N destinations due across M accounts, W worker processes
(each with HERALD_WORKER_CONCURRENCY jobs in flight), the platform simulator answering after L ms.
The load is created first (through the posts service, each creation timed), then moved to its
due times, so how long setup takes never changes a figure.

  --mode steady   N destinations due evenly over --window seconds (default 3,000 over 60 s)
  --mode burst    N destinations due at the same second (default 2,000)
  --baseline      also run the naive setup (forking `rq worker` ×W, `rqscheduler` with its
                  default interval) on the same load, and print both side by side

Lateness is the time the simulator receives the publish request minus the scheduled time.
Prints its figures last, as one JSON line (seconds for times).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from bench import harness

BIN = Path(sys.executable).parent


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = harness.arguments("bench.publish", __doc__)
    p.add_argument("--mode", choices=["steady", "burst"], default="steady")
    p.add_argument("--destinations", type=int, help="N (default 3000 steady, 2000 burst)")
    p.add_argument("--accounts", type=int, default=200, help="M accounts (default 200)")
    p.add_argument(
        "--workers", type=int, help="W worker processes (default: HERALD_WORKERS, as make run)"
    )
    p.add_argument("--latency-ms", type=int, default=50, help="simulator latency L (default 50)")
    p.add_argument("--window", type=float, default=60.0, help="steady: spread (s, default 60)")
    p.add_argument("--baseline", action="store_true", help="also measure the naive setup")
    p.add_argument("--dump", type=Path, help="write per-destination lateness CSV here")
    return p.parse_args(argv)


def due_times(args: argparse.Namespace, start: dt.datetime) -> list[dt.datetime]:
    n = args.destinations
    if args.mode == "burst":
        return [start] * n
    return [start + dt.timedelta(seconds=args.window * i / n) for i in range(n)]


def herald_processes(workers: int) -> list:
    """Herald's worker pool (each process runs HERALD_WORKER_CONCURRENCY jobs at once) and
    scheduler, as `make run` starts them."""
    return [
        harness.spawn("worker", [sys.executable, "-m", "app.cli", "worker"],
                      {"HERALD_WORKERS": str(workers)}),
        harness.spawn("scheduler", [sys.executable, "-m", "workers.scheduler"]),
    ]  # fmt: skip


def naive_processes(workers: int) -> list:
    import os

    url = ["--url", os.environ["HERALD_REDIS_URL"]]
    procs = [
        harness.spawn(f"naive-worker-{i}", [str(BIN / "rq"), "worker", *url, "--path",
                      str(harness.ROOT), "publish", "default"])
        for i in range(workers)
    ]  # fmt: skip
    procs.append(
        harness.spawn("naive-scheduler", [str(BIN / "rqscheduler"), *url, "--path",
                      str(harness.ROOT)])
    )  # fmt: skip
    return procs


def run(args: argparse.Namespace, sim: harness.Simulator, naive: bool) -> dict:
    procs = naive_processes(args.workers) if naive else herald_processes(args.workers)
    try:
        user, wid, accounts = harness.make_accounts(sim, args.accounts)
        began = time.monotonic()
        load = harness.make_load(
            user, wid, accounts, args.destinations, "naive" if naive else "herald"
        )
        # Only now the due times: creating the load never eats into the schedule.
        lead = 3 + args.destinations * 0.003
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=lead)
        times = due_times(args, start)
        spare = harness.set_due(load, times)
        print(f"created {len(load.due)} posts in {time.monotonic() - began:.1f} s; "
              f"first due in {spare:.1f} s", file=sys.stderr)  # fmt: skip
        if spare <= 0:
            raise SystemExit("scheduling the load took longer than its lead; figures invalid")
        slack = 120 if naive else 60  # the naive scheduler polls once a minute
        last_due = max(times)
        deadline = time.monotonic() + (last_due - dt.datetime.now(dt.UTC)).total_seconds() + slack
        groups = {"workers": procs[:-1], "scheduler": procs[-1:], "simulator": [sim.proc]}
        work = harness.Work(groups)
        rss = 0.0
        while time.monotonic() < deadline and harness.settled_count() < args.destinations:
            rss = max(rss, sum(harness.process_tree_rss_mb(p) for p in procs[:-1]))
            time.sleep(0.25)
        cost = work.done(harness.settled_count())
        print(f"work per settled destination: {cost}", file=sys.stderr)
        dump = args.dump.with_suffix(".naive.csv") if naive and args.dump else args.dump
        figures = harness.measure(load, sim, began, dump)
        figures["worker_rss_mb"] = round(rss, 1)  # peak of the worker tier while publishing
        figures |= cost
        figures["create_post_ms_p50"] = round(harness.percentile(load.create_ms, 50), 2)
        figures["create_post_ms_p95"] = round(harness.percentile(load.create_ms, 95), 2)
        return figures
    finally:
        for proc in procs:
            harness.stop(proc)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.destinations is None:
        args.destinations = 3000 if args.mode == "steady" else 2000
    # Budgets sized for the benchmark's bursts (the defaults model real platforms' quotas).
    harness.start_services({"HERALD_RECONCILE_SECONDS": "60"})
    if args.workers is None:  # (settings are read only once the services are set)
        from app.config import settings

        args.workers = settings.workers
    sim = harness.Simulator()
    try:
        sim.post("/_sim/knobs", {"platform": "mastodon", "latency_ms": args.latency_ms})
        figures = {"mode": args.mode, "destinations": args.destinations,
                   "accounts": args.accounts, "workers": args.workers,
                   "latency_ms": args.latency_ms}  # fmt: skip
        figures |= run(args, sim, naive=False)
        print(f"herald: {figures}", file=sys.stderr)
        if args.baseline:
            harness.reset(sim)
            sim.post("/_sim/knobs", {"platform": "mastodon", "latency_ms": args.latency_ms})
            naive = run(args, sim, naive=True)
            print(f"baseline: {naive}", file=sys.stderr)
            figures |= {f"baseline_{k}": v for k, v in naive.items()}
            if figures["lateness_p99_s"] > 0:
                figures["baseline_to_herald_p99_ratio"] = round(
                    naive["lateness_p99_s"] / figures["lateness_p99_s"], 1
                )
    finally:
        sim.close()
        harness.SERVICES.stop()
    harness.emit(figures)


if __name__ == "__main__":
    main()
