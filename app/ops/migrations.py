"""Where the database schema stands against the migrations in alembic/versions/."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from app import db

ROOT = Path(__file__).resolve().parents[2]


def config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


def head_revision() -> str:
    return ScriptDirectory.from_config(config()).get_current_head() or ""


def current_revision() -> str | None:
    with db.engine().connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def pending() -> list[str]:
    """Revisions not applied yet, oldest first."""
    script = ScriptDirectory.from_config(config())
    current = current_revision()
    revisions = script.iterate_revisions("heads", current or "base")
    return [r.revision for r in reversed(list(revisions)) if r.revision != current]
