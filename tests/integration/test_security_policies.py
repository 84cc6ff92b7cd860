"""Security policies over real HTTP: origins (CORS the way Reflex wires it, security headers),
the sandbox simulator (its secret, per-workspace isolation, safe defaults), registration
(policy, throttle) and sign-in throttling per IP."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import reflex as rx
import uvicorn
from sqlmodel import select

from app import db
from app.api import create_api
from app.api.headers import security_headers
from app.config import Settings, settings
from app.models import SocialAccount
from app.providers.base import PublishRequest
from app.services import accounts
from simulator import SimServer, Simulator
from tests.integration.helpers import PASSWORD, client, error_of, registered

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture(scope="module")
def herald() -> Iterator[str]:
    """The REST API as the web app serves it: Reflex's CORS middleware (from rxconfig's
    cors_allowed_origins) and the security headers around it, on a real port."""
    api = create_api()
    rx.App._add_cors(api)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(security_headers(api), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)


# ------------------------------------------------------------------ origins and headers


def test_cors_allows_only_herald_s_own_origin(herald):
    token = registered("cors@example.com")[0].cookies["herald_session"]
    cookie = {"Cookie": f"herald_session={token}"}
    own = settings.base_url  # http://localhost:3000 in tests
    evil = httpx.get(f"{herald}/api/me", headers={**cookie, "Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in evil.headers  # the browser hides the answer
    ok = httpx.get(f"{herald}/api/me", headers={**cookie, "Origin": own})
    assert ok.headers["access-control-allow-origin"] == own
    assert ok.headers["access-control-allow-credentials"] == "true"
    preflight = httpx.options(f"{herald}/api/posts", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})  # fmt: skip
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "*" not in settings.allowed_origins


def test_configured_origins_are_added_and_loopback_aliases_only_for_a_local_base_url():
    public = Settings(
        base_url="https://herald.example.com", cors_origins="https://ops.example.com/"
    )
    assert public.allowed_origins == ["https://herald.example.com", "https://ops.example.com"]
    local = Settings(base_url="http://localhost:3000")
    assert "http://127.0.0.1:3000" in local.allowed_origins
    assert "http://[::1]:3000" in local.allowed_origins


def test_security_headers_on_every_response(herald, monkeypatch):
    for path in ("/api/me", "/api/openapi.json", "/api/nothing-here", "/api/docs"):
        r = httpx.get(f"{herald}{path}")
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
        assert "object-src 'none'" in r.headers["content-security-policy"], path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert r.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in r.headers  # http base URL
    app_csp = httpx.get(f"{herald}/api/me").headers["content-security-policy"]
    assert "cdn.jsdelivr.net" not in app_csp and "connect-src 'self'" in app_csp
    assert "cdn.jsdelivr.net" in httpx.get(f"{herald}/api/docs").headers["content-security-policy"]
    file_csp = httpx.get(f"{herald}/api/media/file/x").headers["content-security-policy"]
    assert "sandbox" in file_csp and "default-src 'none'" in file_csp
    monkeypatch.setattr(settings, "base_url", "https://herald.example.com")
    assert "max-age=" in httpx.get(f"{herald}/api/me").headers["strict-transport-security"]


def test_csp_allows_the_builds_inline_scripts_by_hash(tmp_path):
    from app.api.headers import inline_script_hashes

    page = tmp_path / "login" / "index.html"
    page.parent.mkdir()
    page.write_text("<script>a()</script><script src='/x.js'></script><script type=module>b()"
                    "</script>")  # fmt: skip
    hashes = inline_script_hashes(tmp_path)
    assert len(hashes) == 2 and all(h.startswith("'sha256-") for h in hashes)


# ------------------------------------------------------------------ the sandbox simulator

SECRET = "test-sandbox-secret-0123456789"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(Simulator(seed=3), secret=SECRET) as server:
        yield server


@pytest.fixture
def sandbox_on(sim, monkeypatch) -> None:
    monkeypatch.setattr(settings, "sandbox", True)
    monkeypatch.setattr(settings, "sandbox_url", sim.url)
    monkeypatch.setattr(settings, "sandbox_secret", __import__("pydantic").SecretStr(SECRET))
    monkeypatch.delitem(settings.__dict__, "resolved_sandbox_secret", raising=False)
    from app.services import sandbox

    monkeypatch.setattr(sandbox, "_apps", ("", 0.0, {}))


def test_simulator_controls_and_inspection_need_the_secret(sim):
    calls = [("GET", "/_sim/posts"), ("GET", "/_sim/sandbox"), ("GET", "/_sim/feed"),
             ("GET", "/_sim/knobs"), ("POST", "/_sim/faults"), ("DELETE", "/_sim/faults"),
             ("POST", "/_sim/reset"), ("POST", "/_sim/x/tokens"),
             ("POST", "/_sim/bluesky/accounts/eve")]  # fmt: skip
    for method, path in calls:
        for headers in ({}, {"X-Sim-Secret": "guess"}):
            r = httpx.request(method, sim.url + path, headers=headers)
            assert r.status_code == 401, (method, path, r.status_code)
    assert httpx.get(sim.url + "/_sim/health").status_code == 200
    ok = httpx.get(sim.url + "/_sim/posts", headers={"X-Sim-Secret": SECRET})
    assert ok.status_code == 200 and "posts" in ok.json()


def test_simulator_refuses_to_listen_beyond_loopback_without_a_secret():
    env = {"PATH": "/usr/bin:/bin", "HERALD_SANDBOX_SECRET": ""}
    done = subprocess.run([sys.executable, "-m", "simulator", "--host", "0.0.0.0", "--port", "0"],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode != 0 and "HERALD_SANDBOX_SECRET" in done.stderr


def test_sandbox_is_on_by_default_only_with_a_loopback_base_url():
    assert Settings(base_url="http://localhost:3000").sandbox_on is True
    assert Settings(base_url="http://127.0.0.1:8000").sandbox_on is True
    assert Settings(base_url="https://herald.example.com").sandbox_on is False
    assert Settings(base_url="http://192.168.1.5:3000").sandbox_on is False
    assert Settings(base_url="https://herald.example.com", sandbox=True).sandbox_on is True
    assert Settings(base_url="http://localhost:3000", sandbox=False).sandbox_on is False


def _connect_sandbox_x(c) -> dict:
    r = c.post("/api/accounts/connect/x", json={"sandbox": True})
    assert r.status_code == 200, r.text
    url = httpx.URL(r.json()["authorize_url"])
    assert url.host == "localhost" and url.path == "/api/accounts/callback/x"  # Herald's own
    done = c.get(url.path, params=dict(url.params), follow_redirects=False)
    assert done.status_code == 303, done.text
    [account] = c.get("/api/accounts").json()
    return account


def test_each_workspace_sees_only_its_own_sandbox_posts(sandbox_on, sim):
    teams = []
    for tag in ("ann", "ben"):
        c, me = registered(f"{tag}@example.com")
        c.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
        account = _connect_sandbox_x(c)
        with db.session() as s:
            row = s.exec(select(SocialAccount).where(SocialAccount.id == account["id"])).one()
        provider = accounts.provider_for(row)
        provider.publish(accounts.token_of(row), PublishRequest(f"{tag}'s private draft"))
        teams.append((c, account))
    (ann, ann_account), (ben, ben_account) = teams
    # Different simulated accounts per workspace, not one shared demo account.
    assert ann_account["platform_account_id"] != ben_account["platform_account_id"]
    ann_posts = ann.get("/api/sandbox/posts").json()
    ben_posts = ben.get("/api/sandbox/posts").json()
    assert [p["text"] for p in ann_posts] == ["ann's private draft"]
    assert [p["text"] for p in ben_posts] == ["ben's private draft"]
    # Naming another workspace is a 404, as everywhere.
    r = ann.get("/api/sandbox/posts", headers={"X-Workspace-Id": ben.headers["X-Workspace-Id"]})
    assert r.status_code == 404
    # The secret never reaches the browser.
    for path in ("/api/platforms", "/api/accounts", "/api/sandbox/posts", "/api/me"):
        assert SECRET not in ann.get(path).text
    assert client().get("/api/sandbox/posts").status_code == 401


def test_sandbox_feed_is_refused_when_sandbox_is_off():
    c, me = registered("off@example.com")
    c.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    r = c.get("/api/sandbox/posts")
    assert r.status_code == 422 and error_of(r)["code"] == "sandbox_disabled"


# ------------------------------------------------------------------ registration and sign-in


def _register(email: str, ip: str = "198.51.100.1", **extra) -> httpx.Response:
    body = {"email": email, "password": PASSWORD, **extra}
    return client(ip).post("/api/auth/register", json=body)


def test_registration_policy_open_invite_closed(monkeypatch):
    root, me = registered("root@example.com")  # the first account: always, instance admin
    wid = me["workspaces"][0]["id"]
    assert root.get("/api/admin/registration").json() == {
        "policy": "open", "source": "default", "default": "open"}  # fmt: skip
    assert _register("open@example.com").status_code == 201

    assert root.put("/api/admin/registration", json={"policy": "invite"}).status_code == 200
    r = _register("nobody@example.com")
    assert r.status_code == 403 and error_of(r)["code"] == "invite_required"
    r = _register("open@example.com")  # existing accounts are not revealed without an invite
    assert r.status_code == 403 and error_of(r)["code"] == "invite_required"
    invite = root.post(f"/api/workspaces/{wid}/invites", json={"role": "editor"}).json()
    token = invite["link"].rsplit("/", 1)[1]
    assert _register("invited@example.com", invite_token="not-a-token").status_code == 404
    assert _register("invited@example.com", invite_token=token).status_code == 201

    assert root.put("/api/admin/registration", json={"policy": "closed"}).status_code == 200
    r = _register("late@example.com", invite_token=token)
    assert r.status_code == 403 and error_of(r)["code"] == "registration_closed"
    r = root.put("/api/admin/registration", json={"policy": "everyone"})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_registration"
    other, _ = client(), None
    assert other.get("/api/admin/registration").status_code == 401

    # On a public address the default is invite-only.
    root.put("/api/admin/registration", json={"policy": "open"})
    from app.models import InstanceSetting

    with db.session() as s:
        s.delete(s.get(InstanceSetting, "registration"))
    monkeypatch.setattr(settings, "base_url", "https://herald.example.com")
    r = _register("public@example.com")
    assert r.status_code == 403 and error_of(r)["code"] == "invite_required"


def test_registration_is_throttled_per_ip(monkeypatch):
    monkeypatch.setattr(settings, "register_per_ip_per_hour", 2)
    assert _register("a1@example.com", "203.0.113.9").status_code == 201
    assert _register("a1@example.com", "203.0.113.9").status_code == 409  # attempts count
    r = _register("a2@example.com", "203.0.113.9")
    assert r.status_code == 429 and error_of(r)["code"] == "register_throttled"
    assert _register("a3@example.com", "203.0.113.10").status_code == 201


def test_weak_passwords_are_refused_with_feedback():
    for weak in ("aaaaaaaaaa", "password123", "qwertyuiop", "1234567890", "reg@example.com1"):
        r = _register("reg@example.com", password=weak)
        assert r.status_code == 422 and error_of(r)["code"] == "weak_password", weak
        assert error_of(r)["details"]["field"] == "password"
        assert len(error_of(r)["message"]) > len("This password is too easy to guess.")


def test_one_address_failing_on_many_emails_is_capped_without_touching_others(monkeypatch):
    monkeypatch.setattr(settings, "login_max_failures_per_ip", 5)
    registered("victim@example.com")
    attacker = client("203.0.113.66")
    for i in range(5):
        r = attacker.post("/api/auth/login", json={"email": f"u{i}@example.com", "password": "x"})
        assert r.status_code == 401
    r = attacker.post("/api/auth/login", json={"email": "victim@example.com", "password": PASSWORD})
    assert r.status_code == 429 and error_of(r)["code"] == "login_throttled"
    owner = client("198.51.100.77")
    r = owner.post("/api/auth/login", json={"email": "victim@example.com", "password": PASSWORD})
    assert r.status_code == 200


def test_client_ip_comes_from_trusted_proxies_only(monkeypatch):
    from starlette.requests import Request

    from app.api.deps import client_ip

    def request(peer: str, forwarded: str) -> Request:
        headers = [(b"x-forwarded-for", forwarded.encode())]
        return Request({"type": "http", "client": (peer, 1), "headers": headers})

    assert client_ip(request("203.0.113.5", "1.2.3.4")) == "203.0.113.5"  # not trusted
    monkeypatch.setattr(settings, "trusted_proxies", "10.0.0.0/8")
    assert client_ip(request("10.0.0.2", "1.2.3.4, 10.0.0.9")) == "1.2.3.4"
    assert client_ip(request("10.0.0.2", "6.6.6.6, 1.2.3.4")) == "1.2.3.4"  # spoofed head
    assert client_ip(request("203.0.113.5", "1.2.3.4")) == "203.0.113.5"
