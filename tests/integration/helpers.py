"""Shared helpers for API tests: an HTTP client per person, registered through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.api import create_api

PASSWORD = "correct horse battery"


def client(ip: str = "testclient") -> TestClient:
    """A browser at `ip` (the address Herald sees) on Herald's own origin."""
    return TestClient(create_api(), base_url="http://localhost:3000", client=(ip, 50000))


def registered(email: str, name: str = "") -> tuple[TestClient, dict]:
    c = client()
    r = c.post("/api/auth/register", json={"email": email, "password": PASSWORD, "full_name": name})
    assert r.status_code == 201, r.text
    return c, r.json()


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "details"} <= set(body["error"]), body
    return body["error"]
