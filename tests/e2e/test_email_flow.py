"""Forgot password in real Chromium: the page says what happens without email; with SMTP (a
real local server) the worker mails a link, the browser opens the link from the received
email, sets a new password and is signed in; the old session is gone. Then the instance
admin sends a test email from Settings → Instance, invites someone by email, and confirms
her own address from the banner's "resend"."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from app import db
from app.models import InstanceSetting, User
from app.services import auth, mail
from tests.e2e.conftest import ARTIFACTS
from tests.support.mailbox import Mailbox, Received

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a fresh secret from the mail"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box


def _reset_mail(box: Mailbox, address: str, timeout: float = 60) -> Received:
    deadline = time.monotonic() + timeout
    while True:
        got = [m for m in box.to(address) if m.subject == "Reset your Herald password"]
        if got:
            return got[-1]
        assert time.monotonic() < deadline, f"no reset email to {address} in {timeout} s"
        time.sleep(0.2)


def test_forgot_password_link_from_the_mail_sets_a_new_password(
    page: Page, live_app: str, mailbox: Mailbox
):
    email = f"forgot-{uuid.uuid4().hex[:8]}@example.com"
    with db.session() as s:
        user = auth.create_user(s, email, PASSWORD, "Fran Forgetful")
        user.is_instance_admin = True  # she also configures email below
        s.add(user)
    try:
        # Without SMTP: the page says the administrator must reset it.
        page.goto(live_app + "/login")
        page.click("#to-forgot")
        expect(page.locator("#forgot-no-email")).to_contain_text("administrator")

        with db.session() as s:
            admin = s.exec(select(User).where(User.email == email)).one()
        mail.save_smtp_settings(
            admin,
            values={
                "host": mailbox.host,
                "port": mailbox.port,
                "from_addr": "Herald <herald@example.com>",
                "security": "none",
            },
        )
        old = httpx.Client(base_url=live_app, headers={"Origin": live_app})
        assert (
            old.post("/api/auth/login", json={"email": email, "password": PASSWORD}).status_code
            == 200
        )

        page.goto(live_app + "/login")
        page.click("#to-forgot")
        expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
        page.fill("#email", email.upper())
        page.click("#submit")
        expect(page.locator("#forgot-answer")).to_contain_text("If an account uses this email")
        page.screenshot(path=ARTIFACTS / "email-forgot-password.png", full_page=True)

        received = _reset_mail(mailbox, email)  # sent by the worker
        link = received.link("/reset-password")
        assert link.startswith(live_app + "/reset-password?token=")
        page.goto(link)
        expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
        page.fill("#password", NEW_PASSWORD)
        page.fill("#confirm", NEW_PASSWORD)
        page.click("#submit")
        expect(page.locator("#page-title")).to_have_text("Dashboard")  # signed in
        assert old.get("/api/me").status_code == 401  # the other session ended

        # The link works once.
        page.context.clear_cookies()
        page.goto(link)
        expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
        page.fill("#password", "yet another new secret")
        page.fill("#confirm", "yet another new secret")
        page.click("#submit")
        expect(page.locator("#form-error")).to_contain_text("already used")

        # Signed in with the new password, the admin sends a test email from the settings.
        page.goto(live_app + "/login")
        page.fill("#email", email)
        page.fill("#password", NEW_PASSWORD)
        page.click("#submit")
        expect(page.locator("#page-title")).to_have_text("Dashboard")
        page.goto(live_app + "/settings/instance")
        card = page.locator("#email-settings")
        expect(card.locator("#email-status")).to_contain_text("on")
        expect(card.locator("#smtp-host")).to_have_value(mailbox.host)
        card.locator("#test-email-to").fill("ops@example.com")
        card.locator("#send-test-email").click()
        expect(card.locator("#test-email-status")).to_contain_text("queued")
        [test_mail] = mailbox.wait_for("ops@example.com", timeout=60)
        assert test_mail.subject == "Herald test email"
        page.screenshot(path=ARTIFACTS / "email-instance-settings.png", full_page=True)

        # An invite with an email address is emailed; the page says so and shows the link.
        page.goto(live_app + "/settings/team")
        page.fill("#invite-email", "invitee@example.com")
        page.click("#create-invite")
        expect(page.locator("#invite-mail-note")).to_contain_text("Emailed")
        shown = page.locator("#invite-link").inner_text()
        [invite_mail] = mailbox.wait_for("invitee@example.com", timeout=60)
        assert invite_mail.link("/invite/") == shown
        assert "Fran Forgetful invited you" in invite_mail.text

        # Confirmed emails required: a banner until she opens the link "resend" mails her.
        mail.save_smtp_settings(admin, require_verified=True)
        page.goto(live_app + "/")
        banner = page.locator("#verify-banner")
        expect(banner).to_be_visible()
        page.click("#resend-verification")
        expect(page.get_by_text("We sent a new link")).to_be_visible()
        [verify_mail] = [
            m for m in mailbox.wait_for(email, 2, timeout=60) if "/verify-email" in m.text
        ]
        page.goto(verify_mail.link("/verify-email"))
        expect(page.locator("#verify-result")).to_contain_text(f"{email} is confirmed")
        page.goto(live_app + "/")
        expect(page.locator("#page-title")).to_have_text("Dashboard")
        expect(banner).to_have_count(0)
    finally:
        with db.session() as s:  # later modules run without email
            for row in s.exec(select(InstanceSetting)).all():
                if row.key.startswith(("smtp.", "mail.")):
                    s.delete(row)
