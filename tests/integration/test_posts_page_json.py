"""GET /api/posts serves `posts.list_posts_json`: PostPage's JSON byte for byte, made without
the PostView objects. Posts with threads, media, alt text and edge-case text."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.models import PostApproval, PostStatus
from app.services import posts
from tests.integration.helpers import signed_up_with_accounts
from tests.integration.test_posts_api import create, future
from tests.integration.thread_media import library_image

pytestmark = pytest.mark.usefixtures("clean_db")

SEED = 61


@pytest.fixture
def team(server):
    client, wid, user, made = signed_up_with_accounts(
        server, "page-json@example.com", "Owner", "alice", "bob"
    )
    return {"client": client, "wid": wid, "user": user, "accounts": [str(a.id) for a in made]}


def test_the_page_is_post_pages_json_byte_for_byte(team):
    wid = uuid.UUID(team["wid"])
    green, red = library_image(wid, (0, 255, 0)), library_image(wid, (255, 0, 0))
    part = {"text": '2/2 «green» "quoted"\n\ttab', "media_ids": [str(green.id)]}
    part["media_alt"] = {str(green.id): "A green square"}
    made = [
        create(team, content="1/2 start", thread=[part, "3/3 plain"]),
        create(
            team,
            content="Émoji 🎉 \u2028 and <html> & \\ backslash",
            media_ids=[str(red.id), str(green.id)],
            media_alt={str(red.id): "Red"},
            account_ids=team["accounts"],
            scheduled_at=future(30),
        ),
        create(team, content="Draft", mode="draft", scheduled_at=None, account_ids=[]),
    ]
    assert all(r.status_code == 201 for r in made), [r.text for r in made]
    first = made[0].json()
    user = team["user"]
    for filters in (
        {},
        {"limit": 1, "offset": 1},
        {"offset": 50},  # past the end: counted apart
        {"statuses": [PostStatus.draft]},
        {"approval": [PostApproval.none], "account_id": uuid.UUID(team["accounts"][1])},
        {"platform": "mastodon", "start": dt.datetime.fromisoformat(first["scheduled_at"])},
    ):
        page = posts.list_posts(user, wid, **filters)  # type: ignore[arg-type]
        served = posts.list_posts_json(user, wid, **filters)  # type: ignore[arg-type]
        assert served == page.model_dump_json().encode(), filters
    listed = team["client"].get("/api/posts").json()
    assert listed == posts.list_posts(user, wid).model_dump(mode="json")
    assert listed["items"][0]["id"] == first["id"]
    assert listed["items"][0]["thread"] == [part, {"text": "3/3 plain", "media_ids": []}]
