"""/api/posts over HTTP (in-process ASGI client): validation, idempotency, filters, roles,
tenant isolation and the lifecycle actions. The engine itself is covered in test_engine.py."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.models import PostApproval, PostStatus
from app.services import posts
from tests.integration.helpers import error_of, registered, signed_up_with_accounts
from tests.integration.thread_media import library_image

pytestmark = pytest.mark.usefixtures("clean_db")


SEED = 5


@pytest.fixture
def team(server):
    client, wid, user, made = signed_up_with_accounts(
        server, "owner@example.com", "Owner", "alice", "bob"
    )
    return {"client": client, "wid": wid, "user": user, "accounts": [str(a.id) for a in made]}


def future(hours: float = 1) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).isoformat()


def create(team, **body):
    payload = {"content": "Hello", "account_ids": team["accounts"][:1], "scheduled_at": future()}
    payload.update(body)
    return team["client"].post("/api/posts", json=payload)


def test_create_get_and_list_with_filters_and_pagination(team):
    r = create(team, content="First", scheduled_at=future(1))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["status"] == "scheduled" and len(first["destinations"]) == 1
    assert first["destinations"][0]["status"] == "pending"
    assert first["scheduled_at"].endswith("Z") or "+00:00" in first["scheduled_at"]
    create(team, content="Second", scheduled_at=future(48), account_ids=team["accounts"])
    draft = create(team, content="Draft", mode="draft", scheduled_at=None, account_ids=[])
    assert draft.status_code == 201 and draft.json()["status"] == "draft"

    c = team["client"]
    assert c.get(f"/api/posts/{first['id']}").json()["content"] == "First"
    page = c.get("/api/posts", params={"limit": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert [p["content"] for p in page["items"]] == ["First", "Second"]
    assert [p["content"] for p in c.get("/api/posts", params={"offset": 2}).json()["items"]] == [
        "Draft"
    ]
    window = {"from": future(0), "to": future(24)}
    assert [p["content"] for p in c.get("/api/posts", params=window).json()["items"]] == ["First"]
    drafts = c.get("/api/posts", params={"status": "draft"}).json()
    assert [p["content"] for p in drafts["items"]] == ["Draft"]
    bob = c.get("/api/posts", params={"account_id": team["accounts"][1]}).json()
    assert [p["content"] for p in bob["items"]] == ["Second"]
    assert c.get("/api/posts", params={"platform": "x"}).json()["total"] == 0
    bad = c.get("/api/posts", params={"limit": 1000})
    assert bad.status_code == 422 and error_of(bad)["code"] == "invalid_input"


def test_idempotency_key_returns_the_first_post(team):
    headers = {"Idempotency-Key": "abc-123"}
    first = team["client"].post(
        "/api/posts",
        json={"content": "Once", "account_ids": team["accounts"], "scheduled_at": future()},
        headers=headers,
    )
    again = team["client"].post(
        "/api/posts",
        json={"content": "Once", "account_ids": team["accounts"], "scheduled_at": future()},
        headers=headers,
    )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert team["client"].get("/api/posts").json()["total"] == 1


def test_validation_errors_name_each_destination_and_create_nothing(team):
    r = create(team, content="x" * 600, account_ids=team["accounts"])
    assert r.status_code == 422
    err = error_of(r)
    assert err["code"] == "validation_failed"
    assert set(err["details"]["destinations"]) == set(team["accounts"])
    assert "600 characters" in err["details"]["destinations"][team["accounts"][0]][0]
    # The account as people name it ("alice on Mastodon: ..."), never "mastodon · alice".
    assert " on Mastodon: " in err["message"] and " · " not in err["message"]
    for body, code in [
        ({"account_ids": []}, "no_accounts"),
        ({"account_ids": [str(uuid.uuid4())]}, "unknown_accounts"),
        ({"scheduled_at": "2020-01-01T00:00:00Z"}, "time_in_past"),
        ({"scheduled_at": None}, "missing_time"),
        ({"timezone": "Mars/Olympus"}, "invalid_timezone"),
        ({"content": "", "account_ids": team["accounts"][:1]}, "validation_failed"),
        ({"mode": "later"}, "invalid_input"),
        ({"scheduled_at": "tomorrow"}, "invalid_input"),
    ]:
        r = create(team, **body)
        assert r.status_code == 422, (body, r.text)
        assert error_of(r)["code"] == code, (body, r.json())
    assert team["client"].get("/api/posts").json()["total"] == 0


def test_update_reschedule_cancel_delete_and_attempts(team):
    c = team["client"]
    post = create(team, content="v1").json()
    r = c.put(
        f"/api/posts/{post['id']}",
        json={"content": "v2", "account_ids": team["accounts"], "scheduled_at": future(2)},
    )
    assert r.status_code == 200, r.text
    assert r.json()["content"] == "v2" and len(r.json()["destinations"]) == 2
    moved = c.patch(
        f"/api/posts/{post['id']}/schedule",
        json={"scheduled_at": "2031-07-01T09:00:00", "timezone": "America/New_York"},
    )
    assert moved.status_code == 200
    assert moved.json()["scheduled_at"].startswith("2031-07-01T13:00:00")
    assert c.get(f"/api/posts/{post['id']}/attempts").json() == []
    cancelled = c.post(f"/api/posts/{post['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert {d["status"] for d in cancelled.json()["destinations"]} == {"cancelled"}
    again = c.patch(f"/api/posts/{post['id']}/schedule", json={"scheduled_at": future(3)})
    assert again.status_code == 409 and error_of(again)["code"] == "not_scheduled"
    retry = c.post(f"/api/posts/{post['id']}/retry")
    assert retry.status_code == 409 and error_of(retry)["code"] == "nothing_to_retry"
    assert c.delete(f"/api/posts/{post['id']}").status_code == 204
    assert c.get(f"/api/posts/{post['id']}").status_code == 404


def test_viewers_read_only_and_other_workspaces_are_not_found(team):
    post = create(team).json()
    outsider, me = registered("outsider@example.com")
    outsider.headers["X-Workspace-Id"] = team["wid"]
    assert outsider.get(f"/api/posts/{post['id']}").status_code == 404
    assert outsider.get("/api/posts").status_code == 404
    own = me["workspaces"][0]["id"]
    r = outsider.get(f"/api/posts/{post['id']}", headers={"X-Workspace-Id": own})
    assert r.status_code == 404  # the post exists, but not in the outsider's workspace

    invite = (
        team["client"]
        .post(f"/api/workspaces/{team['wid']}/invites", json={"role": "viewer"})
        .json()["link"]
        .rsplit("/", 1)[1]
    )
    assert outsider.post("/api/invites/accept", json={"token": invite}).status_code == 200
    assert outsider.get(f"/api/posts/{post['id']}").status_code == 200
    r = outsider.post(
        "/api/posts",
        json={"content": "nope", "account_ids": team["accounts"], "scheduled_at": future()},
    )
    assert r.status_code == 403
    assert outsider.post(f"/api/posts/{post['id']}/cancel").status_code == 403
    assert outsider.delete(f"/api/posts/{post['id']}").status_code == 403


def test_workspace_is_required(team):
    r = team["client"].get("/api/posts", headers={"X-Workspace-Id": ""})
    assert r.status_code == 422


# GET /api/posts serves `posts.list_posts_json`: PostPage's JSON byte for byte, made without the
# PostView objects. Posts with threads, media, alt text and edge-case text.
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
        page = posts.list_posts(user, wid, **filters)  # type: ignore[arg-type]  # filters of several types
        served = posts.list_posts_json(user, wid, **filters)  # type: ignore[arg-type]  # filters of several types
        assert served == page.model_dump_json().encode(), filters
    listed = team["client"].get("/api/posts").json()
    assert listed == posts.list_posts(user, wid).model_dump(mode="json")
    assert listed["items"][0]["id"] == first["id"]
    assert listed["items"][0]["thread"] == [part, {"text": "3/3 plain", "media_ids": []}]
