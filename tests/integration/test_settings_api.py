"""Settings over HTTP: profile and password, instance users (promote/demote, disable), and the
instance AI settings stored at runtime (key encrypted, never returned; env > stored > default)
that caption generation really uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlmodel import select

from app import db
from app.config import settings
from app.models import InstanceSetting
from app.services import instance_settings
from tests.integration.helpers import PASSWORD, client, error_of, registered
from tests.support.fake_openai import FakeOpenAI

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture(autouse=True)
def _fresh_ai_cache() -> Iterator[None]:
    instance_settings.forget_stored_ai_settings()
    yield
    instance_settings.forget_stored_ai_settings()


def login(email: str, password: str = PASSWORD):
    c = client()
    return c, c.post("/api/auth/login", json={"email": email, "password": password})


def test_profile_name_and_timezone(monkeypatch):
    c, _ = registered("pat@example.com", "Pat")
    r = c.patch("/api/me", json={"full_name": "  Pat   Smith ", "timezone": "Europe/Paris"})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["full_name"] == "Pat Smith"
    assert r.json()["user"]["timezone"] == "Europe/Paris"
    assert c.get("/api/me").json()["user"]["timezone"] == "Europe/Paris"
    r = c.patch("/api/me", json={"timezone": "Mars/Olympus"})
    assert r.status_code == 422 and error_of(r)["details"] == {"field": "timezone"}
    r = c.patch("/api/me", json={"full_name": "Only name"})
    assert r.json()["user"]["timezone"] == "Europe/Paris"


def test_password_change_checks_the_current_one_and_ends_other_sessions():
    c, _ = registered("pw@example.com")
    other, r = login("pw@example.com")
    assert r.status_code == 200
    r = c.post("/api/me/password", json={"current_password": "wrong", "new_password": "x" * 12})
    assert r.status_code == 422 and error_of(r)["code"] == "wrong_password"
    r = c.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert r.status_code == 422 and error_of(r)["details"]["field"] == "new_password"
    r = c.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "a" * 12})
    assert r.status_code == 422 and error_of(r)["code"] == "weak_password"
    assert "Repeats" in error_of(r)["message"]  # zxcvbn's feedback, shown to the user
    new = "a much better passphrase"
    r = c.post("/api/me/password", json={"current_password": PASSWORD, "new_password": new})
    assert r.status_code == 200 and r.json() == {"other_sessions_ended": 1}
    assert c.get("/api/me").status_code == 200  # this session stays
    assert other.get("/api/me").status_code == 401  # the other one ended
    assert login("pw@example.com")[1].status_code == 401
    assert login("pw@example.com", new)[1].status_code == 200


def test_instance_users_promote_demote_and_disable():
    root, _ = registered("root@example.com", "Root")  # first user: instance admin
    bob, me = registered("bob@example.com", "Bob")
    bob_id = me["user"]["id"]
    assert bob.get("/api/admin/users").status_code == 403
    users = root.get("/api/admin/users").json()
    assert [(u["email"], u["is_instance_admin"], u["workspaces"]) for u in users] == [
        ("root@example.com", True, 1),
        ("bob@example.com", False, 1),
    ]
    root_id = users[0]["id"]
    # Never the last admin.
    r = root.patch(f"/api/admin/users/{root_id}", json={"is_instance_admin": False})
    assert r.status_code == 409 and error_of(r)["code"] == "last_instance_admin"
    r = root.patch(f"/api/admin/users/{bob_id}", json={"is_instance_admin": True})
    assert r.status_code == 200 and r.json()["is_instance_admin"] is True
    assert bob.get("/api/admin/users").status_code == 200
    r = bob.patch(f"/api/admin/users/{root_id}", json={"is_instance_admin": False})
    assert r.status_code == 200 and r.json()["is_instance_admin"] is False
    r = bob.patch(f"/api/admin/users/{bob_id}", json={"is_instance_admin": False})
    assert r.status_code == 409
    # Disable: sessions end, sign-in refused; nobody disables themself.
    r = bob.patch(f"/api/admin/users/{bob_id}", json={"disabled": True})
    assert r.status_code == 409 and error_of(r)["code"] == "disable_self"
    r = bob.patch(f"/api/admin/users/{root_id}", json={"disabled": True})
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert root.get("/api/me").status_code == 401
    assert login("root@example.com")[1].status_code == 401
    r = bob.patch(f"/api/admin/users/{root_id}", json={"disabled": False})
    assert r.json()["is_active"] is True
    assert login("root@example.com")[1].status_code == 200


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def test_ai_settings_stored_encrypted_never_shown_and_used_for_generation(fake, monkeypatch):
    monkeypatch.setattr(settings, "openai_api_key", SecretStr(""))
    monkeypatch.setattr(settings, "openai_base_url", "")
    monkeypatch.setattr(settings, "ai_requests_per_hour", 0)
    root, me = registered("root@example.com", "Root")
    root.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    plain, _ = registered("plain@example.com")
    assert plain.get("/api/admin/ai").status_code == 403
    assert plain.put("/api/admin/ai", json={"model": "x"}).status_code == 403

    ai = root.get("/api/admin/ai").json()
    assert ai["configured"] is False and ai["model"] == "gpt-4o-mini"
    assert ai["model_source"] == "default" and ai["has_key"] is False
    body = {"topic": "Launch", "tone": "witty", "platform": "x"}
    assert root.post("/api/ai/generate", json=body).status_code == 503

    r = root.put("/api/admin/ai", json={"base_url": "ftp://nope"})
    assert r.status_code == 422 and error_of(r)["details"] == {"field": "base_url"}
    secret = "sk-stored-0123456789abcdef"
    r = root.put(
        "/api/admin/ai",
        json={"base_url": fake.base_url + "/", "model": "llama3.1:8b", "api_key": secret},
    )
    assert r.status_code == 200, r.text
    ai = r.json()
    assert secret not in r.text
    assert ai["configured"] is True and ai["has_key"] is True
    assert (ai["model"], ai["model_source"], ai["api_key_source"]) == (
        "llama3.1:8b",
        "stored",
        "stored",
    )
    assert ai["base_url"] == fake.base_url
    with db.session() as s:
        row = s.exec(select(InstanceSetting).where(InstanceSetting.key == "ai.api_key")).one()
        assert row.secret and secret not in row.value

    r = root.post("/api/ai/generate", json=body)
    assert r.status_code == 200, r.text
    sent = fake.requests[-1]
    assert sent.body["model"] == "llama3.1:8b"
    assert sent.headers["authorization"] == f"Bearer {secret}"
    summary = root.get("/api/ai/usage").json()
    assert summary["model"] == "llama3.1:8b" and summary["configured"] is True

    # The environment wins over what is stored.
    monkeypatch.setattr(settings, "openai_model", "env-model")
    ai = root.get("/api/admin/ai").json()
    assert (ai["model"], ai["model_source"], ai["stored_model"]) == (
        "env-model",
        "env",
        "llama3.1:8b",
    )
    monkeypatch.setattr(settings, "openai_model", "gpt-4o-mini")
    # Empty values go back to the default; the key is removed only when asked.
    r = root.put("/api/admin/ai", json={"model": "", "base_url": fake.base_url})
    assert r.json()["model"] == "gpt-4o-mini" and r.json()["has_key"] is True
    r = root.put("/api/admin/ai", json={"clear_api_key": True})
    assert r.json()["has_key"] is False and r.json()["configured"] is True  # base URL alone


def test_storage_settings_are_shown_read_only():
    root, _ = registered("root@example.com")
    plain, _ = registered("plain@example.com")
    assert plain.get("/api/admin/storage").status_code == 403
    st = root.get("/api/admin/storage").json()
    assert st["backend"] == settings.storage
    assert "secret" not in str(st).lower()
