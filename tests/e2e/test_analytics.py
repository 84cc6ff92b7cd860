"""The analytics page in Chromium against the running app, worker and simulator: the empty
state and "Sync now" (a real sync against the simulator), then seeded metrics — charts render,
the date range and filters change the numbers, a top post opens its own history; light and
dark screenshots."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from app import db
from app.config import settings
from app.models import AccountMetric, PostMetric
from app.services import posts
from app.services.posts import PostInput
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import connect_sandbox
from tests.e2e.test_dashboard import _account_id, _signed_up

# The chart itself (legend icons are small recharts-surface svgs too).
CHART = "svg.recharts-surface[role='application']"
LIVE = 30_000  # ms: a queued sync runs on the worker, the page polls every 5 s


@pytest.fixture(autouse=True)
def in_process_sandbox(monkeypatch: pytest.MonkeyPatch, sim) -> None:
    """This process calls services too (to create posts): same sandbox as the app."""
    monkeypatch.setattr(settings, "sandbox", True)
    monkeypatch.setattr(settings, "sandbox_url", sim.url)


def _publish(dest: uuid.UUID, when: dt.datetime) -> None:
    with db.engine().begin() as conn:
        conn.execute(
            text(
                "UPDATE post_destinations SET status = 'published', published_at = :at, "
                "platform_post_id = :pid, permalink = :link WHERE id = :id"
            ),
            {"at": when, "pid": f"seed-{dest}", "link": f"https://example.com/p/{dest}",
             "id": dest},
        )  # fmt: skip
    with db.engine().begin() as conn:
        conn.execute(
            text(
                "UPDATE posts SET status = 'published' WHERE id = "
                "(SELECT post_id FROM post_destinations WHERE id = :id)"
            ),
            {"id": dest},
        )


def _seed(user, wid: uuid.UUID, bsky: uuid.UUID, x: uuid.UUID) -> dict[str, uuid.UUID]:
    """Three posts (2, 20 and 60 days ago; four destinations) with growing metrics, and daily
    follower counts for 90 days."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    made = {}
    for key, content, accounts, days in (
        ("recent", "Launch day! Version 2 is out with dark mode.", [bsky, x], 2),
        ("middle", "Behind the scenes of our design sprint", [bsky], 20),
        ("old", "Hello world: our very first post", [x], 60),
    ):
        view, _ = posts.create_post(user, wid, PostInput(content, accounts), mode="draft")
        made[key] = view.id
        published = now - dt.timedelta(days=days)
        with db.session() as s:
            for i, d in enumerate(view.destinations):
                _publish(d.id, published)
                for step in range(4):
                    s.add(PostMetric(
                        destination_id=d.id,
                        collected_at=published + dt.timedelta(hours=1 + 12 * step),
                        likes=(10 + 5 * i) * (step + 1),
                        comments=2 * (step + 1),
                        shares=step + i,
                        views=150 * (step + 1) + 40,
                    ))  # fmt: skip
    with db.session() as s:
        for day in range(90, -1, -1):
            at = now - dt.timedelta(days=day, hours=1)
            s.add(
                AccountMetric(
                    social_account_id=bsky, collected_at=at, followers=500 + 3 * (90 - day)
                )
            )
            s.add(
                AccountMetric(social_account_id=x, collected_at=at, followers=1200 + 5 * (90 - day))
            )
    return made


def _pick(page: Page, trigger: str, option: str) -> None:
    page.click(trigger)
    page.get_by_role("option", name=option).click()


def test_empty_state_then_sync_now_fills_the_page(page: Page, live_app: str):
    _signed_up(page, live_app, "fresh")
    page.goto(live_app + "/analytics")
    empty = page.locator("#empty-metrics")
    expect(empty).to_contain_text("No metrics yet")
    expect(empty).to_contain_text("every hour")
    expect(page.locator("#cta-connect")).to_be_visible()

    connect_sandbox(page, live_app, "bluesky")
    page.goto(live_app + "/analytics")
    expect(page.locator("#sync-now-empty")).to_be_visible()
    page.click("#sync-now-empty")
    expect(page.get_by_text("Syncing metrics now")).to_be_visible()
    # The worker reads the simulator; the open page notices the new rows by itself.
    expect(page.locator("#empty-metrics")).to_have_count(0, timeout=LIVE)
    expect(page.locator(f"#chart-followers {CHART}")).to_be_visible()
    expect(page.locator("#stat-posts")).to_have_text("0")


