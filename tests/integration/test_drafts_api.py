"""Nothing typed is lost: the composer's autosaved working copy (/api/drafts/working-copy),
the drafts list (/api/drafts) and the version check that refuses a stale edit of a post
(409 version_conflict) instead of silently overwriting a teammate's newer one."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.services import post_versions
from app.services.auth import user_for_session
from tests.integration.helpers import error_of, join, registered, signed_up_with_accounts

pytestmark = pytest.mark.usefixtures("clean_db")

SEED = 7


@pytest.fixture
def team(server):
    """Alice (admin) with a Mastodon account, and Bob, an editor of her workspace."""
    alice, wid, _, [account] = signed_up_with_accounts(
        server, "alice@example.com", "Alice", "alice"
    )
    bob = join(alice, wid, "bob@example.com", "editor", "Bob")
    return {"alice": alice, "bob": bob, "wid": wid, "account": str(account.id)}


def future(hours: float = 2) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).isoformat()


def test_working_copy_is_kept_per_user_and_post_until_discarded(team):
    alice, bob = team["alice"], team["bob"]
    assert error_of(alice.get("/api/drafts/working-copy"))["code"] == "no_working_copy"
    copy = {
        "text": "Half-written launch post",
        "account_ids": [team["account"]],
        "options": {"mastodon": {"visibility": "unlisted"}},
        "date": "2030-01-02",
        "time": "10:30",
    }
    r = alice.put("/api/drafts/working-copy", json={"payload": copy})
    assert r.status_code == 200, r.text
    first_saved = r.json()["updated_at"]
    # Autosave again: the same slot is replaced, not duplicated.
    copy["text"] = "Half-written launch post, now longer"
    assert alice.put("/api/drafts/working-copy", json={"payload": copy}).status_code == 200
    got = alice.get("/api/drafts/working-copy").json()
    assert got["payload"]["text"] == "Half-written launch post, now longer"
    assert got["payload"]["options"] == {"mastodon": {"visibility": "unlisted"}}
    assert got["payload"]["date"] == "2030-01-02" and got["post_id"] is None
    assert got["updated_at"] >= first_saved
    # Per user: Bob has none of Alice's working copies.
    assert bob.get("/api/drafts/working-copy").status_code == 404
    # Alice's unsaved new post shows in her drafts list, not in Bob's.
    assert alice.get("/api/drafts").json()["unsaved"]["payload"]["text"].endswith("longer")
    assert bob.get("/api/drafts").json()["unsaved"] is None

    # A working copy of an existing post is kept apart from the new post's.
    post = alice.post(
        "/api/posts",
        json={"content": "Saved", "account_ids": [team["account"]], "scheduled_at": future()},
    ).json()
    r = alice.put(
        "/api/drafts/working-copy",
        json={"post_id": post["id"], "base_version": post["version"], "payload": {"text": "Ed"}},
    )
    assert r.status_code == 200
    mine = alice.get("/api/drafts/working-copy", params={"post_id": post["id"]}).json()
    assert mine["payload"]["text"] == "Ed" and mine["base_version"] == post["version"]
    assert alice.get("/api/drafts/working-copy").json()["payload"]["text"].endswith("longer")

    assert alice.delete("/api/drafts/working-copy").status_code == 204
    assert alice.get("/api/drafts/working-copy").status_code == 404
    # Deleting the post takes its working copies with it.
    assert alice.delete(f"/api/posts/{post['id']}").status_code == 204
    gone = alice.get("/api/drafts/working-copy", params={"post_id": post["id"]})
    assert gone.status_code == 404


def test_working_copy_refuses_bad_input_and_other_workspaces(team):
    alice = team["alice"]
    r = alice.put("/api/drafts/working-copy", json={"payload": {"text": "x" * 600_000}})
    assert r.status_code == 422 and error_of(r)["code"] == "draft_too_large"
    r = alice.put(
        "/api/drafts/working-copy", json={"post_id": str(uuid.uuid4()), "payload": {"text": "x"}}
    )
    assert r.status_code == 404
    outsider, _ = registered("eve@example.com")
    outsider.headers["X-Workspace-Id"] = team["wid"]
    assert outsider.put("/api/drafts/working-copy", json={"payload": {}}).status_code == 404
    assert outsider.get("/api/drafts").status_code == 404


def test_drafts_list_shows_draft_posts_latest_first(team):
    alice, bob = team["alice"], team["bob"]
    for text in ("Older draft", "Newer draft"):
        r = alice.post(
            "/api/posts",
            json={"content": text, "account_ids": [team["account"]], "mode": "draft"},
        )
        assert r.status_code == 201
    alice.post(
        "/api/posts",
        json={"content": "Scheduled", "account_ids": [team["account"]], "scheduled_at": future()},
    )
    listed = bob.get("/api/drafts", params={"limit": 1}).json()
    assert listed["total"] == 2
    [item] = listed["items"]
    assert item["content"] == "Newer draft" and item["platforms"] == ["mastodon"]
    assert item["author"] == "Alice"


def test_stale_edit_is_refused_with_who_and_when_and_changes_nothing(team):
    alice, bob = team["alice"], team["bob"]
    body = {"content": "v1", "account_ids": [team["account"]], "scheduled_at": future()}
    post = alice.post("/api/posts", json=body).json()
    assert post["version"] == 1
    # Both open the post at version 1; Alice saves first.
    r = alice.put(f"/api/posts/{post['id']}", json={**body, "content": "Alice's", "version": 1})
    assert r.status_code == 200 and r.json()["version"] == 2
    # Bob's edit, made from version 1, is refused: 409, naming Alice, nothing written.
    r = bob.put(f"/api/posts/{post['id']}", json={**body, "content": "Bob's", "version": 1})
    assert r.status_code == 409
    err = error_of(r)
    assert err["code"] == "version_conflict"
    assert err["message"].startswith("Alice changed this post at ")
    assert "your text is kept" in err["message"]
    assert err["details"]["version"] == 2 and err["details"]["changed_by"] == "Alice"
    assert alice.get(f"/api/posts/{post['id']}").json()["content"] == "Alice's"
    # What the composer shows Bob before he saves: who changed it since his version.
    bob_user = user_for_session(bob.cookies["herald_session"])
    wid, pid = uuid.UUID(team["wid"]), uuid.UUID(post["id"])
    assert post_versions.newer_edit(bob_user, wid, pid, 1).startswith("Alice changed this post at")
    assert post_versions.newer_edit(bob_user, wid, pid, 2) == ""
    # The same check through If-Match; the current version goes through.
    r = bob.put(
        f"/api/posts/{post['id']}", json={**body, "content": "B"}, headers={"If-Match": "1"}
    )
    assert r.status_code == 409
    r = bob.put(
        f"/api/posts/{post['id']}", json={**body, "content": "B"}, headers={"If-Match": '"2"'}
    )
    assert r.status_code == 200 and r.json()["version"] == 3
    r = bob.put(f"/api/posts/{post['id']}", json=body, headers={"If-Match": "three"})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_if_match"
    # Without a version an edit is not checked (older clients keep working).
    assert bob.put(f"/api/posts/{post['id']}", json=body).json()["version"] == 4
    # Rescheduling and cancelling are edits too.
    moved = alice.patch(
        f"/api/posts/{post['id']}/schedule", json={"scheduled_at": future(5)}
    ).json()
    assert moved["version"] == 5
    assert alice.post(f"/api/posts/{post['id']}/cancel").json()["version"] == 6
    # Editing from another tab of the same user says so.
    r = alice.put(f"/api/posts/{post['id']}", json={**body, "version": 5})
    assert error_of(r)["message"].startswith("You changed this post in another tab or window")
