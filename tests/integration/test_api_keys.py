"""API keys over HTTP: shown once and stored hashed, Bearer auth scoped to one workspace and
capped at the key's role, revocation, removed members, and what keys may not do."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import text

from app import db
from tests.integration.helpers import account_row, client, error_of, registered, signed_up

pytestmark = pytest.mark.usefixtures("clean_db")


def _account(wid: str, name: str = "alice") -> str:
    """A connected Mastodon account row (fixture data: no platform is called here)."""
    return str(account_row(wid, name=name, meta={"api_base": "http://127.0.0.1:9/mastodon"}))


def _bearer(key: str, wid: str | None = None):
    c = client()
    c.headers["Authorization"] = f"Bearer {key}"
    if wid:
        c.headers["X-Workspace-Id"] = wid
    return c


def _invite_and_join(admin, wid: str, email: str, role: str):
    r = admin.post(f"/api/workspaces/{wid}/invites", json={"role": role})
    assert r.status_code == 201, r.text
    member, me = registered(email)
    token = r.json()["link"].rsplit("/", 1)[1]
    assert member.post("/api/invites/accept", json={"token": token}).status_code == 200
    return member, me["user"]["id"]


@pytest.fixture
def team():
    admin, wid, _ = signed_up("admin@example.com", "Admin")
    other, other_wid, _ = signed_up("other@example.com", "Other")
    return {
        "admin": admin,
        "wid": wid,
        "account": _account(wid),
        "other": other,
        "other_wid": other_wid,
    }


def _new_key(c, name: str = "zapier", role: str = "editor", **extra) -> dict:
    r = c.post("/api/keys", json={"name": name, "role": role, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def _post(c, account: str, content: str = "From a key"):
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    return c.post(
        "/api/posts", json={"content": content, "account_ids": [account], "scheduled_at": when}
    )


def test_key_is_shown_once_and_stored_only_hashed(team):
    created = _new_key(team["admin"], "ci bot")
    secret = created["key"]
    assert secret.startswith("hk_") and len(secret) > 40
    assert created["prefix"] == secret[:11] and created["role"] == "editor"
    assert created["last_used_at"] is None

    with db.engine().connect() as conn:
        rows = conn.execute(text("SELECT key_hash, prefix, scopes FROM api_keys")).all()
        dump = conn.execute(text("SELECT api_keys::text FROM api_keys")).scalar_one()
    assert len(rows) == 1
    key_hash, prefix, scopes = rows[0]
    assert secret not in dump and secret[11:] not in dump  # no plaintext, not even its tail
    assert key_hash != secret and len(key_hash) == 64 and prefix == secret[:11]
    assert scopes == ["role:editor"]

    listed = team["admin"].get("/api/keys")
    assert listed.status_code == 200
    assert [k["name"] for k in listed.json()] == ["ci bot"]
    assert "key" not in listed.json()[0] and secret not in listed.text
    assert secret[11:] not in listed.text


def test_bearer_key_lists_and_creates_posts_in_its_workspace(team):
    secret = _new_key(team["admin"])["key"]
    bot = _bearer(secret)  # no workspace header: the key's workspace is the default
    r = _post(bot, team["account"])
    assert r.status_code == 201, r.text
    assert r.json()["workspace_id"] == team["wid"]
    page = bot.get("/api/posts")
    assert page.status_code == 200 and page.json()["total"] == 1
    # The post is there for the members too, authored by the key's creator.
    mine = team["admin"].get("/api/posts").json()["items"]
    assert [p["content"] for p in mine] == ["From a key"]
    assert _bearer(secret, team["wid"]).get("/api/posts").json()["total"] == 1

    listed = team["admin"].get("/api/keys").json()[0]
    assert listed["last_used_at"] is not None
    # /api/me through a key shows only the key's workspace.
    me = bot.get("/api/me").json()
    assert [w["id"] for w in me["workspaces"]] == [team["wid"]]
    assert me["user"]["is_instance_admin"] is False  # the first user is, but not through a key


def test_key_cannot_reach_another_workspace_even_its_creators(team):
    admin = team["admin"]
    second = admin.post("/api/workspaces", json={"name": "Second"}).json()["id"]
    secret = _new_key(admin)["key"]
    for wid in (team["other_wid"], second, str(uuid.uuid4())):
        r = _bearer(secret, wid).get("/api/posts")
        assert r.status_code == 404, r.text
        assert error_of(r)["code"] == "not_found"
        assert _bearer(secret).get("/api/posts", params={"workspace_id": wid}).status_code == 404
    # Path-addressed workspaces are checked in the services too.
    assert _bearer(secret).get(f"/api/workspaces/{second}").status_code == 404
    assert _bearer(secret).get(f"/api/workspaces/{team['wid']}").status_code == 200
    # A post of the creator's other workspace is not found through the key.
    admin.headers["X-Workspace-Id"] = second
    other_account = _account(second, "bob")
    post_id = _post(admin, other_account).json()["id"]
    assert _bearer(secret).get(f"/api/posts/{post_id}").status_code == 404
    assert _bearer(secret, second).get(f"/api/posts/{post_id}").status_code == 404


def test_viewer_key_reads_but_cannot_create(team):
    secret = _new_key(team["admin"], "dashboard", role="viewer")["key"]
    bot = _bearer(secret)
    assert bot.get("/api/posts").status_code == 200
    r = _post(bot, team["account"])
    assert r.status_code == 403 and error_of(r)["code"] == "forbidden"
    assert team["admin"].get("/api/posts").json()["total"] == 0
    me = bot.get("/api/me").json()
    assert me["workspaces"][0]["role"] == "viewer"  # capped, though the creator is admin


def test_revoked_unknown_and_malformed_keys_are_401(team):
    created = _new_key(team["admin"])
    bot = _bearer(created["key"])
    assert bot.get("/api/posts").status_code == 200
    assert team["admin"].delete(f"/api/keys/{created['id']}").status_code == 204
    r = bot.get("/api/posts")
    assert r.status_code == 401 and error_of(r)["code"] == "invalid_api_key"
    assert team["admin"].get("/api/keys").json() == []
    for bad in ("hk_" + "x" * 43, "hk_", created["key"] + "x"):
        r = _bearer(bad).get("/api/posts")
        assert r.status_code == 401 and error_of(r)["code"] == "invalid_api_key"
    # Revoking is idempotent; another workspace's key id is not found.
    assert team["admin"].delete(f"/api/keys/{created['id']}").status_code == 204
    other_key = _new_key(team["other"])  # the other user's personal workspace
    r = team["admin"].delete(f"/api/keys/{other_key['id']}")
    assert r.status_code == 404
    assert _bearer(other_key["key"]).get("/api/posts").status_code == 200


def test_expired_key_is_401_and_past_expiry_is_refused(team):
    r = team["admin"].post(
        "/api/keys", json={"name": "old", "expires_at": "2020-01-01T00:00:00+00:00"}
    )
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_time"
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    created = _new_key(team["admin"], expires_at=soon)
    assert _bearer(created["key"]).get("/api/posts").status_code == 200
    with db.engine().begin() as conn:
        conn.execute(text("UPDATE api_keys SET expires_at = now() - interval '1 second'"))
    assert _bearer(created["key"]).get("/api/posts").status_code == 401


def test_removed_members_key_stops_working(team):
    admin, wid = team["admin"], team["wid"]
    member, member_id = _invite_and_join(admin, wid, "member@example.com", "admin")
    member.headers["X-Workspace-Id"] = wid
    secret = _new_key(member, "member bot")["key"]
    assert _post(_bearer(secret), team["account"]).status_code == 201
    assert admin.delete(f"/api/workspaces/{wid}/members/{member_id}").status_code == 204
    r = _bearer(secret).get("/api/posts")
    assert r.status_code == 401 and error_of(r)["code"] == "invalid_api_key"


def test_key_role_is_capped_by_the_members_current_role(team):
    admin, wid = team["admin"], team["wid"]
    member, member_id = _invite_and_join(admin, wid, "member@example.com", "admin")
    member.headers["X-Workspace-Id"] = wid
    secret = _new_key(member, "member bot", role="editor")["key"]
    r = admin.patch(f"/api/workspaces/{wid}/members/{member_id}", json={"role": "viewer"})
    assert r.status_code == 200
    assert _bearer(secret).get("/api/posts").status_code == 200
    assert _post(_bearer(secret), team["account"]).status_code == 403


def test_editors_cannot_manage_keys_and_roles_are_capped_by_the_creator(team):
    admin, wid = team["admin"], team["wid"]
    editor, _ = _invite_and_join(admin, wid, "editor@example.com", "editor")
    editor.headers["X-Workspace-Id"] = wid
    r = editor.post("/api/keys", json={"name": "mine", "role": "viewer"})
    assert r.status_code == 403
    assert editor.get("/api/keys").status_code == 403
    key = _new_key(admin)
    assert editor.delete(f"/api/keys/{key['id']}").status_code == 403
    with db.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM api_keys")).scalar_one() == 1

    r = admin.post("/api/keys", json={"name": "x", "role": "owner"})
    assert r.status_code == 422
    r = admin.post("/api/keys", json={"name": "  ", "role": "viewer"})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_name"


def test_keys_cannot_manage_keys_members_or_workspaces(team):
    admin, wid = team["admin"], team["wid"]
    created = _new_key(admin, "full", role="admin")
    bot = _bearer(created["key"])
    refusals = [
        bot.post("/api/keys", json={"name": "child", "role": "viewer"}),
        bot.get("/api/keys"),
        bot.delete(f"/api/keys/{created['id']}"),
        bot.post(f"/api/workspaces/{wid}/invites", json={"role": "admin"}),
        bot.get(f"/api/workspaces/{wid}/invites"),
        bot.patch(f"/api/workspaces/{wid}", json={"name": "Renamed"}),
        bot.post("/api/workspaces", json={"name": "Made by a key"}),
    ]
    for r in refusals:
        assert r.status_code == 403, r.text
        assert error_of(r)["code"] == "session_required"
    member_id = admin.get("/api/me").json()["user"]["id"]
    r = bot.delete(f"/api/workspaces/{wid}/members/{member_id}")
    assert r.status_code == 403 and error_of(r)["code"] == "session_required"
    with db.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM api_keys")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM invitations")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM workspaces")).scalar_one() == 2
    # The admin key still does admin-level automation in its workspace (reading members).
    assert bot.get(f"/api/workspaces/{wid}/members").status_code == 200
    # A key never acts as an instance admin, even when its creator is one.
    assert bot.get("/api/admin/platform-apps").status_code == 403
    assert admin.get("/api/admin/platform-apps").status_code == 200


def test_session_requests_are_not_restricted_after_key_requests(team):
    """The key's restriction lives in the request's context only."""
    admin = team["admin"]
    second = admin.post("/api/workspaces", json={"name": "Second"}).json()["id"]
    secret = _new_key(admin, role="viewer")["key"]
    assert _bearer(secret).get("/api/posts").status_code == 200
    admin.headers["X-Workspace-Id"] = second
    assert admin.get("/api/posts").status_code == 200
    assert len(admin.get("/api/me").json()["workspaces"]) == 2
    admin.headers["X-Workspace-Id"] = team["wid"]
    assert _post(admin, team["account"]).status_code == 201
