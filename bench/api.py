"""REST API load: `GET /api/posts` for one month of one workspace, with 100,000 posts across
50 workspaces in the database.

The posts (1–3 destinations each, spread over 2026, a few drafts) are bulk-loaded with COPY
into the benchmark's own database. The REST API (`app.api:create_api`) is served by Granian
(as in production) with --web-workers processes; a lean asyncio client sends --requests requests
with --concurrency in flight, authenticated with an API key, and checks every answer. Also
measured: the whole month in one page (limit 500), and the CPU time per request of the server,
of PostgreSQL (the backends serving the benchmark's database) and of the client, which share the
machine's cores: a slow figure then says where the time went (and `load_1min` how busy the
machine was). Prints its figures last, as one JSON line (milliseconds for times).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import psutil

from bench import harness

MONTH = (dt.datetime(2026, 6, 1, tzinfo=dt.UTC), dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
YEAR = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
PIVOT = dt.datetime(2026, 6, 15, tzinfo=dt.UTC)  # posts before it are published
PLATFORMS = ("mastodon", "bluesky", "x")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = harness.arguments("bench.api", __doc__)
    p.add_argument("--posts", type=int, default=100_000, help="posts in total (default 100000)")
    p.add_argument("--workspaces", type=int, default=50, help="workspaces (default 50)")
    p.add_argument("--requests", type=int, default=3000, help="measured requests (default 3000)")
    p.add_argument(
        "--concurrency",
        type=int,
        default=os.cpu_count() or 2,
        help="requests in flight (default: one per core; more measures saturation)",
    )
    p.add_argument("--web-workers", type=int, default=2, help="uvicorn processes (default 2)")
    p.add_argument("--limit", type=int, default=50, help="page size (default 50, the API's)")
    return p.parse_args(argv)


def _ts(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def load(n_posts: int, n_workspaces: int) -> tuple[uuid.UUID, str, int]:
    """Bulk-load the data; returns the measured workspace, an API key for it, and how many
    of its posts fall in the measured month."""
    import psycopg

    from app.models import Role
    from app.services import api_keys, auth

    signed = auth.register("bench-api@example.com", "benchmark password")
    owner = signed.user.id
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    workspaces = [uuid.uuid4() for _ in range(n_workspaces)]
    accounts = {w: [uuid.uuid4() for _ in PLATFORMS] for w in workspaces}
    in_month = 0
    began = time.monotonic()
    with psycopg.connect(os.environ["HERALD_DATABASE_URL"]) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY workspaces (id, name, owner_id, subscription_tier, timezone, is_personal, "
            "created_at) FROM STDIN"
        ) as copy:
            for i, w in enumerate(workspaces):
                copy.write_row((w, f"Team {i}", owner, "pro", "UTC", False, now))
        with cur.copy(
            "COPY memberships (id, workspace_id, user_id, role, created_at) FROM STDIN"
        ) as copy:
            for w in workspaces:
                copy.write_row((uuid.uuid4(), w, owner, "admin", now))
        with cur.copy(
            "COPY social_accounts (id, workspace_id, platform, platform_account_id, account_name,"
            " username, avatar_url, meta, access_token, scopes, status, is_sandbox, created_at,"
            " updated_at) FROM STDIN"
        ) as copy:
            for w in workspaces:
                for platform, a in zip(PLATFORMS, accounts[w], strict=True):
                    name = f"{platform}-{a.hex[:8]}"
                    copy.write_row((a, w, platform, name, name, "team", "", "{}", "", "",
                                    "connected", False, now, now))  # fmt: skip
        posts_copy = (
            "COPY posts (id, workspace_id, author_id, content, scheduled_at, timezone, status,"
            " platform_configs, created_at, updated_at) FROM STDIN"
        )
        dests_copy = (
            "COPY post_destinations (id, post_id, social_account_id, status, platform_post_id,"
            " permalink, attempts, pending_state, idempotency_key, published_at, created_at,"
            " updated_at) FROM STDIN"
        )
        span = (YEAR[1] - YEAR[0]).total_seconds()
        rows: list[tuple] = []
        dest_rows: list[tuple] = []
        for i in range(n_posts):
            w = workspaces[i % n_workspaces]
            pid = uuid.uuid4()
            draft = rng.random() < 0.03
            when = None if draft else YEAR[0] + dt.timedelta(seconds=rng.random() * span)
            published = when is not None and when < PIVOT
            status = "draft" if draft else ("published" if published else "scheduled")
            if w == workspaces[0] and when is not None and MONTH[0] <= when < MONTH[1]:
                in_month += 1
            text = f"Post {i}: " + " ".join(rng.choices(WORDS, k=rng.randint(8, 40)))
            rows.append((pid, w, owner, text, _ts(when), "UTC", status, "{}", now, now))
            for a in rng.sample(accounts[w], rng.randint(1, 3)):
                did = uuid.uuid4()
                dest_rows.append((
                    did, pid, a, "published" if published else "pending",
                    f"p{did.hex[:12]}" if published else None,
                    f"https://social.example/{did.hex[:12]}" if published else None,
                    1 if published else 0, "{}", uuid.uuid4(),
                    _ts(when) if published else None, now, now,
                ))  # fmt: skip
        with cur.copy(posts_copy) as copy:
            for row in rows:
                copy.write_row(row)
        with cur.copy(dests_copy) as copy:
            for row in dest_rows:
                copy.write_row(row)
        conn.commit()
        conn.autocommit = True
        cur.execute("ANALYZE")
    print(f"loaded {n_posts} posts, {len(dest_rows)} destinations in {n_workspaces} workspaces "
          f"in {time.monotonic() - began:.1f} s", file=sys.stderr)  # fmt: skip
    key = api_keys.create_key(signed.user, workspaces[0], "bench", Role.viewer)
    return workspaces[0], key.secret, in_month


# fmt: off
WORDS = [
    "launch", "team", "product", "update", "release", "notes", "today", "webinar", "join", "us",
    "new", "feature", "customers", "thanks", "community", "roadmap", "beta", "feedback",
    "weekly", "digest", "behind", "the", "scenes", "hiring", "event", "live",
]
# fmt: on


def explain(wid: uuid.UUID, limit: int) -> None:
    """The plan of the list query (count and page), on stderr."""
    import psycopg

    where = "workspace_id = %s AND scheduled_at >= %s AND scheduled_at < %s"
    args = (wid, *MONTH)
    with psycopg.connect(os.environ["HERALD_DATABASE_URL"]) as conn:
        for sql in (
            f"SELECT count(*) FROM (SELECT id FROM posts WHERE {where}) s",
            f"SELECT * FROM posts WHERE {where} ORDER BY scheduled_at ASC NULLS LAST, created_at "
            f"LIMIT {limit}",
        ):
            plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, args).fetchall()
            print("\n".join(r[0] for r in plan), file=sys.stderr)


def serve(workers: int) -> tuple:
    """The REST API on Granian, the server Herald's web app runs on in production."""
    port = harness.free_port()
    proc = harness.spawn("api", [
        str(Path(sys.executable).parent / "granian"), "--interface", "asgi", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log", "app.api:create_api",
    ])  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # a busy machine starts the workers slowly
    while True:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code in (200, 503):
                return proc, url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"API server did not start; see {harness.LOGS / 'api.log'}")
        time.sleep(0.2)


