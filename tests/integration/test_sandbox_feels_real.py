"""A sandbox that feels real, through the REST API and the simulator over HTTP: a published
sandbox post links to the simulator's page of it, sandbox accounts have drawn avatars, and the
post's metrics grow with its age (deterministically: `simulator.organic.counts`)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from app import db
from app.config import settings
from app.models import PostDestination
from app.services import metrics, publishing, sandbox
from simulator import SimServer, Simulator, organic
from tests.integration.helpers import registered
from tests.integration.test_sandbox import connect_sandbox

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    # As `make run` starts it: organic engagement on, its controls behind the secret.
    sim = Simulator(seed=11, organic=True)
    with SimServer(sim, secret=settings.resolved_sandbox_secret) as srv:
        yield srv


@pytest.fixture
def admin(server, monkeypatch):
    monkeypatch.setattr(settings, "sandbox", True)
    monkeypatch.setattr(settings, "sandbox_url", server.url)
    client, me = registered(f"a{uuid.uuid4().hex[:6]}@example.com", "Ada Admin")
    client.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    return client


def _local(url: str) -> str:
    """The path and query of a URL at Herald's public address (the test client's base)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == settings.base_url, url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _publish(admin, account_id: str, text: str) -> tuple[str, PostDestination]:
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    r = admin.post(
        "/api/posts",
        json={"content": text, "account_ids": [account_id], "scheduled_at": due.isoformat()},
    )
    assert r.status_code == 201, r.text
    post = r.json()
    [dest] = post["destinations"]
    time.sleep(max(0.0, (due - dt.datetime.now(dt.UTC)).total_seconds()) + 0.05)
    assert publishing.publish(uuid.UUID(dest["id"])) == "published"
    with db.session() as s:
        row = s.get(PostDestination, uuid.UUID(dest["id"]))
        assert row is not None
        return post["id"], row


def test_sandbox_accounts_have_simulator_avatars(admin):
    connect_sandbox(admin, "x")
    assert admin.post("/api/accounts/login/bluesky", json={"sandbox": True}).status_code == 201
    for account in admin.get("/api/accounts").json():
        assert account["avatar_url"].startswith(f"{settings.base_url}/api/sandbox/avatar/")
        r = admin.get(_local(account["avatar_url"]))
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.text.startswith("<svg") and "</text></svg>" in r.text
    # The same account is drawn the same way every time (a stable URL, a stable image).
    again = admin.get(_local(account["avatar_url"]))
    assert again.text == r.text


