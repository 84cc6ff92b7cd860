"""/api/media against local storage (Herald served by uvicorn) and against moto's S3 server,
both over real HTTP: presign → upload with httpx → confirm → list/get/delete, sniffing, size
caps, deletion while scheduled, tenant isolation, roles, and streaming reads."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlmodel import select

from app import db
from app.api import create_api
from app.config import settings
from app.models import Media, MediaUpload
from app.providers.base import TokenSet
from app.providers.registry import get_provider
from app.services import accounts, media, schedule
from app.services.auth import user_for_session
from app.storage import get_storage, open_media, tokens
from simulator import SimServer, Simulator
from tests.integration.helpers import error_of, registered
from tests.support import media_files as f
from tests.support.s3 import moto_s3, store_in_s3
from workers import jobs

pytestmark = pytest.mark.usefixtures("clean_db")
BUCKET = "herald-media-test"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def herald_url() -> Iterator[str]:
    """Herald's API on a real port (local storage's upload and file URLs point here)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_api(), log_level="warning", http="h11", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "Herald did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_s3(BUCKET) as url:
        yield url


@pytest.fixture(params=["local", "s3"])
def backend(request, monkeypatch) -> str:
    monkeypatch.setattr(settings, "base_url", request.getfixturevalue("herald_url"))
    if request.param == "s3":
        store_in_s3(monkeypatch, request.getfixturevalue("moto_url"), BUCKET)
    else:
        monkeypatch.setattr(settings, "storage", "local")
    return request.param


def _team(backend: str) -> dict:
    client, me = registered("owner@example.com", "Owner")
    client.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    return {"client": client, "wid": me["workspaces"][0]["id"], "backend": backend}


@pytest.fixture
def team(backend) -> dict:
    return _team(backend)


@pytest.fixture
def local_team(monkeypatch, herald_url) -> dict:
    monkeypatch.setattr(settings, "base_url", herald_url)
    monkeypatch.setattr(settings, "storage", "local")
    return _team("local")


def presign(team, filename: str, content_type: str, size: int) -> httpx.Response:
    body = {"filename": filename, "content_type": content_type, "size": size}
    return team["client"].post("/api/media/presign", json=body)


def send(ticket: dict, data: bytes, content_type: str, *, put: bool = False) -> httpx.Response:
    """Upload the way a browser would, from the presign answer only."""
    if put:
        return httpx.put(ticket["upload_url"], content=data, headers={"Content-Type": content_type})
    assert ticket["method"] == "POST"
    files = {"file": ("upload", data, content_type)}
    return httpx.post(ticket["upload_url"], data=ticket["fields"], files=files, timeout=30)


def upload(team, filename: str, content_type: str, data: bytes, **kw) -> dict:
    """Presign, upload over HTTP and confirm; the confirmed media JSON."""
    r = presign(team, filename, content_type, len(data))
    assert r.status_code == 200, r.text
    sent = send(r.json(), data, content_type, **kw)
    assert sent.status_code in (200, 201, 204), sent.text
    confirmed = team["client"].post("/api/media", json={"key": r.json()["key"]})
    assert confirmed.status_code == 201, confirmed.text
    return confirmed.json()


def key_of(media_id: str) -> str:
    with db.session() as s:
        media = s.get(Media, uuid.UUID(media_id))
        assert media is not None
        return media.storage_key


def stored(key: str) -> bool:
    return get_storage().head(key) is not None


