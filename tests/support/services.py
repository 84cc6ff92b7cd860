"""PostgreSQL and Redis for a test run: the machine's when reachable, embedded ones otherwise.

Each run gets its own database (created here, dropped at the end) and its own Redis
database number, so runs never see each other's data.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from redis import Redis
from redis.exceptions import WatchError

from app import processes

MACHINE_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
MACHINE_REDIS = "redis://127.0.0.1:6379"


CLAIM_KEY = "herald:test-run"  # the pid of the test run that holds a Redis database number


def _take_over(client: Redis) -> bool:
    """Claim a database number whose test run died; WATCH makes one claimer win."""
    with client.pipeline() as pipe:
        try:
            pipe.watch(CLAIM_KEY)
            holder = pipe.get(CLAIM_KEY)
            if holder is None or not holder.isdigit() or processes.alive(int(holder)):
                return False
            pipe.multi()
            pipe.set(CLAIM_KEY, str(os.getpid()))
            pipe.execute()
        except WatchError:
            return False
    client.flushdb()
    return bool(client.set(CLAIM_KEY, str(os.getpid()), nx=True))


def claim_redis_number(root: str = MACHINE_REDIS, socket_url: str = "") -> str:
    """The URL of the first free Redis database number, now claimed by this process: an empty
    one (SET NX: of two runs, or two pytest-xdist workers, that see the same number, one claims
    it), or one whose run was killed before it could clean up (its process is gone)."""
    for number in range(15, 0, -1):
        url = f"{root}/{number}" if root else f"{socket_url}?db={number}"
        client = Redis.from_url(url)
        if client.dbsize() == 0:
            claimed = client.set(CLAIM_KEY, str(os.getpid()), nx=True)
        else:
            claimed = _take_over(client)
        if claimed:
            return url
    raise RuntimeError("no empty Redis database number left for the test run")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class TestServices:
    data_dir: Path
    # Start a private Redis / PostgreSQL even when the machine's answer (e.g. to restart them in a
    # benchmark without disturbing anyone else's).
    own_redis: bool = False
    own_postgres: bool = False
    # HERALD_TEST_EMBEDDED=1 runs on embedded PostgreSQL and Redis even when the machine's answer
    # (to check the fallback that machines without them get).
    embedded: bool = field(default_factory=lambda: os.environ.get("HERALD_TEST_EMBEDDED") == "1")
    database_url: str = ""
    redis_url: str = ""
    _admin_url: str = ""
    _db_name: str = ""
    _stops: list = field(default_factory=list)

    def start(self) -> None:
        self._start_postgres()
        self._start_redis()

    def _start_postgres(self) -> None:
        if _reachable("127.0.0.1", 5432) and not (self.embedded or self.own_postgres):
            self._admin_url = MACHINE_PG
        else:
            from app import embedded

            self._admin_url = embedded.start_postgres(self.data_dir / "pg", database="postgres")
            self._stops.append(embedded.stop_postgres)
        self._create_database()

    def join(self, database_url: str, redis_url: str) -> None:
        """A pytest-xdist worker: a database and a Redis number of its own, on the servers the
        controller process started (its URLs are in the environment the worker inherits)."""
        self._admin_url = database_url
        self._create_database()
        root, _, db = redis_url.partition("?db=")
        if db:
            self._claim_redis(root="", socket_url=root)
        else:
            self._claim_redis(root=redis_url.rsplit("/", 1)[0], socket_url="")

    def _create_database(self) -> None:
        self._db_name = f"herald_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self._admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self._db_name}"')
        base, _, query = self._admin_url.partition("?")
        base = base.rsplit("/", 1)[0]
        self.database_url = f"{base}/{self._db_name}" + (f"?{query}" if query else "")

    def _start_redis(self) -> None:
        root = socket_url = ""
        if _reachable("127.0.0.1", 6379) and not (self.own_redis or self.embedded):
            root = MACHINE_REDIS
        else:
            from app import embedded

            socket_url = embedded.start_redis(self.data_dir / "redis").split("?")[0]
            self._stops.append(embedded.stop_redis)
        self._claim_redis(root, socket_url)

    def _claim_redis(self, root: str, socket_url: str) -> None:
        self.redis_url = claim_redis_number(root, socket_url)

    def stop(self) -> None:
        if self.redis_url:
            Redis.from_url(self.redis_url).flushdb()
        if self._db_name:
            with psycopg.connect(self._admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self._db_name}" WITH (FORCE)')
        for stop in self._stops:
            stop()
