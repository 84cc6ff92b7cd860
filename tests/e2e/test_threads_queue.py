"""Threads, "Add to queue" and network logos in Chromium against the running app, worker,
scheduler and simulator: a thread written in the composer (a part added, counted per network,
previewed as replies, published as a reply chain), the next free posting slot shown before the
post is queued there (and the way to a posting schedule when there is none), and the networks'
logos where accounts and posts are shown; light and dark screenshots."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from app.services import posts, slots
from app.ui import format
from tests.e2e.helpers import SignedIn as Team
from tests.e2e.helpers import (
    open_composer,
    pick,
    publish_now,
    sandbox_team,
    screenshots,
    start_thread,
    tab,
    wait_for,
)

NY = "America/New_York"


@pytest.fixture(scope="module")
def team(live_app: str, browser: Browser, sim) -> Iterator[Team]:
    platforms = ("x", "bluesky", "linkedin")
    with sandbox_team(
        sim, browser, live_app, "thread", "Theo Thread", platforms, timezone=NY
    ) as who:
        yield who


@pytest.fixture
def page(team: Team) -> Iterator[Page]:
    yield from tab(team.ctx)


def test_write_a_thread_count_each_part_preview_it_and_publish_it(page: Page, team: Team, sim):
    start_thread(page, team, "Thread start 1/3", "x", "bluesky", "linkedin")
    part = page.locator("#thread-part-2")
    part.fill("Second part 👋")
    # Each part is counted for each thread network, the way that network counts.
    expect(page.locator("#part-counter-2-x")).to_contain_text("14 / 280")  # the emoji weighs 2
    expect(page.locator("#part-counter-2-bluesky")).to_contain_text("13 / 300")  # graphemes
    expect(page.locator("#part-counter-2-linkedin")).to_have_count(0)
    expect(page.locator("#thread-note")).to_contain_text("LinkedIn gets part 1 only")
    # A third part over X's limit is flagged at once; removed again, it is gone.
    page.click("#add-part")
    page.locator("#thread-part-3").fill("y" * 281)
    expect(page.locator("#part-counter-3-x")).to_have_attribute("data-over", "yes")
    expect(page.locator("#part-counter-3-bluesky")).not_to_have_attribute("data-over", "yes")
    page.locator(".thread-part-box[data-part='3'] .remove-part").click()
    expect(page.locator("#thread-part-3")).to_have_count(0)
    page.click("#add-part")
    page.locator("#thread-part-3").fill("Third part")
    # Reordered: part 3 moves up and becomes part 2.
    page.get_by_label("Move part 3 up").click()
    expect(page.locator("#thread-part-2")).to_have_value("Third part")
    page.get_by_label("Move part 2 down").click()
    expect(page.locator("#thread-part-2")).to_have_value("Second part 👋")
    # The preview shows the replies under each thread network's post (not LinkedIn's).
    replies = page.locator("#thread-previews .thread-reply")
    expect(replies).to_have_count(4)
    expect(replies.first).to_contain_text("Second part")
    expect(page.locator("#thread-previews [data-platform='linkedin']")).to_have_count(0)
    # Logos: on the account chips, the counters and the previews.
    for platform in ("x", "bluesky", "linkedin"):
        logo = page.locator(f"#account-{team.ids[platform]} .network-logo")
        expect(logo).to_be_visible()
        expect(logo).to_have_attribute("data-platform", platform)
    screenshots(page, "composer-thread")

    view = publish_now(page, team, "Thread start 1/3")
    assert [p.text for p in view.thread] == ["Second part 👋", "Third part"]
    assert "thread" not in view.platform_configs.get("linkedin", {})
    texts = ["Thread start 1/3", "Second part 👋", "Third part"]

    def chain():
        found = [p for p in sim.sim.posts("x") if p["text"] in texts]
        return found if len(found) == 3 else None

    tweets = wait_for(chain)
    assert tweets, "the thread did not reach X"
    assert [t["text"] for t in tweets] == texts
    assert tweets[1]["in_reply_to_tweet_id"] == tweets[0]["post_id"]
    assert tweets[2]["in_reply_to_tweet_id"] == tweets[1]["post_id"]
    # LinkedIn publishes no threads: it gets part 1 only.
    linkedin = wait_for(lambda: sim.sim.posts("linkedin"))
    assert [p["text"] for p in linkedin or []] == ["Thread start 1/3"]


def test_add_to_queue_shows_the_slot_then_schedules_there(page: Page, team: Team):
    # No posting schedule yet: the dialog says so and leads to the schedule page.
    open_composer(page, team.base)
    pick(page, team.ids["x"])
    page.locator("#composer-text").fill("Queued by Herald")
    page.click("#add-to-queue")
    expect(page.locator("#queue-none")).to_be_visible()
    expect(page.locator("#queue-setup")).to_have_attribute("href", "/settings/schedule")
    screenshots(page, "composer-queue-none", full_page=False)
    page.keyboard.press("Escape")

    tz = zoneinfo.ZoneInfo(NY)
    slot = (dt.datetime.now(tz) + dt.timedelta(days=2)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    slots.set_slots(team.user, team.wid, team.ids["x"], [(slot.weekday(), "09:30")], timezone=NY)
    page.click("#add-part")
    page.locator("#thread-part-2").fill("Queued reply")
    page.click("#add-to-queue")
    expect(page.locator("#queue-slot")).to_contain_text(format.short(slot, NY))
    screenshots(page, "composer-queue", full_page=False)
    page.click("#confirm-queue")
    expect(page).to_have_url(f"{team.base}/calendar?date={slot:%Y-%m-%d}", timeout=20_000)
    [view] = [
        p
        for p in posts.list_posts(team.user, team.wid, limit=50).items
        if p.content == "Queued by Herald"
    ]
    assert view.status.value == "scheduled"
    assert [p.text for p in view.thread] == ["Queued reply"]
    assert view.scheduled_at == slot.astimezone(dt.UTC)
    # The calendar event shows the network's logo.
    expect(page.locator(f"[data-post-id='{view.id}'] .herald-ev-glyph").first).to_be_attached()
    screenshots(page, "calendar-logos")
    # Opened again for editing, the thread is there.
    page.goto(f"{team.base}/composer?post={view.id}")
    expect(page.locator("#thread-part-2")).to_have_value("Queued reply")
    expect(page.locator("#part-counter-2-x")).to_contain_text("12 / 280")


def test_network_logos_are_shipped_and_shown(page: Page, team: Team):
    for platform in ("x", "bluesky", "linkedin", "mastodon", "threads"):
        answer = page.request.get(f"{team.base}/networks/{platform}.svg")
        assert answer.ok and answer.text().lstrip().startswith("<svg"), platform
    page.goto(team.base + "/accounts")
    for platform in ("x", "bluesky", "linkedin"):
        card = page.locator(f".account-card[data-platform='{platform}']")
        expect(card.locator(".network-logo")).to_be_visible()
    logo = page.locator(".account-card[data-platform='x'] .network-logo > div")
    mask = logo.evaluate(
        "e => getComputedStyle(e).maskImage || getComputedStyle(e).webkitMaskImage"
    )
    assert "/networks/x.svg" in mask
    screenshots(page, "accounts-logos")
    page.goto(team.base + "/")
    expect(page.locator("#dashboard")).to_have_attribute("data-loading", "false")
    screenshots(page, "dashboard-logos")