def test_upload_confirm_list_get_delete(team):
    c, image = team["client"], f.png(3, 2)
    ticket = presign(team, "Team Photo.png", "image/png", len(image)).json()
    assert ticket["key"].startswith(f"{team['wid']}/") and ticket["key"].endswith("-Team-Photo.png")
    assert dt.datetime.fromisoformat(ticket["expires_at"]) > dt.datetime.now(dt.UTC)
    if team["backend"] == "s3":
        assert ticket["upload_url"].startswith(settings.s3_endpoint_url)
    else:
        assert ticket["upload_url"].startswith(f"{settings.base_url}/api/media/upload/")
    assert send(ticket, image, "image/png").status_code in (200, 201, 204)
    assert stored(ticket["key"])

    r = c.post("/api/media", json={"key": ticket["key"], "filename": "Team Photo.png"})
    assert r.status_code == 201, r.text
    photo = r.json()
    assert photo["filename"] == "Team Photo.png" and photo["file_type"] == "image/png"
    assert (photo["kind"], photo["width"], photo["height"]) == ("image", 3, 2)
    assert photo["file_size"] == len(image) and photo["duration"] is None
    assert photo["checksum"] == hashlib.sha256(image).hexdigest()
    fetched = httpx.get(photo["url"])  # the presigned GET, as a browser <img> would
    assert fetched.status_code == 200 and fetched.content == image
    assert fetched.headers["content-type"].startswith("image/png")
    again = c.post("/api/media", json={"key": ticket["key"]})  # a retried confirm
    assert again.status_code == 200 and again.json()["id"] == photo["id"]

    clip_bytes = f.mp4(seconds=12.5, width=1280, height=720, mdat=200_000)
    clip = upload(team, "launch.mp4", "video/mp4", clip_bytes)
    assert (clip["kind"], clip["duration"], clip["width"], clip["height"]) == (
        "video",
        12.5,
        1280,
        720,
    )
    anim = upload(team, "dance.gif", "image/gif", f.gif(5, 7))
    assert (anim["width"], anim["height"]) == (5, 7) and anim["filename"] == "dance.gif"

    page = c.get("/api/media", params={"limit": 2}).json()
    assert page["total"] == 3 and [m["id"] for m in page["items"]] == [anim["id"], clip["id"]]
    assert [m["id"] for m in c.get("/api/media", params={"offset": 2}).json()["items"]] == [
        photo["id"]
    ]
    videos = c.get("/api/media", params={"type": "video"}).json()
    assert [m["id"] for m in videos["items"]] == [clip["id"]]
    assert c.get("/api/media", params={"type": "image"}).json()["total"] == 2
    assert [m["filename"] for m in c.get("/api/media", params={"q": "photo"}).json()["items"]] == [
        "Team Photo.png"
    ]
    assert c.get("/api/media", params={"q": "100%_"}).json()["total"] == 0
    assert c.get("/api/media", params={"q": "\x00"}).json()["total"] == 3
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    assert c.get("/api/media", params={"from": later}).json()["total"] == 0
    assert c.get("/api/media", params={"to": later}).json()["total"] == 3
    assert c.get("/api/media", params={"type": "audio"}).status_code == 422

    assert c.get(f"/api/media/{clip['id']}").json()["checksum"] == (
        hashlib.sha256(clip_bytes).hexdigest()
    )
    clip_key = key_of(clip["id"])
    assert stored(clip_key)
    assert c.delete(f"/api/media/{clip['id']}").status_code == 204
    assert c.get(f"/api/media/{clip['id']}").status_code == 404
    assert c.delete(f"/api/media/{clip['id']}").status_code == 404
    assert not stored(clip_key) and c.get("/api/media").json()["total"] == 2
    assert httpx.get(clip["url"]).status_code in (403, 404)  # the object is gone


