"""Plan tiers over HTTP and through the services: each limit is enforced where the action
happens (402 `plan_limit` naming the limit and the upgrade), a reconnect stays allowed, and a
downgrade below what the workspace holds is refused (monthly counts only warn)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlmodel import select

from app import db
from app.config import settings
from app.models import AIUsage, Media, Role, Tier, Workspace
from app.services import api_keys, connect, plans
from tests.integration.helpers import error_of, mastodon_account, registered, signed_up
from tests.support.fake_openai import FakeOpenAI

pytestmark = pytest.mark.usefixtures("clean_db")

# A month far ahead, so the test never straddles a real month boundary.
MONTH = dt.datetime(2031, 3, 10, 12, 0, tzinfo=dt.UTC)


SEED = 8


@pytest.fixture
def team():
    client, wid, user = signed_up("owner@example.com", "Owner")
    return {"client": client, "wid": wid, "uuid": uuid.UUID(wid), "user": user}


def set_tier(team, tier: str):
    r = team["client"].put(f"/api/workspaces/{team['wid']}/plan", json={"tier": tier})
    assert r.status_code == 200, r.text
    return r.json()


def connect_account(server, team, name: str):
    return mastodon_account(server, team["user"], team["uuid"], name)


def test_new_workspaces_start_on_the_default_tier_and_the_plan_shows_limits_and_usage(team):
    # The test run sets HERALD_DEFAULT_TIER=business; out of the box it is free.
    assert settings.default_tier == "business"
    plan = team["client"].get(f"/api/workspaces/{team['wid']}/plan").json()
    assert plan["tier"] == "business" and plan["can_change"] is True
    assert plan["limits"]["accounts"] is None  # unlimited
    plan = set_tier(team, "free")
    assert plan["name"] == "Free"
    assert plan["limits"] == {
        "accounts": 3,
        "members": 1,
        "posts_per_month": 30,
        "ai_captions_per_month": 20,
        "storage_bytes": 1024**3,
    }
    assert plan["usage"]["members"] == 1 and plan["usage"]["accounts"] == 0
    assert plan["warnings"] == []
    bad = team["client"].put(f"/api/workspaces/{team['wid']}/plan", json={"tier": "gold"})
    assert bad.status_code == 422 and error_of(bad)["code"] == "invalid_tier"


def test_connecting_beyond_the_account_limit_is_refused_but_reconnects_work(server, team):
    set_tier(team, "free")
    made = [connect_account(server, team, n) for n in ("a1", "a2", "a3")]
    with pytest.raises(plans.PlanLimit) as refused:
        connect_account(server, team, "a4")
    err = refused.value
    assert err.status == 402 and err.code == "plan_limit"
    assert "Free plan allows 3 connected social accounts" in err.message
    assert "Upgrade to Pro" in err.message
    assert err.details["limit"] == "accounts"
    # Reconnecting an account already connected is not a new one.
    again = connect_account(server, team, "a1")
    assert again.id == made[0].id
    # A disconnected account frees its place; bringing it back needs room again.
    connect.disconnect(team["user"], team["uuid"], made[1].id)
    connect_account(server, team, "a4")
    with pytest.raises(plans.PlanLimit):
        connect_account(server, team, "a2")
    usage = team["client"].get(f"/api/workspaces/{team['wid']}/plan").json()["usage"]
    assert usage["accounts"] == 3
    # Pro has room for more.
    set_tier(team, "pro")
    connect_account(server, team, "a2")


def test_inviting_and_accepting_beyond_the_member_limit(team):
    c, wid = team["client"], team["wid"]
    set_tier(team, "free")
    r = c.post(f"/api/workspaces/{wid}/invites", json={"role": "editor"})
    assert r.status_code == 402
    err = error_of(r)
    assert err["code"] == "plan_limit"
    assert "Free plan allows 1 member (this workspace has 1)" in err["message"]
    assert err["details"]["limit"] == "members"

    set_tier(team, "pro")  # 5 seats: the owner plus 4 invites
    tokens = []
    for _ in range(4):
        r = c.post(f"/api/workspaces/{wid}/invites", json={"role": "editor"})
        assert r.status_code == 201, r.text
        tokens.append(r.json()["link"].rsplit("/", 1)[1])
    r = c.post(f"/api/workspaces/{wid}/invites", json={"role": "editor"})
    assert r.status_code == 402 and "pending invites count" in error_of(r)["message"]

    joiner, _ = registered("joiner@example.com")
    assert joiner.post("/api/invites/accept", json={"token": tokens[0]}).status_code == 200
    # Downgraded to free with invites still out (allowed: members are 2 > 1 → refused).
    r = c.put(f"/api/workspaces/{wid}/plan", json={"tier": "free"})
    assert r.status_code == 402 and "2 members" in error_of(r)["message"]
    # An invite made before a downgrade cannot be accepted over the limit.
    with db.session() as s:
        s.get(Workspace, team["uuid"]).subscription_tier = Tier.free
    late, _ = registered("late@example.com")
    r = late.post("/api/invites/accept", json={"token": tokens[1]})
    assert r.status_code == 402 and error_of(r)["details"]["limit"] == "members"
    assert [w["name"] for w in late.get("/api/workspaces").json()] == ["late's workspace"]


def _post(team, when: dt.datetime, mode: str = "schedule", account=None):
    body = {"content": "Hi", "account_ids": [account], "scheduled_at": when.isoformat()}
    return team["client"].post("/api/posts", json={**body, "mode": mode})


def test_scheduling_beyond_the_monthly_posts_is_refused_drafts_are_not(server, team):
    set_tier(team, "free")
    account = str(connect_account(server, team, "poster").id)
    for i in range(30):
        r = _post(team, MONTH + dt.timedelta(minutes=i), account=account)
        assert r.status_code == 201, r.text
    r = _post(team, MONTH + dt.timedelta(hours=2), account=account)
    assert r.status_code == 402
    err = error_of(r)
    assert err["code"] == "plan_limit" and err["details"]["limit"] == "posts_per_month"
    assert "March 2031 already has 30" in err["message"] and "Upgrade to Pro" in err["message"]
    # Drafts are not counted; nor is another month.
    draft = _post(team, MONTH + dt.timedelta(hours=3), mode="draft", account=account)
    assert draft.status_code == 201
    assert _post(team, MONTH + dt.timedelta(days=30), account=account).status_code == 201
    # Scheduling the draft into the full month is refused; into April it is fine.
    path = f"/api/posts/{draft.json()['id']}"
    body = {"content": "Hi", "account_ids": [account], "mode": "schedule"}
    r = team["client"].put(path, json={**body, "scheduled_at": MONTH.isoformat()})
    assert r.status_code == 402, r.text
    april = (MONTH + dt.timedelta(days=31)).isoformat()
    assert team["client"].put(path, json={**body, "scheduled_at": april}).status_code == 200
    # Moving a post already counted in March within March stays allowed.
    first = team["client"].get("/api/posts?status=scheduled&limit=1").json()["items"][0]
    moved = team["client"].patch(
        f"/api/posts/{first['id']}/schedule",
        json={"scheduled_at": (MONTH + dt.timedelta(days=5)).isoformat()},
    )
    assert moved.status_code == 200, moved.text
    # A cancelled post gives its place back.
    assert team["client"].post(f"/api/posts/{first['id']}/cancel").status_code == 200
    assert _post(team, MONTH + dt.timedelta(hours=4), account=account).status_code == 201


@pytest.fixture
def ai_on(monkeypatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        monkeypatch.setattr(settings, "openai_api_key", SecretStr("sk-test-plans-0000"))
        monkeypatch.setattr(settings, "openai_base_url", fake.base_url)
        monkeypatch.setattr(settings, "ai_requests_per_hour", 0)
        yield fake


def test_ai_captions_beyond_the_monthly_count_are_refused(ai_on, team):
    set_tier(team, "free")
    with db.session() as s:
        for _ in range(19):
            s.add(AIUsage(workspace_id=team["uuid"], model="m", platform="x"))
        # Failed generations do not count against the plan.
        s.add(AIUsage(workspace_id=team["uuid"], model="m", platform="x", outcome="ai_timeout"))
    body = {"topic": "Launch day", "tone": "witty", "platform": "x"}
    r = team["client"].post("/api/ai/generate", json=body)
    assert r.status_code == 200, r.text  # the 20th
    r = team["client"].post("/api/ai/generate", json=body)
    assert r.status_code == 402
    err = error_of(r)
    assert err["details"]["limit"] == "ai_captions_per_month"
    assert "Free plan allows 20 AI captions per month" in err["message"]
    assert len(ai_on.requests) == 1  # the refused one never reached the AI server
    plan = team["client"].get(f"/api/workspaces/{team['wid']}/plan").json()
    assert plan["usage"]["ai_captions_per_month"] == 20


def test_media_storage_limit(team):
    set_tier(team, "free")
    with db.session() as s:
        s.add(
            Media(
                workspace_id=team["uuid"],
                storage_key=f"{team['wid']}/{uuid.uuid4().hex}-big.mp4",
                filename="big.mp4",
                file_type="video/mp4",
                file_size=1024**3 - 10,
                checksum="0" * 64,
            )
        )
    with db.session() as s, pytest.raises(plans.PlanLimit) as refused:
        plans.check_storage(s, team["uuid"], 100)
    assert "1 GB media storage" in refused.value.message
    with db.session() as s:
        plans.check_storage(s, team["uuid"], 10)  # exactly fits


def test_downgrade_refused_over_standing_limits_and_warns_over_monthly_ones(server, team):
    set_tier(team, "pro")
    account = None
    for n in ("d1", "d2", "d3", "d4"):
        account = str(connect_account(server, team, n).id)
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    with db.session() as s:
        ws = s.get(Workspace, team["uuid"])
        start, end = plans.month_of(ws)
    # Posts due this month (placed safely inside it).
    base = max(now, start + dt.timedelta(minutes=5))
    if base + dt.timedelta(minutes=40) >= end:
        pytest.skip("too close to the end of the month")
    for i in range(31):
        assert _post(team, base + dt.timedelta(minutes=i), account=account).status_code == 201
    r = team["client"].put(f"/api/workspaces/{team['wid']}/plan", json={"tier": "free"})
    assert r.status_code == 402
    err = error_of(r)
    assert err["details"]["limits"] == ["accounts"]
    assert "4 connected social accounts (allowed 3)" in err["message"]
    assert team["client"].get(f"/api/workspaces/{team['wid']}/plan").json()["tier"] == "pro"
    connect.disconnect(team["user"], team["uuid"], uuid.UUID(account))
    plan = set_tier(team, "free")
    assert plan["tier"] == "free"
    assert len(plan["warnings"]) == 1 and "31 scheduled posts per month" in plan["warnings"][0]


def test_only_workspace_admins_change_the_plan_and_not_with_an_api_key(team, monkeypatch):
    c, wid = team["client"], team["wid"]
    r = c.post(f"/api/workspaces/{wid}/invites", json={"role": "editor"})
    editor, _ = registered("editor@example.com")
    token = r.json()["link"].rsplit("/", 1)[1]
    assert editor.post("/api/invites/accept", json={"token": token}).status_code == 200
    plan = editor.get(f"/api/workspaces/{wid}/plan")
    assert plan.status_code == 200 and plan.json()["can_change"] is False
    r = editor.put(f"/api/workspaces/{wid}/plan", json={"tier": "free"})
    assert r.status_code == 403 and "workspace admin" in error_of(r)["message"]

    key = api_keys.create_key(team["user"], team["uuid"], "ci", Role.admin).secret
    from tests.integration.helpers import client

    bot = client()
    bot.headers["Authorization"] = f"Bearer {key}"
    r = bot.put(f"/api/workspaces/{wid}/plan", json={"tier": "free"})
    assert r.status_code == 403 and error_of(r)["code"] == "session_required"

    # Operators may keep plan changes to the instance admin.
    monkeypatch.setattr(settings, "plan_changes", "instance_admin")
    with db.session() as s:
        owner = s.exec(select(Workspace).where(Workspace.id == team["uuid"])).one()
        assert owner.subscription_tier == Tier.business
    other, me = registered("not-admin@example.com")
    own = me["workspaces"][0]["id"]
    r = other.put(f"/api/workspaces/{own}/plan", json={"tier": "pro"})
    assert r.status_code == 403 and "instance admin" in error_of(r)["message"]
    assert c.put(f"/api/workspaces/{wid}/plan", json={"tier": "pro"}).status_code == 200
