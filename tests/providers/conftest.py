"""Fixtures of the provider tests. `test_<id>.py` runs one provider (app/providers/<id>.py)
against its simulated network over real HTTP (uvicorn in a thread); `test_<id>_text.py` and the
others test the modules of the same name without a network.

A module says what to simulate with module attributes: `SIMULATED` (the PlatformSim classes;
Simulator's default list when absent) and `SEED`; and how its provider and a token are made with
module functions, `make_provider(server, http)` and `minted(sim)`, which the `provider` and
`token` fixtures call (a module whose token comes another way defines its own fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from simulator import SimServer, Simulator

if TYPE_CHECKING:  # app modules are imported once the root conftest has set the environment
    from app.providers.accounts import TokenSet
    from app.providers.base import Provider


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[SimServer]:
    platforms = getattr(request.module, "SIMULATED", None)
    with SimServer(Simulator(platforms, seed=getattr(request.module, "SEED", 11))) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest) -> None:
    """A clean simulator for every test that uses it (tests of text rules start none)."""
    if "server" in request.fixturenames:
        request.getfixturevalue("server").sim.reset()


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


@pytest.fixture
def provider(request: pytest.FixtureRequest, server: SimServer, http: httpx.Client) -> Provider:
    """The module's provider, pointed at its simulated network."""
    made: Provider = request.module.make_provider(server, http)
    return made


@pytest.fixture
def token(request: pytest.FixtureRequest, sim: Simulator) -> TokenSet:
    """A token the simulated network issued to its default user (alice)."""
    minted: TokenSet = request.module.minted(sim)
    return minted
