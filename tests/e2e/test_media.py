"""The media page in Chromium against the running app: upload with progress (the shared
uploader), type/size/name filters, details, delete (refused while a scheduled post uses it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from app.services import media, posts
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import SignedIn as Team
from tests.e2e.helpers import same_session, sandbox_team, tab
from tests.support.media_files import mp4, png


@pytest.fixture(scope="module")
def team(live_app: str, browser: Browser, sim) -> Iterator[Team]:
    with sandbox_team(sim, browser, live_app, "media", "Mia Media", ("bluesky",)) as who:
        yield who


@pytest.fixture
def page(team: Team) -> Iterator[Page]:
    yield from tab(team.ctx)


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    a, b, v = tmp_path / "red-square.png", tmp_path / "banner.png", tmp_path / "clip.mp4"
    a.write_bytes(png(40, 40))
    b.write_bytes(png(120, 30))
    v.write_bytes(mp4(seconds=2.5, width=640, height=360))
    return a, b, v


def _named(team: Team, name: str) -> media.MediaView:
    return next(m for m in media.list_media(team.user, team.wid).items if m.filename == name)


def test_upload_filter_details_and_delete(page: Page, team: Team, tmp_path: Path):
    page.goto(team.base + "/media")
    expect(page.locator("#media-empty")).to_be_visible()
    a, b, v = _files(tmp_path)
    page.set_input_files("#media-upload", [str(a), str(b), str(v)])
    tiles = page.locator(".media-tile")
    expect(tiles).to_have_count(3)
    expect(page.locator("#media-upload-progress")).to_have_attribute("data-progress", "100")
    # The newest upload opens in the details panel.
    expect(page.locator("#media-details")).to_be_visible()

    # Filters: type, name, size.
    page.locator("#filter-kind").get_by_role("radio", name="Videos").click()
    expect(tiles).to_have_count(1)
    expect(page.locator(".media-tile[data-kind='video']")).to_have_count(1)
    page.locator("#filter-kind").get_by_role("radio", name="Images").click()
    expect(tiles).to_have_count(2)
    page.fill("#filter-q", "banner")
    expect(tiles).to_have_count(1)
    page.click("#clear-filters")
    expect(tiles).to_have_count(3)
    page.click("#filter-size")
    page.get_by_role("option", name="Over 10 MB").click()
    expect(page.locator("#media-empty")).to_contain_text("No media match")
    page.click("#clear-filters")
    expect(tiles).to_have_count(3)

    # Details of the banner: dimensions, size, checksum, upload time.
    banner = next(
        m for m in media.list_media(team.user, team.wid).items if m.filename == "banner.png"
    )
    page.click(f".media-tile[data-media-id='{banner.id}']")
    expect(page.locator("#detail-name")).to_have_text("banner.png")
    expect(page.locator("#detail-dimensions")).to_have_text("120 × 30")
    expect(page.locator("#detail-checksum")).to_have_text(banner.checksum)
    expect(page.locator("#detail-type")).to_have_text("image/png")
    clip = next(m for m in media.list_media(team.user, team.wid).items if m.kind == "video")
    page.click(f".media-tile[data-media-id='{clip.id}']")
    expect(page.locator("#detail-duration")).to_have_text("2.5 s")

    # A scheduled post uses the banner: deleting it is refused with the service's message.
    posts.create_post(
        team.user,
        team.wid,
        posts.PostInput(
            content="With a banner",
            account_ids=[team.bsky],
            scheduled_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
            media_ids=[banner.id],
        ),
    )
    page.click(f".media-tile[data-media-id='{banner.id}']")
    page.click("#delete-media")
    page.click("#confirm-delete")
    expect(page.locator("#media-error")).to_contain_text("scheduled post uses this file")
    expect(tiles).to_have_count(3)

    # An unused file goes.
    square = next(
        m for m in media.list_media(team.user, team.wid).items if m.filename == "red-square.png"
    )
    page.click(f".media-tile[data-media-id='{square.id}']")
    page.click("#delete-media")
    page.click("#confirm-delete")
    expect(tiles).to_have_count(2)
    expect(page.locator(f".media-tile[data-media-id='{square.id}']")).to_have_count(0)
    assert {m.filename for m in media.list_media(team.user, team.wid).items} == {
        "banner.png",
        "clip.mp4",
    }


def test_refused_upload_shows_the_reason(page: Page, team: Team, tmp_path: Path):
    page.goto(team.base + "/media")
    fake = tmp_path / "notes.png"
    fake.write_bytes(b"this is text, not a picture" * 10)
    page.set_input_files("#media-upload", str(fake))
    expect(page.locator(".upload-error").first).to_contain_text("notes.png")


def test_screenshots_light_and_dark(browser: Browser, team: Team, tmp_path: Path):
    for scheme in ("light", "dark"):
        with same_session(browser, team, scheme) as page:
            page.goto(team.base + "/media")
            expect(page.locator(".media-tile").first).to_be_visible()
            page.locator(".media-tile").first.click()
            expect(page.locator("#media-details")).to_be_visible()
            page.screenshot(path=ARTIFACTS / f"media-{scheme}.png", full_page=True)
