"""Live validation in the composer (Chromium against the running app and the simulator): each
selected network says what it needs and what it would refuse while the user types and attaches,
in plain words, next to the network; problems go away when fixed; YouTube previews a video, not
an image post; a PNG for Instagram is announced as converted; alt text on an image is saved
with the post. Screenshots of the checks in light and dark."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from app.models import User
from app.services import connect, posts
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import SignedIn as Team
from tests.e2e.helpers import open_composer, pick, sandbox_team, tab
from tests.support.media_files import png


def _connect(user: User, wid: uuid.UUID, platform: str) -> uuid.UUID:
    made = connect.connect_sandbox(user, wid, platform)
    if isinstance(made, connect.Pending):
        made = connect.choose(user, made.key, [made.choices[0].id])
    return made[0].id


@pytest.fixture(scope="module")
def team(live_app: str, browser: Browser, sim) -> Iterator[Team]:
    with sandbox_team(sim, browser, live_app, "live", "Lena Live", height=1100) as who:
        who.ids.update({p: _connect(who.user, who.wid, p) for p in ("x", "youtube", "instagram")})
        yield who


@pytest.fixture
def page(team: Team) -> Iterator[Page]:
    yield from tab(team.ctx)


def _no_internal_names(page: Page) -> None:
    text = page.locator("#network-checks").inner_text()
    assert "option '" not in text and " · " not in text, text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text


def test_too_long_for_x_appears_and_goes_away(page: Page, team: Team) -> None:
    open_composer(page, team.base)
    pick(page, team.ids["x"])
    check = page.locator("#check-x")
    # Nothing written yet: what X needs, no verdict.
    expect(check).to_have_attribute("data-ready", "blank")
    expect(check.locator(".network-needs")).to_contain_text("Text up to 280 characters.")
    text = page.locator("#composer-text")
    text.fill("Hello")
    expect(check).to_have_attribute("data-ready", "yes")
    text.fill("A" * 290)
    problem = check.locator(".live-problem")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("The post is 290 characters as X counts them")
    expect(check).to_have_attribute("data-ready", "no")
    expect(page.locator("#tab-x")).to_have_attribute("data-problems", "1")
    _no_internal_names(page)
    text.fill("A" * 200)
    expect(problem).to_have_count(0)
    expect(check).to_have_attribute("data-ready", "yes")
    expect(page.locator("#tab-x")).to_have_attribute("data-problems", "0")


def test_youtube_requirements_and_video_preview(page: Page, team: Team) -> None:
    open_composer(page, team.base)
    page.locator("#composer-text").fill("Behind the scenes of our launch")
    pick(page, team.ids["youtube"])
    check = page.locator("#check-youtube")
    expect(check.locator(".network-needs")).to_contain_text("Needs exactly one video.")
    expect(check).to_contain_text("A YouTube post needs exactly one video.")
    expect(check).to_contain_text("Add a video title for YouTube (up to 100 characters).")
    _no_internal_names(page)
    # The preview is a video frame waiting for its video, not an image post.
    preview = page.locator(".post-preview[data-platform='youtube']")
    expect(preview.locator(".pv-frame")).to_have_attribute("data-frame", "16:9")
    expect(preview.locator(".pv-video-missing")).to_contain_text("Add a video")
    # Filling in the title takes that problem away at once; the video one stays.
    page.click("#tab-youtube")
    page.fill("#opt-youtube-title", "Launch day")
    expect(check).not_to_contain_text("Add a video title")
    expect(check.locator(".live-problem")).to_have_count(1)
    expect(preview.locator(".pv-title")).to_have_text("Launch day")
    page.screenshot(path=ARTIFACTS / "composer-checks-youtube-light.png", full_page=True)


def test_png_for_instagram_alt_text_and_draft(page: Page, team: Team, tmp_path) -> None:
    open_composer(page, team.base)
    page.locator("#composer-text").fill("Our new logo")
    pick(page, team.ids["instagram"])
    pick(page, team.ids["x"])
    check = page.locator("#check-instagram")
    expect(check).to_contain_text("An Instagram post needs at least one image or video.")
    image = tmp_path / "logo.png"
    image.write_bytes(png(40, 40))
    page.set_input_files("#composer-upload", str(image))
    expect(page.locator(".attached-media")).to_have_count(1)
    # Not refused: announced as converted, and the requirement is met.
    expect(check.locator(".conversion-note")).to_contain_text(
        "logo.png (PNG) will be converted to JPEG for Instagram."
    )
    expect(check.locator(".live-problem")).to_have_count(0)
    expect(page.locator("#check-x .conversion-note")).to_have_count(0)

    # Alt text on the image: the dialog says where it goes and counts against the limit.
    page.locator(".attached-media .alt-button").click()
    expect(page.get_by_role("dialog")).to_contain_text("Sent to")
    page.fill("#alt-text", "A blue bird on a white circle")
    expect(page.locator("#alt-count")).to_contain_text("29 / 1000")
    page.screenshot(path=ARTIFACTS / "composer-alt-text-light.png")
    page.click("#save-alt")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(".attached-media .alt-button")).to_have_attribute(
        "title", "A blue bird on a white circle"
    )
    page.screenshot(path=ARTIFACTS / "composer-checks-light.png", full_page=True)
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html.dark, html[class*='dark']")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / "composer-checks-dark.png", full_page=True)
    page.locator(".attached-media .alt-button").click()
    page.screenshot(path=ARTIFACTS / "composer-alt-text-dark.png")
    page.keyboard.press("Escape")
    page.emulate_media(color_scheme="light")

    page.click("#save-draft")
    expect(page).not_to_have_url(re.compile(r"/composer"))
    drafts = [
        p
        for p in posts.list_posts(team.user, team.wid, limit=100).items
        if p.content == "Our new logo"
    ]
    assert len(drafts) == 1
    assert list(drafts[0].media_alt.values()) == ["A blue bird on a white circle"]
    # Opening the draft again shows the alt text on its image.
    page.goto(f"{team.base}/composer?post={drafts[0].id}")
    expect(page.locator(".attached-media .alt-button")).to_have_attribute(
        "title", "A blue bird on a white circle"
    )