def test_charts_ranges_filters_and_a_posts_history(page: Page, live_app: str):
    user, wid = _signed_up(page, live_app, "charts")
    connect_sandbox(page, live_app, "bluesky")
    connect_sandbox(page, live_app, "x")
    bsky, x = _account_id(wid, "bluesky"), _account_id(wid, "x")
    made = _seed(user, wid, bsky, x)

    page.goto(live_app + "/analytics")
    expect(page.locator("#analytics")).to_have_attribute("data-loading", "false")
    expect(page.locator("#range-label")).to_have_text("Last 30 days")
    for chart in ("#chart-followers", "#chart-posts", "#chart-platforms"):
        expect(page.locator(f"{chart} {CHART}")).to_be_visible()
    # Two lines (one per account), bars for the posts of the range.
    expect(page.locator("#chart-followers .recharts-line")).to_have_count(2)
    expect(page.locator("#chart-posts .recharts-bar-rectangle").first).to_be_visible()
    expect(page.locator("#stat-posts")).to_have_text("3")
    expect(page.locator("#stat-followers")).to_have_text("2,420")  # 770 + 1,650 today
    page.screenshot(path=ARTIFACTS / "analytics-light.png", full_page=True)

    page.click("#range-7")
    expect(page.locator("#range-label")).to_have_text("Last 7 days")
    expect(page.locator("#stat-posts")).to_have_text("2")
    engagement_7 = page.locator("#stat-engagement").inner_text()
    page.click("#range-90")
    expect(page.locator("#stat-posts")).to_have_text("4")
    expect(page.locator("#stat-engagement")).not_to_have_text(engagement_7)
    expect(page.locator(".top-post")).to_have_count(4)

    # A custom range: from 70 to 50 days ago holds only the oldest post.
    page.click("#range-custom")
    today = dt.datetime.now(dt.UTC).date()  # the user's timezone is UTC
    page.fill("#range-from", (today - dt.timedelta(days=70)).isoformat())
    page.fill("#range-to", (today - dt.timedelta(days=50)).isoformat())
    expect(page.locator("#stat-posts")).to_have_text("1")
    expect(page.locator(".top-post")).to_have_count(1)
    expect(page.locator(".top-post")).to_contain_text("Hello world")
    # An impossible range is a visible error.
    page.fill("#range-from", (today - dt.timedelta(days=10)).isoformat())
    expect(page.locator("#range-error")).to_contain_text("start date")

    # Filters: Bluesky only, over 30 days.
    page.click("#range-30")
    _pick(page, "#filter-platform", "Bluesky")
    expect(page.locator("#stat-posts")).to_have_text("2")
    expect(page.locator("#chart-followers .recharts-line")).to_have_count(1)
    _pick(page, "#filter-platform", "All platforms")
    expect(page.locator("#stat-posts")).to_have_text("3")

    # The top post opens its own metrics history per destination.
    row = page.locator(f".top-post[data-post-id='{made['recent']}']").first
    expect(row.locator("a.permalink")).to_have_attribute("href", re.compile(r"^https://example"))
    row.locator(".top-post-open").click()
    dialog = page.locator("#post-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Launch day!")
    expect(dialog.locator(".post-destination")).to_have_count(2)
    expect(dialog.locator(f".history-chart {CHART}")).to_have_count(2)
    lines = dialog.locator(".history-chart").first.locator(".recharts-line")
    try:
        expect(lines).to_have_count(4, timeout=7_000)
    except AssertionError:
        # Seen rarely under the parallel suite: the chart's surface drew but its lines never
        # did (a Recharts rendering race, not data: the same dialog reopened draws them).
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        row.locator(".top-post-open").click()
        expect(lines).to_have_count(4)
    expect(page.locator("#post-totals")).to_contain_text("engagement")
    page.screenshot(path=ARTIFACTS / "analytics-post-light.png")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # Dark mode: the same page, colours from the theme.
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html.dark, html[class*='dark']")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / "analytics-dark.png", full_page=True)
    row.locator(".top-post-open").click()
    expect(page.locator(f"#post-dialog .history-chart {CHART}").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "analytics-post-dark.png")
