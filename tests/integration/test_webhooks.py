"""Outgoing webhooks and the activity log, against a real local HTTP receiver: signatures,
retries with backoff, auto-disable, redelivery, the guarded client's refusal of private
addresses, and the activity rows of the main actions. (The engine's part — a publish recorded
once and delivered by the worker processes — is in test_activity_engine.py.)"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator

import pytest

from app import db
from app.config import settings
from tests.integration.helpers import account_row, error_of, registered
from tests.support.webhook_receiver import Receiver
from workers import jobs

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def admin():
    c, me = registered(f"hooks-{uuid.uuid4().hex[:6]}@example.com", "Hook Admin")
    c.headers["X-Workspace-Id"] = me["workspaces"][0]["id"]
    return c


def _hook(c, url: str, events: list[str] | None = None) -> dict:
    r = c.post("/api/webhooks", json={"url": url, "events": events or ["*"]})
    assert r.status_code == 201, r.text
    return r.json()


def _deliver_until(done, seconds: float = 8) -> None:
    """Run the worker job until `done()` holds (the job is what the RQ worker runs)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        jobs.deliver_webhooks()
        if done():
            return
        time.sleep(0.05)
    raise AssertionError("deliveries did not reach the expected state in time")


def _verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The verification snippet of the README."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    t = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return abs(time.time() - t) <= tolerance and hmac.compare_digest(expected, parts["v1"])


def test_event_is_delivered_signed_and_logged(admin, receiver):
    hook = _hook(admin, receiver.url + "/in", ["post.*"])
    assert hook["secret"].startswith("whsec_")
    listed = admin.get("/api/webhooks").json()
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]

    r = admin.post("/api/posts", json={"content": "Hello hooks", "mode": "draft"})
    assert r.status_code == 201, r.text
    post_id = r.json()["id"]
    _deliver_until(lambda: len(receiver.received) >= 1)

    got = receiver.received[0]
    assert got.path == "/in"
    assert _verify(hook["secret"], got.headers["herald-signature"], got.body)
    assert not _verify("whsec_wrong", got.headers["herald-signature"], got.body)
    assert got.headers["herald-event"] == "post.created"
    event = json.loads(got.body)
    assert event["type"] == "post.created"
    assert event["subject"] == {"type": "post", "id": post_id, "label": "Hello hooks"}
    assert event["actor"]["name"] == "Hook Admin"

    log = admin.get(f"/api/webhooks/{hook['id']}/deliveries").json()
    assert len(log) == 1
    assert got.headers["herald-delivery"] == log[0]["id"]
    assert (log[0]["status"], log[0]["response_code"], log[0]["attempts"]) == ("delivered", 200, 1)
    # Not subscribed: an invite is recorded but not sent to this webhook.
    wid = admin.headers["X-Workspace-Id"]
    assert admin.post(f"/api/workspaces/{wid}/invites", json={"role": "editor"}).status_code == 201
    jobs.deliver_webhooks()
    assert len(receiver.received) == 1


def test_failed_tries_are_retried_with_backoff_then_succeed(admin, receiver, monkeypatch):
    monkeypatch.setattr(settings, "webhook_retry_base_seconds", 1.0)
    hook = _hook(admin, receiver.url)
    receiver.answers = [500, 503]
    r = admin.post(f"/api/webhooks/{hook['id']}/test")
    assert r.status_code == 202, r.text
    delivery = r.json()["id"]

    started = time.monotonic()
    jobs.deliver_webhooks()  # the first try fails; the next is not due yet (backoff)
    took = time.monotonic() - started
    assert len(receiver.received) == 1
    row = admin.get(f"/api/webhooks/{hook['id']}/deliveries").json()[0]
    assert (row["status"], row["response_code"], row["attempts"]) == ("pending", 500, 1)
    assert row["response_excerpt"] == "broken try later"  # foreign text, reduced
    wait = dt.datetime.fromisoformat(row["next_attempt_at"]) - dt.datetime.fromisoformat(
        row["last_attempt_at"]
    )
    # base · 2^0 with jitter, counted from the end of the try (which started at last_attempt_at)
    assert 0.5 <= wait.total_seconds() <= 1.0 + took

    def delivered() -> bool:
        rows = admin.get(f"/api/webhooks/{hook['id']}/deliveries").json()
        return rows[0]["status"] == "delivered"

    _deliver_until(delivered)
    assert len(receiver.received) == 3
    assert {x.headers["herald-delivery"] for x in receiver.received} == {delivery}
    row = admin.get(f"/api/webhooks/{hook['id']}/deliveries").json()[0]
    assert (row["attempts"], row["response_code"]) == (3, 200)
    assert admin.get("/api/webhooks").json()[0]["failure_count"] == 0


