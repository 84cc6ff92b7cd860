"""The sandbox survives a restart: `python -m app.cli run` (what `make run` runs) started, stopped
with Ctrl-C (SIGINT) and started again on the same data folder. One sandbox account per network
stays connected, posts scheduled before and after the restart go out exactly once, and the
simulator's feed shows both. Then the saved state is made unusable (an older format): Herald
says so once, holds the posts instead of failing them, and reconnects everything in one call.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select

from app import db
from app.config import settings
from app.models import SocialAccount
from app.services import accounts as account_service
from app.services import metrics, sandbox
from tests.integration.engine import wait_for
from tests.integration.helpers import PASSWORD
from tests.integration.test_platforms import SAMPLES, add_media
from tests.support.processes import ROOT, free_port

pytestmark = pytest.mark.usefixtures("clean_db")

LOG = ROOT / "test-artifacts" / "sandbox-restart.log"
NETWORKS = sorted(SAMPLES)  # all ten
# The run's engine on fast clocks, one worker process (two cores are shared).
FAST = {
    "HERALD_WORKERS": "1",
    "HERALD_WORKER_CONCURRENCY": "8",
    "HERALD_WORKER_MEDIA_CONCURRENCY": "2",
    "HERALD_RECONCILE_SECONDS": "2",
    "HERALD_SCHEDULER_INTERVAL": "0.5",
    "HERALD_VERIFY_DELAY_SECONDS": "2",
    "HERALD_RETRY_BASE_SECONDS": "0.3",
    "HERALD_RETRY_MAX_SECONDS": "2",
}


class Run:
    """`python -m app.cli run` on the test run's database, Redis and data folder."""

    def __init__(self) -> None:
        self.port, self.sim_port = free_port(), free_port()
        self.env = {
            **FAST,
            "HERALD_PORT": str(self.port),
            "HERALD_SANDBOX_PORT": str(self.sim_port),
        }
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def sim(self) -> str:
        return f"http://127.0.0.1:{self.sim_port}"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HERALD_SANDBOX")}
        env.pop("HERALD_BASE_URL", None)  # localhost: sandbox mode on, as for a newcomer
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "run"],
            cwd=ROOT,
            env={**env, **self.env, "PYTHONUNBUFFERED": "1"},
            stdout=LOG.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300  # the first start may build the frontend
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"`run` exited ({self.proc.returncode}): see {LOG}"
            try:
                if httpx.get(f"{self.base}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"`run` not healthy: see {LOG}")

    def interrupt(self) -> None:
        """Ctrl-C in the terminal: SIGINT to the foreground process group."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGINT)
        assert self.proc.wait(60) == 0
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


@pytest.fixture
def run(monkeypatch) -> Iterator[Run]:
    LOG.parent.mkdir(exist_ok=True)
    LOG.write_text("")
    shutil.rmtree(settings.data_dir / "sandbox", ignore_errors=True)
    herald = Run()
    # This process reads the same database: its services find the same simulator.
    monkeypatch.setattr(settings, "sandbox", True)
    monkeypatch.setattr(settings, "sandbox_url", herald.sim)
    try:
        yield herald
    finally:
        herald.kill()


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    email = f"r{uuid.uuid4().hex[:6]}@example.com"
    r = client.post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Rae"}
    )
    assert r.status_code == 201, r.text
    client.headers["X-Workspace-Id"] = r.json()["workspaces"][0]["id"]
    return client


def login(base: str, client: httpx.Client) -> httpx.Client:
    """The same user in a new browser session against the restarted Herald."""
    fresh = httpx.Client(base_url=base, timeout=30, headers=dict(client.headers))
    fresh.cookies = client.cookies
    return fresh


def connect(client: httpx.Client, platform: str) -> dict:
    """One-click sandbox connect; the first account when a login offers several."""
    if platform == "bluesky":
        r = client.post("/api/accounts/login/bluesky", json={"sandbox": True})
        assert r.status_code == 201, r.text
        return r.json()
    r = client.post(f"/api/accounts/connect/{platform}", json={"sandbox": True})
    assert r.status_code == 200, r.text
    callback = urlsplit(r.json()["authorize_url"])
    params = {k: v[0] for k, v in parse_qs(callback.query).items()}
    done = client.get(callback.path, params=params, follow_redirects=False)
    query = parse_qs(urlsplit(done.headers["location"]).query)
    assert "error" not in query, query
    if "pick" in query:
        key = query["pick"][0]
        first = client.get(f"/api/accounts/pending/{key}").json()["choices"][0]
        r = client.post(f"/api/accounts/pending/{key}", json={"ids": [first["id"]]})
        assert r.status_code == 201, r.text
        return r.json()[0]
    [account] = [a for a in client.get("/api/accounts").json() if a["platform"] == platform]
    return account


def options(platform: str, account: dict, wid: str) -> dict:
    """What a post on this network needs (media, board, privacy)."""
    if platform == "pinterest":  # the account's own board, read through Herald's provider
        with db.session() as s:
            row = s.get(SocialAccount, uuid.UUID(account["id"]))
            assert row is not None
            provider = account_service.provider_for(row)
            board = provider.boards(account_service.token_of(row))[0]  # type: ignore[attr-defined]
        return {"platform_configs": {"pinterest": {"board_id": board["id"], "media_url":
                "https://cdn.example.com/herald/cat.jpg"}}}  # fmt: skip
    sample = SAMPLES[platform]({"account": account})
    # Each post its own bytes: YouTube refuses a video it already has.
    media = [
        (mime, name, data + uuid.uuid4().bytes) for mime, name, data in sample.get("media", [])
    ]
    return {
        "platform_configs": sample.get("platform_configs", {}),
        "media_ids": [add_media(wid, *m) for m in media],
    }


def schedule(client: httpx.Client, accounts: dict, tag: str, seconds: float) -> dict[str, str]:
    """One post per network `seconds` from now; post id per text."""
    wid = client.headers["X-Workspace-Id"]
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).isoformat()
    out = {}
    for platform, account in accounts.items():
        text = f"{tag} on {platform} {uuid.uuid4().hex[:6]}"
        body = {"content": text, "account_ids": [account["id"]], "scheduled_at": at}
        r = client.post("/api/posts", json=body | options(platform, account, wid))
        assert r.status_code == 201, r.text
        out[text] = r.json()["id"]
    return out


def published(client: httpx.Client, posts: dict[str, str], timeout: float = 60) -> None:
    def done() -> bool:
        states = {t: client.get(f"/api/posts/{p}").json() for t, p in posts.items()}
        failed = {
            t: [d["error_message"] for d in p["destinations"]]
            for t, p in states.items()
            if p["status"] == "failed"
        }
        assert not failed, failed
        return all(p["status"] == "published" for p in states.values())

    wait_for(done, timeout, f"{len(posts)} posts to publish")


def feed(run: Run) -> list[str]:
    r = httpx.get(
        f"{run.sim}/_sim/posts", headers={"X-Sim-Secret": settings.resolved_sandbox_secret}
    )
    assert r.status_code == 200, r.text
    return [p["text"] for p in r.json()["posts"]]


def test_a_restart_keeps_the_sandbox_and_a_lost_state_is_reconnected_in_one_click(run: Run):
    run.start()
    client = signed_in(run.base)
    accounts = {p: connect(client, p) for p in NETWORKS}
    before = schedule(client, accounts, "before", 1)
    published(client, before)
    due_meanwhile = schedule(client, accounts, "across", 12)  # due while Herald restarts

    run.interrupt()
    assert (settings.data_dir / "sandbox" / "state.json").exists()
    run.start()
    client = login(run.base, client)

    listed = client.get("/api/accounts").json()
    assert {a["platform"] for a in listed} == set(NETWORKS)
    assert all(a["status"] == "connected" for a in listed), listed
    assert client.get("/api/sandbox/status").json()["reset"] is False
    after = schedule(client, accounts, "after", 1)
    published(client, due_meanwhile | after)
    texts = feed(run)
    for text in before | due_meanwhile | after:
        assert texts.count(text) == 1, text  # each exactly once, the earlier ones still there
    shown = {p["text"] for p in client.get("/api/sandbox/posts").json()}  # Herald's own feed
    assert set(before | due_meanwhile | after) <= shown
    # Analytics still read every network's earlier posts and accounts from the simulator.
    counts = metrics.sync()
    assert counts["errors"] == 0 and counts["posts"] >= 3 * len(NETWORKS), counts

    # The saved state becomes unusable (written by an older simulator): Herald says so once.
    waiting = schedule(client, {"x": accounts["x"]}, "held", 10)  # due after the next start
    run.interrupt()
    path = settings.data_dir / "sandbox" / "state.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | {"format": 0}))
    run.start()
    client = login(run.base, client)
    status = client.get("/api/sandbox/status").json()
    assert status["reset"] is True and len(status["stale_accounts"]) == len(NETWORKS)
    assert "reconnected" in status["message"]
    listed = client.get("/api/accounts").json()
    assert {a["last_error"] for a in listed} == {sandbox.ACCOUNT_MESSAGE}
    assert {a["status"] for a in listed} == {"expired"}

    # A post that comes due waits for the reconnect instead of failing...
    [post_id] = waiting.values()

    def held() -> dict | None:
        post = client.get(f"/api/posts/{post_id}").json()
        [dest] = post["destinations"]
        return dest if dest["error_message"] == sandbox.RESET_MESSAGE else None

    dest = wait_for(held, 20, "the post to wait for the sandbox")
    assert dest["status"] == "queued"
    # ...and one click reconnects every account (same rows) and sends it at once.
    r = client.post("/api/sandbox/reconnect")
    assert r.status_code == 200, r.text
    assert r.json()["failed"] == {}
    assert {a["id"] for a in r.json()["reconnected"]} == {a["id"] for a in listed}
    assert client.get("/api/sandbox/status").json()["reset"] is False
    assert all(a["status"] == "connected" for a in client.get("/api/accounts").json())
    published(client, waiting, timeout=20)
    assert feed(run).count(next(iter(waiting))) == 1
    assert (Path(path).with_name("state.json.old")).exists()
    with db.session() as s:  # no second row per network: the old ones were reconnected
        assert len(s.exec(select(SocialAccount)).all()) == len(NETWORKS)
