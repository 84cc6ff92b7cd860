"""The migrations and the models agree, both ways."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.config import settings
from app.db import sqlalchemy_url

ROOT = Path(__file__).resolve().parents[2]


def test_migrated_schema_matches_the_models():
    engine = create_engine(sqlalchemy_url(settings.database_url))
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, SQLModel.metadata) == []
    engine.dispose()


def test_upgrade_and_downgrade_on_an_empty_database():
    base, _, query = settings.database_url.partition("?")
    admin_url = base.rsplit("/", 1)[0] + "/postgres" + (f"?{query}" if query else "")
    name = base.rsplit("/", 1)[1] + "_updown"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    try:
        cfg = Config(str(ROOT / "alembic.ini"))
        cfg.cmd_opts = type("Opts", (), {"x": [f"url={url}"]})()
        command.upgrade(cfg, "head")
        engine = create_engine(sqlalchemy_url(url))
        assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
        command.downgrade(cfg, "base")
        assert inspect(engine).get_table_names() == ["alembic_version"]
        with engine.connect() as conn:
            types = conn.exec_driver_sql("SELECT typname FROM pg_type WHERE typtype = 'e'").all()
        assert types == []
        engine.dispose()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
