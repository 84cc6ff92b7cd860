"""Operations through the real command line (`python -m app.cli …` in subprocesses, on their
own databases): backup and restore round trip, upgrading a database filled at the first
migration, concurrent migrations, and the admin commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.config import settings
from app.ops import migrations
from tests.integration.helpers import client, registered
from tests.support.media_files import jpeg, png

ROOT = Path(__file__).resolve().parents[2]


def herald(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def new_database() -> Iterator[callable]:
    """Make empty databases beside the run's own (same server); dropped afterwards."""
    admin = settings.database_url.rsplit("/", 1)[0] + "/postgres"
    query = "?" + settings.database_url.split("?", 1)[1] if "?" in settings.database_url else ""
    admin = admin.split("?")[0] + query
    made: list[str] = []

    def make() -> str:
        name = f"herald_ops_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return settings.database_url.split("?")[0].rsplit("/", 1)[0] + f"/{name}{query}"

    yield make
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order, as text."""
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            t: sorted(tuple(map(str, r)) for r in conn.execute(f'SELECT * FROM "{t}"'))
            for t in tables
        }


def files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def upload(c, name: str, content_type: str, data: bytes) -> dict:
    ticket = c.post(
        "/api/media/presign",
        json={"filename": name, "content_type": content_type, "size": len(data)},
    ).json()
    put = c.put(
        urlsplit(ticket["upload_url"]).path, content=data, headers={"Content-Type": content_type}
    )
    assert put.status_code in (200, 201, 204), put.text
    confirmed = c.post("/api/media", json={"key": ticket["key"]})
    assert confirmed.status_code == 201, confirmed.text
    return confirmed.json()


@pytest.mark.usefixtures("clean_db")
def test_backup_then_restore_into_an_empty_instance_keeps_every_row_and_file(
    new_database, tmp_path
):
    c, me = registered("owner@example.com", "Owner")
    c.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    photo = upload(c, "photo.jpg", "image/jpeg", jpeg(40, 30))
    upload(c, "logo.png", "image/png", png(8, 8))
    post = c.post(
        "/api/posts",
        json={"content": "Backed up ✓", "mode": "draft", "media_ids": [photo["id"]]},
    )
    assert post.status_code == 201, post.text
    source_media = settings.data_dir / "media"
    assert len(files(source_media)) >= 2

    archive = tmp_path / "herald.tar"
    env = {"HERALD_DATABASE_URL": settings.database_url, "HERALD_DATA_DIR": str(settings.data_dir)}
    done = herald("backup", str(archive), env=env)
    assert done.returncode == 0, done.stdout + done.stderr

    target_url, target_dir = new_database(), tmp_path / "restored"
    target = {"HERALD_DATABASE_URL": target_url, "HERALD_DATA_DIR": str(target_dir)}
    done = herald("restore", str(archive), env=target)
    assert done.returncode == 0, done.stdout + done.stderr

    assert rows(target_url) == rows(settings.database_url)
    assert files(target_dir / "media") == files(source_media)
    assert (target_dir / "secret_key").read_text() == (settings.data_dir / "secret_key").read_text()

    again = herald("restore", str(archive), env=target)
    assert again.returncode == 1
    assert "already holds a Herald instance (1 users)" in again.stdout
    damaged = tmp_path / "not-a-backup.tar"
    damaged.write_bytes(b"nonsense")
    refused = herald("restore", str(damaged), env={**target, "HERALD_DATABASE_URL": new_database()})
    assert refused.returncode == 1 and "restore failed" in refused.stdout


def _value(column: sa.Column, n: int, parents: dict[str, list]) -> object:
    """A plausible value for a column of the first schema (row number `n`)."""
    for fk in column.foreign_keys:
        return parents[fk.column.table.name][n % len(parents[fk.column.table.name])]
    kind = column.type
    if isinstance(kind, sa.Enum):
        return kind.enums[n % len(kind.enums)]
    if isinstance(kind, postgresql.JSONB):
        return {"n": n}
    if isinstance(kind, sa.Uuid):
        return uuid.uuid4()
    if isinstance(kind, sa.Boolean):
        return n % 2 == 0
    if isinstance(kind, sa.DateTime):
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n)
    if isinstance(kind, sa.Integer | sa.BigInteger | sa.Numeric | sa.Float):
        return n + 1
    if isinstance(kind, sa.String | sa.Text):
        length = getattr(kind, "length", None) or 60
        return f"{column.name}-{n}-{uuid.uuid4().hex}"[:length]
    raise AssertionError(f"no test value for {column.table.name}.{column.name}: {kind!r}")


def test_a_database_filled_at_the_first_migration_upgrades_to_head_with_its_data(
    new_database,
):
    from alembic import command

    url = new_database()
    config = migrations.config()
    config.cmd_opts = type("Opts", (), {"x": [f"url={url}"]})()
    command.upgrade(config, "0001")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    first = sa.MetaData()
    first.reflect(engine)
    filled: dict[str, list] = {}
    with engine.begin() as conn:
        for table in first.sorted_tables:
            if table.name == "alembic_version":
                continue
            key = next(iter(table.primary_key.columns))
            for n in range(3):
                values = {
                    c.name: _value(c, n, filled)
                    for c in table.columns
                    if not (c.identity is not None or (c.autoincrement is True and c is key))
                }
                found = conn.execute(table.insert().values(values).returning(key)).scalar()
                filled.setdefault(table.name, []).append(found)
    before = rows(url)
    engine.dispose()

    done = herald("migrate", env={"HERALD_DATABASE_URL": url})
    assert done.returncode == 0, done.stdout + done.stderr
    head = migrations.head_revision()
    assert f"database schema migrated to {head}" in done.stdout, done.stdout

    after = rows(url)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            migrations.head_revision()
        )
        for table, old in before.items():
            if table == "alembic_version":
                continue
            columns = ", ".join(f'"{c.name}"' for c in first.tables[table].columns)
            kept = sorted(
                tuple(map(str, r)) for r in conn.execute(f'SELECT {columns} FROM "{table}"')
            )
            assert kept == old, f"{table} changed in the upgrade"
    assert set(before) <= set(after)
    # The upgraded instance works: the users filled at 0001 are there for the admin commands.
    listed = herald("users", "list", env={"HERALD_DATABASE_URL": url})
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.strip().splitlines()) == 1 + 3  # a header and the three users


def test_nodes_starting_together_migrate_once(new_database):
    url = new_database()
    env = {**os.environ, "HERALD_DATABASE_URL": url}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "app.cli", "migrate"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert sum("database schema migrated to" in o for o in outputs) == 1, outputs
    assert sum("database schema is current" in o for o in outputs) == 2, outputs


@pytest.mark.usefixtures("clean_db")
def test_admin_commands_create_an_admin_and_reset_a_forgotten_password():
    env = {"HERALD_DATABASE_URL": settings.database_url, "HERALD_DATA_DIR": str(settings.data_dir)}
    registered("first@example.com")  # the first user is the instance admin already
    made = herald(
        "users",
        "create-admin",
        "ops@example.com",
        env={**env, "HERALD_NEW_PASSWORD": "ops password 1!"},
    )
    assert made.returncode == 0 and "ops@example.com is a new instance admin" in made.stdout
    c = client()
    assert (
        c.post(
            "/api/auth/login", json={"email": "ops@example.com", "password": "ops password 1!"}
        ).status_code
        == 200
    )
    assert c.get("/api/admin/users").status_code == 200  # an instance admin indeed

    listed = herald("users", "list", env=env).stdout
    assert "first@example.com" in listed and "ops@example.com" in listed

    # A one-time link: it sets the password once, ends the sessions, then stops working.
    link = herald("users", "reset-password", "ops@example.com", env=env)
    assert link.returncode == 0, link.stderr
    token = link.stdout.strip().split("token=")[1]
    weak = client().post("/api/auth/password-reset", json={"token": token, "password": "short"})
    assert weak.status_code == 422
    done = client().post(
        "/api/auth/password-reset", json={"token": token, "password": "a brand new secret"}
    )
    assert done.status_code == 204, done.text
    assert c.get("/api/me").status_code == 401  # the old session ended
    reused = client().post(
        "/api/auth/password-reset", json={"token": token, "password": "yet another secret"}
    )
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "invalid_reset_link"
    assert (
        client()
        .post(
            "/api/auth/login", json={"email": "ops@example.com", "password": "a brand new secret"}
        )
        .status_code
        == 200
    )

    # Or set it directly (read from stdin, never from the command line).
    set_now = herald(
        "users", "reset-password", "first@example.com", "--set", env=env, stdin="typed in secret\n"
    )
    assert set_now.returncode == 0, set_now.stderr
    assert (
        client()
        .post("/api/auth/login", json={"email": "first@example.com", "password": "typed in secret"})
        .status_code
        == 200
    )
    unknown = herald("users", "reset-password", "nobody@example.com", env=env)
    assert unknown.returncode == 1 and "No user with the email" in unknown.stderr


def test_doctor_names_what_a_public_deployment_lacks():
    env = {
        "HERALD_DATABASE_URL": settings.database_url,
        "HERALD_REDIS_URL": settings.redis_url,
        "HERALD_BASE_URL": "http://herald.example.com",
        "HERALD_SANDBOX": "1",
    }
    report = herald("doctor", env=env)
    out = report.stdout
    assert "✓ migrations" in out and "✓ postgresql" in out and "✓ redis" in out
    assert "✗ worker" in out and report.returncode == 1  # no worker runs for this database
    gaps = ("not https", "HERALD_SECRET_KEY unset", "sandbox mode is on", "HERALD_SENTRY_DSN")
    for gap in (*gaps, "no email (HERALD_SMTP_HOST)"):
        assert gap in out, out
