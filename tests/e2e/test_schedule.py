"""Settings → Posting schedule in Chromium against the running app: presets, adding and
removing times, the account's timezone — each change saved (checked after a reload and in the
database through the service); light and dark screenshots."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.services import slots
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import connect_sandbox
from tests.e2e.test_dashboard import _account_id, _signed_up


def _day(page: Page, weekday: int):
    return page.locator(f".day-column[data-weekday='{weekday}']")


def test_edit_a_weekly_schedule(page: Page, live_app: str):
    user, wid = _signed_up(page, live_app, "slots")
    page.goto(live_app + "/settings/schedule")
    expect(page.locator("#empty-schedule")).to_contain_text("Connect an account")
    connect_sandbox(page, live_app, "bluesky")
    connect_sandbox(page, live_app, "x")
    bsky = _account_id(wid, "bluesky")

    page.goto(live_app + "/settings/schedule")
    nav = page.locator("#settings-nav")
    expect(nav.locator("#settings-tab-schedule")).to_have_attribute("aria-current", "page")
    for tab, href in (("profile", "/settings/profile"), ("team", "/settings/team"),
                      ("billing", "/settings/billing"), ("keys", "/settings/keys")):  # fmt: skip
        expect(nav.locator(f"#settings-tab-{tab}")).to_have_attribute("href", href)
    # Instance settings only for the instance admin (the first account of this instance).
    expect(nav.locator("#settings-tab-instance")).to_have_count(int(user.is_instance_admin))
    expect(page.locator("#schedule-account")).to_contain_text("Bluesky")
    expect(page.locator("#effective-zone")).to_have_text("UTC")
    expect(_day(page, 0)).to_contain_text("No slots")

    # A preset fills the week days.
    page.click("#preset-weekdays")
    expect(_day(page, 0).locator(".slot")).to_have_count(3)
    expect(_day(page, 4).locator(".slot")).to_have_text(["09:00", "12:30", "17:00"])
    expect(_day(page, 5)).to_contain_text("No slots")
    expect(page.locator("#next-free")).to_contain_text(re.compile(r"(09:00|12:30|17:00)"))

    # Add Sunday 10:15 from the keyboard; remove Monday 12:30.
    page.fill("#add-time-6", "10:15")
    page.press("#add-time-6", "Enter")
    expect(_day(page, 6).locator(".slot")).to_have_text(["10:15"])
    _day(page, 0).get_by_role("button", name="Remove Monday 12:30").click()
    expect(_day(page, 0).locator(".slot")).to_have_text(["09:00", "17:00"])

    # The account's own timezone.
    page.click("#schedule-zone")
    page.get_by_role("option", name="Europe/Berlin").click()
    expect(page.locator("#effective-zone")).to_have_text("Europe/Berlin")
    page.screenshot(path=ARTIFACTS / "settings-schedule-light.png", full_page=True)

    # Saved: after a reload, and in the database.
    page.reload()
    expect(_day(page, 0).locator(".slot")).to_have_text(["09:00", "17:00"])
    expect(_day(page, 6).locator(".slot")).to_have_text(["10:15"])
    expect(page.locator("#effective-zone")).to_have_text("Europe/Berlin")
    view = slots.get_schedule(user, wid, bsky)
    assert view.timezone == "Europe/Berlin"
    assert [(s.weekday, s.label) for s in view.slots] == [
        (0, "09:00"), (0, "17:00"), (1, "09:00"), (1, "12:30"), (1, "17:00"), (2, "09:00"),
        (2, "12:30"), (2, "17:00"), (3, "09:00"), (3, "12:30"), (3, "17:00"), (4, "09:00"),
        (4, "12:30"), (4, "17:00"), (6, "10:15"),
    ]  # fmt: skip

    # The other account has its own (empty) week; clearing needs a confirmation.
    page.click("#schedule-account")
    page.get_by_role("option", name=re.compile(r"· X$")).click()
    expect(_day(page, 0)).to_contain_text("No slots")
    expect(page.locator("#next-free")).to_have_count(0)
    page.click("#schedule-account")
    page.get_by_role("option", name=re.compile(r"· Bluesky$")).click()
    expect(_day(page, 0).locator(".slot")).to_have_count(2)
    page.click("#clear-slots")
    page.click("#confirm-clear")
    expect(page.locator(".slot")).to_have_count(0)
    assert slots.get_schedule(user, wid, bsky).slots == []


def test_screenshots_light_and_dark(page: Page, live_app: str):
    _user, _wid = _signed_up(page, live_app, "slotshot")
    connect_sandbox(page, live_app, "bluesky")
    page.goto(live_app + "/settings/schedule")
    page.click("#preset-weekdays")
    expect(_day(page, 0).locator(".slot")).to_have_count(3)
    page.fill("#add-time-5", "11:00")
    page.press("#add-time-5", "Enter")
    expect(_day(page, 5).locator(".slot")).to_have_count(1)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.screenshot(path=ARTIFACTS / "settings-schedule-light.png", full_page=True)
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html.dark, html[class*='dark']")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / "settings-schedule-dark.png", full_page=True)
    page.set_viewport_size({"width": 420, "height": 900})
    page.screenshot(path=ARTIFACTS / "settings-schedule-dark-narrow.png", full_page=True)
