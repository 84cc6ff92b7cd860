"""Local stand-in for the social platforms' HTTP APIs (tests, benchmarks, offline demo).

    from simulator import SimServer
    with SimServer() as srv:                 # real HTTP on a free port, in a thread
        api_base = srv.url_for("mastodon")   # http://127.0.0.1:PORT/mastodon
        srv.sim.inject("mastodon", "429", path="/api/v1/statuses")
        srv.sim.posts("mastodon")            # every accepted post

Adding a platform = a PlatformSim subclass in its own module, listed in Simulator's defaults.
What its reset() builds is its state: `python -m simulator --state-dir DIR` (the sandbox of
`make run`) keeps it across restarts (simulator.persist); tests keep everything in memory.
"""

from simulator.app import create_app
from simulator.platform import PlatformSim
from simulator.server import SimServer
from simulator.state import Fault, Knobs, SimError, Simulator

__all__ = ["Fault", "Knobs", "PlatformSim", "SimError", "SimServer", "Simulator", "create_app"]
