"""The bell in Chromium against the running app, worker, scheduler and simulator: a post the
platform refuses rings the bell live (no reload); opening the notification marks it read and
leads to the post; preferences save on change."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from app import db
from app.config import settings
from app.models import Notification
from app.services import notifications, posts
from app.services.posts import PostInput
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import connect_sandbox
from tests.e2e.test_dashboard import CREATE_RECORD, _account_id, _signed_up
from tests.support.webhook_receiver import Receiver

LIVE = 45_000  # ms: the bell polls every 20 s; the worker publishes in about one


@pytest.fixture(autouse=True)
def in_process_sandbox(monkeypatch: pytest.MonkeyPatch, sim) -> None:
    monkeypatch.setattr(settings, "sandbox", True)
    monkeypatch.setattr(settings, "sandbox_url", sim.url)


def test_a_failed_post_rings_the_bell_and_opening_it_marks_it_read(page: Page, live_app: str, sim):
    user, wid = _signed_up(page, live_app, "bell")
    connect_sandbox(page, live_app, "bluesky")
    account = _account_id(wid, "bluesky")
    page.goto(live_app + "/")
    bell = page.locator("#notify-bell")
    expect(bell).to_be_visible()
    expect(page.locator("#notify-bell ~ .notify-count")).to_have_count(0)

    sim.sim.inject("bluesky", "duplicate", path=CREATE_RECORD, count=None,
                   message="Record already exists: you posted this before")  # fmt: skip
    try:
        failing, _ = posts.create_post(user, wid, PostInput("Ring the bell", [account]), mode="now")
        count = page.locator(".notify-count").first
        expect(count).to_have_text("1", timeout=LIVE)
    finally:
        sim.sim.clear_faults("bluesky")

    bell.click()
    item = page.locator("#notify-bell-panel .notify-item").first
    expect(item).to_contain_text("Post failed: “Ring the bell”")
    expect(item).to_contain_text("you posted this before")
    expect(item).to_have_attribute("data-read", "")
    page.screenshot(path=ARTIFACTS / "notify-bell.png")
    item.click()
    expect(page).to_have_url(re.compile(rf"/composer\?post={failing.id}$"))
    expect(page.locator(".notify-count")).to_have_count(0)
    with db.session() as s:
        [row] = s.exec(select(Notification).where(Notification.user_id == user.id)).all()
    assert row.read_at is not None and row.verb == "post.failed"

    # The full page lists it as read; the preferences save on change.
    page.goto(live_app + "/notifications")
    expect(page.locator("#notify-list .notify-item")).to_have_count(1)
    expect(page.locator("#notify-list .notify-item")).to_have_attribute("data-read", "yes")
    page.goto(live_app + "/settings/notifications")
    row = page.locator(".notify-pref-row[data-group='post_published']")
    row.locator(".notify-in-app").click()
    expect(row.locator(".notify-in-app")).to_have_attribute("data-state", "unchecked")
    assert notifications.get_preferences(user).groups["post_published"]["in_app"] is False

    # An admin adds a Slack channel; its test message reaches the (real, local) receiver.
    with Receiver() as receiver:
        page.fill("#channel-url", receiver.url + "/slack")
        page.click("#add-channel")
        channel = page.locator(".notify-channel")
        expect(channel).to_have_count(1)
        expect(channel).to_contain_text("Slack")
        expect(channel).to_contain_text("Failed posts, Accounts, Outages")
        page.screenshot(path=ARTIFACTS / "notify-settings.png", full_page=True)
        channel.get_by_role("button", name="Test").click()
        [got] = receiver.wait(1, timeout=20)  # sent by the app's worker
        assert json.loads(got.body) == {
            "text": "Herald: this channel receives your workspace's notifications."
        }
    channel.get_by_role("button", name="Remove").click()
    page.click("#confirm-remove-channel")
    expect(page.locator(".notify-channel")).to_have_count(0)
