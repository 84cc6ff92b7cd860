"""Media on every part of a thread, end to end: real worker processes publish a 3-part thread
with images on parts 1 and 3 to the simulated X, Bluesky and Mastodon, each reply carrying its
own images (and their alt text), in order; a thread that fails at part 3 is retried from part 3
alone (its media uploaded again, parts 1 and 2 neither uploaded nor posted again)."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from app import db
from app.models import DestinationStatus, Post
from app.services import connect, media, posts
from app.services.errors import InvalidInput
from simulator import SimServer
from tests.integration.engine import (
    THREAD_ENV,
    X_APP,
    mastodon_account,
    new_user,
    soon,
    wait_settled,
    x_account,
)
from tests.integration.thread_media import library_image, sha

SEED = 41
TEST_ENV = X_APP  # the X app, for this process and the engine's
ENV = THREAD_ENV
UPLOADS = {
    "x": "/2/media/upload",
    "mastodon": "/api/v2/media",
    "bluesky": "/xrpc/com.atproto.repo.uploadBlob",
}
CREATES = {"x": "/2/tweets", "mastodon": "/api/v1/statuses"}


@pytest.fixture
def world(clean_db, server: SimServer, engine):
    server.sim.reset()
    user, wid = new_user()
    x, _ = x_account(server, user, wid, "alice")
    masto = mastodon_account(server, user, wid, "alice")
    acc = server.sim["bluesky"].ensure_account("alice.bsky.social")  # type: ignore[attr-defined]
    sky = connect.login(user, wid, "bluesky", acc.handle, acc.password, server.url_for("bluesky"))
    red, green, blue = (library_image(wid, c, f"{n}.png") for n, c in (
        ("red", (255, 0, 0)), ("green", (0, 255, 0)), ("blue", (0, 0, 255))
    ))  # fmt: skip
    return {
        "user": user, "wid": wid, "sim": server.sim, "x": x, "mastodon": masto, "bluesky": sky,
        "red": red, "green": green, "blue": blue,
    }  # fmt: skip


def counting(sim, platform: str, path: str):
    """A fault that never fires and counts the requests it lets through (skip goes down)."""
    return sim.inject(platform, "500", path=path, method="POST", skip=10_000)


def passed(fault) -> int:
    return 10_000 - fault.skip


def create(world, accounts, media_ids, thread, text="Part 1 of 3"):
    data = posts.PostInput(
        content=text,
        account_ids=[a.id for a in accounts],
        scheduled_at=soon(0.5),
        media_ids=media_ids,
        thread=thread,
    )
    view, _ = posts.create_post(world["user"], world["wid"], data, mode="schedule")
    return view


def received(world, platform: str) -> list[dict]:
    return [p for p in world["sim"].posts(platform) if not p["deleted"]]


def test_each_reply_carries_its_own_media_in_order(world):
    red, green, blue = world["red"], world["green"], world["blue"]
    uploads = {p: counting(world["sim"], p, path) for p, path in UPLOADS.items()}
    thread = [
        "Part 2 of 3, text only",
        {"text": "Part 3 of 3, two pictures", "media_ids": [str(green.id), str(blue.id)]},
    ]
    accounts = [world["x"], world["mastodon"], world["bluesky"]]
    view = create(world, accounts, [red.id], thread)
    assert [p.text for p in view.thread] == ["Part 2 of 3, text only", "Part 3 of 3, two pictures"]
    assert [p.media_ids for p in view.thread] == [[], [green.id, blue.id]]
    dests = wait_settled(view.id, 60)
    assert {d.status for d in dests} == {DestinationStatus.published}, [
        d.error_message for d in dests
    ]
    for platform in ("x", "mastodon", "bluesky"):
        parts = received(world, platform)
        assert [p["text"] for p in parts] == [
            "Part 1 of 3",
            "Part 2 of 3, text only",
            "Part 3 of 3, two pictures",
        ], platform
        shas = [[m["sha256"] for m in p["media"]] for p in parts]
        assert shas == [[sha(red)], [], [sha(green), sha(blue)]], platform
        assert passed(uploads[platform]) == 3, platform  # each file once
    x_parts = received(world, "x")
    assert x_parts[2]["in_reply_to_tweet_id"] == x_parts[1]["post_id"]
    assert x_parts[1]["in_reply_to_tweet_id"] == x_parts[0]["post_id"]
    toots = received(world, "mastodon")
    assert toots[2]["in_reply_to_id"] == toots[1]["post_id"]


def test_a_part_image_alt_text_reaches_each_network(world, server: SimServer):
    """Alt text on part 2's image is kept with the thread and sent with that image to X (its
    media metadata), Mastodon (the attachment's description) and Bluesky (the image's alt)."""
    red, green = world["red"], world["green"]
    thread = [
        {
            "text": "Part 2 of 2, described",
            "media_ids": [str(green.id)],
            "media_alt": {str(green.id): "  A green dot on white  "},
        }
    ]
    accounts = [world["x"], world["mastodon"], world["bluesky"]]
    view = create(world, accounts, [red.id], thread, text="Part 1 of 2, not described")
    assert view.thread[0].media_alt == {green.id: "A green dot on white"}
    again = posts.get_post(world["user"], world["wid"], view.id)
    assert again.thread[0].media_alt == {green.id: "A green dot on white"}
    dests = wait_settled(view.id, 60)
    assert {d.status for d in dests} == {DestinationStatus.published}, [
        d.error_message for d in dests
    ]
    sim = world["sim"]
    first, second = received(world, "x")
    assert [m["sha256"] for m in second["media"]] == [sha(green)]
    assert [sim["x"].media[m["id"]].alt_text for m in second["media"]] == ["A green dot on white"]
    assert [sim["x"].media[m["id"]].alt_text for m in first["media"]] == [None]
    base = server.url_for("mastodon")
    described = []
    for toot in received(world, "mastodon"):
        status = httpx.get(f"{base}/api/v1/statuses/{toot['post_id']}").json()
        described.append([m["description"] for m in status["media_attachments"]])
    assert described == [[None], ["A green dot on white"]]
    sky = received(world, "bluesky")
    assert [[m["alt"] for m in p["media"]] for p in sky] == [[""], ["A green dot on white"]]


@pytest.mark.parametrize("platform", ["x", "mastodon"])
def test_failure_at_part_three_is_retried_from_part_three_only(world, platform):
    """Part 3 is refused (the network calls it a duplicate): the post fails with parts 1–2
    out. "Retry" uploads part 3's image again and posts part 3 alone, in reply to part 2."""
    red, blue = world["red"], world["blue"]
    uploads = counting(world["sim"], platform, UPLOADS[platform])
    creates = counting(world["sim"], platform, CREATES[platform])
    world["sim"].inject(platform, "duplicate", path=CREATES[platform], method="POST", skip=2)
    thread = ["Part 2 of 3", {"text": "Part 3 of 3", "media_ids": [str(blue.id)]}]
    view = create(world, [world[platform]], [red.id], thread)
    [dest] = wait_settled(view.id, 40)
    assert dest.status == DestinationStatus.failed
    assert [p["text"] for p in received(world, platform)] == ["Part 1 of 3", "Part 2 of 3"]
    first_uploads, first_creates = passed(uploads), passed(creates)
    posts.retry_failed(world["user"], world["wid"], view.id)
    [dest] = wait_settled(view.id, 40)
    assert dest.status == DestinationStatus.published, dest.error_message
    parts = received(world, platform)
    assert [p["text"] for p in parts] == ["Part 1 of 3", "Part 2 of 3", "Part 3 of 3"]
    assert [[m["sha256"] for m in p["media"]] for p in parts] == [[sha(red)], [], [sha(blue)]]
    assert passed(uploads) - first_uploads == 1  # part 3's image only
    assert passed(creates) - first_creates == 1  # part 3 only
    reply_key = "in_reply_to_tweet_id" if platform == "x" else "in_reply_to_id"
    assert parts[2][reply_key] == parts[1]["post_id"]


