"""/api/posts with a thread and with mode "queue", over HTTP (in-process ASGI client)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.services import slots
from app.services.auth import user_for_session
from tests.integration.helpers import error_of, signed_up_with_accounts
from tests.integration.test_posts_api import create
from tests.integration.thread_media import library_image

pytestmark = pytest.mark.usefixtures("clean_db")

SEED = 29


@pytest.fixture
def team(server):
    """A workspace with one Mastodon account (a thread network)."""
    client, wid, _, [made] = signed_up_with_accounts(
        server, "thread-api@example.com", "Owner", "alice"
    )
    return {"client": client, "wid": wid, "accounts": [str(made.id)]}


def test_thread_is_stored_shown_and_removed(team):
    r = create(team, content="1/3 start", thread=["2/3 middle", "3/3 end"])
    assert r.status_code == 201, r.text
    post = r.json()
    rich = [{"text": "2/3 middle", "media_ids": []}, {"text": "3/3 end", "media_ids": []}]
    assert post["thread"] == rich  # plain texts in, the richer form out
    assert post["platform_configs"]["mastodon"]["thread"] == rich
    c = team["client"]
    assert c.get(f"/api/posts/{post['id']}").json()["thread"] == rich
    body = {
        "content": "1/1 alone",
        "account_ids": team["accounts"][:1],
        "scheduled_at": post["scheduled_at"],
        "thread": [],
    }
    edited = c.put(f"/api/posts/{post['id']}", json=body)
    assert edited.status_code == 200, edited.text
    assert edited.json()["thread"] == [] and "mastodon" not in edited.json()["platform_configs"]


def test_bad_threads_are_refused_with_a_reason(team):
    blank = create(team, thread=["fine", "  "])
    assert blank.status_code == 422
    assert error_of(blank)["code"] == "invalid_thread"
    assert "part 3 is empty" in error_of(blank)["message"]
    no_text = create(team, thread=[{"text": "", "media_ids": []}])
    assert no_text.status_code == 422 and error_of(no_text)["code"] == "invalid_thread"
    too_long = create(team, thread=["x" * 501])
    assert too_long.status_code == 422
    assert "Thread part 2" in str(error_of(too_long))
    assert create(team, thread="not a list").status_code == 422
    listing = team["client"].get("/api/posts").json()
    assert listing["total"] == 0  # nothing half-saved


def test_queue_mode_schedules_at_the_next_free_slot(team):
    refused = create(team, mode="queue", scheduled_at=None)
    assert refused.status_code == 422
    assert error_of(refused)["code"] == "no_free_slot"
    assert "Posting schedule" in error_of(refused)["message"]
    user = user_for_session(team["client"].cookies["herald_session"])
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    slots.set_slots(
        user,
        uuid.UUID(team["wid"]),
        uuid.UUID(team["accounts"][0]),
        [(at.weekday(), at.strftime("%H:%M"))],
        timezone="UTC",
    )
    r = create(team, mode="queue", scheduled_at=None)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "scheduled"
    assert dt.datetime.fromisoformat(r.json()["scheduled_at"]) == at


def test_parts_with_media_are_stored_shown_and_validated(team):
    wid = uuid.UUID(team["wid"])
    red, blue = library_image(wid, (255, 0, 0)), library_image(wid, (0, 0, 255))
    thread = [
        {"text": "2/3 with red", "media_ids": [str(red.id)]},
        "3/3 plain",
        {"text": "", "media_ids": [str(blue.id)]},  # a picture alone is a part too
    ]
    r = create(team, content="1/4 start", thread=thread)
    assert r.status_code == 201, r.text
    post = r.json()
    assert post["thread"] == [
        {"text": "2/3 with red", "media_ids": [str(red.id)]},
        {"text": "3/3 plain", "media_ids": []},
        {"text": "", "media_ids": [str(blue.id)]},
    ]
    assert post["media_ids"] == []  # the first part's media are separate
    shown = team["client"].get(f"/api/posts/{post['id']}").json()
    assert shown["thread"] == post["thread"]
    # A medium that is not in the workspace's library, or not an id at all: 422, nothing saved.
    unknown = create(team, thread=[{"text": "x", "media_ids": [str(uuid.uuid4())]}])
    assert unknown.status_code == 422 and error_of(unknown)["code"] == "unknown_media"
    garbage = create(team, thread=[{"text": "x", "media_ids": ["not-an-id"]}])
    assert garbage.status_code == 422
    too_many = [str(library_image(wid, (i, i, i)).id) for i in range(5)]
    refused = create(team, thread=[{"text": "five", "media_ids": too_many}])
    assert refused.status_code == 422, refused.text
    problems = error_of(refused)["details"]["destinations"][team["accounts"][0]]
    assert "Part 2 has 5 images; Mastodon takes at most 4." in problems
    assert team["client"].get("/api/posts").json()["total"] == 1


def test_a_parts_alt_text_is_stored_and_shown(team):
    wid = uuid.UUID(team["wid"])
    green = library_image(wid, (0, 255, 0))
    alt = {str(green.id): "A green square"}
    part = {"text": "2/2 green", "media_ids": [str(green.id)], "media_alt": alt}
    r = create(team, content="1/2 start", thread=[part])
    assert r.status_code == 201, r.text
    assert r.json()["thread"] == [part]
    assert team["client"].get(f"/api/posts/{r.json()['id']}").json()["thread"] == [part]
    # Alt text for a medium the part does not carry is left out; a blank one too.
    stray = dict(part, media_alt={str(uuid.uuid4()): "Nothing", str(green.id): "  "})
    kept = create(team, content="1/2 stray", thread=[stray])
    assert kept.status_code == 201, kept.text
    assert kept.json()["thread"] == [{"text": "2/2 green", "media_ids": [str(green.id)]}]
    # An alt text over the limit is refused, the part named.
    long = dict(part, media_alt={str(green.id): "a" * 5001})
    refused = create(team, content="1/2 long", thread=[long])
    assert refused.status_code == 422, refused.text
    assert "Thread part 2: alt text is limited to 5,000 characters." in refused.text


def test_openapi_documents_the_rich_thread(team):
    spec = team["client"].get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["ThreadPartIn"]["properties"]) == {"text", "media_ids", "media_alt"}
    assert "media_ids" in str(schemas["PostIn"]["properties"]["thread"])
