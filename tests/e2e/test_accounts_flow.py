"""Register, log out, log in and invite a member in real Chromium against the running app."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import PASSWORD, fill_register, new_email, register


def test_register_lands_on_the_dashboard(page: Page, live_app: str):
    email = new_email("reg")
    register(page, live_app, email, "Rita Register")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    expect(page.locator("#user-email")).to_have_text(email)
    expect(page.locator("#current-workspace")).to_have_text("Rita Register's workspace")
    page.screenshot(path=ARTIFACTS / "dashboard.png")


def test_bad_input_shows_form_errors(page: Page, live_app: str):
    page.goto(live_app + "/register")
    page.fill("#email", new_email("weak"))
    page.fill("#password", "short")
    page.fill("#confirm", "short")
    page.click("#submit")
    expect(page.locator("#form-error")).to_contain_text("at least 10 characters")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD + "x")
    page.click("#submit")
    expect(page.locator("#form-error")).to_contain_text("do not match")
    page.screenshot(path=ARTIFACTS / "register-error.png")

    page.goto(live_app + "/login")
    page.fill("#email", "nobody@example.com")
    page.fill("#password", "wrong password")
    page.click("#submit")
    expect(page.locator("#form-error")).to_have_text("Invalid email or password.")
    expect(page).to_have_url(re.compile(r"/login"))


def test_logout_then_protected_pages_redirect_to_login(page: Page, live_app: str):
    email = new_email("out")
    register(page, live_app, email)
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    page.click("#user-menu")
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/login"))

    page.goto(live_app + "/calendar")
    expect(page).to_have_url(re.compile(r"/login\?next=/calendar"))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/calendar/?$"))
    expect(page.locator("#page-title")).to_have_text("Calendar")


def test_invite_a_member_who_accepts_in_another_browser(browser: Browser, live_app: str):
    admin = browser.new_context().new_page()
    register(admin, live_app, new_email("admin"), "Alice Admin")
    expect(admin.locator("#page-title")).to_have_text("Dashboard")
    admin.goto(live_app + "/settings/team")
    expect(admin.locator(".member-row")).to_have_count(1)
    admin.locator("#invite-role").click()
    admin.get_by_role("option", name="viewer").click()
    admin.click("#create-invite")
    link = admin.locator("#invite-link")
    expect(link).to_contain_text("/invite/")
    path = "/invite/" + link.inner_text().rsplit("/invite/", 1)[1]

    member_email = new_email("member")
    guest = browser.new_context().new_page()
    guest.goto(live_app + path)
    expect(guest.locator("#invite-workspace")).to_have_text("Alice Admin's workspace")
    guest.click("#invite-register")
    expect(guest).to_have_url(re.compile(r"/register\?next=/invite/"))
    fill_register(guest, member_email, "Mo Member")
    expect(guest).to_have_url(re.compile(r"/invite/"))
    guest.click("#accept-invite")
    expect(guest).to_have_url(re.compile(r"/settings/team/?$"))
    expect(guest.locator("#workspace-switcher")).to_contain_text("Alice Admin's workspace")

    admin.reload()
    row = admin.locator(f".member-row[data-email='{member_email}']")
    expect(row).to_have_attribute("data-role", "viewer")
    expect(row).to_contain_text("Mo Member")
    admin.screenshot(path=ARTIFACTS / "team.png")

    # The same link cannot be used twice.
    third = browser.new_context().new_page()
    third.goto(live_app + path)
    expect(third.locator("#form-error")).to_contain_text("already been used")


def test_health_is_all_green_with_worker_and_scheduler(live_app: str):
    report: dict = {}
    for _ in range(30):  # the worker and scheduler may still be starting
        r = httpx.get(live_app + "/api/health", timeout=5)
        report = r.json()
        if r.status_code == 200:
            break
        time.sleep(1)
    assert report["ok"] is True, report
    assert set(report["checks"]) == {"database", "redis", "worker", "scheduler"}
    assert all(c["ok"] for c in report["checks"].values()), report
