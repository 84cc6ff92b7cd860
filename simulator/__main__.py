"""`python -m simulator --port 8900`: serve every simulated platform over HTTP.

It listens on 127.0.0.1 unless `--host` says otherwise. With HERALD_SANDBOX_SECRET in the
environment, its control and inspection endpoints (/_sim/...) need that secret; it refuses to
listen beyond loopback without one. With `--state-dir` (as `make run` starts it), everything it
knows is kept in that folder and is there again at the next start (simulator.persist).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
from pathlib import Path

import uvicorn

from simulator.app import create_app
from simulator.server import quiet_injected_drops
from simulator.state import Simulator


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--seed", type=int, default=None, help="seed for probabilistic faults")
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--state-dir", type=Path, default=None, help="keep the state here (default: in memory)"
    )
    parser.add_argument(
        "--organic",
        action="store_true",
        help="sandbox mode: published posts gather views, likes and followers over time",
    )
    args = parser.parse_args()
    secret = os.environ.get("HERALD_SANDBOX_SECRET", "")
    if not secret and not _loopback(args.host):
        sys.exit(f"refusing to listen on {args.host} without HERALD_SANDBOX_SECRET")
    quiet_injected_drops()
    sim = Simulator(seed=args.seed, organic=args.organic)
    print(f"Herald simulator: http://{args.host}:{args.port}/_sim/feed")
    for pid in sim.platforms:
        print(f"  {pid}: http://{args.host}:{args.port}/{pid}")
    app = create_app(sim, secret or None)
    store = None
    if args.state_dir is not None:
        from simulator.persist import StateFile

        store = StateFile(sim, args.state_dir)
        state = store.load()
        if state["restored"]:
            print(f"sandbox state restored from {store.path}", flush=True)
        else:
            print(f"sandbox state: new ({state['reset_reason']}), kept in {store.path}", flush=True)
        app = store.wrap(app)
        # uvicorn stops gracefully, then raises the signal again for its default action (which
        # would end the process before the last save): make that an ordinary exit.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _exit)
    try:
        serve(app, args)
    finally:
        if store is not None:
            store.close()


def _exit(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def serve(app: object, args: argparse.Namespace) -> None:
    """Serve until SIGINT/SIGTERM."""
    uvicorn.run(
        app,  # type: ignore[arg-type]
        host=args.host,
        port=args.port,
        http="h11",
        lifespan="off",
        log_level=args.log_level,
        timeout_graceful_shutdown=2,
    )


if __name__ == "__main__":
    main()
