"""Media on a thread part in Chromium against the running app, worker and simulator: an image
from the media library added to part 2 (and another added then removed), shown on the part and
in its reply preview, published, and received by X on the reply, not on the first post."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import publish_now, screenshots, start_thread, wait_for
from tests.e2e.test_threads_queue import Team, page, team  # noqa: F401  (fixtures)
from tests.integration.thread_media import library_image


def test_add_an_image_to_part_two_and_it_reaches_the_reply(page: Page, team: Team, sim):  # noqa: F811
    orange = library_image(team.wid, (255, 128, 0), "orange.png")
    teal = library_image(team.wid, (0, 128, 128), "teal.png")
    start_thread(page, team, "Pictures follow 1/2", "x")
    page.locator("#thread-part-2").fill("Here it is 2/2")
    box = page.locator(".thread-part-box[data-part='2']")

    # "Add media" opens the composer's library, picking for part 2.
    page.click("#part-media-2")
    expect(page.locator("#library-for")).to_contain_text("For part 2 of the thread")
    grid = page.locator("#library-grid")
    grid.locator(f".library-item[data-media-id='{orange.id}']").click()
    grid.locator(f".library-item[data-media-id='{teal.id}']").click()
    expect(grid.locator(f".library-item[data-media-id='{orange.id}']")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.click("#library-done")
    expect(box.locator(".part-media-tile")).to_have_count(2)
    # Removed from the part again (it stays in the library).
    box.locator(f".part-media-tile[data-media-id='{teal.id}'] .remove-part-media").click()
    expect(box.locator(".part-media-tile")).to_have_count(1)
    expect(box.locator(f".part-media-tile[data-media-id='{orange.id}']")).to_be_visible()
    # The post itself has no media; the reply preview shows the part's image.
    expect(page.locator("#attached-media")).to_have_count(0)
    reply = page.locator("#thread-previews .thread-reply").first
    expect(reply.locator("img.pv-media")).to_have_count(1)
    screenshots(page, "composer-thread-media")

    view = publish_now(page, team, "Pictures follow 1/2")
    assert [(p.text, p.media_ids) for p in view.thread] == [("Here it is 2/2", [orange.id])]

    def chain():
        found = [p for p in sim.sim.posts("x") if p["text"].endswith(("1/2", "2/2"))]
        return found if len(found) == 2 else None

    tweets = wait_for(chain)
    assert tweets, "the thread did not reach X"
    first, second = tweets
    assert first["media"] == []
    assert [m["sha256"] for m in second["media"]] == [orange.checksum]
    assert second["in_reply_to_tweet_id"] == first["post_id"]
