"""Fixtures of the provider tests: each module runs one provider (app/providers/<name>.py)
against the simulator over real HTTP (uvicorn in a thread).

A module says what to simulate with module attributes: `SIMULATED` (the PlatformSim classes;
Simulator's default list when absent) and `SEED`. The simulator is reset before every test.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from simulator import SimServer, Simulator


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[SimServer]:
    platforms = getattr(request.module, "SIMULATED", None)
    with SimServer(Simulator(platforms, seed=getattr(request.module, "SEED", 11))) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(server: SimServer) -> None:
    server.sim.reset()


@pytest.fixture
def sim(server: SimServer) -> Simulator:
    return server.sim


@pytest.fixture
def seen() -> list[tuple[str, str, int]]:
    """(method, path, status) of every response the provider received."""
    return []


@pytest.fixture
def http(seen: list[tuple[str, str, int]]) -> Iterator[httpx.Client]:
    """The provider's HTTP client: short timeouts, and every response recorded in `seen`."""

    def record(response: httpx.Response) -> None:
        seen.append((response.request.method, response.request.url.path, response.status_code))

    with httpx.Client(
        timeout=httpx.Timeout(5.0, read=1.0), event_hooks={"response": [record]}
    ) as client:
        yield client
