"""Self-hosted defaults: with billing off (HERALD_BILLING, off unless set) every workspace is
unlimited whatever its stored tier, the plan shows no tier limits and cannot be switched; the
first person to sign up becomes the instance admin; workspaces are created and renamed."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from app import db
from app.config import Settings, settings
from app.models import Tier, User, Workspace
from app.services import plans
from tests.integration.helpers import error_of, registered

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def billing_off(monkeypatch):
    monkeypatch.setattr(settings, "billing", "off")


def test_billing_is_off_by_default_and_takes_the_usual_switch_spellings():
    assert Settings.model_fields["billing"].default == "off"
    for value, expected in (("on", "on"), ("TRUE", "on"), ("1", "on"), ("no", "off")):
        assert Settings(billing=value).billing == expected


def test_without_billing_a_free_workspace_is_unlimited_and_has_no_plan_to_switch(billing_off):
    client, me = registered("solo@example.com", "Solo")
    wid = me["workspaces"][0]["id"]
    with db.session() as s:  # stored as free: the tier is kept, but does not apply
        ws = s.get(Workspace, uuid.UUID(wid))
        ws.subscription_tier = Tier.free
        s.add(ws)
    plan = client.get(f"/api/workspaces/{wid}/plan").json()
    assert plan["billing"] is False and plan["can_change"] is False
    assert plan["name"] == "Self-hosted"
    assert set(plan["limits"].values()) == {None}
    # The Free plan's one-member limit would refuse these: self-hosted, the team can grow.
    for _ in range(3):
        r = client.post(f"/api/workspaces/{wid}/invites", json={"role": "editor"})
        assert r.status_code == 201, r.text
    r = client.put(f"/api/workspaces/{wid}/plan", json={"tier": "pro"})
    assert r.status_code == 409 and error_of(r)["code"] == "billing_off"


def test_with_billing_on_the_tier_limits_apply_again(monkeypatch):
    monkeypatch.setattr(settings, "billing", "on")
    client, me = registered("seller@example.com", "Seller")
    wid = me["workspaces"][0]["id"]
    assert client.put(f"/api/workspaces/{wid}/plan", json={"tier": "free"}).status_code == 200
    plan = client.get(f"/api/workspaces/{wid}/plan").json()
    assert plan["billing"] is True and plan["limits"]["members"] == 1
    r = client.post(f"/api/workspaces/{wid}/invites", json={"role": "editor"})
    assert r.status_code == 402 and error_of(r)["code"] == "plan_limit"
    assert plans.limits_of(Tier.free).members == 1


def test_the_first_user_is_the_instance_admin_and_manages_workspaces(billing_off):
    first, me = registered("first@example.com", "First")
    second, _ = registered("second@example.com", "Second")
    with db.session() as s:
        admins = {u.email: u.is_instance_admin for u in s.exec(select(User)).all()}
    assert admins == {"first@example.com": True, "second@example.com": False}
    made = first.post("/api/workspaces", json={"name": "Acme Bakery"})
    assert made.status_code == 201, made.text
    wid = made.json()["id"]
    r = first.patch(f"/api/workspaces/{wid}", json={"name": "Acme Bakery & Co"})
    assert r.status_code == 200 and r.json()["name"] == "Acme Bakery & Co"
    names = {w["name"] for w in first.get("/api/workspaces").json()}
    assert names == {"Acme Bakery & Co", me["workspaces"][0]["name"]}
