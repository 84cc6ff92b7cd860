"""Post approvals over HTTP: the setting, submit / approve / reject, the filter, the summary, the
status codes and messages, and the OpenAPI description."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.integration.helpers import (
    client,
    error_of,
    join,
    registered,
    signed_up_with_accounts,
)

pytestmark = pytest.mark.usefixtures("clean_db")

SEED = 13


@pytest.fixture
def team(server):
    admin, wid, _, [account] = signed_up_with_accounts(server, "admin@example.com", "Admin", "team")
    editor = join(admin, wid, "editor@example.com", "editor")
    viewer = join(admin, wid, "viewer@example.com", "viewer")
    return {
        "admin": admin,
        "editor": editor,
        "viewer": viewer,
        "wid": wid,
        "account": str(account.id),
        "editor_id": editor.get("/api/me").json()["user"]["id"],
    }


def future(hours: float = 2) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).isoformat()


def create(team, who="editor", **body):
    payload = {"content": "Hello", "account_ids": [team["account"]], "scheduled_at": future()}
    payload.update(body)
    r = team[who].post("/api/posts", json=payload)
    assert r.status_code == 201, r.text
    return r.json()


def test_the_setting_is_off_by_default_and_only_admins_change_it(team):
    url = f"/api/workspaces/{team['wid']}/approval"
    assert team["editor"].get(url).json() == {"require_approval": False}
    r = team["editor"].put(url, json={"require_approval": True})
    assert r.status_code == 403 and "admin" in error_of(r)["message"]
    r = team["admin"].put(url, json={"require_approval": True})
    assert r.status_code == 200 and r.json() == {"require_approval": True}
    assert team["viewer"].get(url).json() == {"require_approval": True}
    r = team["admin"].put(url, json={"require_approval": "maybe"})
    assert r.status_code == 422


def test_submit_approve_reject_over_http(team):
    post = create(team, content="Before the setting")
    assert post["status"] == "scheduled" and post["approval"] == "none"
    r = team["editor"].post(f"/api/posts/{post['id']}/submit")
    assert r.status_code == 409 and error_of(r)["code"] == "approval_not_required"

    team["admin"].put(f"/api/workspaces/{team['wid']}/approval", json={"require_approval": True})
    waiting = create(team, content="Please approve")
    assert (waiting["status"], waiting["approval"]) == ("draft", "pending")
    draft = create(team, content="A draft", mode="draft")
    r = team["editor"].post(f"/api/posts/{draft['id']}/submit")
    assert r.status_code == 200 and r.json()["approval"] == "pending"

    listed = team["admin"].get("/api/posts", params={"approval": "pending"}).json()
    assert {p["id"] for p in listed["items"]} == {waiting["id"], draft["id"]}
    summary = team["admin"].get("/api/approvals/summary").json()
    assert summary == {
        "required": True,
        "can_approve": True,
        "pending": 2,
        "mine_pending": 0,
        "mine_rejected": 0,
    }

    r = team["editor"].post(f"/api/posts/{waiting['id']}/approve")
    assert r.status_code == 403
    r = team["viewer"].post(f"/api/posts/{waiting['id']}/submit")
    assert r.status_code == 403
    r = team["admin"].post(f"/api/posts/{waiting['id']}/reject", json={"comment": ""})
    assert r.status_code == 422 and error_of(r)["code"] == "comment_required"
    r = team["admin"].post(f"/api/posts/{waiting['id']}/reject", json={})
    assert r.status_code == 422

    r = team["admin"].post(f"/api/posts/{waiting['id']}/reject", json={"comment": "Add a link"})
    assert r.status_code == 200
    assert (r.json()["approval"], r.json()["approval_comment"]) == ("rejected", "Add a link")
    mine = team["editor"].get("/api/approvals/summary").json()
    assert (mine["mine_pending"], mine["mine_rejected"], mine["can_approve"]) == (1, 1, False)
    r = team["admin"].post(f"/api/posts/{waiting['id']}/approve")
    assert r.status_code == 409 and error_of(r)["code"] == "not_pending"

    r = team["admin"].post(f"/api/posts/{draft['id']}/approve", json={"scheduled_at": future(5)})
    assert r.status_code == 200, r.text
    assert (r.json()["approval"], r.json()["status"]) == ("approved", "scheduled")
    assert r.json()["approval_decided_at"]

    activity = team["admin"].get("/api/activity").json()
    items = activity["items"] if isinstance(activity, dict) else activity
    approval = [e for e in items if e["verb"].startswith("approval.")]
    assert {e["verb"] for e in approval} == {
        "approval.requested",
        "approval.rejected",
        "approval.approved",
    }
    assert all(e["details"]["author_id"] == team["editor_id"] for e in approval)


def test_unknown_and_other_tenants_posts_are_not_found(team):
    team["admin"].put(f"/api/workspaces/{team['wid']}/approval", json={"require_approval": True})
    waiting = create(team)
    stranger, me = registered("stranger@example.com")
    stranger.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    r = stranger.post(f"/api/posts/{waiting['id']}/approve")
    assert r.status_code == 404
    r = team["admin"].post(f"/api/posts/{uuid.uuid4()}/approve")
    assert r.status_code == 404


def test_openapi_documents_the_approval_endpoints():
    spec = client().get("/api/openapi.json").json()
    for path in ("/api/posts/{post_id}/submit", "/api/posts/{post_id}/approve"):
        assert "post" in spec["paths"][path]
    reject = spec["paths"]["/api/posts/{post_id}/reject"]["post"]
    assert "comment" in str(reject) or "RejectIn" in str(reject)
    assert "approval" in str(spec["paths"]["/api/posts"]["get"]["parameters"])
