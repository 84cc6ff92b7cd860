"""The composer in Chromium against the running app, worker, scheduler, simulator and a fake
OpenAI server: accounts, per-platform counters, a validation problem blocking the save, an
uploaded image, an AI caption, scheduling and the simulator receiving the post; editing."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from app.models import PostStatus
from app.services import accounts, composer_drafts, instance_settings, posts
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import SignedIn as Team
from tests.e2e.helpers import (
    connect_sandbox,
    open_composer,
    pick,
    same_session,
    sandbox_team,
    tab,
    wait_for,
)
from tests.support.media_files import png

NY = "America/New_York"
TZ = zoneinfo.ZoneInfo(NY)


@pytest.fixture(scope="module")
def team(live_app: str, browser: Browser, sim, fake_openai) -> Iterator[Team]:
    platforms = ("x", "bluesky")
    # 24h: the context's en-US locale proposed 12h at sign-up; an instance admin, to point AI
    # captions at the fake server below.
    preferences = {"timezone": NY, "time_format": "24h", "is_instance_admin": True}
    with sandbox_team(
        sim, browser, live_app, "comp", "Cora Composer", platforms, **preferences
    ) as who:
        instance_settings.save_ai_settings(
            who.user, base_url=fake_openai.base_url, api_key="sk-fake"
        )
        yield who


@pytest.fixture
def page(team: Team) -> Iterator[Page]:
    # Each test starts from a blank composer, not the text an earlier one left unsaved.
    composer_drafts.discard(team.user, team.wid)
    yield from tab(team.ctx)


def _post_count(team: Team) -> int:
    return posts.list_posts(team.user, team.wid, limit=500).total


def test_compose_validate_upload_ai_schedule_and_publish(page: Page, team: Team, sim, tmp_path):
    open_composer(page, team.base)
    expect(page.locator("#composer-mode")).to_have_text("New post")
    expect(page.locator("#post-timezone")).to_contain_text("New York (E")
    pick(page, team.x)
    pick(page, team.bsky)
    text = page.locator("#composer-text")

    # Counters count the way each network counts, on every keystroke.
    text.press_sequentially("Hi 👋 https://example.com/a-long-path")
    expect(page.locator("#counter-x")).to_contain_text("29 / 280")  # 4 + emoji 2 + URL 23
    expect(page.locator("#counter-bluesky")).to_contain_text("/ 300")
    expect(page.locator("#counter-bluesky .count")).to_have_text("36")
    expect(page.locator(".post-preview")).to_have_count(2)
    expect(page.locator(".post-preview[data-platform='x'] .pv-link")).to_have_text(
        "https://example.com/a-long-path"
    )
    expect(page.locator("#counter-x")).to_have_attribute("title", re.compile("a link counts 23"))
    # Chromium's own segmenter: a Devanagari conjunct is one grapheme, a bare ccTLD domain a link.
    text.fill("नमस्ते bit.ly")
    expect(page.locator("#counter-bluesky .count")).to_have_text("10")  # 3 + 1 + 6
    expect(page.locator("#counter-x .count")).to_have_text("30")  # 6 + 1 + 23

    # Over X's limit: the X counter turns red and scheduling is refused, nothing is saved.
    before = _post_count(team)
    text.fill("A" * 290)
    expect(page.locator("#counter-x")).to_have_attribute("data-over", "yes")
    expect(page.locator("#counter-bluesky")).to_have_attribute("data-over", "")
    page.click("#schedule")
    expect(page.locator("#tab-x")).to_have_attribute("data-problems", "1")
    expect(page.locator("#tab-bluesky")).to_have_attribute("data-problems", "0")
    problem = page.locator("#panel-x .destination-problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("280")
    expect(page.locator("#form-error")).to_be_visible()
    assert _post_count(team) == before

    # An AI caption replaces the text (the fake OpenAI server writes it).
    text.fill("")
    page.click("#open-ai")
    page.fill("#ai-topic", "Our spring sale starts Monday")
    page.click("#ai-generate")
    caption = page.locator("#ai-caption")
    expect(caption).to_have_value(re.compile("spring sale", re.I))
    expect(page.locator("#ai-hashtags")).to_have_value(re.compile("#"))
    page.fill("#ai-caption", "Spring sale: 20% off from Monday!")
    page.click("#ai-insert")
    expect(text).to_have_value(re.compile(r"^Spring sale: 20% off from Monday!\n\n#"))
    expect(page.locator("#counter-x")).to_have_attribute("data-over", "")

    # An image through the drop zone's input: presigned upload, progress, confirm.
    image = tmp_path / "sale.png"
    image.write_bytes(png(32, 24))
    page.set_input_files("#composer-upload", str(image))
    expect(page.locator(".attached-media")).to_have_count(1)
    expect(page.locator(".post-preview[data-platform='x'] .pv-media")).to_have_count(1)

    # Schedule one minute ahead, in New York time.
    when = (dt.datetime.now(TZ) + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    page.fill("#post-date", when.strftime("%Y-%m-%d"))
    page.fill("#post-time", when.strftime("%H:%M"))
    page.click("#schedule")
    expect(page).to_have_url(re.compile(r"/calendar"))
    created = [
        p for p in posts.list_posts(team.user, team.wid, limit=500).items
        if p.content.startswith("Spring sale")
    ]  # fmt: skip
    assert len(created) == 1
    post = created[0]
    assert post.scheduled_at == when.astimezone(dt.UTC)
    assert post.timezone == NY
    assert len(post.media_ids) == 1
    assert {d.account_id for d in post.destinations} == {team.x, team.bsky}

    # The worker publishes it on time; the simulator receives it.
    got = wait_for(
        lambda: [p for p in sim.sim.posts("x") if p["text"].startswith("Spring sale")], 120
    )
    assert got, "the post never reached the simulated X"
    assert wait_for(
        lambda: posts.get_post(team.user, team.wid, post.id).status == PostStatus.published, 60
    )


def test_edit_existing_post(page: Page, team: Team):
    when = dt.datetime(2031, 5, 6, 10, 30)
    view, _ = posts.create_post(
        team.user,
        team.wid,
        posts.PostInput(
            content="Original text", account_ids=[team.bsky], scheduled_at=when, timezone=NY
        ),
    )
    open_composer(page, team.base, f"?post={view.id}")
    expect(page.locator("#composer-mode")).to_have_text("Edit post")
    expect(page.locator("#post-status")).to_have_text("scheduled")
    expect(page.locator("#composer-text")).to_have_value("Original text")
    expect(page.locator(f"#account-{team.bsky}")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#post-date")).to_have_value("2031-05-06")
    expect(page.locator("#post-time")).to_have_value("10:30")
    page.locator("#composer-text").fill("Edited text")
    pick(page, team.x)
    page.fill("#post-time", "11:45")
    page.click("#schedule")
    expect(page).to_have_url(re.compile(r"/calendar"))
    after = posts.get_post(team.user, team.wid, view.id)
    assert after.content == "Edited text"
    assert {d.account_id for d in after.destinations} == {team.x, team.bsky}
    assert after.scheduled_at == dt.datetime(2031, 5, 6, 11, 45, tzinfo=TZ).astimezone(dt.UTC)


def test_new_post_at_a_slot_and_draft(page: Page, team: Team):
    at = dt.datetime(2031, 7, 8, 16, 15, tzinfo=TZ).isoformat()
    open_composer(page, team.base, f"?at={quote(at, safe='')}")
    expect(page.locator("#post-date")).to_have_value("2031-07-08")
    expect(page.locator("#post-time")).to_have_value("16:15")
    page.locator("#composer-text").fill("Just an idea for later")
    page.click("#save-draft")
    expect(page).to_have_url(re.compile(r"/$"))
    drafts = [
        p for p in posts.list_posts(team.user, team.wid, statuses=[PostStatus.draft]).items
        if p.content == "Just an idea for later"
    ]  # fmt: skip
    assert len(drafts) == 1


def test_screenshots_light_and_dark(browser: Browser, team: Team):
    for scheme in ("light", "dark"):
        composer_drafts.discard(team.user, team.wid)  # the light run's autosaved text
        with same_session(browser, team, scheme) as page:
            open_composer(page, team.base)
            pick(page, team.x)
            pick(page, team.bsky)
            page.locator("#composer-text").fill(
                "Launch day! 🚀 Our new release is out — read all about it at "
                "https://example.com/launch #launch #herald @team"
            )
            expect(page.locator(".post-preview")).to_have_count(2)
            expect(page.locator(".post-preview").first).to_contain_text("Launch day")
            page.click("#tab-x")
            expect(page.locator("#autosave-saved")).to_contain_text("Saved")
            page.screenshot(path=ARTIFACTS / f"composer-{scheme}.png", full_page=True)


def test_next_free_slot_fills_the_time(page: Page, team: Team):
    from app.services import slots

    # Every day at 07:45 in the account's own zone (New York, like the user).
    week = [slots.Slot(day, dt.time(7, 45)) for day in range(7)]
    slots.set_slots(team.user, team.wid, team.x, week, timezone=NY)
    expected = slots.next_free_slot(team.user, team.wid, [team.x]).astimezone(TZ)
    open_composer(page, team.base)
    pick(page, team.x)
    page.click("#next-slot")
    expect(page.locator("#post-date")).to_have_value(expected.strftime("%Y-%m-%d"))
    expect(page.locator("#post-time")).to_have_value("07:45")


def test_network_options_come_from_the_provider(page: Page, team: Team, sim):
    """Pinterest's form is drawn from its options model: the board is a required choice among
    the account's own boards (picked for the user), and the pin title shows in the preview."""
    connect_sandbox(page, team.base, "pinterest")
    account = next(
        a for a in accounts.list_accounts(team.user, team.wid) if a.platform == "pinterest"
    )
    boards = sim.sim["pinterest"].boards_of(account.username)
    open_composer(page, team.base)
    pick(page, account.id)
    page.click("#tab-pinterest")
    panel = page.locator("#panel-pinterest")
    expect(panel.get_by_text("Required: where the pin goes.")).to_be_visible()
    expect(page.locator("#opt-pinterest-board_id")).to_have_text(boards[0].name)
    page.fill("#opt-pinterest-title", "Spring ideas")
    preview = page.locator(".post-preview[data-platform='pinterest']")
    expect(preview.locator(".pv-title")).to_have_text("Spring ideas")
    expect(preview).to_contain_text("Save")
