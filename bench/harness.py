"""What the benchmarks share: their own database and Redis, the simulator as a process, the
worker pool and the scheduler as processes, and the load of due posts.

Import this before any `app` module: it points the settings at the benchmark's own services.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from tests.support import processes
from tests.support.processes import free_port, stop, wait_http
from tests.support.services import TestServices

ROOT = Path(__file__).resolve().parent.parent
LOGS = Path(tempfile.mkdtemp(prefix="herald-bench-logs-"))
SERVICES = TestServices(data_dir=Path(tempfile.mkdtemp(prefix="herald-bench-")))


def start_services(env: dict[str, str]) -> None:
    """Own database + Redis db, migrated; `env` is applied to this process and children."""
    SERVICES.start()
    os.environ.update(
        HERALD_DATABASE_URL=SERVICES.database_url,
        HERALD_REDIS_URL=SERVICES.redis_url,
        HERALD_DATA_DIR=str(SERVICES.data_dir / "data"),
        HERALD_LOG_LEVEL="WARNING",
        HERALD_DEFAULT_TIER="business",  # benchmarks are not capped by plan limits
        # The simulator poses as the platforms on loopback, which the guarded client refuses.
        HERALD_OUTBOUND_ALLOW="127.0.0.1",
        **env,
    )
    subprocess.run(
        [str(Path(sys.executable).parent / "alembic"), "upgrade", "head"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip


def spawn(name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return processes.spawn(argv, LOGS / f"{name}.log", env)


class Simulator:
    """The platform simulator in its own process, driven over HTTP."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = spawn(
            "simulator",
            [sys.executable, "-m", "simulator", "--port", str(self.port), "--log-level",
             "warning", "--seed", "1"],
        )  # fmt: skip
        self.http = httpx.Client(base_url=self.url, timeout=30)
        wait_http(f"{self.url}/_sim/health", self.proc, LOGS / "simulator.log", timeout=20)

    def post(self, path: str, body: dict) -> dict:
        r = self.http.post(path, json=body)
        r.raise_for_status()
        return r.json()

    def posts(self) -> list[dict]:
        return self.http.get("/_sim/posts").json()["posts"]

    def close(self) -> None:
        self.http.close()
        stop(self.proc)


@dataclass
class Load:
    """Destinations created for a run: id → (text, due instant), and how long creating each
    post took (through the service, as the composer and the REST API create them)."""

    due: dict[uuid.UUID, tuple[str, dt.datetime]]
    create_ms: list[float]


def make_accounts(sim: Simulator, count: int, platforms: tuple[str, ...] = ("mastodon",)):
    """`count` accounts spread over `platforms`, connected through the accounts service."""
    from app.providers.base import TokenSet
    from app.providers.registry import get_provider
    from app.services import accounts, auth
    from app.services.workspaces import list_workspaces

    signed = auth.register(f"bench-{uuid.uuid4().hex[:6]}@example.com", "benchmark password")
    wid = list_workspaces(signed.user)[0].id
    made = []
    for i in range(count):
        platform = platforms[i % len(platforms)]
        api_base = f"{sim.url}/{platform}"
        minted = sim.post(f"/_sim/{platform}/tokens", {"username": f"acct{i}"})
        expires = minted.get("expires_at")
        token = TokenSet(
            access_token=minted["access_token"],
            refresh_token=minted.get("refresh_token"),
            expires_at=dt.datetime.fromtimestamp(expires, dt.UTC)
            if isinstance(expires, int | float)
            else (dt.datetime.fromisoformat(expires) if expires else None),
        )
        provider = get_provider(
            platform, **{**accounts.platform_config(platform), "api_base": api_base}
        )
        info = provider.account_info(token)
        made.append(
            accounts.save_account(signed.user, wid, platform, token, info, api_base=api_base)
        )
    return signed.user, wid, made


# Posts are created due this far ahead, then moved to their real due times (set_due): the time
# it takes to create them never eats into the benchmark's schedule.
PARKED = dt.timedelta(days=1)


