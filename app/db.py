"""Database engine and sessions (SQLModel over psycopg 3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from app.config import settings

T = TypeVar("T")


def sqlalchemy_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def engine() -> Engine:
    if not settings.database_url:
        raise RuntimeError(
            "HERALD_DATABASE_URL is not set (use `make run`, which starts an embedded PostgreSQL)"
        )
    return create_engine(
        sqlalchemy_url(settings.database_url),
        pool_pre_ping=True,
        # Worker processes run many jobs at once; each holds a connection only for short
        # statements, so a few connections serve them all.
        pool_size=8,
        max_overflow=8,
    )


@contextmanager
def session() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine(), expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise


@lru_cache(maxsize=1)
def autocommit() -> Engine:
    """A pool for the publishing engine's hot path: single statements (function calls) that
    commit themselves, so no BEGIN/COMMIT round trips, and no ping per checkout. A connection
    the database dropped fails its statement once and invalidates the pool; the engine retries
    its writes (publishing._patiently)."""
    return create_engine(
        sqlalchemy_url(settings.database_url),
        isolation_level="AUTOCOMMIT",
        # A worker's jobs share these, and all of them stay open: "overflow" connections are
        # opened and closed per use, and a burst then forked a PostgreSQL backend every few
        # publishes (a session costs both sides far more CPU than the statement).
        pool_size=16,
        max_overflow=0,
    )


def call_scalar(sql: str, params: dict[str, Any]) -> Any:
    """Run one autocommit statement written with psycopg's `%(name)s` placeholders and return
    the first column of its first row (None without rows), straight on the driver's cursor: the
    publishing engine's claim and finish run once per publish each, and SQLAlchemy's execution
    layer cost more CPU than the statements themselves. Errors come as SQLAlchemy's DBAPIError,
    with `connection_invalidated` set (and the connection dropped from the pool) when the
    connection was lost or could not be opened, as `Connection.execute` raises them (the
    engine's writes retry those, see publishing._patiently)."""
    rows = driver_rows(sql, params)
    return rows[0][0] if rows else None


def read_rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of one read statement, run as `call_scalar` runs its statement: for the REST
    API's hottest reads (the key check, the post pages), where SQLAlchemy's session and result
    layers cost more CPU than the statement. As with `in_autocommit`, a connection the database
    dropped makes the pool start afresh and the read is retried once."""
    for attempt in (1, 2):
        try:
            return driver_rows(sql, params)
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
            autocommit().dispose()  # the pool's other connections went with it
    raise AssertionError("unreachable")


def driver_rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every row of one autocommit statement on the driver's cursor (see `call_scalar`)."""
    try:
        conn = autocommit().raw_connection()
    except psycopg.Error as exc:  # no connection (the server restarts, or is full): nothing sent
        raise DBAPIError.instance(
            sql, params, exc, psycopg.Error, connection_invalidated=True
        ) from exc
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    except psycopg.Error as exc:
        driver = conn.dbapi_connection
        lost = driver is None or bool(driver.closed) or bool(getattr(driver, "broken", False))
        if lost:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            sql, params, exc, psycopg.Error, connection_invalidated=lost
        ) from exc
    finally:
        conn.close()


def in_autocommit(work: Callable[[Session], T]) -> T:
    """`work(session)` on the autocommit pool, for hot requests made of a statement or two that
    need no transaction (the REST API's key check and post pages): none of the ping, BEGIN and
    COMMIT round trips of `session()`; each statement commits itself and sees its own snapshot.
    `work` may run twice: a connection the database dropped fails, invalidating the pool, and
    the work is retried once on a fresh one."""
    for attempt in (1, 2):
        try:
            with Session(autocommit(), expire_on_commit=False) as s:
                return work(s)
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
    raise AssertionError("unreachable")