def test_bluesky_thread_stopped_at_part_three_goes_on_with_part_three_media(world):
    """The PDS fails part 3 (nothing created): the engine retries from part 3, which uploads
    part 3's image alone and replies under parts 1–2 already out."""
    red, blue = world["red"], world["blue"]
    blobs = counting(world["sim"], "bluesky", UPLOADS["bluesky"])
    create_path = "/xrpc/com.atproto.repo.createRecord"
    world["sim"].inject("bluesky", "503", path=create_path, method="POST", skip=2)
    thread = ["Part 2 of 3", {"text": "Part 3 of 3", "media_ids": [str(blue.id)]}]
    view = create(world, [world["bluesky"]], [red.id], thread)
    [dest] = wait_settled(view.id, 40)
    assert dest.status == DestinationStatus.published, dest.error_message
    parts = received(world, "bluesky")
    assert [p["text"] for p in parts] == ["Part 1 of 3", "Part 2 of 3", "Part 3 of 3"]
    assert [[m["sha256"] for m in p["media"]] for p in parts] == [[sha(red)], [], [sha(blue)]]
    assert passed(blobs) == 3  # red, blue, then blue again for the retry of part 3 alone
    assert dest.attempts == 2


def test_too_many_images_on_a_part_is_refused_in_plain_words(world):
    extra = [library_image(world["wid"], (i, i, i), f"g{i}.png") for i in range(5)]
    thread = [{"text": "Five pictures", "media_ids": [str(m.id) for m in extra]}]
    with pytest.raises(InvalidInput) as refused:
        create(world, [world["x"]], [], thread, text="Start")
    assert refused.value.code == "validation_failed"
    [problems] = refused.value.details["destinations"].values()
    assert "Part 2 has 5 images; X takes at most 4." in problems
    assert received(world, "x") == []


def test_a_thread_image_in_use_cannot_be_deleted_and_a_draft_loses_it(world):
    blue = world["blue"]
    thread = [{"text": "With blue", "media_ids": [str(blue.id)]}]
    data = posts.PostInput(
        content="Later", account_ids=[world["mastodon"].id], scheduled_at=soon(3600), thread=thread
    )
    scheduled, _ = posts.create_post(world["user"], world["wid"], data, mode="schedule")
    with pytest.raises(Exception) as busy:
        media.delete_media(world["user"], world["wid"], blue.id)
    assert getattr(busy.value, "code", "") == "media_in_use"
    posts.update_post(world["user"], world["wid"], scheduled.id, data, mode="draft")
    media.delete_media(world["user"], world["wid"], blue.id)
    with db.session() as s:
        stored = s.exec(select(Post).where(Post.id == scheduled.id)).one()
    assert stored.platform_configs["mastodon"]["thread"] == [{"text": "With blue", "media_ids": []}]