def test_local_put_upload_and_signed_links(local_team):
    """Local storage's own URLs: PUT works too, tokens are bound to purpose, key, type and
    time, a key is never overwritten, and downloads support Range."""
    team = local_team
    image = f.jpeg(40, 30)
    ticket = presign(team, "put.jpg", "image/jpeg", len(image)).json()
    url = ticket["upload_url"]
    assert send(ticket, image, "image/png", put=True).status_code == 403  # not what was signed
    forged = httpx.put(url[:-3] + "AAA", content=image, headers={"Content-Type": "image/jpeg"})
    assert forged.status_code == 403
    assert send(ticket, image, "image/jpeg", put=True).status_code == 204
    assert send(ticket, b"other bytes", "image/jpeg", put=True).status_code == 409  # no overwrite
    r = team["client"].post("/api/media", json={"key": ticket["key"]})
    assert r.status_code == 201 and (r.json()["width"], r.json()["height"]) == (40, 30)

    link = r.json()["url"]
    part = httpx.get(link, headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.content == image[:4]
    assert httpx.head(link).headers["content-type"] == "image/jpeg"
    upload_token = url.rsplit("/", 1)[1]
    assert httpx.get(f"{settings.base_url}/api/media/file/{upload_token}").status_code == 403
    expired = tokens.sign("media-file", {"k": ticket["key"], "t": ""}, time.time() - 1)
    assert httpx.get(f"{settings.base_url}/api/media/file/{expired}").status_code == 403


def test_png_named_jpg_is_rejected_by_its_bytes_and_removed(team):
    image = f.png(8, 8)
    ticket = presign(team, "holiday.jpg", "image/jpeg", len(image)).json()
    assert send(ticket, image, "image/jpeg").status_code in (200, 201, 204)
    assert stored(ticket["key"])
    r = team["client"].post("/api/media", json={"key": ticket["key"]})
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "type_mismatch" and "PNG" in err["message"]
    assert not stored(ticket["key"])
    assert team["client"].get("/api/media").json()["total"] == 0


def test_text_named_png_is_rejected(team):
    text = b"#!/bin/sh\necho definitely not a picture\n" * 10
    ticket = presign(team, "cat.png", "image/png", len(text)).json()
    assert send(ticket, text, "image/png").status_code in (200, 201, 204)
    r = team["client"].post("/api/media", json={"key": ticket["key"]})
    assert r.status_code == 422 and error_of(r)["code"] == "unsupported_type"
    assert not stored(ticket["key"])
    assert team["client"].get("/api/media").json()["total"] == 0


def test_a_real_image_under_a_misleading_display_name_is_refused(team):
    image = f.png()
    ticket = presign(team, "a.png", "image/png", len(image)).json()
    send(ticket, image, "image/png")
    r = team["client"].post("/api/media", json={"key": ticket["key"], "filename": "a.exe"})
    assert r.status_code == 422 and error_of(r)["code"] == "type_mismatch"
    assert not stored(ticket["key"])


def test_presign_checks_type_and_name_before_anything_is_stored(team):
    r = presign(team, "notes.txt", "text/plain", 10)
    assert r.status_code == 422 and error_of(r)["code"] == "unsupported_type"
    r = presign(team, "photo.png", "image/jpeg", 10)
    assert r.status_code == 422 and error_of(r)["code"] == "type_mismatch"
    assert presign(team, "photo.png", "image/png", 0).status_code == 422
    with db.session() as s:  # nothing refused is reserved
        assert s.exec(select(MediaUpload)).all() == []
    r = presign(team, "clip.mov", "video/quicktime", 10)
    assert r.status_code == 200 and r.json()["max_bytes"] == 10  # at most what was declared


def test_over_size_is_refused_at_presign_and_at_upload(team, monkeypatch):
    monkeypatch.setattr(settings, "media_max_image_bytes", 4096)
    r = presign(team, "big.png", "image/png", 5000)
    assert r.status_code == 422
    assert error_of(r)["code"] == "file_too_large" and error_of(r)["details"]["max_bytes"] == 4096

    big = f.png(3, 2) + b"\x00" * 20_000  # a PNG with 20 KB of trailing bytes
    ticket = presign(team, "big.png", "image/png", 1000).json()  # the client lies
    assert ticket["max_bytes"] == 1000  # the upload may be at most what was declared
    sent = send(ticket, big, "image/png")
    if team["backend"] == "s3":
        policy = json.loads(base64.b64decode(ticket["fields"]["policy"]))
        assert ["content-length-range", 1, 1000] in policy["conditions"]
        assert {"key": ticket["key"]} in policy["conditions"]
        # Real S3 refuses the POST (400 EntityTooLarge); moto does not check policies, so the
        # object may land, and the confirmation must refuse and remove it.
        if sent.status_code < 300:
            r = team["client"].post("/api/media", json={"key": ticket["key"]})
            assert r.status_code == 422 and error_of(r)["code"] == "file_too_large"
    else:
        assert sent.status_code == 413 and error_of(sent)["code"] == "file_too_large"
        put = send(ticket, big, "image/png", put=True)
        assert put.status_code == 413
        r = team["client"].post("/api/media", json={"key": ticket["key"]})
        assert r.status_code == 404  # nothing was stored
    assert not stored(ticket["key"])
    assert team["client"].get("/api/media").json()["total"] == 0


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(Simulator(seed=7)) as srv:
        yield srv


def test_delete_is_refused_while_a_scheduled_post_uses_the_media(team, sim):
    c = team["client"]
    user = user_for_session(c.cookies["herald_session"])
    api_base = sim.url_for("mastodon")
    token = TokenSet(access_token=sim.sim["mastodon"].issue_token("alice"))
    info = get_provider("mastodon", api_base=api_base).account_info(token)
    account = accounts.save_account(
        user, uuid.UUID(team["wid"]), "mastodon", token, info, api_base=api_base
    )
    photo = upload(team, "launch.png", "image/png", f.png(16, 9))
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    post = c.post(
        "/api/posts",
        json={
            "content": "Launch day",
            "account_ids": [str(account.id)],
            "scheduled_at": when,
            "media_ids": [photo["id"]],
        },
    )
    assert post.status_code == 201, post.text
    r = c.delete(f"/api/media/{photo['id']}")
    assert r.status_code == 409
    assert error_of(r)["code"] == "media_in_use"
    assert error_of(r)["details"]["post_ids"] == [post.json()["id"]]
    assert c.get(f"/api/media/{photo['id']}").status_code == 200

    assert c.post(f"/api/posts/{post.json()['id']}/cancel").status_code == 200
    assert c.delete(f"/api/media/{photo['id']}").status_code == 204
    assert c.get(f"/api/posts/{post.json()['id']}").json()["media_ids"] == []


def test_other_workspaces_get_404_and_viewers_cannot_upload(team):
    c = team["client"]
    photo = upload(team, "secret.png", "image/png", f.png())
    outsider, me = registered("outsider@example.com")
    own = me["workspaces"][0]["id"]
    for wid in (team["wid"], own):
        outsider.headers["X-Workspace-Id"] = wid
        assert outsider.get(f"/api/media/{photo['id']}").status_code == 404
        assert outsider.delete(f"/api/media/{photo['id']}").status_code == 404
    assert outsider.get("/api/media").json()["total"] == 0  # own workspace: empty

    # A key of another workspace cannot be confirmed into one's own.
    ticket = presign(team, "theirs.png", "image/png", 100).json()
    send(ticket, f.png(), "image/png")
    r = outsider.post("/api/media", json={"key": ticket["key"]})
    assert r.status_code == 404 and error_of(r)["code"] == "upload_not_found"
    assert outsider.post("/api/media", json={"key": "../../etc/passwd"}).status_code == 404
    assert stored(ticket["key"])  # still there for its owner
    assert c.post("/api/media", json={"key": ticket["key"]}).status_code == 201

    invite = c.post(f"/api/workspaces/{team['wid']}/invites", json={"role": "viewer"}).json()
    assert (
        outsider.post(
            "/api/invites/accept", json={"token": invite["link"].rsplit("/", 1)[1]}
        ).status_code
        == 200
    )
    outsider.headers["X-Workspace-Id"] = team["wid"]
    assert outsider.get(f"/api/media/{photo['id']}").status_code == 200
    assert outsider.get("/api/media").json()["total"] == 2
    r = outsider.post(
        "/api/media/presign", json={"filename": "a.png", "content_type": "image/png", "size": 10}
    )
    assert r.status_code == 403
    assert outsider.post("/api/media", json={"key": ticket["key"]}).status_code == 403
    assert outsider.delete(f"/api/media/{photo['id']}").status_code == 403


def test_a_large_video_is_read_as_a_stream_of_chunks(team):
    """8 MB with its moov after the media data: confirm reads through it in one streaming
    pass, and the worker's stream hands out chunks, never the whole file at once."""
    data = f.mp4(seconds=61.2, width=1080, height=1920, mdat=8 * MIB)
    clip = upload(team, "vertical.mp4", "video/mp4", data)
    assert (clip["duration"], clip["width"], clip["height"]) == (61.2, 1080, 1920)
    assert clip["file_size"] == len(data)

    sizes, digest = [], hashlib.sha256()
    with open_media(key_of(clip["id"])) as stream:
        while chunk := stream.read(MIB):
            sizes.append(len(chunk))
            digest.update(chunk)
    assert len(sizes) >= 8 and max(sizes) <= MIB
    assert sum(sizes) == len(data) and digest.hexdigest() == clip["checksum"]


# ------------------------------------------------------------------ upload hygiene (issue 11)


def _expire(key: str, ago: dt.timedelta) -> None:
    """Move a pending upload's link expiry into the past (as time passing would)."""
    with db.session() as s:
        row = s.get(MediaUpload, key)
        assert row is not None
        row.expires_at = dt.datetime.now(dt.UTC) - ago
        s.add(row)


def test_uploads_never_confirmed_are_swept_from_storage(team):
    """Presign + upload, no confirm: the file counts toward the plan until the sweep (a
    repeated job) deletes it and its record, once the link expired and the grace passed."""
    c, image = team["client"], f.png(3, 2)
    left = presign(team, "left.png", "image/png", len(image)).json()
    assert send(left, image, "image/png").status_code < 300
    recent = presign(team, "recent.png", "image/png", len(image)).json()
    assert send(recent, image, "image/png").status_code < 300
    kept = upload(team, "kept.png", "image/png", image)
    usage = c.get(f"/api/workspaces/{team['wid']}/plan").json()["usage"]
    assert usage["storage_bytes"] == 3 * len(image)  # two pending + one confirmed

    _expire(left["key"], media.CONFIRM_GRACE + dt.timedelta(minutes=1))
    _expire(recent["key"], dt.timedelta(minutes=1))  # still within the grace to confirm
    assert jobs.sweep_uploads() == 1
    assert not stored(left["key"]) and stored(recent["key"])
    usage = c.get(f"/api/workspaces/{team['wid']}/plan").json()["usage"]
    assert usage["storage_bytes"] == 2 * len(image)
    r = c.post("/api/media", json={"key": left["key"]})
    assert r.status_code == 404 and error_of(r)["code"] == "upload_not_found"
    assert c.post("/api/media", json={"key": recent["key"]}).status_code == 201
    assert c.get(f"/api/media/{kept['id']}").status_code == 200  # confirmed media untouched
    with db.session() as s:
        assert s.exec(select(MediaUpload)).all() == []
    assert "repeat-sweep-uploads" in schedule.REPEATING


def test_pending_uploads_count_toward_the_storage_quota(local_team, monkeypatch):
    from dataclasses import replace

    from app.models import Tier
    from app.services import plans

    info = plans.TIERS[Tier.business]
    capped = replace(info, limits=info.limits.model_copy(update={"storage_bytes": 1000}))
    monkeypatch.setitem(plans.TIERS, Tier.business, capped)
    assert presign(local_team, "a.png", "image/png", 600).status_code == 200
    r = presign(local_team, "b.png", "image/png", 600)  # never uploaded ones count too
    assert r.status_code == 402 and error_of(r)["code"] == "plan_limit", r.text


def test_presign_is_rate_limited_per_user(local_team, monkeypatch):
    monkeypatch.setattr(settings, "media_uploads_per_hour", 3)
    for _ in range(3):
        assert presign(local_team, "a.png", "image/png", 10).status_code == 200
    r = presign(local_team, "a.png", "image/png", 10)
    assert r.status_code == 429 and error_of(r)["code"] == "upload_throttled"
    assert int(r.headers["retry-after"]) > 0
    other, me = registered("other@example.com")  # another person is not held back
    other.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    assert presign({"client": other}, "a.png", "image/png", 10).status_code == 200
