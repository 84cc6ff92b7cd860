"""Sandbox mode through the REST API: simulated accounts on every network, connected with no
account anywhere, and a post that publishes to the simulator."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select

from app import db
from app.config import settings
from app.crypto import decrypt
from app.models import SocialAccount, User
from app.services import connect, sandbox
from simulator import SimServer, Simulator
from tests.integration.helpers import error_of, registered

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    # As `make run` starts it: its controls need the secret Herald holds.
    with SimServer(Simulator(seed=11), secret=settings.resolved_sandbox_secret) as srv:
        yield srv


@pytest.fixture
def sandbox_on(server, monkeypatch):
    monkeypatch.setattr(settings, "sandbox", True)
    monkeypatch.setattr(settings, "sandbox_url", server.url)


@pytest.fixture
def admin():
    client, me = registered("admin@example.com", "Admin")
    client.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    return client


def connect_sandbox(client, platform: str) -> httpx.Response:
    """The browser's part: Herald approved the simulated consent itself, so the URL it hands
    out is its own callback, never the simulator."""
    r = client.post(f"/api/accounts/connect/{platform}", json={"sandbox": True})
    assert r.status_code == 200, r.text
    url = r.json()["authorize_url"]
    assert url.startswith(f"{settings.base_url}/api/accounts/callback/{platform}?"), url
    location = urlsplit(url)
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    return client.get(location.path, params=params, follow_redirects=False)


def test_sandbox_is_refused_when_off(admin):
    r = admin.post("/api/accounts/connect/x", json={"sandbox": True})
    assert r.status_code == 422 and error_of(r)["code"] == "sandbox_disabled"
    assert all(p["sandbox"] is False for p in admin.get("/api/platforms").json())


def test_platforms_offer_the_sandbox(admin, sandbox_on):
    platforms = admin.get("/api/platforms").json()
    assert platforms and all(p["sandbox"] is True for p in platforms)


def test_sandbox_oauth_account_is_flagged_and_its_tokens_encrypted(admin, sandbox_on, server):
    done = connect_sandbox(admin, "x")
    assert done.status_code == 303 and "connected=" in done.headers["location"]
    [account] = admin.get("/api/accounts").json()
    assert account["platform"] == "x" and account["is_sandbox"] is True
    with db.session() as s:
        row = s.exec(select(SocialAccount)).one()
    assert row.meta["api_base"] == server.url_for("x")
    assert decrypt(row.access_token) not in row.access_token


def test_sandbox_app_password_platform_connects_in_one_step(admin, sandbox_on):
    r = admin.post("/api/accounts/login/bluesky", json={"sandbox": True})
    assert r.status_code == 201, r.text
    assert r.json()["is_sandbox"] is True and r.json()["username"].endswith(".bsky.social")


def test_sandbox_federated_platform_registers_on_the_simulated_server(admin, sandbox_on, server):
    done = connect_sandbox(admin, "mastodon")
    assert "connected=" in done.headers["location"], done.headers["location"]
    [account] = admin.get("/api/accounts").json()
    assert account["is_sandbox"] is True


def test_a_reset_sandbox_is_reported_once_and_its_accounts_reconnect_in_place(
    admin, sandbox_on, server
):
    connect_sandbox(admin, "x")
    admin.post("/api/accounts/login/bluesky", json={"sandbox": True})
    before = {a["id"]: a for a in admin.get("/api/accounts").json()}
    assert admin.get("/api/sandbox/status").json() == {
        "enabled": True, "reset": False, "stale_accounts": [], "message": ""
    }  # fmt: skip
    server.sim.reset()  # the simulator forgot every app, account and token

    status = admin.get("/api/sandbox/status").json()
    assert status["reset"] is True and set(status["stale_accounts"]) == set(before)
    listed = admin.get("/api/accounts").json()
    assert {(a["status"], a["last_error"]) for a in listed} == {
        ("expired", sandbox.ACCOUNT_MESSAGE)
    }
    with db.session() as s:
        user = s.exec(select(User)).one()
    # The card's own Reconnect (Accounts page, dashboard) brings the whole old sandbox back.
    [x] = [a for a in listed if a["platform"] == "x"]
    wid = uuid.UUID(admin.headers["X-Workspace-Id"])
    assert connect.reconnect(user, wid, uuid.UUID(x["id"])) is None
    after = admin.get("/api/accounts").json()
    assert {a["id"] for a in after} == set(before)  # the same rows, their posts kept
    assert all(a["status"] == "connected" and a["last_error"] is None for a in after)
    assert admin.get("/api/sandbox/status").json()["reset"] is False
    assert admin.post("/api/sandbox/reconnect").json() == {"reconnected": [], "failed": {}}
