"""Connect an X account through the OAuth round trip in Chromium, then disconnect it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import connect_round_trip, new_email, sign_up


def test_connect_bluesky_with_an_app_password(page: Page, live_app: str, sim):
    sim.sim["bluesky"].ensure_account("gail.bsky.social", password="abcd-efgh-ijkl-mnop")
    sign_up(page, live_app, new_email("bsky"), "Gail")
    page.goto(live_app + "/accounts")
    page.fill("#identifier-bluesky", "gail.bsky.social")
    page.fill("#app-password-bluesky", "not-the-password")
    page.click("#connect-bluesky")
    expect(page.locator("#form-error")).to_contain_text("refused")
    page.fill("#identifier-bluesky", "gail.bsky.social")
    page.fill("#app-password-bluesky", "abcd-efgh-ijkl-mnop")
    page.click("#connect-bluesky")
    card = page.locator(".account-card[data-platform='bluesky']")
    expect(card.locator(".account-status")).to_have_text("connected")
    expect(card).to_contain_text("Bluesky · gail.bsky.social")


def test_connect_x_then_disconnect(page: Page, live_app: str):
    sign_up(page, live_app, new_email("acc"), "Connie")
    page.goto(live_app + "/accounts")
    expect(page.get_by_text("No accounts yet")).to_be_visible()
    card = connect_round_trip(page, "#connect-x", "x")
    expect(card).to_contain_text("X · alice")
    expect(card.locator(".account-status")).to_have_text("connected")
    page.screenshot(path=ARTIFACTS / "accounts.png")
    card.get_by_role("button", name="Disconnect").click()
    expect(page.locator("#disconnect-waiting")).to_have_text(
        "No scheduled post targets this account."
    )
    page.click("#disconnect-confirm")
    expect(card.locator(".account-status")).to_have_text("revoked")
    # Reconnect: the platform opens in a popup, which hands the result back and closes.
    with page.expect_popup() as opened:
        card.locator(".reconnect").click()
    opened.value.wait_for_event("close")
    expect(page).to_have_url(re.compile(r"/accounts/?\?connected="))
    expect(card.locator(".account-status")).to_have_text("connected")
    card.get_by_role("button", name="Disconnect").click()
    expect(page.locator("#disconnect-waiting")).to_have_text(
        "No scheduled post targets this account."
    )
    page.click("#disconnect-confirm")
    expect(card.locator(".account-status")).to_have_text("revoked")
    # Mastodon needs a server address: a bad one is a visible error, nothing is connected.
    page.fill("#instance-mastodon", "http://example.com")
    page.click("#connect-mastodon")
    expect(page.locator("#form-error")).to_contain_text("https")