def make_load(user, wid, accounts_, count: int, tag: str) -> Load:
    """`count` posts round-robin over the accounts, created through the service (each timed),
    due a day from now until set_due moves them."""
    from app.services import posts

    due, create_ms = {}, []
    later = dt.datetime.now(dt.UTC) + PARKED
    for i in range(count):
        text = f"{tag} #{i}"
        account = accounts_[i % len(accounts_)]
        data = posts.PostInput(content=text, account_ids=[account.id], scheduled_at=later)
        began = time.perf_counter()
        view, _ = posts.create_post(user, wid, data, mode="schedule")
        create_ms.append((time.perf_counter() - began) * 1000)
        due[view.destinations[0].id] = (text, later)
    return Load(due, create_ms)


def set_due(load: Load, times: list[dt.datetime]) -> float:
    """Move the load to its due times (one statement), schedule their jobs, and return how many
    seconds were left before the first one was due (negative: the figures are not valid)."""
    from sqlalchemy import bindparam, text
    from sqlalchemy.dialects.postgresql import ARRAY, TIMESTAMP, UUID

    from app import db
    from app.config import settings
    from app.services import schedule

    ids = list(load.due)
    give_up = dt.timedelta(seconds=settings.give_up_after_seconds)
    with db.engine().begin() as conn:
        conn.execute(
            text(
                "WITH t AS (SELECT * FROM unnest(:ids, :times) AS t(id, due)), "
                "d AS (UPDATE post_destinations SET next_attempt_at = t.due, "
                "give_up_at = t.due + :give_up FROM t WHERE post_destinations.id = t.id "
                "RETURNING post_id, t.due) "
                "UPDATE posts SET scheduled_at = d.due FROM d WHERE posts.id = d.post_id"
            ).bindparams(
                bindparam("ids", type_=ARRAY(UUID(as_uuid=True))),
                bindparam("times", type_=ARRAY(TIMESTAMP(timezone=True))),
            ),
            {"ids": ids, "times": times, "give_up": give_up},
        )
    for dest_id, at in zip(ids, times, strict=True):
        schedule.schedule_publish(dest_id, at)
        load.due[dest_id] = (load.due[dest_id][0], at)
    return (min(times) - dt.datetime.now(dt.UTC)).total_seconds()


def spread_due(load: Load, window: float) -> list[dt.datetime]:
    """Set the load due evenly over `window` seconds from a moment after its jobs are scheduled
    (3 s, and 3 ms a destination); the due times, in the load's order."""
    n = len(load.due)
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3 + n * 0.003)
    times = [start + dt.timedelta(seconds=window * i / n) for i in range(n)]
    set_due(load, times)
    return times


# Destination states a run must not end in.
STUCK = ("pending", "queued", "publishing", "processing", "unknown")


def wait_unstuck(deadline: float) -> None:
    """Until no destination is in a STUCK state, or the monotonic `deadline`."""
    while time.monotonic() < deadline:
        if not any(counts().get(s, 0) for s in STUCK):
            return
        time.sleep(1)


def shut_down(procs: list[subprocess.Popen], sim: Simulator) -> None:
    """Stop Herald's processes, the simulator and the services (the end of a run)."""
    for proc in procs:
        stop(proc)
    sim.close()
    SERVICES.stop()


