"""Fixtures shared by the integration modules that run the simulator and the engine.

A module says how with module attributes: `SEED` (the simulator's), `ENV` (the engine
processes' extra environment) and `TEST_ENV` (set in this process too while they run, e.g.
the X app's credentials). A module that needs something else defines its own fixture.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulator import SimServer, Simulator
from tests.support.mailbox import Mailbox


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[SimServer]:
    with SimServer(Simulator(seed=request.module.SEED)) as srv:
        yield srv


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A local SMTP server that keeps what it receives."""
    with Mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def engine(request: pytest.FixtureRequest, server: SimServer) -> Iterator[list]:
    # Imported here: tests.integration.engine reads Herald's settings, which the root conftest
    # sets up (database, Redis) only once pytest is configured.
    from tests.integration.engine import engine_processes, environ

    module = request.module
    with (
        environ(getattr(module, "TEST_ENV", {})),
        engine_processes(getattr(module, "ENV", None)) as procs,
    ):
        yield procs
