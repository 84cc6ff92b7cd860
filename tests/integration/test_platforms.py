"""Every connector end to end, in sandbox mode, through the REST API and the real engine:
connect over the platform's own OAuth (or app password) against the simulator, tokens stored
encrypted, a post scheduled and published by the worker processes exactly once, and metrics
synced into post_metrics / account_metrics."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from app import db
from app.config import settings
from app.crypto import decrypt
from app.models import AccountMetric, PostMetric, SocialAccount
from app.services import metrics
from simulator import SimServer
from tests.integration.engine import engine_processes, wait_for
from tests.integration.helpers import registered
from tests.integration.thread_media import stored_media
from tests.support import media_files

IMAGE_URL = "https://cdn.example.com/herald/cat.jpg"
# A tiny valid PNG and the head of an MP4 (ftyp box), for platforms that take uploads.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a0f0a3b90000000049454e44ae426082"
)
MP4 = bytes.fromhex("000000186674797069736f6d0000020069736f6d69736f32") + b"\0" * 4096


def _png(ctx: dict) -> dict:
    return {"media": [("image/png", "dot.png", PNG)]}


def _tiktok(ctx: dict) -> dict:
    return {
        "media": [("video/mp4", "clip.mp4", MP4)],
        "platform_configs": {"tiktok": {"privacy_level": "PUBLIC_TO_EVERYONE"}},
    }


def _pinterest(ctx: dict) -> dict:
    board = ctx["sim"]["pinterest"].boards_of(ctx["account"]["username"])[0]
    return {"platform_configs": {"pinterest": {"board_id": board.id, "media_url": IMAGE_URL}}}


# platform → what a sample post on it needs, given the connected account (ctx).
SAMPLES: dict[str, Any] = {
    "x": lambda ctx: {},
    "linkedin": lambda ctx: {"platform_configs": {"linkedin": {"visibility": "PUBLIC"}}},
    "facebook": _png,
    "mastodon": _png,
    "bluesky": lambda ctx: {},
    "threads": lambda ctx: {},
    "pinterest": _pinterest,
    "tiktok": _tiktok,
    "youtube": lambda ctx: {
        "media": [("video/mp4", "clip.mp4", MP4)],
        "platform_configs": {"youtube": {"title": "Herald demo", "privacy": "unlisted"}},
    },
    # Instagram fetches media itself: the worker hands it a presigned URL of the upload.
    "instagram": lambda ctx: {"media": [("image/jpeg", "photo.jpg", media_files.jpeg(1080, 1080))]},
}


SEED = 21


@pytest.fixture(scope="module")
def engine(server: SimServer):
    sandbox = {"HERALD_SANDBOX": "1", "HERALD_SANDBOX_URL": server.url}
    saved = {k: os.environ.get(k) for k in sandbox}
    os.environ.update(sandbox)  # the worker processes inherit it
    try:
        with engine_processes() as procs:
            yield procs
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def world(clean_db, server, engine, monkeypatch):
    monkeypatch.setattr(settings, "sandbox", True)
    monkeypatch.setattr(settings, "sandbox_url", server.url)
    server.sim.reset()
    client, me = registered(f"p{uuid.uuid4().hex[:6]}@example.com", "Pat")
    wid = me["workspaces"][0]["id"]
    client.headers["X-Workspace-Id"] = wid
    return {"client": client, "wid": wid, "sim": server.sim}


def connect(client, platform: str) -> list[dict]:
    """Connect the sandbox account(s) the way a user does; every offered one when several."""
    if platform == "bluesky":
        r = client.post("/api/accounts/login/bluesky", json={"sandbox": True})
        assert r.status_code == 201, r.text
        return [r.json()]
    r = client.post(f"/api/accounts/connect/{platform}", json={"sandbox": True})
    assert r.status_code == 200, r.text
    # Herald went through the simulated consent itself: the browser is sent straight back to
    # Herald's callback, never to the simulator.
    location = urlsplit(r.json()["authorize_url"])
    assert f"{location.scheme}://{location.netloc}" == settings.base_url
    assert location.path == f"/api/accounts/callback/{platform}"
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert "code" in params, params
    done = client.get(location.path, params=params, follow_redirects=False)
    query = parse_qs(urlsplit(done.headers["location"]).query)
    assert "error" not in query, query
    if "pick" in query:
        key = query["pick"][0]
        offered = client.get(f"/api/accounts/pending/{key}").json()["choices"]
        assert len(offered) > 1
        r = client.post(f"/api/accounts/pending/{key}", json={"ids": [c["id"] for c in offered]})
        assert r.status_code == 201, r.text
        return r.json()
    return client.get("/api/accounts").json()


def add_media(wid: str, mime: str, name: str, data: bytes) -> str:
    image, video = mime.startswith("image/"), mime.startswith("video/")
    media = stored_media(
        wid, data, name, mime,
        width=1 if image else None, height=1 if image else None, duration=3.0 if video else None,
    )  # fmt: skip
    return str(media.id)


@pytest.mark.parametrize("platform", sorted(SAMPLES))
def test_connect_publish_and_sync_metrics(world, platform):
    client = world["client"]
    connected = connect(client, platform)
    assert connected and all(a["is_sandbox"] and a["status"] == "connected" for a in connected)
    with db.session() as s:
        rows = s.exec(select(SocialAccount)).all()
    for row in rows:  # the columns hold ciphertext, never the token itself
        assert decrypt(row.access_token) not in row.access_token
        if row.refresh_token:
            assert decrypt(row.refresh_token) not in row.refresh_token

    account = connected[0]
    sample = SAMPLES[platform]({"account": account, "sim": world["sim"]})
    text = f"Herald on {platform} {uuid.uuid4().hex[:6]}"
    body = {
        "content": text,
        "account_ids": [account["id"]],
        "scheduled_at": (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).isoformat(),
        "platform_configs": sample.get("platform_configs", {}),
        "media_ids": [add_media(world["wid"], *m) for m in sample.get("media", [])],
    }
    r = client.post("/api/posts", json=body)
    assert r.status_code == 201, r.text
    post_id = r.json()["id"]

    def settled() -> dict | None:
        post = client.get(f"/api/posts/{post_id}").json()
        return post if post["status"] in ("published", "failed", "partially_published") else None

    post = wait_for(settled, 30, f"the {platform} post to settle")
    [dest] = post["destinations"]
    assert post["status"] == "published", dest["error_message"]
    assert dest["platform_post_id"]
    received = [p for p in world["sim"].posts(platform) if text in p["text"]]
    assert len(received) == 1  # exactly once

    counts = metrics.sync()
    assert counts["errors"] == 0, counts
    with db.session() as s:
        post_rows = s.exec(select(PostMetric)).all()
        account_rows = s.exec(select(AccountMetric)).all()
    assert {str(m.destination_id) for m in post_rows} == {dest["id"]}
    assert {str(m.social_account_id) for m in account_rows} >= {account["id"]}