def arguments(module: str, doc: str | None) -> argparse.ArgumentParser:
    """The command line of `python -m <module>`, its docstring as the help text."""
    return argparse.ArgumentParser(
        prog=f"python -m {module}",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def load_arguments(
    p: argparse.ArgumentParser, destinations: int, accounts: int, window: float, settle: float
) -> None:
    """The load options shared by the chaos and outage benches, with these defaults."""
    p.add_argument(
        "--destinations", type=int, default=destinations, help=f"N (default {destinations})"
    )
    p.add_argument(
        "--accounts", type=int, default=accounts, help=f"M accounts (default {accounts})"
    )
    p.add_argument(
        "--window", type=float, default=window, help=f"load spread in s (default {window:g})"
    )
    p.add_argument("--latency-ms", type=int, default=50, help="simulator latency (default 50)")
    p.add_argument("--settle", type=float, default=settle, help="max wait after the load (s)")


def counts() -> dict[str, int]:
    """How many destinations are in each state."""
    from sqlalchemy import text

    from app import db

    with db.engine().connect() as conn:
        return dict(
            conn.execute(
                text("SELECT status::text, count(*) FROM post_destinations GROUP BY status")
            ).all()
        )


def count_destinations(where: str) -> int:
    """How many destinations match the SQL condition `where`."""
    from sqlalchemy import text

    from app import db

    with db.engine().connect() as conn:
        return conn.execute(
            text(f"SELECT count(*) FROM post_destinations WHERE {where}")
        ).scalar_one()


def settled_count() -> int:
    return count_destinations("status IN ('published','failed')")


def wait_settled(total: int, deadline: float) -> None:
    while time.monotonic() < deadline and settled_count() < total:
        time.sleep(0.25)


def process_tree_cpu_s(proc: subprocess.Popen) -> float:
    """CPU seconds (user + system) used so far by a process and its children."""
    try:
        root = psutil.Process(proc.pid)
        procs = [root, *root.children(recursive=True)]
        return sum(sum(p.cpu_times()[:2]) for p in procs)
    except psutil.NoSuchProcess:
        return 0.0


def pg_backends_cpu_s() -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend of this benchmark's database (the
    server must be on this machine: its backends' /proc entries are read)."""
    from sqlalchemy import text

    from app import db

    with db.engine().connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        out = {}
        for pid in pids:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                out[pid] = sum(psutil.Process(pid).cpu_times()[:2])
        return out


def pg_exited_backends_cpu_s() -> float:
    """CPU seconds of the PostgreSQL backends that exited so far (the postmaster's reaped
    children; backends of every database on the server: other clients' show up too)."""
    from sqlalchemy import text

    from app import db

    with db.engine().connect() as conn:
        directory = conn.execute(text("SHOW data_directory")).scalar_one()
    try:
        pid = int(Path(directory, "postmaster.pid").read_text().split()[0])
        # /proc/<pid>/stat: fields 16 and 17 are cutime and cstime, in clock ticks.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def pg_transactions() -> tuple[int, int]:
    """Transactions committed and sessions opened in this benchmark's database so far (an
    autocommit statement is one transaction; a session is a backend process forked)."""
    from sqlalchemy import text

    from app import db

    with db.engine().connect() as conn:
        return conn.execute(
            text(
                "SELECT xact_commit, sessions FROM pg_stat_database "
                "WHERE datname = current_database()"
            )
        ).one()


def redis_work() -> tuple[float, int]:
    """The Redis server's CPU seconds and commands processed so far (server-wide: on a shared
    server, other clients' work is included)."""
    from app.redis_client import redis

    info = redis().info("all")
    return info["used_cpu_sys"] + info["used_cpu_user"], info["total_commands_processed"]


class Work:
    """CPU seconds by process group (and PostgreSQL transactions, Redis commands) between
    `Work(...)` and `.done()`: the cost of a run, which a loaded machine inflates much less than
    wall-clock time."""

    def __init__(self, groups: dict[str, list[subprocess.Popen]]) -> None:
        self.groups = groups
        self.cpu = {g: sum(process_tree_cpu_s(p) for p in ps) for g, ps in groups.items()}
        self.pg = pg_backends_cpu_s()
        self.pg_exited = pg_exited_backends_cpu_s()
        self.xacts = pg_transactions()
        self.redis_cpu, self.redis_cmds = redis_work()

    def done(self, count: int) -> dict[str, float]:
        """Per settled destination: CPU ms by group (PostgreSQL: this database's live backends,
        and the backends of any database that exited meanwhile), PostgreSQL transactions and
        Redis commands; and how many PostgreSQL sessions were opened."""
        count = max(1, count)
        out = {
            f"cpu_ms_per_dest_{g}": (sum(process_tree_cpu_s(p) for p in ps) - self.cpu[g])
            for g, ps in self.groups.items()
        }
        out["cpu_ms_per_dest_postgres"] = sum(
            s - self.pg.get(pid, 0.0) for pid, s in pg_backends_cpu_s().items()
        )
        out["cpu_ms_per_dest_postgres_exited"] = pg_exited_backends_cpu_s() - self.pg_exited
        redis_cpu, redis_cmds = redis_work()
        out["cpu_ms_per_dest_redis"] = redis_cpu - self.redis_cpu
        out = {k: round(v * 1000 / count, 2) for k, v in out.items()}
        xacts, sessions = pg_transactions()
        out["pg_xacts_per_dest"] = round((xacts - self.xacts[0]) / count, 2)
        out["pg_sessions"] = sessions - self.xacts[1]
        out["redis_cmds_per_dest"] = round((redis_cmds - self.redis_cmds) / count, 2)
        return out


def process_tree_rss_mb(proc: subprocess.Popen) -> float:
    """RSS of a process and its children, in MiB."""
    try:
        root = psutil.Process(proc.pid)
        procs = [root, *root.children(recursive=True)]
        return sum(p.memory_info().rss for p in procs) / 2**20
    except psutil.NoSuchProcess:
        return 0.0


def cpu_reference_s() -> float:
    """Seconds one core takes for a fixed pure-Python loop (best of three): the machine's
    speed at that moment, printed beside timings so that runs on different machines, or on a
    shared host whose speed drifts, can be compared."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.perf_counter() - began)
    return round(best, 3)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure(
    load: Load, sim: Simulator, started: float, dump: Path | None = None
) -> dict[str, float | int]:
    """Lateness (platform receive − schedule), throughput, duplicates and losses."""
    from sqlalchemy import text

    from app import db

    by_text: dict[str, list[dict]] = {}
    for p in sim.posts():
        by_text.setdefault(p["text"], []).append(p)
    lateness, received, rows = [], [], ["text,due,received,lateness_s"]
    duplicates = lost = 0
    for text_, at in load.due.values():
        got = by_text.get(text_, [])
        if not got:
            lost += 1
            continue
        duplicates += len(got) - 1
        first = min(dt.datetime.fromisoformat(p["received_at"]) for p in got)
        lateness.append((first - at).total_seconds())
        received.append(first)
        rows.append(f"{text_},{at.isoformat()},{first.isoformat()},{lateness[-1]:.3f}")
    if dump:
        dump.write_text("\n".join(rows) + "\n")
    with db.engine().connect() as conn:
        states = dict(
            conn.execute(
                text("SELECT status::text, count(*) FROM post_destinations GROUP BY status")
            ).all()
        )
        claimed = dict(
            conn.execute(
                text(
                    "SELECT destination_id, min(started_at) FROM publish_attempts "
                    "GROUP BY destination_id"
                )
            ).all()
        )
    # When a worker took the job, minus the due time: separates queueing from sending.
    claim_lateness = [
        (claimed[d] - at).total_seconds() for d, (_, at) in load.due.items() if d in claimed
    ]
    first_due = min(at for _, at in load.due.values())
    span = (max(received) - first_due).total_seconds() if received else float("nan")
    return {
        "lateness_p50_s": round(percentile(lateness, 50), 3),
        "lateness_p99_s": round(percentile(lateness, 99), 3),
        "lateness_max_s": round(max(lateness), 3) if lateness else float("nan"),
        "throughput_per_s": round(len(received) / span, 1) if span and span > 0 else 0.0,
        "all_published_after_s": round(span, 3),
        "published": states.get("published", 0),
        "failed": states.get("failed", 0),
        "duplicates": duplicates,
        "lost": lost,
        "claim_lateness_p50_s": round(percentile(claim_lateness, 50), 3),
        "claim_lateness_p99_s": round(percentile(claim_lateness, 99), 3),
        "run_seconds": round(time.monotonic() - started, 1),
    }


def reset(sim: Simulator) -> None:
    """Empty the database's data and the Redis db between runs."""
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import app.models  # noqa: F401
    from app import db
    from app.redis_client import redis

    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with db.engine().begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    redis().flushdb()
    sim.post("/_sim/reset", {})


def emit(figures: dict) -> None:
    print(json.dumps(figures), flush=True)