def test_repeated_failures_disable_the_webhook_and_redeliver_sends_again(
    admin, receiver, monkeypatch
):
    monkeypatch.setattr(settings, "webhook_retry_base_seconds", 0.01)
    monkeypatch.setattr(settings, "webhook_max_attempts", 2)
    monkeypatch.setattr(settings, "webhook_disable_after", 3)
    hook = _hook(admin, receiver.url)
    receiver.default = 500
    for _ in range(3):
        assert admin.post(f"/api/webhooks/{hook['id']}/test").status_code == 202

    _deliver_until(lambda: not admin.get("/api/webhooks").json()[0]["active"])
    state = admin.get("/api/webhooks").json()[0]
    assert state["failure_count"] == 3
    assert "3 failed deliveries in a row" in state["disabled_reason"]
    assert "HTTP 500" in state["disabled_reason"]
    sent = len(receiver.received)
    assert sent == 3
    log = admin.get(f"/api/webhooks/{hook['id']}/deliveries").json()
    assert {d["status"] for d in log} <= {"failed", "pending"}
    assert any(d["error"] == "The webhook was switched off." for d in log)
    # The notification: an activity event by Herald.
    events = admin.get("/api/activity", params={"verb": "webhook.disabled"}).json()["items"]
    assert len(events) == 1 and events[0]["actor"] == "Herald"
    assert events[0]["subject_id"] == hook["id"]
    # Switched off: nothing more is sent, even when due.
    jobs.deliver_webhooks()
    assert len(receiver.received) == sent

    # Fixed on the other side: switch it on, redeliver one of the failed events.
    receiver.default = 200
    r = admin.patch(f"/api/webhooks/{hook['id']}", json={"active": True})
    assert r.status_code == 200 and r.json()["disabled_reason"] is None, r.text
    old = log[-1]
    r = admin.post(f"/api/webhooks/{hook['id']}/deliveries/{old['id']}/redeliver")
    assert r.status_code == 202, r.text
    new_id = r.json()["id"]
    _deliver_until(lambda: receiver.received[-1].headers["herald-delivery"] == new_id)
    body = json.loads(receiver.received[-1].body)
    assert body["redelivery_of"] == old["id"] and body["type"] == "webhook.test"
    again = admin.get(f"/api/webhooks/{hook['id']}/deliveries").json()
    assert next(d for d in again if d["id"] == new_id)["status"] == "delivered"
    # Another workspace's delivery id is not found here.
    other = admin.post(f"/api/webhooks/{hook['id']}/deliveries/{uuid.uuid4()}/redeliver")
    assert other.status_code == 404


def test_urls_are_checked_and_private_addresses_refused(admin, receiver, monkeypatch):
    for url, code in [
        ("ftp://example.com/hook", "invalid_url"),
        ("not a url", "invalid_url"),
        ("https://user:pw@example.com/", "invalid_url"),
    ]:
        r = admin.post("/api/webhooks", json={"url": url, "events": ["*"]})
        assert r.status_code == 422, (url, r.text)
        assert error_of(r)["code"] == code, (url, r.text)
    r = admin.post("/api/webhooks", json={"url": receiver.url, "events": ["post.nope"]})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_event"

    hook = _hook(admin, receiver.url)  # allowed while HERALD_OUTBOUND_ALLOW names loopback
    monkeypatch.setattr(settings, "outbound_allow", "")
    for url in (receiver.url, "http://10.0.0.5/hook", "http://169.254.169.254/latest"):
        r = admin.post("/api/webhooks", json={"url": url, "events": ["*"]})
        assert r.status_code == 422, (url, r.text)
        err = error_of(r)
        assert err["code"] == "url_refused" and "private or reserved" in err["message"]
    # An existing webhook to a now-refused address: not sent, failed at once (no retries).
    assert admin.post(f"/api/webhooks/{hook['id']}/test").status_code == 202
    jobs.deliver_webhooks()
    row = admin.get(f"/api/webhooks/{hook['id']}/deliveries").json()[0]
    assert row["status"] == "failed" and row["error"].startswith("Refused:")
    assert row["attempts"] == 1 and receiver.received == []


def _account(wid: str) -> str:
    """A connected account row (fixture data: no platform is called here)."""
    return str(account_row(wid, meta={"api_base": "http://127.0.0.1:9/mastodon"}))


