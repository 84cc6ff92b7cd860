"""Threads, "Add to queue" and network logos in Chromium against the running app, worker,
scheduler and simulator: a thread written in the composer (a part added, counted per network,
previewed as replies, published as a reply chain), the next free posting slot shown before the
post is queued there (and the way to a posting schedule when there is none), and the networks'
logos where accounts and posts are shown; light and dark screenshots."""

from __future__ import annotations

import datetime as dt
import time
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import select

from app import db
from app.config import settings
from app.models import User
from app.services import accounts, posts, slots, workspaces
from app.ui import format
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_accounts_flow import register

NY = "America/New_York"


@dataclass
class Team:
    base: str
    ctx: BrowserContext
    user: User
    wid: uuid.UUID
    ids: dict[str, uuid.UUID]


def _connect(page: Page, base: str, platform: str) -> None:
    page.goto(base + "/accounts")
    page.click(f"#sandbox-{platform}")
    card = page.locator(f".account-card[data-platform='{platform}']")
    expect(card.locator(".account-status")).to_have_text("connected")


@pytest.fixture(scope="module")
def team(live_app: str, browser: Browser, sim) -> Iterator[Team]:
    saved = settings.sandbox, settings.sandbox_url
    settings.sandbox, settings.sandbox_url = True, sim.url.rstrip("/")
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    email = f"thread-{uuid.uuid4().hex[:8]}@example.com"
    register(page, live_app, email, "Theo Thread")
    expect(page.locator("#page-title")).to_have_text("Dashboard", timeout=30_000)
    with db.session() as s:
        user = s.exec(select(User).where(User.email == email)).one()
        user.timezone = NY
        s.add(user)
    for platform in ("x", "bluesky", "linkedin"):
        _connect(page, live_app, platform)
    page.close()
    with db.session() as s:
        user = s.exec(select(User).where(User.email == email)).one()
    wid = workspaces.list_workspaces(user)[0].id
    ids = {a.platform: a.id for a in accounts.list_accounts(user, wid)}
    yield Team(live_app, ctx, user, wid, ids)
    ctx.close()
    settings.sandbox, settings.sandbox_url = saved


@pytest.fixture
def page(team: Team) -> Iterator[Page]:
    tab = team.ctx.new_page()
    yield tab
    tab.close()


def _open(page: Page, team: Team) -> None:
    page.goto(f"{team.base}/composer")
    expect(page.locator("#composer-text")).to_be_visible()
    # its on_load events (the restore of an autosaved copy among them) are done
    expect(page.locator("#main-content[data-loaded='/composer']")).to_be_attached()


def _pick(page: Page, team: Team, platform: str) -> None:
    chip = page.locator(f"#account-{team.ids[platform]}")
    chip.click()
    expect(chip).to_have_attribute("aria-pressed", "true")


def _screens(page: Page, name: str, full_page: bool = True) -> None:
    page.emulate_media(color_scheme="light")
    page.screenshot(path=ARTIFACTS / f"{name}-light.png", full_page=full_page)
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html.dark, html[class*='dark']")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / f"{name}-dark.png", full_page=full_page)
    page.emulate_media(color_scheme="light")


def _wait_for(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_write_a_thread_count_each_part_preview_it_and_publish_it(page: Page, team: Team, sim):
    _open(page, team)
    for platform in ("x", "bluesky", "linkedin"):
        _pick(page, team, platform)
    page.locator("#composer-text").fill("Thread start 1/3")
    page.click("#add-part")
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
    _screens(page, "composer-thread")

    page.click("#publish-now")
    expect(page).to_have_url(f"{team.base}/", timeout=20_000)
    [view] = [
        p
        for p in posts.list_posts(team.user, team.wid, limit=50).items
        if p.content == "Thread start 1/3"
    ]
    assert [p.text for p in view.thread] == ["Second part 👋", "Third part"]
    assert "thread" not in view.platform_configs.get("linkedin", {})
    texts = ["Thread start 1/3", "Second part 👋", "Third part"]

    def chain():
        found = [p for p in sim.sim.posts("x") if p["text"] in texts]
        return found if len(found) == 3 else None

    tweets = _wait_for(chain)
    assert tweets, "the thread did not reach X"
    assert [t["text"] for t in tweets] == texts
    assert tweets[1]["in_reply_to_tweet_id"] == tweets[0]["post_id"]
    assert tweets[2]["in_reply_to_tweet_id"] == tweets[1]["post_id"]
    # LinkedIn publishes no threads: it gets part 1 only.
    linkedin = _wait_for(lambda: sim.sim.posts("linkedin"))
    assert [p["text"] for p in linkedin or []] == ["Thread start 1/3"]


def test_add_to_queue_shows_the_slot_then_schedules_there(page: Page, team: Team):
    # No posting schedule yet: the dialog says so and leads to the schedule page.
    _open(page, team)
    _pick(page, team, "x")
    page.locator("#composer-text").fill("Queued by Herald")
    page.click("#add-to-queue")
    expect(page.locator("#queue-none")).to_be_visible()
    expect(page.locator("#queue-setup")).to_have_attribute("href", "/settings/schedule")
    _screens(page, "composer-queue-none", full_page=False)
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
    _screens(page, "composer-queue", full_page=False)
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
    _screens(page, "calendar-logos")
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
    _screens(page, "accounts-logos")
    page.goto(team.base + "/")
    expect(page.locator("#dashboard")).to_have_attribute("data-loading", "false")
    _screens(page, "dashboard-logos")
