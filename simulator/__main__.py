"""`python -m simulator --port 8900`: serve every simulated platform over HTTP."""

from __future__ import annotations

import argparse

import uvicorn

from simulator.app import create_app
from simulator.server import quiet_injected_drops
from simulator.state import Simulator


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--seed", type=int, default=None, help="seed for probabilistic faults")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args()
    quiet_injected_drops()
    sim = Simulator(seed=args.seed)
    print(f"Herald simulator: http://{args.host}:{args.port}/_sim/feed")
    for pid in sim.platforms:
        print(f"  {pid}: http://{args.host}:{args.port}/{pid}")
    uvicorn.run(
        create_app(sim),
        host=args.host,
        port=args.port,
        http="h11",
        lifespan="off",
        log_level=args.log_level,
        timeout_graceful_shutdown=2,
    )


if __name__ == "__main__":
    main()
