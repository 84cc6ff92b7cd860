"""Test-run setup: own database and Redis, migrated schema, clean tables per test.

The environment is prepared before any `app` module is imported, because the settings
object reads it once at import.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.services import CLAIM_KEY, TestServices

_DATA = Path(tempfile.mkdtemp(prefix="herald-test-"))
_SERVICES = TestServices(data_dir=_DATA)
# Tests against real platform servers (minutes of setup: `make test-bluesky-real`) run only when
# named on the command line, never as part of `make test`.
_REAL_SERVERS = Path(__file__).resolve().parent / "realserver"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path != _REAL_SERVERS:
        return None
    named = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    return not any(p == _REAL_SERVERS or _REAL_SERVERS in p.parents for p in named)


# Under pytest-xdist (`make test` runs two workers) a module's tests stay together, so its
# module-scoped servers and workers start once, and everything that runs the Reflex web app shares
# one worker: those tests build and serve the same `.web` folder.
_WEB_APP = {"tests/integration/test_observability.py", "tests/integration/test_sandbox_restart.py"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class ByModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::")[0]
            return "web-app" if path.startswith("tests/e2e/") or path in _WEB_APP else path

    return ByModule(config, log)


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        _SERVICES.join(os.environ["HERALD_DATABASE_URL"], os.environ["HERALD_REDIS_URL"])
    else:
        _SERVICES.start()
    os.environ.update(
        HERALD_DATABASE_URL=_SERVICES.database_url,
        HERALD_REDIS_URL=_SERVICES.redis_url,
        HERALD_DATA_DIR=str(_DATA / "data"),
        # Plan limits are tested where they matter (tests of plans switch tiers explicitly);
        # every other test works on an uncapped workspace.
        HERALD_DEFAULT_TIER="business",
        # Plans on, so the tier machinery is what runs (tests of self-hosted defaults turn it off).
        HERALD_BILLING="on",
        # The simulators of a test run listen on loopback: the guarded outbound client may
        # reach them as it would a Mastodon server (tests of the guard clear this).
        HERALD_OUTBOUND_ALLOW="127.0.0.1",
        # Every test signs people up from this one machine (the throttle's own test lowers it).
        HERALD_REGISTER_PER_IP_PER_HOUR="10000",
    )
    from alembic import command
    from alembic.config import Config

    root = Path(__file__).resolve().parent.parent
    command.upgrade(Config(str(root / "alembic.ini")), "head")


def pytest_unconfigure(config: pytest.Config) -> None:
    _SERVICES.stop()


@pytest.fixture
def clean_db() -> Iterator[None]:
    """Empty every table (fast TRUNCATE) and the run's Redis database before a test."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError
    from sqlmodel import SQLModel

    import app.models  # noqa: F401
    from app import db
    from app.redis_client import redis

    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    for attempt in range(5):  # running workers' transactions may deadlock with the TRUNCATE
        try:
            with db.engine().begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            break
        except OperationalError as exc:
            if "deadlock" not in str(exc) or attempt == 4:
                raise
    redis().flushdb()
    redis().set(CLAIM_KEY, str(os.getpid()))  # keep this db number claimed by this run
    yield
