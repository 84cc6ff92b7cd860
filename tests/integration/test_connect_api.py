"""Connecting accounts over OAuth through the REST API, against the simulator over HTTP:
authorize → the platform's redirect → callback → tokens stored encrypted."""

from __future__ import annotations

import os
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select

from app import db
from app.crypto import decrypt
from app.models import AccountStatus, PlatformApp, SocialAccount
from tests.integration.helpers import error_of, registered

pytestmark = pytest.mark.usefixtures("clean_db")


SEED = 9


@pytest.fixture
def x_app(server, monkeypatch):
    """The instance's X app points at the simulator's X (as a sandbox setup would)."""
    for name, value in {
        "HERALD_X_CLIENT_ID": "herald-sandbox",
        "HERALD_X_CLIENT_SECRET": "herald-sandbox-secret",
        "HERALD_X_API_BASE": server.url_for("x"),
        "HERALD_X_AUTH_BASE": server.url_for("x"),
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def admin():
    client, me = registered("admin@example.com", "Admin")
    client.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    return client


def approve(authorize_url: str, as_user: str) -> dict[str, str]:
    """Play the user approving at the platform: follow to the redirect back to Herald."""
    r = httpx.get(f"{authorize_url}&sim_account={as_user}", follow_redirects=False)
    assert r.status_code in (302, 303), r.text
    back = urlsplit(r.headers["location"])
    assert back.path.startswith("/api/accounts/callback/")
    return {k: v[0] for k, v in parse_qs(back.query).items()}


def connect(client, platform: str, as_user: str, **body) -> httpx.Response:
    r = client.post(f"/api/accounts/connect/{platform}", json=body or None)
    assert r.status_code == 200, r.text
    params = approve(r.json()["authorize_url"], as_user)
    return client.get(f"/api/accounts/callback/{platform}", params=params, follow_redirects=False)


def test_x_round_trip_with_pkce_stores_encrypted_tokens(admin, x_app):
    start = admin.post("/api/accounts/connect/x").json()["authorize_url"]
    query = parse_qs(urlsplit(start).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["redirect_uri"] == ["http://localhost:3000/api/accounts/callback/x"]
    params = approve(start, "alice")
    done = admin.get("/api/accounts/callback/x", params=params, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/accounts/?connected=")
    [account] = admin.get("/api/accounts").json()
    assert account["platform"] == "x" and account["status"] == "connected"
    assert account["username"] == "alice" and account["token_expires_at"]
    assert {k for k in account if "token" in k} == {"token_expires_at"}  # no token leaves
    with db.session() as s:
        row = s.exec(select(SocialAccount)).one()
    access, refresh = decrypt(row.access_token), decrypt(row.refresh_token)
    assert access and refresh
    assert access not in row.access_token and refresh not in row.refresh_token
    # Replaying the callback (same state) is refused: a state works once.
    again = admin.get("/api/accounts/callback/x", params=params, follow_redirects=False)
    assert "error=" in again.headers["location"] and "expired" in again.headers["location"]


def test_mastodon_registers_once_per_server_and_reconnect_keeps_the_account(admin, server):
    instance = server.url_for("mastodon")
    first = connect(admin, "mastodon", "bob", instance_url=instance)
    assert first.status_code == 303 and "connected=" in first.headers["location"]
    second = connect(admin, "mastodon", "bob", instance_url=instance)
    assert "connected=" in second.headers["location"]
    with db.session() as s:
        apps = s.exec(select(PlatformApp)).all()
        rows = s.exec(select(SocialAccount)).all()
    assert [(a.platform, a.instance_url) for a in apps] == [("mastodon", instance)]
    assert apps[0].client_secret and "secret" not in apps[0].client_secret[:8]
    assert len(rows) == 1 and rows[0].meta["api_base"] == instance


@pytest.mark.parametrize("forgotten", ["app deleted", "server restarted empty"])
def test_mastodon_registers_again_when_the_server_forgot_herald(admin, server, forgotten):
    """The server no longer knows Herald's app (an admin deleted it, or the server was rebuilt):
    connecting registers Herald again, once, instead of sending users to `invalid_client`."""
    instance = server.url_for("mastodon")
    assert (
        "connected=" in connect(admin, "mastodon", "bob", instance_url=instance).headers["location"]
    )
    with db.session() as s:
        [old] = s.exec(select(PlatformApp)).all()
    sim = server.sim["mastodon"]
    if forgotten == "app deleted":
        sim.apps.pop(old.client_id)
    else:
        sim.reset()
    again = connect(admin, "mastodon", "carol", instance_url=instance)
    assert "connected=" in again.headers["location"], again.headers["location"]
    with db.session() as s:
        [new] = s.exec(select(PlatformApp)).all()
    assert new.client_id != old.client_id and new.client_id in sim.apps
    assert len(admin.get("/api/accounts").json()) == 2


def test_mastodon_app_forgotten_during_the_login_asks_to_connect_again(admin, server):
    instance = server.url_for("mastodon")
    start = admin.post("/api/accounts/connect/mastodon", json={"instance_url": instance})
    params = approve(start.json()["authorize_url"], "dora")
    server.sim["mastodon"].apps.clear()  # deleted while the user was approving
    done = admin.get("/api/accounts/callback/mastodon", params=params, follow_redirects=False)
    assert "error=" in done.headers["location"]
    assert (
        "no%20longer%20knows" in done.headers["location"]
        or "no+longer+knows" in (done.headers["location"])
    )
    with db.session() as s:
        assert s.exec(select(PlatformApp)).all() == []  # forgotten: the next start registers
    assert (
        "connected="
        in connect(admin, "mastodon", "dora", instance_url=instance).headers["location"]
    )


def test_state_is_bound_to_the_user_who_started(admin, x_app):
    start = admin.post("/api/accounts/connect/x").json()["authorize_url"]
    params = approve(start, "carol")
    intruder, me = registered("intruder@example.com")
    r = intruder.get("/api/accounts/callback/x", params=params, follow_redirects=False)
    assert "someone+else" in r.headers["location"] or "someone%20else" in r.headers["location"]
    assert admin.get("/api/accounts").json() == []


def test_disconnect_revokes_and_keeps_history(admin, x_app):
    connect(admin, "x", "dave")
    [account] = admin.get("/api/accounts").json()
    assert admin.delete(f"/api/accounts/{account['id']}").status_code == 200
    [after] = admin.get("/api/accounts").json()
    assert after["status"] == AccountStatus.revoked.value
    with db.session() as s:
        row = s.get(SocialAccount, uuid.UUID(account["id"]))
    assert row.access_token == "" and row.refresh_token is None
    connect(admin, "x", "dave")
    [back] = admin.get("/api/accounts").json()
    assert back["id"] == account["id"] and back["status"] == "connected"


def test_bad_requests_get_clear_errors(admin, monkeypatch):
    monkeypatch.delenv("HERALD_X_CLIENT_ID", raising=False)
    r = admin.post("/api/accounts/connect/x")
    assert r.status_code == 422 and error_of(r)["code"] == "platform_not_configured"
    r = admin.post("/api/accounts/connect/myspace")
    assert r.status_code == 404
    r = admin.post("/api/accounts/connect/mastodon", json={})
    assert r.status_code == 422 and error_of(r)["code"] == "instance_required"
    r = admin.post("/api/accounts/connect/mastodon", json={"instance_url": "http://example.com"})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_instance"
    assert os.environ.get("HERALD_X_CLIENT_ID") is None


def test_platforms_lists_every_connector(x_app):
    client, _ = registered("viewer@example.com")
    platforms = {p["id"]: p for p in client.get("/api/platforms").json()}
    assert {"mastodon", "x"} <= set(platforms)
    assert platforms["x"]["configured"] is True and platforms["x"]["limits"]["text"] == 280
    assert platforms["mastodon"]["capabilities"]["idempotent_publish"] is True
    # The post options come from each provider's options model: label, help, choices, required.
    board = next(o for o in platforms["pinterest"]["options"] if o["name"] == "board_id")
    assert board["label"] == "Board" and board["required"] is True and board["live"] is True
    reply = next(o for o in platforms["x"]["options"] if o["name"] == "reply_settings")
    assert reply["kind"] == "select" and reply["required"] is False
    assert {"value": "following", "label": "People you follow"} in reply["choices"]
    assert "23" in platforms["x"]["counting"]
    # What each network needs, in the composer's words; image and alt text limits.
    assert platforms["youtube"]["requirements"].startswith("Needs exactly one video.")
    assert platforms["instagram"]["limits"]["max_image_side"] == 1440
    assert platforms["x"]["limits"]["alt_text"] == 1000
    assert platforms["tiktok"]["limits"]["alt_text"] == 0


def test_instance_admin_configures_an_app_and_connecting_uses_it(admin, server, monkeypatch):
    monkeypatch.setenv("HERALD_X_API_BASE", server.url_for("x"))
    monkeypatch.setenv("HERALD_X_AUTH_BASE", server.url_for("x"))
    monkeypatch.delenv("HERALD_X_CLIENT_ID", raising=False)
    member, _ = registered("member@example.com")  # not the instance admin
    assert member.get("/api/admin/platform-apps").status_code == 403
    r = member.put("/api/admin/platform-apps/x", json={"client_id": "nope"})
    assert r.status_code == 403 and error_of(r)["code"] == "instance_admin_only"

    before = {a["platform"]: a for a in admin.get("/api/admin/platform-apps").json()}
    assert before["x"]["source"] == "" and "mastodon" not in before
    r = admin.put(
        "/api/admin/platform-apps/x",
        json={"client_id": "herald-sandbox", "client_secret": "herald-sandbox-secret"},
    )
    assert r.status_code == 200
    assert r.json() == {
        "platform": "x", "name": "X", "source": "settings",
        "client_id": "herald-sandbox", "has_secret": True,
    }  # fmt: skip
    with db.session() as s:
        row = s.exec(select(PlatformApp).where(PlatformApp.platform == "x")).one()
    assert "herald-sandbox-secret" not in row.client_secret
    assert decrypt(row.client_secret) == "herald-sandbox-secret"
    assert "secret" not in str(admin.get("/api/admin/platform-apps").json()).replace(
        "has_secret", ""
    )
    # An update without a secret keeps the stored one.
    admin.put("/api/admin/platform-apps/x", json={"client_id": "herald-sandbox"})
    done = connect(admin, "x", "erin")
    assert "connected=" in done.headers["location"]
    assert (
        admin.put("/api/admin/platform-apps/mastodon", json={"client_id": "a"}).status_code == 422
    )
    assert admin.put("/api/admin/platform-apps/x", json={"client_id": " "}).status_code == 422
    assert admin.delete("/api/admin/platform-apps/x").status_code == 204
    r = admin.post("/api/accounts/connect/x")
    assert r.status_code == 422 and error_of(r)["code"] == "platform_not_configured"


def test_bluesky_connects_with_an_app_password(admin, server, monkeypatch):
    monkeypatch.setenv("HERALD_BLUESKY_API_BASE", server.url_for("bluesky"))
    server.sim["bluesky"].ensure_account("frank.bsky.social", password="abcd-efgh-ijkl-mnop")
    wrong = admin.post(
        "/api/accounts/login/bluesky",
        json={"identifier": "frank.bsky.social", "app_password": "wrong-wrong-wrong"},
    )
    assert wrong.status_code == 422 and error_of(wrong)["code"] == "platform_credentials"
    empty = admin.post("/api/accounts/login/bluesky", json={"identifier": "", "app_password": "x"})
    assert empty.status_code == 422 and error_of(empty)["code"] == "credentials_required"
    oauth = admin.post("/api/accounts/login/x", json={"identifier": "a", "app_password": "b"})
    assert oauth.status_code == 422 and error_of(oauth)["code"] == "oauth_platform"
    assert admin.get("/api/accounts").json() == []

    ok = admin.post(
        "/api/accounts/login/bluesky",
        json={"identifier": "@frank.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["platform"] == "bluesky" and ok.json()["status"] == "connected"
    with db.session() as s:
        row = s.exec(select(SocialAccount)).one()
    assert row.refresh_token and decrypt(row.refresh_token) not in row.refresh_token
    assert row.meta["api_base"] == server.url_for("bluesky")
    platforms = {p["id"]: p for p in admin.get("/api/platforms").json()}
    assert platforms["bluesky"]["configured"] is True
    assert platforms["bluesky"]["capabilities"]["app_password"] is True
