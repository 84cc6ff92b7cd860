"""Live checks of a thread's further parts in Chromium against the running app, worker and
simulator: a part too long for X is flagged next to the part and in X's box while typing,
Schedule refuses it in the same words, and shortening it clears both; too many images on a
part are flagged while attaching; a part's image gets alt text through the same dialog as the
post's images, kept with the thread and received by X with the reply's image."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from app.services import posts
from tests.e2e.helpers import SignedIn as Team
from tests.e2e.helpers import (
    sandbox_team,
    screenshots,
    start_thread,
    tab,
    wait_for,
)
from tests.integration.thread_media import library_image


@pytest.fixture(scope="module")
def team(live_app: str, browser: Browser, sim) -> Iterator[Team]:
    platforms = ("x", "bluesky", "linkedin")
    with sandbox_team(sim, browser, live_app, "threadcheck", "Tess Check", platforms) as who:
        yield who


@pytest.fixture
def page(team: Team) -> Iterator[Page]:
    yield from tab(team.ctx)


TOO_LONG_X = "X: Thread part 2 is 281 characters as X counts them"


def _posts_with(who: Team, content: str) -> list[posts.PostView]:
    found = posts.list_posts(who.user, who.wid, limit=50).items
    return [p for p in found if p.content == content]


def test_a_too_long_part_two_is_flagged_until_shortened(page: Page, team: Team):
    start_thread(page, team, "Checked thread 1/2", "x", "bluesky", "linkedin")
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
    screenshots(page, "composer-thread-checks")

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


def test_part_images_are_checked_and_described(page: Page, team: Team, sim):
    dots = [library_image(team.wid, (40 * i, 90, 200), f"dot{i}.png") for i in range(5)]
    start_thread(page, team, "Described thread 1/2", "x")
    page.locator("#thread-part-2").fill("Five dots 2/2")
    box = page.locator(".thread-part-box[data-part='2']")
    part_problems = page.locator("#part-problems-2 .live-problem")

    # Five images on part 2: too many for X, said while attaching.
    page.click("#part-media-2")
    grid = page.locator("#library-grid")
    for dot in dots:
        grid.locator(f".library-item[data-media-id='{dot.id}']").click()
    page.click("#library-done")
    expect(box.locator(".part-media-tile")).to_have_count(5)
    expect(part_problems).to_have_text(["X: Part 2 has 5 images; X takes at most 4."])
    expect(page.locator("#check-x")).to_have_attribute("data-ready", "no")
    for left, dot in enumerate(reversed(dots[1:]), start=1):  # one at a time: tiles move
        box.locator(f".part-media-tile[data-media-id='{dot.id}'] .remove-part-media").click()
        expect(box.locator(".part-media-tile")).to_have_count(5 - left)
    expect(part_problems).to_have_count(0)
    expect(page.locator("#check-x")).to_have_attribute("data-ready", "yes")

    # Alt text on the part's image, through the post's alt text dialog.
    tile = box.locator(f".part-media-tile[data-media-id='{dots[0].id}']")
    tile.locator(".alt-button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Sent to X.")
    page.fill("#alt-text", "A blue dot")
    expect(page.locator("#alt-count")).to_contain_text("10 / 1000")
    page.click("#save-alt")
    expect(dialog).to_have_count(0)
    expect(tile.locator(".alt-button")).to_have_attribute("title", "A blue dot")
    screenshots(page, "composer-thread-alt")

    page.click("#publish-now")
    expect(page).to_have_url(f"{team.base}/", timeout=20_000)
    [view] = _posts_with(team, "Described thread 1/2")
    assert [(p.media_ids, p.media_alt) for p in view.thread] == [
        ([dots[0].id], {dots[0].id: "A blue dot"})
    ]
    # Opened again, the part's image still has its alt text.
    page.goto(f"{team.base}/composer?post={view.id}")
    expect(tile.locator(".alt-button")).to_have_attribute("title", "A blue dot")

    def reply():
        found = [p for p in sim.sim.posts("x") if p["text"] == "Five dots 2/2"]
        return found[0] if found else None

    tweet = wait_for(reply)
    assert tweet, "the reply did not reach X"
    assert [sim.sim["x"].media[m["id"]].alt_text for m in tweet["media"]] == ["A blue dot"]
