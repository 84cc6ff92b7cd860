"""Several nodes on one PostgreSQL and one Redis: two web nodes behind a non-sticky balancer,
two worker pools and two schedulers, all started with Herald's own commands.

A browser session keeps working while its websocket moves between the web nodes and when the
node holding it is killed (UI state lives in Redis); a post created on node A is published
exactly once although two schedulers and two worker pools see it."""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import func, select

from app import db
from app.api.deps import SESSION_COOKIE
from app.models import PublishAttempt, User
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import register
from tests.integration.engine import destinations, mastodon_account, soon, wait_for, wait_settled
from tests.support.processes import free_port, spawn, stop, wait_http
from tests.support.proxy import RoundRobinProxy


@dataclass
class Cluster:
    proxy: RoundRobinProxy
    web: dict[int, object]  # port -> process


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    ports = [free_port(), free_port()]
    python = sys.executable
    with RoundRobinProxy(ports) as proxy:
        shared = {"HERALD_BASE_URL": proxy.url, "GRANIAN_WORKERS": "1", "HERALD_WORKERS": "2"}
        web = {}
        for n, port in enumerate(ports):
            env = {**shared, "HERALD_PORT": str(port)}
            log = ARTIFACTS / f"node{n}-web.log"
            web[port] = spawn([python, "-m", "app.cli", "web"], log, env)
            # One after the other: the first may build the frontend.
            wait_http(f"http://127.0.0.1:{port}/ping", web[port], log)
        engines = [
            spawn([python, "-m", "app.cli", role], ARTIFACTS / f"node{n}-{role}.log", shared)
            for n in range(2)
            for role in ("worker", "scheduler")
        ]
        try:
            yield Cluster(proxy, web)
        finally:
            for proc in [*web.values(), *engines]:
                stop(proc)


def _moved(cluster: Cluster, before: int) -> int:
    """Wait for the browser's websocket to reconnect; the backend that took it."""
    wait_for(lambda: len(cluster.proxy.websockets) > before, 30, "the websocket to reconnect")
    return cluster.proxy.websockets[-1]


def _works(page: Page, email: str) -> None:
    """A server round trip: navigate, the page's on_load loads data from the server."""
    page.click("#nav-accounts")
    expect(page.locator("#page-title")).to_have_text("Accounts")
    expect(page.locator(".account-card[data-platform='mastodon']")).to_be_visible()
    page.click("#nav-dashboard")
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    expect(page.locator("#user-email")).to_have_text(email)


def test_a_session_survives_websocket_moves_and_a_dead_node_and_posts_publish_once(
    cluster: Cluster, browser: Browser, sim
):
    ctx = browser.new_context()
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    email = f"nodes-{uuid.uuid4().hex[:8]}@example.com"
    register(page, cluster.proxy.url, email, "Nora Nodes")
    expect(page.locator("#user-email")).to_have_text(email, timeout=30_000)
    with db.session() as s:
        user = s.exec(select(User).where(User.email == email)).one()
    from app.services.workspaces import list_workspaces

    wid = list_workspaces(user)[0].id
    account = mastodon_account(sim, user, wid, "nora")
    _works(page, email)

    # The balancer drops connections; each reconnect may land on the other node.
    served = {cluster.proxy.websockets[-1]}
    for _ in range(6):
        before = len(cluster.proxy.websockets)
        cluster.proxy.drop_all()
        served.add(_moved(cluster, before))
        _works(page, email)
        if served == set(cluster.web):
            break
    assert served == set(cluster.web), f"the websocket never moved: {cluster.proxy.websockets}"

    # A post created on node A (directly, not through the balancer) is published once.
    node_a = min(cluster.web)
    token = next(c["value"] for c in ctx.cookies() if c["name"] == SESSION_COOKIE)
    text = f"Once, from node A {uuid.uuid4().hex[:6]}"
    r = httpx.post(
        f"http://127.0.0.1:{node_a}/api/posts",
        json={
            "content": text,
            "account_ids": [str(account.id)],
            "scheduled_at": soon(2).isoformat(),
        },
        headers={"X-Workspace-Id": str(wid)},
        cookies={SESSION_COOKIE: token},
    )
    assert r.status_code == 201, r.text
    post_id = uuid.UUID(r.json()["id"])
    [dest] = wait_settled(post_id, timeout=60)
    assert dest.status == "published"
    time.sleep(3)  # room for a duplicate to show up, if any scheduler or worker made one
    assert [p["text"] for p in sim.sim.posts("mastodon")].count(text) == 1
    with db.session() as s:
        attempts = s.exec(
            select(func.count()).where(PublishAttempt.destination_id == dest.id)
        ).one()
    assert attempts == 1
    assert [d.status for d in destinations(post_id)] == ["published"]

    # Kill the node that holds the websocket: the browser carries on with the other one.
    holder = cluster.proxy.live_websocket_backend()
    assert holder is not None
    before = len(cluster.proxy.websockets)
    stop(cluster.web[holder])
    survivor = _moved(cluster, before)
    assert survivor != holder
    _works(page, email)
    ctx.close()
