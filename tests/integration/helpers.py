"""Shared helpers for API tests: an HTTP client per person, registered through the API, and a
simulated Mastodon account connected in a workspace."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from app import db
from app.api import create_api
from app.models import SocialAccount, User
from app.providers.base import TokenSet
from app.providers.registry import get_provider
from app.services import accounts
from app.services.auth import user_for_session
from simulator import SimServer

PASSWORD = "correct horse battery"


def client(ip: str = "testclient") -> TestClient:
    """A browser at `ip` (the address Herald sees) on Herald's own origin."""
    return TestClient(create_api(), base_url="http://localhost:3000", client=(ip, 50000))


def registered(email: str, name: str = "") -> tuple[TestClient, dict]:
    c = client()
    r = c.post("/api/auth/register", json={"email": email, "password": PASSWORD, "full_name": name})
    assert r.status_code == 201, r.text
    return c, r.json()


def signed_up(email: str, name: str) -> tuple[TestClient, str, User]:
    """A person registered through the API and working in their own workspace (the client sends
    its X-Workspace-Id): their client, the workspace id and the user."""
    c, me = registered(email, name)
    wid = me["workspaces"][0]["id"]
    c.headers["X-Workspace-Id"] = wid
    return c, wid, user_for_session(c.cookies["herald_session"])


def join(admin: TestClient, wid: str, email: str, role: str, name: str | None = None) -> TestClient:
    """Someone invited by `admin` with `role`, registered (named after their address unless
    `name` says otherwise) and in the workspace: their client."""
    r = admin.post(f"/api/workspaces/{wid}/invites", json={"role": role})
    assert r.status_code == 201, r.text
    c, _ = registered(email, email.split("@")[0].title() if name is None else name)
    r = c.post("/api/invites/accept", json={"token": r.json()["link"].rsplit("/", 1)[1]})
    assert r.status_code == 200, r.text
    c.headers["X-Workspace-Id"] = wid
    return c


def mastodon_account(
    server: SimServer, user: User, wid: uuid.UUID | str, username: str = "alice"
) -> accounts.AccountView:
    """The simulated Mastodon account `username`, connected in the workspace."""
    token = TokenSet(access_token=server.sim["mastodon"].issue_token(username))
    api_base = server.url_for("mastodon")
    info = get_provider("mastodon", api_base=api_base).account_info(token)
    return accounts.save_account(
        user, uuid.UUID(str(wid)), "mastodon", token, info, api_base=api_base
    )


def signed_up_with_accounts(
    server: SimServer, email: str, name: str, *usernames: str
) -> tuple[TestClient, str, User, list[accounts.AccountView]]:
    """`signed_up`, with the simulated Mastodon accounts `usernames` connected in the workspace:
    the client, the workspace id, the user and the accounts."""
    client, wid, user = signed_up(email, name)
    return client, wid, user, [mastodon_account(server, user, wid, u) for u in usernames]


def account_row(
    wid: uuid.UUID | str, platform: str = "mastodon", name: str = "alice", **fields: Any
) -> uuid.UUID:
    """A social account stored directly in the workspace (fixture data: no platform is called):
    `name` as its account name, username and id (`id-<name>`) unless `fields` say otherwise."""
    values = {"platform_account_id": f"id-{name}", "account_name": name, "username": name}
    with db.session() as s:
        account = SocialAccount(
            workspace_id=uuid.UUID(str(wid)), platform=platform, **{**values, **fields}
        )
        s.add(account)
        s.flush()
        return account.id


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "details"} <= set(body["error"]), body
    return body["error"]
