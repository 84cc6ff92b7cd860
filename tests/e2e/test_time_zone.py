"""The user's own time in Chromium: a browser in New York (en-US) signs up, the zone and the
12-hour clock are proposed and saved, 9:00 typed in the composer is stored as 14:00 UTC (winter)
and shown as 9:00 AM with the zone named, and switching Profile to 24-hour changes the calendar
and the dashboard. A user still on UTC is offered the browser's zone once at sign-in. Light and
dark screenshots of the changed pages."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import select

from app import db
from app.models import User
from app.services import accounts, auth, posts, workspaces
from tests.e2e.helpers import PASSWORD, new_context, sandbox_here, screenshots, user_by_email

NY = "America/New_York"
TZ = zoneinfo.ZoneInfo(NY)


@pytest.fixture
def new_york(browser: Browser, sim) -> Iterator[BrowserContext]:
    with sandbox_here(sim):
        ctx = new_context(browser, timezone_id=NY, locale="en-US")
        yield ctx
        ctx.close()


def test_new_york_signs_up_schedules_9am_and_switches_to_24h(
    new_york: BrowserContext, live_app: str
):
    page = new_york.new_page()
    page.goto(live_app + "/register")
    # The browser's zone and its 12-hour clock are proposed.
    expect(page.locator("#timezone")).to_have_value(NY)
    expect(page.locator("#time-format-12h")).to_have_attribute("data-state", "checked")
    screenshots(page, "time-register")
    email = f"ny-{uuid.uuid4().hex[:8]}@example.com"
    page.fill("#full_name", "Nora York")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    # A zone that does not exist is a form error, and nothing is created.
    page.fill("#timezone", "America/Gotham")
    page.click("#submit")
    expect(page.locator("#form-error")).to_contain_text("Unknown time zone")
    with db.session() as s:
        assert s.exec(select(User).where(User.email == email)).first() is None
    page.fill("#timezone", NY)
    page.click("#submit")
    expect(page.locator("#page-title")).to_have_text("Dashboard", timeout=30_000)
    user = user_by_email(email)
    assert (user.timezone, user.time_format, user.timezone_confirmed) == (NY, "12h", True)
    expect(page.locator("#zone-prompt")).to_have_count(0)  # chosen at sign-up: never asked

    page.goto(live_app + "/accounts")
    page.click("#sandbox-x")
    card = page.locator(".account-card[data-platform='x']")
    expect(card.locator(".account-status")).to_have_text("connected")
    wid = workspaces.list_workspaces(user)[0].id
    [account] = accounts.list_accounts(user, wid)

    # Tomorrow 9:00 AM, typed the way a New Yorker writes it (December: EST, UTC-5).
    day = dt.datetime.now(TZ).date() + dt.timedelta(days=1)
    page.goto(live_app + "/composer")
    expect(page.locator("#composer-text")).to_be_visible()
    page.locator("#composer-text").fill("Good morning, New York")
    page.click(f"#account-{account.id}")
    page.fill("#post-date", day.isoformat())
    page.fill("#post-time", "9:00 AM")
    expect(page.locator("#post-timezone")).to_have_text("9:00 AM · New York (EST)")
    screenshots(page, "time-composer")
    page.click("#schedule")
    expect(page.get_by_text(re.compile(r"Scheduled for .* 9:00 AM EST"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/calendar"))
    [post] = posts.list_posts(user, wid, limit=10).items
    local = dt.datetime.combine(day, dt.time(9), TZ)
    assert local.utcoffset() == dt.timedelta(hours=-5)
    assert post.scheduled_at == dt.datetime.combine(day, dt.time(14), dt.UTC)

    # The calendar names the zone and shows 9:00 AM.
    expect(page.locator("#calendar-zone")).to_have_text("America/New_York (EST)")
    event = page.locator(f"#calendar .fc-event[data-post-id='{post.id}']").first
    expect(event.locator(".herald-ev-time")).to_have_text("9:00 AM")
    screenshots(page, "time-calendar-12h")
    page.goto(live_app + "/")
    upcoming = page.locator(f".upcoming-post[data-post-id='{post.id}']")
    expect(upcoming).to_contain_text("Tomorrow 9:00 AM")

    # Posting slots are typed and shown in the user's format too (stored HH:MM).
    page.goto(live_app + "/settings/schedule")
    monday = page.locator(".day-column[data-weekday='0']")
    expect(monday).to_contain_text("No slots")
    page.fill("#add-time-0", "5:30 PM")
    page.click("#add-slot-0")
    expect(monday.locator(".slot")).to_have_text(["5:30 PM"])
    expect(monday.locator(".slot")).to_have_attribute("data-time", "17:30")
    expect(page.locator("#next-free")).to_contain_text(re.compile(r"\d:\d\d (AM|PM) E[SD]T"))

    # Profile: switch to 24-hour; the calendar and the dashboard follow.
    page.goto(live_app + "/settings/profile")
    expect(page.locator("#timezone")).to_have_value(NY)
    expect(page.locator("#time-format-12h")).to_have_attribute("data-state", "checked")
    page.click("#time-format-24h")
    page.click("#save-profile")
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    assert user_by_email(email).time_format == "24h"
    screenshots(page, "time-profile")
    page.goto(live_app + "/")
    expect(upcoming).to_contain_text("Tomorrow 09:00")
    screenshots(page, "time-dashboard-24h")
    page.goto(live_app + "/settings/schedule")
    expect(monday.locator(".slot")).to_have_text(["17:30"])
    page.goto(f"{live_app}/calendar?date={day.isoformat()}")
    event = page.locator(f"#calendar .fc-event[data-post-id='{post.id}']").first
    expect(event.locator(".herald-ev-time")).to_have_text("09:00")
    screenshots(page, "time-calendar-24h")
    page.goto(f"{live_app}/composer?post={post.id}")
    expect(page.locator("#post-time")).to_have_value("09:00")
    expect(page.locator("#post-timezone")).to_have_text("09:00 · New York (EST)")


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    expect(page.locator("#page-title")).to_have_text("Dashboard", timeout=30_000)


@pytest.mark.parametrize("answer", ["use", "keep"])
def test_a_user_on_utc_is_offered_the_browser_zone_once(
    browser: Browser, live_app: str, answer: str
):
    email = f"tokyo-{answer}-{uuid.uuid4().hex[:8]}@example.com"
    auth.register(email, PASSWORD, "Toshi")  # no zone given: UTC, not chosen
    ctx = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    try:
        page = ctx.new_page()
        _sign_in(page, live_app, email)
        prompt = page.locator("#zone-prompt")
        expect(prompt).to_contain_text("Your browser is in Asia/Tokyo")
        if answer == "use":
            screenshots(page, "time-zone-prompt")
            page.click("#zone-prompt-use")
            expect(page.get_by_text("Times are now shown in Asia/Tokyo.")).to_be_visible()
        else:
            page.click("#zone-prompt-keep")
            expect(prompt).to_have_count(0)
        user = user_by_email(email)
        want = "Asia/Tokyo" if answer == "use" else "UTC"
        assert (user.timezone, user.timezone_confirmed) == (want, True)
        # Asked once: not again on the next page, nor after signing in again.
        page.goto(live_app + "/calendar")
        expect(page.locator("#page-title")).to_have_text("Calendar")
        expect(page.locator("#calendar-summary")).to_contain_text(want)
        expect(prompt).to_have_count(0)
    finally:
        ctx.close()