class Connection:
    """One keep-alive HTTP/1.1 connection that sends the same GET again and again: the client
    shares the machine's cores with the server, so it does little more than read each answer
    (httpx and a full JSON parse per answer cost a third as much CPU as the server)."""

    def __init__(self, url: str, path: str, headers: dict, params: dict) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        lines = [f"GET {path}?{urlencode(params)} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self) -> tuple[int, bytes]:
        """Status and body of one answer."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(self.request)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower().split("\r\n")
        fields = {
            name.strip(): value.strip()
            for name, _, value in (line.partition(":") for line in head[1:])
        }
        if "content-length" not in fields or fields.get("connection") == "close":
            raise RuntimeError(f"unexpected answer framing: {head}")
        body = await reader.readexactly(int(fields["content-length"]))
        return int(head[0].split()[1]), body

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()


def check(status: int, body: bytes, params: dict, expect_total: int, parse: bool) -> None:
    """A page of the month: status 200, the expected total and limit (the envelope's end, as
    the API writes it), items; `parse` reads the whole JSON too (every answer would cost the
    client more than it measures) and checks the number of items."""
    if status != 200:
        raise RuntimeError(f"GET /api/posts answered {status}: {body[:300]!r}")
    limit = params["limit"]
    end = f'],"total":{expect_total},"limit":{limit},"offset":0}}'.encode()
    if not (body.startswith(b'{"items":[{') and body.endswith(end)) or parse:
        page = json.loads(body)
        items = len(page["items"])
        if page["total"] != expect_total or items != min(limit, expect_total):
            raise RuntimeError(f"wrong page: total {page['total']} ≠ {expect_total}, {items} items")


async def hammer(
    url: str, headers: dict, params: dict, n: int, concurrency: int, expect_total: int
) -> tuple[list[float], float]:
    """`n` GETs with `concurrency` in flight: per-request latency (s) and wall time (s)."""
    latencies: list[float] = []
    left = n

    async def one(conn: Connection) -> None:
        nonlocal left
        while left > 0:
            left -= 1
            t0 = time.perf_counter()
            status, body = await conn.get()
            latencies.append(time.perf_counter() - t0)
            check(status, body, params, expect_total, parse=left % 50 == 0)

    connections = [Connection(url, "/api/posts", headers, params) for _ in range(concurrency)]
    try:
        began = time.perf_counter()
        await asyncio.gather(*(one(conn) for conn in connections))
        wall = time.perf_counter() - began
    finally:
        for conn in connections:
            conn.close()
    return latencies, wall


def _cpu(processes: list[psutil.Process]) -> float:
    """CPU seconds (user + system) the processes have used so far."""
    total = 0.0
    for p in processes:
        try:
            times = p.cpu_times()
        except psutil.Error:  # ended meanwhile
            continue
        total += times.user + times.system
    return total


def processes_of(server: subprocess.Popen) -> tuple[list[psutil.Process], ...]:
    """The server's processes, the PostgreSQL backends serving the benchmark's database (its
    pool's connections, opened by the warm-up) and this client's process."""
    import psycopg

    with psycopg.connect(os.environ["HERALD_DATABASE_URL"]) as conn:
        pids = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    workers = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    return workers, [psutil.Process(pid) for (pid,) in pids], [psutil.Process()]


def cpu_used(groups: tuple[list[psutil.Process], ...]) -> tuple[float, ...]:
    return tuple(_cpu(group) for group in groups)


def cpu_figures(before: tuple[float, ...], after: tuple[float, ...], requests: int) -> dict:
    names = ("server", "postgres", "client")
    return {
        f"{name}_cpu_ms_per_request": round((a - b) / requests * 1000, 2)
        for name, a, b in zip(names, after, before, strict=True)
    }


def figures_of(prefix: str, latencies: list[float], wall: float) -> dict:
    ms = [v * 1000 for v in latencies]
    return {
        f"{prefix}p50_ms": round(harness.percentile(ms, 50), 1),
        f"{prefix}p95_ms": round(harness.percentile(ms, 95), 1),
        f"{prefix}p99_ms": round(harness.percentile(ms, 99), 1),
        f"{prefix}requests_per_s": round(len(ms) / wall, 1),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    harness.start_services({})
    proc = None
    try:
        wid, key, in_month = load(args.posts, args.workspaces)
        explain(wid, args.limit)
        proc, url = serve(args.web_workers)
        headers = {"Authorization": f"Bearer {key}", "X-Workspace-Id": str(wid)}
        month = {"from": MONTH[0].isoformat(), "to": MONTH[1].isoformat()}
        page = {**month, "limit": args.limit}
        whole = {**month, "limit": 500}
        # Warm up: connections, pools, imports in every worker.
        asyncio.run(hammer(url, headers, page, 200, args.concurrency, in_month))
        groups = processes_of(proc)
        before = cpu_used(groups)
        lat, wall = asyncio.run(
            hammer(url, headers, page, args.requests, args.concurrency, in_month)
        )
        cpu = cpu_figures(before, cpu_used(groups), args.requests)
        figures = (
            {
                "posts": args.posts,
                "workspaces": args.workspaces,
                "month_posts": in_month,
                "limit": args.limit,
                "requests": args.requests,
                "concurrency": args.concurrency,
                "web_workers": args.web_workers,
                "cores": os.cpu_count(),
            }
            | figures_of("", lat, wall)
            | cpu
            | {"load_1min": round(os.getloadavg()[0], 1)}
        )
        print(f"page of {args.limit}: {figures}", file=sys.stderr)
        lat, wall = asyncio.run(
            hammer(url, headers, whole, args.requests // 3, args.concurrency, in_month)
        )
        figures |= figures_of("whole_month_", lat, wall)
        # Latency with nothing queued (one request at a time).
        lat, wall = asyncio.run(hammer(url, headers, page, args.requests // 3, 1, in_month))
        figures |= figures_of("serial_", lat, wall)
    finally:
        if proc is not None:
            harness.stop(proc)
        harness.SERVICES.stop()
    harness.emit(figures)


if __name__ == "__main__":
    main()
