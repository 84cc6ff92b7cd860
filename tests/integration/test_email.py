"""Email over SMTP against a real local SMTP server (aiosmtpd): the instance admin's settings,
the outbox and its bounded retries, password reset by email, invite and verification emails,
and what happens without SMTP."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from app import db
from app.config import settings
from app.models import OutboxEmail, User, UserToken
from app.services import schedule
from tests.integration.helpers import PASSWORD, client, error_of, registered
from tests.support.mailbox import Mailbox
from workers import jobs

pytestmark = pytest.mark.usefixtures("clean_db")
NEW_PASSWORD = "a fresh secret for mail"


def configure(admin, box: Mailbox, **extra) -> dict:
    r = admin.put(
        "/api/admin/email",
        json={
            "host": box.host,
            "port": box.port,
            "from_addr": "Herald <herald@example.com>",
            "security": "none",
            **extra,
        },
    )
    assert r.status_code == 200, r.text
    return r.json()


def deliver_all() -> dict[str, int]:
    """What the worker does: the sweep sends every email that is due."""
    return jobs.sweep_mail()


def resets(box: Mailbox, address: str, count: int = 1) -> list:
    """The password reset emails `address` received (registration also mails a verification
    link), once `count` of them arrived."""
    import time

    deadline = time.monotonic() + 10
    while True:
        got = [m for m in box.to(address) if m.subject == "Reset your Herald password"]
        if len(got) >= count or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def outbox() -> list[OutboxEmail]:
    with db.session() as s:
        return list(s.exec(select(OutboxEmail).order_by(OutboxEmail.created_at)).all())


def test_admin_configures_smtp_password_write_only_and_sends_a_test_email(mailbox):
    admin, _ = registered("admin@example.com")
    other, _ = registered("other@example.com")
    assert other.get("/api/admin/email").status_code == 403
    before = admin.get("/api/admin/email").json()
    assert before["configured"] is False and before["sources"]["host"] == "default"
    assert error_of(admin.post("/api/admin/email/test", json={}))["code"] == "smtp_not_configured"

    bad = admin.put("/api/admin/email", json={"security": "ssl3"})
    assert error_of(bad)["code"] == "invalid_smtp"
    assert error_of(admin.put("/api/admin/email", json={"from_addr": "nobody"}))["details"] == {
        "field": "from"
    }
    view = configure(admin, mailbox, username="", password="s3cret-smtp")
    assert view["configured"] is True and view["has_password"] is True
    assert "s3cret" not in admin.get("/api/admin/email").text
    assert view["sources"]["host"] == "stored"

    sent = admin.post("/api/admin/email/test", json={"to": "ops@example.com"})
    assert sent.status_code == 202, sent.text
    assert sent.json()["status"] == "pending"
    assert schedule.queue(schedule.DEFAULT_QUEUE).count == 1  # queued on commit for a worker
    assert deliver_all() == {"sent": 1}
    [received] = mailbox.wait_for("ops@example.com")
    assert received.subject == "Herald test email"
    assert "herald@example.com" in str(received.message["From"])
    assert "Email works" in received.text and "<h2" in received.html
    status = admin.get(f"/api/admin/email/outbox/{sent.json()['id']}").json()
    assert status["status"] == "sent" and status["attempts"] == 1


def test_outbox_retries_while_smtp_is_down_then_sends_once_it_is_up(monkeypatch):
    monkeypatch.setattr(settings, "mail_retry_base_seconds", 0.2)
    admin, _ = registered("admin@example.com")
    box = Mailbox()  # not started yet: the port refuses connections
    configure(admin, box)
    sent = admin.post("/api/admin/email/test", json={}).json()
    assert deliver_all() == {"retry": 1}
    [row] = outbox()
    assert row.status == "pending" and row.attempts == 1
    assert "Email works" not in row.text_body  # encrypted at rest
    assert "refused" in row.last_error.lower() or "connect" in row.last_error.lower()
    assert row.next_attempt_at > row.created_at
    assert deliver_all() == {}  # not due again yet (backoff)
    with box:
        [row] = outbox()
        wait = (row.next_attempt_at - dt.datetime.now(dt.UTC)).total_seconds()
        if wait > 0:
            import time

            time.sleep(wait + 0.05)
        assert deliver_all() == {"sent": 1}
        box.wait_for("admin@example.com")
    status = admin.get(f"/api/admin/email/outbox/{sent['id']}").json()
    assert status["status"] == "sent" and status["attempts"] == 2


def test_outbox_gives_up_after_its_retry_budget(monkeypatch):
    monkeypatch.setattr(settings, "mail_retry_base_seconds", 0.0)
    monkeypatch.setattr(settings, "mail_max_attempts", 3)
    admin, _ = registered("admin@example.com")
    configure(admin, Mailbox())  # never started
    admin.post("/api/admin/email/test", json={})
    outcomes = [deliver_all() for _ in range(5)]
    assert outcomes == [{"retry": 1}, {"retry": 1}, {"failed": 1}, {}, {}]
    [row] = outbox()
    assert row.status == "failed" and row.attempts == 3
    assert admin.get("/api/admin/email").json()["failed"] == 1


def test_password_reset_by_email(mailbox):
    admin, _ = registered("admin@example.com")
    configure(admin, mailbox)
    user, _ = registered("ada@example.com", "Ada")
    deliver_all()  # the verification email of the new account
    laptop = client("10.0.0.2")
    assert (
        laptop.post(
            "/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        ).status_code
        == 200
    )
    # Five wrong passwords: the email is held back on this IP.
    for _ in range(5):
        laptop.post("/api/auth/login", json={"email": "ada@example.com", "password": "wrong!"})
    held = laptop.post("/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert held.status_code == 429

    # The same answer for a known and an unknown email; only the known one gets a mail.
    anon = client("10.0.0.3")
    known = anon.post("/api/auth/forgot-password", json={"email": "ADA@example.com"})
    unknown = anon.post("/api/auth/forgot-password", json={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert known.json()["email_configured"] is True
    assert deliver_all() == {"sent": 1}
    [received] = resets(mailbox, "ada@example.com")
    assert mailbox.to("nobody@example.com") == []
    assert received.subject == "Reset your Herald password"
    assert "Hello Ada," in received.text
    link = received.link("/reset-password")
    assert link.startswith(settings.base_url + "/reset-password?token=")
    assert link in received.html.replace("&amp;", "&")
    token = token_of(link)
    with db.session() as s:  # stored hashed, for an hour
        row = s.exec(select(UserToken).where(UserToken.purpose == "reset")).one()
    assert row.token_hash != token and token not in row.token_hash
    [reset_row] = [m for m in outbox() if m.kind == "reset"]
    assert reset_row.status == "sent" and reset_row.text_body == reset_row.html_body == ""
    assert dt.timedelta(minutes=59) < row.expires_at - row.created_at <= dt.timedelta(minutes=60)

    weak = anon.post("/api/auth/reset-password", json={"token": token, "password": "short"})
    assert error_of(weak)["code"] == "weak_password"  # and the link still works
    done = anon.post("/api/auth/reset-password", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert done.json()["user"]["email"] == "ada@example.com"
    assert anon.get("/api/me").status_code == 200  # signed in here
    assert user.get("/api/me").status_code == 401  # every other session ended
    assert laptop.get("/api/me").status_code == 401
    again = anon.post("/api/auth/reset-password", json={"token": token, "password": "other pw 123"})
    assert error_of(again)["code"] == "invalid_reset_link"  # single use
    # The sign-in delay on the laptop's IP is lifted.
    login = laptop.post(
        "/api/auth/login", json={"email": "ada@example.com", "password": NEW_PASSWORD}
    )
    assert login.status_code == 200, login.text


def test_reset_link_expires_and_requesting_again_is_throttled(mailbox, monkeypatch):
    admin, _ = registered("admin@example.com")
    configure(admin, mailbox)
    registered("bob@example.com")
    anon = client("10.0.0.9")
    anon.post("/api/auth/forgot-password", json={"email": "bob@example.com"})
    deliver_all()
    token = token_of(resets(mailbox, "bob@example.com")[0].link("/reset-password"))
    with db.session() as s:
        row = s.exec(select(UserToken).where(UserToken.purpose == "reset")).one()
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        s.add(row)
    late = anon.post("/api/auth/reset-password", json={"token": token, "password": NEW_PASSWORD})
    assert error_of(late)["code"] == "invalid_reset_link"
    garbage = anon.post("/api/auth/reset-password", json={"token": "x" * 40, "password": "p"})
    assert error_of(garbage)["code"] == "invalid_reset_link"

    # Per email: no more mails than the budget (the answer stays the same).
    for _ in range(settings.forgot_per_email_per_hour + 2):
        r = client("10.0.1.1").post("/api/auth/forgot-password", json={"email": "bob@example.com"})
        assert r.status_code == 202
    deliver_all()
    assert len(resets(mailbox, "bob@example.com", 99)) == settings.forgot_per_email_per_hour
    # Per IP: 429.
    anon2 = client("10.0.2.2")
    codes = [
        anon2.post("/api/auth/forgot-password", json={"email": f"x{i}@example.com"}).status_code
        for i in range(settings.forgot_per_ip_per_hour + 1)
    ]
    assert codes[:-1] == [202] * settings.forgot_per_ip_per_hour and codes[-1] == 429


def test_without_smtp_forgot_password_says_to_ask_the_admin_and_invites_are_not_emailed():
    admin, me = registered("admin@example.com")
    registered("carol@example.com")
    answer = client("10.0.3.3").post("/api/auth/forgot-password", json={"email": "carol@x.com"})
    assert answer.status_code == 202
    assert answer.json()["email_configured"] is False
    assert "administrator" in answer.json()["message"]
    wid = me["workspaces"][0]["id"]
    inv = admin.post(f"/api/workspaces/{wid}/invites", json={"role": "editor", "email": "d@x.com"})
    assert inv.status_code == 201 and inv.json()["emailed"] is False
    assert "/invite/" in inv.json()["link"]
    assert outbox() == []


def test_invite_with_an_email_is_emailed(mailbox):
    admin, me = registered("admin@example.com", "Alice Admin")
    configure(admin, mailbox)
    wid = me["workspaces"][0]["id"]
    renamed = admin.patch(f"/api/workspaces/{wid}", json={"name": "<b>Team</b> & Co"})
    assert renamed.status_code == 200, renamed.text
    inv = admin.post(
        f"/api/workspaces/{wid}/invites", json={"role": "viewer", "email": "Dan@Example.com"}
    )
    assert inv.status_code == 201, inv.text
    assert inv.json()["emailed"] is True
    no_email = admin.post(f"/api/workspaces/{wid}/invites", json={"role": "viewer"}).json()
    assert no_email["emailed"] is False
    deliver_all()
    [received] = mailbox.wait_for("dan@example.com")
    assert received.link("/invite/") == inv.json()["link"]
    assert "Alice Admin invited you" in received.text
    # User content is escaped in the HTML part.
    assert "&lt;b&gt;Team&lt;/b&gt; &amp; Co" in received.html
    assert "<b>Team</b>" not in received.html


def test_email_verification_on_registration(mailbox):
    admin, _ = registered("admin@example.com")
    configure(admin, mailbox)
    eve, body = registered("eve@example.com")
    assert body["user"]["email_verified"] is False
    deliver_all()
    [received] = mailbox.wait_for("eve@example.com")
    token = token_of(received.link("/verify-email"))
    anon = client()
    bad = anon.post("/api/auth/verify-email", json={"token": "nope" * 10})
    assert error_of(bad)["code"] == "invalid_verify_link"
    ok = anon.post("/api/auth/verify-email", json={"token": token})
    assert ok.status_code == 200 and ok.json() == {"email": "eve@example.com", "verified": True}
    assert eve.get("/api/me").json()["user"]["email_verified"] is True
    assert eve.post("/api/me/verification-email").json() == {"emailed": False}
    with db.session() as s:
        assert s.exec(select(User).where(User.email == "eve@example.com")).one().email_verified_at
    # Setting "require verified email" is stored and shown.
    assert admin.put("/api/admin/email", json={"require_verified": True}).json()["require_verified"]


def test_a_password_change_voids_pending_reset_links(mailbox):
    admin, _ = registered("admin@example.com")
    configure(admin, mailbox)
    gus, _ = registered("gus@example.com")
    client("10.0.4.4").post("/api/auth/forgot-password", json={"email": "gus@example.com"})
    deliver_all()
    token = token_of(resets(mailbox, "gus@example.com")[0].link("/reset-password"))
    changed = gus.post(
        "/api/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 200, changed.text
    late = client().post("/api/auth/reset-password", json={"token": token, "password": "x" * 30})
    assert error_of(late)["code"] == "invalid_reset_link"


def test_starttls_is_never_silently_dropped(mailbox, monkeypatch):
    """security=starttls against a server that does not offer it: no email goes out in clear;
    it is retried (the admin may fix the server or the setting) within the budget."""
    monkeypatch.setattr(settings, "mail_max_attempts", 1)
    admin, _ = registered("admin@example.com")
    configure(admin, mailbox, security="starttls")
    admin.post("/api/admin/email/test", json={})
    assert deliver_all() == {"failed": 1}
    [row] = outbox()
    assert "STARTTLS" in row.last_error
    assert mailbox.to("admin@example.com") == []