def test_a_published_sandbox_post_links_to_its_simulated_page_and_grows(admin, server):
    connect_sandbox(admin, "x")
    [account] = admin.get("/api/accounts").json()
    post_id, dest = _publish(admin, account["id"], "Hello from the sandbox <b>not bold</b>")
    pid = str(dest.platform_post_id)
    assert dest.permalink == sandbox.permalink("x", pid)
    listed = admin.get(f"/api/posts/{post_id}").json()["destinations"][0]["permalink"]
    assert listed == dest.permalink and "x.com" not in listed

    # The permalink opens the simulator's page of the post (through Herald).
    page = admin.get(_local(dest.permalink))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Hello from the sandbox &lt;b&gt;not bold&lt;/b&gt;" in page.text
    assert account["username"] in page.text and "data-counter='likes'" in page.text
    assert f"<b class='name'>{account['name']}</b>" in page.text  # as the network names it
    assert "default-src 'none'" in page.headers["content-security-policy"]
    # Nobody else's: another workspace gets a 404, like for a post that does not exist.
    other, me = registered("other@example.com", "Other")
    other.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    assert other.get(_local(dest.permalink)).status_code == 404
    assert admin.get(_local(sandbox.permalink("x", "999"))).status_code == 404

    # Twenty minutes later (the simulator's log says so), the post has an audience.
    [entry] = [p for p in server.sim._posts if p["post_id"] == pid]
    published = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    entry["received_at"] = published.isoformat().replace("+00:00", "Z")
    server.sim._grown.clear()
    before = time.time()
    assert metrics.sync(workspace_id=uuid.UUID(admin.headers["X-Workspace-Id"]))["errors"] == 0
    after = time.time()
    low = organic.counts("x", pid, before - published.timestamp())
    high = organic.counts("x", pid, after - published.timestamp())
    latest = admin.get(f"/api/analytics/posts/{post_id}").json()["destinations"][0]["latest"]
    assert low["likes"] <= latest["likes"] <= high["likes"] and latest["likes"] > 0
    assert low["views"] <= latest["views"] <= high["views"] and latest["views"] > 100
    assert low["reposts"] <= latest["shares"] <= high["reposts"]
    assert low["comments"] <= latest["comments"] <= high["comments"]
    page = admin.get(_local(dest.permalink)).text
    assert f"<b>{latest['likes']}</b> likes" in page or f"<b>{high['likes']}</b> likes" in page

    # Its author gained followers with it (on top of the ones the account started with).
    aggregate = admin.get("/api/analytics/aggregate").json()
    followers = aggregate["accounts"][0]["followers"]["latest"]
    base = organic.base_followers("x", account["username"])
    assert base < followers <= base + organic.ceiling("x", pid)["followers"]

    # Later still, never fewer.
    entry["received_at"] = (published - dt.timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    server.sim._grown.clear()
    metrics.sync(workspace_id=uuid.UUID(admin.headers["X-Workspace-Id"]))
    later = admin.get(f"/api/analytics/posts/{post_id}").json()["destinations"][0]["latest"]
    assert later["likes"] >= latest["likes"] and later["views"] > latest["views"]


def test_organic_counts_are_deterministic_and_saturate():
    assert organic.counts("x", "1", 0) == dict.fromkeys(organic.GENERIC, 0)
    early, mid, late = (organic.counts("x", "1", t) for t in (60, 600, 86400))
    assert all(early[k] <= mid[k] <= late[k] for k in organic.GENERIC)
    assert late == organic.ceiling("x", "1") and organic.counts("x", "1", 600) == mid
    assert organic.ceiling("x", "1") != organic.ceiling("x", "2")


@pytest.mark.parametrize("platform", ["mastodon", "bluesky", "linkedin", "threads"])
def test_every_text_network_grows_the_metrics_its_provider_reads(admin, server, platform):
    if platform == "bluesky":
        assert admin.post("/api/accounts/login/bluesky", json={"sandbox": True}).status_code == 201
    else:
        connect_sandbox(admin, platform)
    [account] = admin.get("/api/accounts").json()
    post_id, dest = _publish(admin, account["id"], f"Hello {platform}")
    assert dest.permalink == sandbox.permalink(platform, str(dest.platform_post_id))
    page = admin.get(_local(dest.permalink))  # ids with ':' and '/' too (Bluesky, LinkedIn)
    assert page.status_code == 200 and f"Hello {platform}" in page.text
    [entry] = [p for p in server.sim._posts if p["post_id"] == dest.platform_post_id]
    published = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    entry["received_at"] = published.isoformat().replace("+00:00", "Z")
    server.sim._grown.clear()
    assert metrics.sync(workspace_id=uuid.UUID(admin.headers["X-Workspace-Id"]))["errors"] == 0
    latest = admin.get(f"/api/analytics/posts/{post_id}").json()["destinations"][0]["latest"]
    assert latest is not None and latest["likes"] > 0 and latest["comments"] > 0, latest
    if platform == "linkedin":
        return  # LinkedIn tells a member's followers only with a permission sandbox apps lack
    aggregate = admin.get("/api/analytics/aggregate").json()
    assert aggregate["accounts"][0]["followers"]["latest"] > 0


def test_every_network_maps_the_organic_counters_onto_its_own():
    """The media networks too: each generic counter lands on a counter the platform keeps
    (the ones its metrics endpoints answer with), and followers on its accounts."""
    import dataclasses

    from simulator import facebook, instagram, pinterest, tiktok, youtube

    sim = Simulator(organic=True)
    own = {
        "facebook": facebook.COUNTERS,
        "instagram": instagram.COUNTERS,
        "pinterest": pinterest.PIN_METRICS_ALL,
        "tiktok": tiktok.COUNTERS,
        "youtube": [
            f.default_factory() for f in dataclasses.fields(youtube.Video) if f.name == "stats"
        ][0],  # fmt: skip
    }
    for platform in sim.platforms.values():
        assert platform.organic_posts is not None and platform.organic_accounts, platform.id
        posts_attr, _, names = platform.organic_posts
        assert isinstance(getattr(platform, posts_attr), dict), platform.id
        assert isinstance(getattr(platform, platform.organic_accounts[0]), dict), platform.id
        assert set(names) <= set(organic.GENERIC) and {"likes", "comments"} <= set(names)
        if platform.id in own:
            assert set(names.values()) <= set(own[platform.id]), platform.id


def test_the_callback_page_in_a_browser_is_tiny_and_runs_only_its_own_script(admin):
    import base64
    import hashlib
    import re
    from urllib.parse import parse_qs

    r = admin.post("/api/accounts/connect/x", json={"sandbox": True})
    url = urlsplit(r.json()["authorize_url"])
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    page = admin.get(url.path, params=params, headers={"Sec-Fetch-Mode": "navigate"})
    assert page.status_code == 200 and len(page.content) < 1500
    assert "data-to='/accounts/?connected=" in page.text
    [script] = re.findall(r"<script>(.*?)</script>", page.text)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page.headers["content-security-policy"]
    assert "o.location.origin===location.origin" in script  # only a same-origin opener
    [account] = admin.get("/api/accounts").json()
    assert account["status"] == "connected"
