"""The dashboard in Chromium against the running app, worker, scheduler and simulator: empty
states, a failure that appears live and is retried in one click, a broken account reconnected
in one click, light and dark screenshots."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from app import db
from app.config import settings
from app.models import AccountStatus, SocialAccount, User, utcnow
from app.providers.registry import provider_class
from app.services import accounts, circuit, posts
from app.services.posts import PostInput
from app.services.workspaces import list_workspaces
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import connect_sandbox, new_email, sign_up

CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
LIVE = 20_000  # ms: the dashboard polls every few seconds, the worker publishes in about one


@pytest.fixture(autouse=True)
def in_process_sandbox(monkeypatch: pytest.MonkeyPatch, sim) -> None:
    """This process calls services too (to create posts): same sandbox as the app."""
    monkeypatch.setattr(settings, "sandbox", True)
    monkeypatch.setattr(settings, "sandbox_url", sim.url)


def later_time() -> dt.datetime:
    """Tomorrow at noon (UTC): "Tomorrow" at any hour the test runs (now + 25 h is the day
    after tomorrow between 23:00 and midnight)."""
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    return tomorrow.replace(hour=12, minute=0, second=0, microsecond=0)


def _signed_up(page: Page, base: str, tag: str) -> tuple[User, uuid.UUID]:
    user = sign_up(page, base, new_email(tag), tag.capitalize())
    return user, list_workspaces(user)[0].id


def _account_id(wid: uuid.UUID, platform: str) -> uuid.UUID:
    with db.session() as s:
        return s.exec(
            select(SocialAccount.id).where(
                SocialAccount.workspace_id == wid, SocialAccount.platform == platform
            )
        ).one()


def test_empty_workspace_leads_to_connecting_then_writing(page: Page, live_app: str):
    _signed_up(page, live_app, "fresh")
    dash = page.locator("#dashboard")
    expect(dash).to_have_attribute("data-loading", "false")
    expect(page.locator("#current-workspace")).to_have_text("Fresh's workspace")
    expect(page.locator("#empty-accounts")).to_be_visible()
    expect(page.locator("#stat-published")).to_have_text("0")
    expect(page.locator("#stat-scheduled")).to_have_text("0")
    expect(page.locator("#upcoming")).to_contain_text("Nothing scheduled for the next 7 days")
    expect(page.locator("#recent")).to_contain_text("Nothing published yet")
    expect(page.locator("#attention")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "dashboard-empty.png", full_page=True)

    page.click("#cta-connect")
    expect(page).to_have_url(re.compile(r"/accounts/?$"))
    page.click("#sandbox-bluesky")
    expect(page.locator(".account-card[data-platform='bluesky']")).to_be_visible()
    page.click("#nav-dashboard")
    expect(page.locator("#empty-accounts")).to_have_count(0)
    expect(page.locator("#cta-compose")).to_have_attribute("href", "/composer")
    page.click("#cta-compose")
    expect(page).to_have_url(re.compile(r"/composer/?$"))


def test_a_failure_appears_live_and_retry_publishes_it(page: Page, live_app: str, sim):
    user, wid = _signed_up(page, live_app, "retry")
    connect_sandbox(page, live_app, "bluesky")
    account = _account_id(wid, "bluesky")
    page.goto(live_app + "/")
    expect(page.locator("#dashboard")).to_have_attribute("data-loading", "false")
    expect(page.locator("#cta-compose")).to_be_visible()

    # A scheduled post for tomorrow shows as upcoming, without a reload.
    later, _ = posts.create_post(
        user, wid, PostInput("See you tomorrow", [account], later_time(), timezone="UTC")
    )
    upcoming = page.locator(f".upcoming-post[data-post-id='{later.id}']")
    expect(upcoming).to_contain_text("Tomorrow", timeout=LIVE)
    expect(upcoming.locator(".status-badge")).to_have_text("scheduled")
    expect(upcoming.locator(".account-avatar")).to_have_count(1)
    expect(page.locator("#stat-scheduled")).to_have_text("1")

    # The platform refuses the next post: the failure shows with the platform's own words.
    sim.sim.inject("bluesky", "duplicate", path=CREATE_RECORD, count=None,
                   message="Record already exists: you posted this before")  # fmt: skip
    try:
        failing, _ = posts.create_post(
            user, wid, PostInput("Hello from the dashboard test", [account]), mode="now"
        )
        card = page.locator(f".failure-card[data-post-id='{failing.id}']")
        expect(card).to_be_visible(timeout=LIVE)
        expect(card.locator(".failure-error")).to_contain_text("you posted this before")
        expect(card.locator(".status-badge")).to_have_text("failed")
        expect(page.locator("#stat-failed")).to_have_text("1")
        page.screenshot(path=ARTIFACTS / "dashboard-failure.png", full_page=True)
    finally:
        sim.sim.clear_faults("bluesky")

    # One click: the post goes out and moves to "Recently published", no reload.
    card.locator(".retry-button").click()
    expect(card).to_have_count(0, timeout=LIVE)
    published = page.locator(f".recent-post[data-post-id='{failing.id}']")
    expect(published.locator(".status-badge")).to_have_text("published", timeout=LIVE)
    expect(published.locator("a.permalink")).to_have_attribute("href", re.compile(r"^https?://"))
    expect(page.locator("#stat-published")).to_have_text("1")
    expect(page.locator("#stat-failed")).to_have_text("0")
    assert posts.get_post(user, wid, failing.id).status.value == "published"

    # The 7/30-day toggle switches the numbers' window.
    page.click("#period-30")
    expect(page.locator(".stat-card[data-stat='published']")).to_contain_text("last 30 days")


def test_an_expired_account_is_reconnected_in_one_click(page: Page, live_app: str):
    _user, wid = _signed_up(page, live_app, "expiry")
    connect_sandbox(page, live_app, "x")
    account = _account_id(wid, "x")
    accounts.mark_broken(
        account,
        AccountStatus.expired,
        "Reconnect needed: token revoked by X",
        seen_since=utcnow(),
    )
    page.goto(live_app + "/")
    broken = page.locator(".broken-account[data-platform='x']")
    expect(broken).to_have_attribute("data-status", "expired")
    expect(broken.locator(".account-error")).to_have_text("Reconnect needed: token revoked by X")
    broken.locator(".reconnect-button").click()
    # A sandbox account reconnects on the server at once (a real one: the OAuth round trip).
    expect(page.locator(".broken-account")).to_have_count(0)
    page.goto(live_app + "/accounts")
    card = page.locator(".account-card[data-platform='x']")
    expect(card.locator(".account-status")).to_have_text("connected")


def test_screenshots_light_and_dark(browser: Browser, live_app: str):
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        user, wid = _signed_up(page, live_app, f"shot{scheme}")
        connect_sandbox(page, live_app, "bluesky")
        connect_sandbox(page, live_app, "x")
        bsky, x = _account_id(wid, "bluesky"), _account_id(wid, "x")
        posts.create_post(
            user, wid,
            PostInput("Launch day! Our new release is out — read all about it.", [bsky, x],
                      later_time(), timezone="UTC"),
        )  # fmt: skip
        accounts.mark_broken(
            x, AccountStatus.expired, "Reconnect needed: token expired", seen_since=utcnow()
        )
        page.goto(live_app + "/")
        expect(page.locator(".broken-account")).to_have_count(1)
        expect(page.locator(".upcoming-post")).to_have_count(1)
        page.screenshot(path=ARTIFACTS / f"dashboard-{scheme}.png", full_page=True)
        # Narrow screens: the blocks stack.
        page.set_viewport_size({"width": 420, "height": 900})
        expect(page.locator("#dashboard")).to_be_visible()
        page.screenshot(path=ARTIFACTS / f"dashboard-{scheme}-narrow.png", full_page=True)
        context.close()


def test_a_platform_outage_shows_on_dashboard_and_calendar(page: Page, live_app: str):
    """When Herald stops sending to a failing platform (its circuit breaker opened), the
    dashboard and the calendar say so, live, and the banner goes when the platform is back."""
    _user, wid = _signed_up(page, live_app, "outage")
    connect_sandbox(page, live_app, "bluesky")
    account = _account_id(wid, "bluesky")
    with db.session() as s:
        row = s.get(SocialAccount, account)
        api_base = row.meta.get("api_base", "")
    federated = provider_class("bluesky").capabilities.per_instance
    scopes = circuit.scopes("bluesky", str(account), api_base, federated)
    for other in (str(account), str(uuid.uuid4()), str(account)):  # failures of two accounts
        circuit.record([scopes[0], f"account:{other}"], False, message="Bluesky answered 502")
    try:
        page.goto(live_app + "/")
        banner = page.locator(f".outage-banner[data-scope='{scopes[0]}']")
        expect(banner).to_contain_text("Bluesky", timeout=LIVE)
        expect(banner).to_contain_text("is not answering")
        expect(banner).to_contain_text("Bluesky answered 502")
        page.screenshot(path=ARTIFACTS / "dashboard-outage.png", full_page=True)
        page.click("#nav-calendar")
        expect(page.locator(f".outage-banner[data-scope='{scopes[0]}']")).to_be_visible()
    finally:
        circuit.reset(scopes[0])
    expect(page.locator(".outage-banner")).to_have_count(0, timeout=LIVE)
