"""Registration, login, throttling, sessions and logout through the REST API."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app import db
from app.models import Membership, User, UserSession, Workspace
from tests.integration.helpers import PASSWORD, client, error_of, registered

pytestmark = pytest.mark.usefixtures("clean_db")


def _count(model) -> int:
    with db.session() as s:
        return len(s.exec(select(model)).all())


def test_register_signs_in_with_httponly_cookie_and_creates_personal_workspace():
    c = client()
    r = c.post(
        "/api/auth/register",
        json={"email": " Ada@Example.com ", "password": PASSWORD, "full_name": "Ada Lovelace"},
    )
    assert r.status_code == 201, r.text
    cookie = r.headers["set-cookie"]
    assert "herald_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    body = r.json()
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["is_instance_admin"] is True
    assert [(w["name"], w["role"], w["is_personal"]) for w in body["workspaces"]] == [
        ("Ada Lovelace's workspace", "admin", True)
    ]
    me = c.get("/api/me")
    assert me.status_code == 200 and me.json()["user"]["email"] == "ada@example.com"

    token = c.cookies["herald_session"]
    with db.session() as s:
        user = s.exec(select(User)).one()
        stored = s.exec(select(UserSession)).one()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert stored.token_hash != token and token not in stored.token_hash


def test_only_the_first_user_is_instance_admin():
    registered("first@example.com")
    _, second = registered("second@example.com")
    assert second["user"]["is_instance_admin"] is False


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD}, 422, "invalid_email", "email"),
        ({"email": "a@example.com", "password": "short"}, 422, "weak_password", "password"),
        ({"email": "a@example.com", "password": "123456789"}, 422, "weak_password", "password"),
        ({"email": "a@example.com"}, 422, "invalid_input", "password"),
    ],
)
def test_bad_registration_gets_a_clear_error_and_creates_nothing(payload, status, code, field):
    r = client().post("/api/auth/register", json=payload)
    assert r.status_code == status
    err = error_of(r)
    assert err["code"] == code and err["message"]
    assert field in str(err["details"])
    assert "set-cookie" not in r.headers
    assert (_count(User), _count(Workspace), _count(Membership)) == (0, 0, 0)


def test_duplicate_email_is_refused_case_insensitively():
    registered("dup@example.com")
    r = client().post("/api/auth/register", json={"email": "DUP@example.com", "password": PASSWORD})
    assert r.status_code == 409
    assert error_of(r)["code"] == "email_taken"
    assert (_count(User), _count(Workspace)) == (1, 1)


def test_login_and_wrong_password():
    registered("bob@example.com")
    c = client()
    bad = c.post("/api/auth/login", json={"email": "bob@example.com", "password": "wrong password"})
    assert bad.status_code == 401
    assert error_of(bad)["message"] == "Invalid email or password."
    unknown = c.post("/api/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    assert unknown.status_code == 401
    ok = c.post("/api/auth/login", json={"email": "BOB@example.com", "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["user"]["email"] == "bob@example.com"
    assert c.get("/api/me").status_code == 200


def test_login_slows_down_one_address_guessing_one_email_but_never_locks_out_the_owner():
    registered("carol@example.com")
    attacker = client("203.0.113.7")
    for _ in range(3):  # the free failures
        r = attacker.post(
            "/api/auth/login", json={"email": "carol@example.com", "password": "nope nope!"}
        )
        assert r.status_code == 401
    # From that address the next try waits, even with the right password.
    r = attacker.post("/api/auth/login", json={"email": "carol@example.com", "password": PASSWORD})
    assert r.status_code == 429
    assert error_of(r)["code"] == "login_throttled"
    assert int(r.headers["retry-after"]) > 0
    # Carol, from her own address, is not held back by someone else's failures.
    carol = client("198.51.100.20")
    ok = carol.post("/api/auth/login", json={"email": "carol@example.com", "password": PASSWORD})
    assert ok.status_code == 200
    # Another account from the attacker's address is not locked by the failures on carol.
    registered("dave@example.com")
    ok = attacker.post("/api/auth/login", json={"email": "dave@example.com", "password": PASSWORD})
    assert ok.status_code == 200


def test_logout_ends_the_session():
    c, _ = registered("erin@example.com")
    assert c.get("/api/me").status_code == 200
    r = c.post("/api/auth/logout")
    assert r.status_code == 204
    assert 'herald_session=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    assert _count(UserSession) == 0
    anonymous = client().get("/api/me")
    assert anonymous.status_code == 401 and error_of(anonymous)["code"] == "unauthenticated"


def test_session_token_works_as_bearer_and_garbage_does_not():
    c, _ = registered("frank@example.com")
    token = c.cookies["herald_session"]
    bearer = client().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200
    assert client().get("/api/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_cookie_mutations_from_another_site_are_refused():
    c, me = registered("gina@example.com")
    wid = me["workspaces"][0]["id"]
    r = c.post(
        f"/api/workspaces/{wid}/invites",
        json={"role": "editor"},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403 and error_of(r)["code"] == "cross_site"
    same = c.post(
        f"/api/workspaces/{wid}/invites",
        json={"role": "editor"},
        headers={"Origin": "http://localhost:3000"},
    )
    assert same.status_code == 201


def test_malformed_json_gets_the_error_envelope():
    r = client().post(
        "/api/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert error_of(r)["code"] == "invalid_input"
