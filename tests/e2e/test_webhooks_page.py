"""Settings → Webhooks in real Chromium: add a webhook (its secret shown once), send a test
event that the app's worker delivers to a real receiver, see the delivery's code; and the
Activity page lists what was done."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import register
from tests.support.webhook_receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def test_webhook_secret_once_and_a_delivery(page: Page, live_app: str, receiver: Receiver):
    register(page, live_app, f"hooks-{uuid.uuid4().hex[:8]}@example.com", "Hooks")
    expect(page.locator("#page-title")).to_have_text("Dashboard")
    page.goto(live_app + "/settings/webhooks")
    page.fill("#webhook-url", receiver.url + "/e2e")
    page.click("#create-webhook")
    box = page.locator("#new-webhook-secret")
    expect(box).to_have_value(re.compile(r"^whsec_"))
    secret = box.input_value()
    row = page.locator(".webhook-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(receiver.url + "/e2e")

    row.locator(".send-test").click()
    got = receiver.wait(1, timeout=20)[0]  # sent by the app's worker
    assert got.headers["herald-event"] == "webhook.test"
    t, v1 = (p.split("=", 1)[1] for p in got.headers["herald-signature"].split(","))
    mac = hmac.new(secret.encode(), f"{t}.".encode() + got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, v1)
    page.click("#refresh-deliveries")
    expect(page.locator(".delivery-row .delivery-code")).to_have_text("200")

    # Shown once: gone after a reload, never in the page again.
    page.reload()
    expect(page.locator(".webhook-row")).to_have_count(1)
    expect(page.locator("#new-webhook-secret")).to_have_count(0)
    assert secret not in page.content()

    page.goto(live_app + "/activity")
    expect(page.locator(".activity-row[data-verb='webhook.created']")).to_have_count(1)
    page.click("#activity-actor")
    page.get_by_role("option", name="Herald (the engine)").click()
    expect(page.locator("#no-activity")).to_be_visible()  # Herald did nothing here yet
    page.click("#activity-actor")
    page.get_by_role("option", name="Hooks").click()
    expect(page.locator(".activity-row[data-verb='webhook.created']")).to_have_count(1)
