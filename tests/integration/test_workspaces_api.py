"""Workspaces, roles and invitations through the REST API."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app import db
from app.models import Invitation, Membership
from tests.integration.helpers import client, error_of, registered

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def team():
    """An admin with their personal workspace, plus a second registered user."""
    admin, me = registered("admin@example.com", "Admin")
    other, other_me = registered("other@example.com", "Other")
    return {
        "admin": admin,
        "other": other,
        "wid": me["workspaces"][0]["id"],
        "other_id": other_me["user"]["id"],
        "admin_id": me["user"]["id"],
    }


def _invite(c, wid, role="editor", **extra):
    r = c.post(f"/api/workspaces/{wid}/invites", json={"role": role, **extra})
    assert r.status_code == 201, r.text
    return r.json()["link"].rsplit("/", 1)[1]


def test_invite_accept_lists_member_with_role(team):
    token = _invite(team["admin"], team["wid"], "viewer")
    info = client().get(f"/api/invites/{token}")
    assert info.status_code == 200
    assert info.json()["workspace_name"] == "Admin's workspace" and info.json()["role"] == "viewer"

    joined = team["other"].post("/api/invites/accept", json={"token": token})
    assert joined.status_code == 200 and joined.json()["role"] == "viewer"
    members = team["admin"].get(f"/api/workspaces/{team['wid']}/members").json()
    assert {(m["email"], m["role"]) for m in members} == {
        ("admin@example.com", "admin"),
        ("other@example.com", "viewer"),
    }
    # The member now sees the workspace; the invite is no longer pending.
    names = [w["name"] for w in team["other"].get("/api/workspaces").json()]
    assert "Admin's workspace" in names
    assert team["admin"].get(f"/api/workspaces/{team['wid']}/invites").json() == []


def test_reused_expired_revoked_and_unknown_invites_are_refused(team):
    used = _invite(team["admin"], team["wid"])
    assert team["other"].post("/api/invites/accept", json={"token": used}).status_code == 200
    third, _ = registered("third@example.com")
    r = third.post("/api/invites/accept", json={"token": used})
    assert r.status_code == 410 and error_of(r)["code"] == "invite_used"

    expired = _invite(team["admin"], team["wid"])
    with db.session() as s:
        for inv in s.exec(select(Invitation).where(Invitation.accepted_at.is_(None))).all():
            inv.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            s.add(inv)
    r = third.post("/api/invites/accept", json={"token": expired})
    assert r.status_code == 410 and error_of(r)["code"] == "invite_expired"

    revoked = _invite(team["admin"], team["wid"])
    invite_id = team["admin"].get(f"/api/workspaces/{team['wid']}/invites").json()[0]["id"]
    assert (
        team["admin"].delete(f"/api/workspaces/{team['wid']}/invites/{invite_id}").status_code
        == 204
    )
    r = third.post("/api/invites/accept", json={"token": revoked})
    assert r.status_code == 410 and error_of(r)["code"] == "invite_revoked"

    r = third.post("/api/invites/accept", json={"token": "not-a-token"})
    assert r.status_code == 404 and error_of(r)["code"] == "invite_invalid"
    with db.session() as s:
        assert len(s.exec(select(Membership)).all()) == 4  # 3 personal + the one accepted


def test_invite_bound_to_an_email_only_works_for_it(team):
    token = _invite(team["admin"], team["wid"], "editor", email="someone@example.com")
    r = team["other"].post("/api/invites/accept", json={"token": token})
    assert r.status_code == 403 and error_of(r)["code"] == "invite_wrong_email"


def test_already_a_member_does_not_consume_the_invite(team):
    token = _invite(team["admin"], team["wid"])
    r = team["admin"].post("/api/invites/accept", json={"token": token})
    assert r.status_code == 409 and error_of(r)["code"] == "already_member"
    assert team["other"].post("/api/invites/accept", json={"token": token}).status_code == 200


def test_other_workspaces_are_not_found_and_roles_are_enforced(team):
    wid = team["wid"]
    r = team["other"].get(f"/api/workspaces/{wid}/members")
    assert r.status_code == 404  # not a member: the workspace does not exist for them
    r = team["other"].post(f"/api/workspaces/{wid}/invites", json={"role": "admin"})
    assert r.status_code == 404

    token = _invite(team["admin"], wid, "editor")
    team["other"].post("/api/invites/accept", json={"token": token})
    r = team["other"].post(f"/api/workspaces/{wid}/invites", json={"role": "admin"})
    assert r.status_code == 403 and error_of(r)["code"] == "forbidden"
    r = team["other"].patch(
        f"/api/workspaces/{wid}/members/{team['admin_id']}", json={"role": "viewer"}
    )
    assert r.status_code == 403


def test_last_admin_cannot_be_demoted_or_removed(team):
    wid, admin = team["wid"], team["admin"]
    r = admin.patch(f"/api/workspaces/{wid}/members/{team['admin_id']}", json={"role": "editor"})
    assert r.status_code == 409 and error_of(r)["code"] == "last_admin"
    r = admin.delete(f"/api/workspaces/{wid}/members/{team['admin_id']}")
    assert r.status_code == 409 and error_of(r)["code"] == "last_admin"

    token = _invite(admin, wid, "viewer")
    team["other"].post("/api/invites/accept", json={"token": token})
    r = admin.patch(f"/api/workspaces/{wid}/members/{team['other_id']}", json={"role": "admin"})
    assert r.status_code == 200 and r.json()["role"] == "admin"
    r = admin.patch(f"/api/workspaces/{wid}/members/{team['admin_id']}", json={"role": "editor"})
    assert r.status_code == 200 and r.json()["role"] == "editor"
    r = team["other"].patch(
        f"/api/workspaces/{wid}/members/{team['other_id']}", json={"role": "viewer"}
    )
    assert r.status_code == 409  # now the other one is the last admin


def test_bad_role_and_member_removal(team):
    wid, admin = team["wid"], team["admin"]
    r = admin.post(f"/api/workspaces/{wid}/invites", json={"role": "owner"})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_role"
    token = _invite(admin, wid, "editor")
    team["other"].post("/api/invites/accept", json={"token": token})
    r = admin.delete(f"/api/workspaces/{wid}/members/{team['other_id']}")
    assert r.status_code == 204
    assert team["other"].get(f"/api/workspaces/{wid}").status_code == 404


def test_create_and_rename_workspace(team):
    r = team["other"].post("/api/workspaces", json={"name": "  Launch Team  "})
    assert (
        r.status_code == 201 and r.json()["name"] == "Launch Team" and r.json()["role"] == "admin"
    )
    wid = r.json()["id"]
    r = team["other"].patch(f"/api/workspaces/{wid}", json={"name": ""})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_name"
    r = team["other"].patch(f"/api/workspaces/{wid}", json={"name": "Growth"})
    assert r.status_code == 200 and r.json()["name"] == "Growth"