def test_main_actions_are_in_the_activity_log(admin):
    wid = admin.headers["X-Workspace-Id"]
    account = _account(wid)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    later2 = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    r = admin.post("/api/posts", json={"content": "A plan", "mode": "draft"})
    post = r.json()["id"]
    r = admin.put(f"/api/posts/{post}", json={"content": "A better plan", "mode": "draft"})
    assert r.status_code == 200, r.text
    r = admin.post(
        "/api/posts", json={"content": "Other", "account_ids": [account], "scheduled_at": later}
    )
    assert r.status_code == 201, r.text
    other = r.json()["id"]
    r = admin.patch(f"/api/posts/{other}/schedule", json={"scheduled_at": later2})
    assert r.status_code == 200, r.text
    assert admin.post(f"/api/posts/{other}/cancel").status_code == 200
    assert admin.delete(f"/api/posts/{other}").status_code == 204
    inv = admin.post(f"/api/workspaces/{wid}/invites", json={"role": "viewer"}).json()
    member, _ = registered(f"m-{uuid.uuid4().hex[:6]}@example.com", "Mia")
    token = inv["link"].rsplit("/", 1)[1]
    assert member.post("/api/invites/accept", json={"token": token}).status_code == 200
    member.headers["X-Workspace-Id"] = wid

    items = admin.get("/api/activity").json()["items"]
    verbs = [e["verb"] for e in items]
    assert verbs == [
        "member.added",
        "invite.accepted",
        "invite.created",
        "post.deleted",
        "post.cancelled",
        "post.rescheduled",
        "post.created",
        "post.edited",
        "post.created",
    ]
    assert items[-1]["actor"] == "Hook Admin" and items[-1]["subject_id"] == post
    assert items[0]["actor"] == "Mia"
    # Filters: verb prefix, subject, actor, time; pagination.
    only_posts = admin.get("/api/activity", params={"verb": "post."}).json()["items"]
    assert len(only_posts) == 6
    of_post = admin.get("/api/activity", params={"subject_id": post}).json()["items"]
    assert [e["verb"] for e in of_post] == ["post.edited", "post.created"]
    assert admin.get("/api/activity", params={"actor": "herald"}).json()["items"] == []
    mine = admin.get("/api/activity", params={"actor": items[-1]["actor_id"]}).json()["items"]
    assert len(mine) == 7
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    assert admin.get("/api/activity", params={"since": future}).json()["items"] == []
    page = admin.get("/api/activity", params={"limit": 3}).json()
    assert len(page["items"]) == 3 and page["next_before"] == page["items"][-1]["id"]
    rest = admin.get("/api/activity", params={"before": page["next_before"]}).json()
    assert len(rest["items"]) == 6 and rest["next_before"] is None
    # Members read the log (the viewer too); another workspace sees nothing of it.
    assert len(member.get("/api/activity").json()["items"]) == 9
    resched = next(e for e in items if e["verb"] == "post.rescheduled")
    assert resched["details"]["scheduled_at"].startswith(later2[:16])
    stranger, me = registered(f"s-{uuid.uuid4().hex[:6]}@example.com")
    r = stranger.get("/api/activity", headers={"X-Workspace-Id": wid})
    assert r.status_code == 404


def test_old_deliveries_are_pruned_and_abandoned_tries_end(admin, receiver, monkeypatch):
    from sqlalchemy import text

    monkeypatch.setattr(settings, "webhook_max_attempts", 2)
    hook = _hook(admin, receiver.url)
    for _ in range(2):
        assert admin.post(f"/api/webhooks/{hook['id']}/test").status_code == 202
    jobs.deliver_webhooks()
    old, dead = (d["id"] for d in admin.get(f"/api/webhooks/{hook['id']}/deliveries").json())
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    with db.session() as s:
        s.connection().execute(
            text("UPDATE webhook_deliveries SET created_at = :t WHERE id = :id"),
            {"t": long_ago, "id": old},
        )
        # A worker died while sending its last try.
        s.connection().execute(
            text(
                "UPDATE webhook_deliveries SET status = 'sending', attempts = 2, "
                "last_attempt_at = :t WHERE id = :id"
            ),
            {"t": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10), "id": dead},
        )
    jobs.deliver_webhooks()
    log = admin.get(f"/api/webhooks/{hook['id']}/deliveries").json()
    assert [d["id"] for d in log] == [dead]
    assert log[0]["status"] == "failed" and "no try is left" in log[0]["error"]
    assert len(receiver.received) == 2  # not sent a third time
