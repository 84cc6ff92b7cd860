"""Alembic environment: the URL comes from Herald's settings, the metadata from app.models."""

from alembic import context
from sqlalchemy import create_engine, pool, text
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.config import settings
from app.db import sqlalchemy_url

target_metadata = SQLModel.metadata
# Several nodes may start together and each migrate at start: a PostgreSQL advisory lock lets
# one upgrade while the others wait, then find nothing left to do. (Any constant works; it
# only has to be the same for every Herald process on this database.)
MIGRATION_LOCK = 0x48455241  # "HERA"


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or settings.database_url
    if not url:
        raise SystemExit("HERALD_DATABASE_URL is not set")
    return sqlalchemy_url(url)


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = create_engine(_url(), poolclass=pool.NullPool)
    with connectable.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()  # the lock is the session's: it outlives this transaction
        applied = context.config.attributes.setdefault("applied", [])  # read by `herald migrate`
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            on_version_apply=lambda **kw: applied.append(kw["step"].up_revision_id),
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
