"""Live checks of a thread's further parts in Chromium against the running app, worker and
simulator: a part too long for X is flagged next to the part and in X's box while typing,
Schedule refuses it in the same words, and shortening it clears both."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.services import posts
from tests.e2e.test_threads_queue import (  # noqa: F401  (fixtures)
    Team,
    _open,
    _pick,
    _screens,
    page,
    team,
)

TOO_LONG_X = "X: Thread part 2 is 281 characters as X counts them"


def _posts_with(who: Team, content: str) -> list[posts.PostView]:
    found = posts.list_posts(who.user, who.wid, limit=50).items
    return [p for p in found if p.content == content]


def test_a_too_long_part_two_is_flagged_until_shortened(page: Page, team: Team):  # noqa: F811
    _open(page, team)
    for platform in ("x", "bluesky", "linkedin"):
        _pick(page, team, platform)
    page.locator("#composer-text").fill("Checked thread 1/2")
    page.click("#add-part")
    part_problems = page.locator("#part-problems-2 .live-problem")
    # An empty part is said to be empty, in Schedule's words.
    expect(part_problems).to_have_text(
        ["Thread part 2 is empty: write something, add media, or remove it."]
    )
    part = page.locator("#thread-part-2")
    part.fill("y" * 281)
    # Over X's limit (not Bluesky's): next to the part, and in X's box; no other network's.
    expect(part_problems).to_have_count(1)
    expect(part_problems).to_contain_text(TOO_LONG_X)
    x_box = page.locator("#check-x")
    expect(x_box).to_have_attribute("data-ready", "no")
    expect(x_box.locator(".live-problem")).to_contain_text("Thread part 2 is 281 characters")
    expect(page.locator("#check-bluesky")).to_have_attribute("data-ready", "yes")
    expect(page.locator("#check-linkedin")).to_have_attribute("data-ready", "yes")
    _screens(page, "composer-thread-checks")

    # Schedule refuses it in the same words, and nothing is saved.
    page.click("#publish-now")
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator("#tab-x")).to_have_attribute("data-problems", "1")
    expect(part_problems).to_have_count(1)
    expect(part_problems).to_contain_text(TOO_LONG_X)
    assert _posts_with(team, "Checked thread 1/2") == []

    # Shortened: gone from the part and from X's box; now it publishes.
    part.fill("y" * 280)
    expect(part_problems).to_have_count(0)
    expect(x_box).to_have_attribute("data-ready", "yes")
    expect(x_box.locator(".live-problem")).to_have_count(0)
    page.click("#publish-now")
    expect(page).to_have_url(f"{team.base}/", timeout=20_000)
    [view] = _posts_with(team, "Checked thread 1/2")
    assert [p.text for p in view.thread] == ["y" * 280]
