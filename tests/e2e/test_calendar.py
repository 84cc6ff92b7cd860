"""The calendar page in Chromium against the running app, worker, scheduler and simulator.

One user (timezone America/New_York) with sandbox X and Bluesky accounts; posts are created
through app.services, then shown, moved, filtered, opened and cancelled on the page.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from app.models import PostStatus
from app.services import posts, schedule
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import SignedIn as Team
from tests.e2e.helpers import sandbox_team, tab, wait_for

NY = "America/New_York"
TZ = zoneinfo.ZoneInfo(NY)


@pytest.fixture(scope="module")
def team(live_app: str, browser: Browser, sim) -> Iterator[Team]:
    platforms = ("x", "bluesky")
    # 24h: the context's en-US locale proposed 12h at sign-up.
    preferences = {"timezone": NY, "time_format": "24h"}
    with sandbox_team(sim, browser, live_app, "cal", "Cal Endar", platforms, **preferences) as who:
        yield who


@pytest.fixture
def page(team: Team) -> Iterator[Page]:  # the signed-in user's tab (overrides pytest-playwright)
    yield from tab(team.ctx)


def _post(team: Team, text: str, when: dt.datetime | None, *targets: uuid.UUID, mode="schedule"):
    """A post through the services; `when` is wall time in New York."""
    view, _ = posts.create_post(
        team.user,
        team.wid,
        posts.PostInput(
            content=text, account_ids=list(targets) or [team.x], scheduled_at=when, timezone=NY
        ),
        mode=mode,
    )
    return view


def _open(page: Page, team: Team, view: str = "dayGridMonth", date: str = "2027-02-01"):
    page.goto(f"{team.base}/calendar?view={view}&date={date}")
    expect(page.locator("#calendar .fc-view-harness")).to_be_visible()
    expect(page.locator(f"#calendar .fc-{view}-view")).to_be_visible()


def _event(page: Page, post_id: uuid.UUID) -> Locator:
    return page.locator(f"#calendar .fc-event[data-post-id='{post_id}']")


def _day(page: Page, date: str) -> Locator:
    return page.locator(f"#calendar td.fc-daygrid-day[data-date='{date}']")


def _drag(page: Page, source: Locator, target: Locator) -> None:
    source.scroll_into_view_if_needed()
    a, b = source.bounding_box(), target.bounding_box()
    assert a and b
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(a["x"] + a["width"] / 2 + 5, a["y"] + a["height"] / 2 + 5, steps=3)
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] - 8, steps=15)
    page.mouse.up()


def test_month_view_shows_posts_with_titles_and_colours(page: Page, team: Team):
    launch = "Launch day: our new product ships with many features today"
    a = _post(team, launch, dt.datetime(2027, 2, 3, 9, 30))
    b = _post(team, "Bluesky hello", dt.datetime(2027, 2, 4, 14, 0), team.bsky)
    c = _post(team, "Both networks at once", dt.datetime(2027, 2, 5, 18, 15), team.x, team.bsky)
    _open(page, team)
    ev = _event(page, a.id)
    expect(ev).to_be_visible()
    expect(ev).to_contain_text("09:30")
    expect(ev).to_contain_text("Launch day: our new product ships…")
    expect(ev).to_have_class(re.compile("herald-status-scheduled"))
    expect(_day(page, "2027-02-03").locator(f".fc-event[data-post-id='{a.id}']")).to_have_count(1)
    expect(_day(page, "2027-02-04").locator(f".fc-event[data-post-id='{b.id}']")).to_have_count(1)
    # One event per post, whatever the number of destinations; its chips show both networks.
    expect(_event(page, c.id)).to_have_count(1)
    expect(_event(page, c.id).locator(".herald-ev-avatar, .herald-ev-chip")).to_have_count(2)
    expect(page.locator("#calendar-summary")).to_contain_text(NY)
    # Colour by network, then by status: the legend and the events follow.
    x_colour = ev.evaluate("e => getComputedStyle(e).backgroundColor")
    bsky_colour = _event(page, b.id).evaluate("e => getComputedStyle(e).backgroundColor")
    assert x_colour != bsky_colour
    expect(page.locator("#legend")).to_contain_text("Bluesky")
    page.locator("#color-by").get_by_role("radio", name="Status").click()
    expect(page.locator("#legend")).to_contain_text("Scheduled")
    wait_for(
        lambda: (
            _event(page, b.id).evaluate("e => getComputedStyle(e).backgroundColor")
            == _event(page, a.id).evaluate("e => getComputedStyle(e).backgroundColor")
        ),
        10,
        every=0.25,
    )
    assert _event(page, b.id).evaluate("e => getComputedStyle(e).backgroundColor") == (
        _event(page, a.id).evaluate("e => getComputedStyle(e).backgroundColor")
    )
    page.locator("#color-by").get_by_role("radio", name="Network").click()
    page.screenshot(path=ARTIFACTS / "calendar-light.png", full_page=True)
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html.dark, html[class*='dark']")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / "calendar-dark.png", full_page=True)
    page.emulate_media(color_scheme="light")


def test_drag_reschedules_and_moves_the_job(page: Page, team: Team):
    post = _post(team, "Move me two days later", dt.datetime(2027, 2, 10, 11, 0))
    dest = post.destinations[0]
    old_job = schedule.publish_job_id(dest.id, dest.next_attempt_at)
    assert schedule.scheduled_ids([old_job]) == {old_job}
    _open(page, team)
    ev = _event(page, post.id)
    expect(ev).to_have_class(re.compile("fc-event-draggable"))
    _drag(page, ev, _day(page, "2027-02-12"))
    expect(page.get_by_text(re.compile("Moved to Fri 12 Feb 2027, 11:00"))).to_be_visible()
    expect(_day(page, "2027-02-12").locator(f".fc-event[data-post-id='{post.id}']")).to_be_visible()
    moved = posts.get_post(team.user, team.wid, post.id)
    new_when = dt.datetime(2027, 2, 12, 11, 0, tzinfo=TZ)
    assert moved.scheduled_at == new_when
    assert moved.status == PostStatus.scheduled
    new_dest = moved.destinations[0]
    assert new_dest.next_attempt_at == new_when
    new_job = schedule.publish_job_id(new_dest.id, new_when)
    assert schedule.scheduled_ids([old_job, new_job]) == {new_job}
    # After a reload the post is still on the new day.
    page.reload()
    expect(_day(page, "2027-02-12").locator(f".fc-event[data-post-id='{post.id}']")).to_be_visible()


def test_a_refused_move_reverts_with_a_message(page: Page, team: Team):
    now = dt.datetime.now(TZ)
    soon = (now + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    post = _post(team, "Cannot go to the past", soon.replace(tzinfo=None))
    yesterday = (now - dt.timedelta(days=1)).date()
    _open(page, team, date=yesterday.isoformat())
    ev = _event(page, post.id)
    expect(ev).to_be_visible()
    _drag(page, ev, _day(page, yesterday.isoformat()))
    expect(page.get_by_text(re.compile("Not moved: That time is in the past"))).to_be_visible()
    home = _day(page, soon.date().isoformat())
    expect(home.locator(f".fc-event[data-post-id='{post.id}']")).to_be_visible()
    assert posts.get_post(team.user, team.wid, post.id).scheduled_at == soon


def test_published_post_updates_live_and_cannot_be_dragged(page: Page, team: Team):
    _open(page, team, date=dt.datetime.now(TZ).date().isoformat())
    post = _post(team, "Out right now", None, mode="now")
    ev = _event(page, post.id)
    # The worker publishes it through the simulator; the open page shows it without a reload.
    expect(ev).to_have_class(re.compile("herald-status-published"), timeout=40_000)
    expect(ev).not_to_have_class(re.compile("fc-event-draggable"))
    before = posts.get_post(team.user, team.wid, post.id).scheduled_at
    today = dt.datetime.now(TZ).date()
    other = today + dt.timedelta(days=1 if today.day < 20 else -1)
    _drag(page, ev, _day(page, other.isoformat()))
    page.wait_for_timeout(1000)
    assert posts.get_post(team.user, team.wid, post.id).scheduled_at == before
    # Its dialog shows the permalink, and no cancel/edit for a published post.
    ev.click()
    dialog = page.locator("#post-dialog")
    expect(dialog.locator("#post-status")).to_have_text("Published")
    expect(dialog.locator(".dest-status")).to_have_text("published")
    expect(dialog.locator(".dest-permalink")).to_be_visible()
    expect(dialog.locator("#post-cancel")).to_have_count(0)
    expect(dialog.locator("#post-edit")).to_have_count(0)


def test_filters_by_network_account_and_status(page: Page, team: Team):
    on_x = _post(team, "Filter me on X", dt.datetime(2027, 2, 17, 10, 0))
    on_bsky = _post(team, "Filter me on Bluesky", dt.datetime(2027, 2, 18, 10, 0), team.bsky)
    gone = _post(team, "Filter me cancelled", dt.datetime(2027, 2, 19, 10, 0))
    posts.cancel_post(team.user, team.wid, gone.id)
    _open(page, team)
    for p in (on_x, on_bsky, gone):
        expect(_event(page, p.id)).to_be_visible()
    expect(_event(page, gone.id)).to_have_class(re.compile("herald-status-cancelled"))

    page.click("#filter-platform")
    page.get_by_role("option", name="Bluesky").click()
    expect(_event(page, on_x.id)).to_have_count(0)
    expect(_event(page, on_bsky.id)).to_be_visible()
    page.click("#clear-filters")
    expect(_event(page, on_x.id)).to_be_visible()

    page.click("#filter-account")
    page.get_by_role("option", name=re.compile(r"^X · ")).click()
    expect(_event(page, on_bsky.id)).to_have_count(0)
    expect(_event(page, on_x.id)).to_be_visible()
    page.click("#clear-filters")

    page.click("#filter-status")
    page.get_by_role("option", name="Cancelled").click()
    expect(_event(page, gone.id)).to_be_visible()
    expect(_event(page, on_x.id)).to_have_count(0)
    expect(_event(page, on_bsky.id)).to_have_count(0)
    page.click("#clear-filters")
    expect(_event(page, on_bsky.id)).to_be_visible()


def test_dialog_shows_the_post_and_cancels_it(page: Page, team: Team):
    post = _post(
        team, "Open me in the dialog\nsecond line", dt.datetime(2027, 2, 24, 16, 45), team.x,
        team.bsky,
    )  # fmt: skip
    _open(page, team)
    _event(page, post.id).click()
    dialog = page.locator("#post-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#post-content")).to_contain_text("second line")
    expect(dialog.locator("#post-when")).to_have_text("Wed 24 Feb 2027, 16:45 EST")
    expect(dialog.locator(".post-destination")).to_have_count(2)
    expect(dialog.locator("#post-edit")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "calendar-dialog.png")
    dialog.locator("#post-cancel").click()
    expect(page.get_by_text("Post cancelled")).to_be_visible()
    expect(dialog.locator("#post-status")).to_have_text("Cancelled")
    expect(dialog.locator(".dest-status").first).to_have_text("cancelled")
    view = posts.get_post(team.user, team.wid, post.id)
    assert view.status == PostStatus.cancelled
    jobs = [
        schedule.publish_job_id(d.id, dt.datetime(2027, 2, 24, 16, 45, tzinfo=TZ))
        for d in view.destinations
    ]
    assert schedule.scheduled_ids(jobs) == set()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(_event(page, post.id)).to_have_class(re.compile("herald-status-cancelled"))
    # Delete, with a confirmation step.
    _event(page, post.id).click()
    dialog.locator("#post-delete").click()
    expect(page.locator("#post-delete-dialog")).to_contain_text("This cannot be undone.")
    page.locator("#post-delete-confirm").click()
    expect(page.get_by_text("Post deleted.")).to_be_visible()
    expect(_event(page, post.id)).to_have_count(0)


def test_week_day_and_list_views_render_posts(page: Page, team: Team):
    post = _post(team, "Seen in every view", dt.datetime(2027, 2, 9, 13, 0))
    _open(page, team, "dayGridMonth", "2027-02-09")
    expect(_event(page, post.id)).to_be_visible()
    for view in ("timeGridWeek", "timeGridDay", "listWeek"):
        page.click(f"#calendar .fc-{view}-button")
        expect(page.locator(f"#calendar .fc-{view}-view")).to_be_visible()
        expect(_event(page, post.id)).to_be_visible()
        expect(_event(page, post.id)).to_contain_text("Seen in every view")
    expect(page.locator("#calendar .fc-list-event-time").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "calendar-list.png")
    # The address keeps the place: a reload opens the same view.
    page.reload()
    expect(page.locator("#calendar .fc-listWeek-view")).to_be_visible()
    expect(_event(page, post.id)).to_be_visible()


def test_times_are_right_on_both_sides_of_a_dst_change(page: Page, team: Team):
    # New York moves its clocks forward on 14 March 2027: 10:00 is 15:00 UTC before, 14:00 after.
    before = _post(team, "Before the change", dt.datetime(2027, 3, 13, 10, 0))
    after = _post(team, "After the change", dt.datetime(2027, 3, 15, 10, 0))
    assert before.scheduled_at.astimezone(dt.UTC).hour == 15
    assert after.scheduled_at.astimezone(dt.UTC).hour == 14
    _open(page, team, "dayGridMonth", "2027-03-01")
    for post, day in ((before, "2027-03-13"), (after, "2027-03-15")):
        ev = _day(page, day).locator(f".fc-event[data-post-id='{post.id}']")
        expect(ev.locator(".herald-ev-time")).to_have_text("10:00")
    _open(page, team, "timeGridWeek", "2027-03-14")
    ev = _event(page, after.id)
    expect(ev.locator(".herald-ev-time")).to_have_text("10:00")
    # In the week grid the event sits on the 10:00 row.
    row = page.locator("#calendar td.fc-timegrid-slot-lane[data-time='10:00:00']")
    assert abs(ev.bounding_box()["y"] - row.bounding_box()["y"]) < 4


def test_clicking_a_slot_offers_a_new_post_there(page: Page, team: Team):
    _open(page, team, "timeGridWeek", "2027-02-17")
    column = page.locator("#calendar th.fc-col-header-cell[data-date='2027-02-17']")
    row = page.locator("#calendar td.fc-timegrid-slot-lane[data-time='14:00:00']")
    row.scroll_into_view_if_needed()
    c, r = column.bounding_box(), row.bounding_box()
    page.mouse.click(c["x"] + c["width"] / 2, r["y"] + r["height"] / 2)
    button = page.locator("#new-post")
    expect(button).to_contain_text("Wed 17 Feb, 14:00")
    expect(button).to_have_attribute("data-href", "/composer?at=2027-02-17T14%3A00%3A00-05%3A00")
    # Keyboard: focus the button and press Enter.
    button.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/composer/?\?at=2027-02-17T14%3A00%3A00-05%3A00"))
    # A whole day in the month view suggests 09:00 that day.
    _open(page, team, "dayGridMonth", "2027-02-01")
    cell = _day(page, "2027-02-26")
    box = cell.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 6)
    expect(page.locator("#new-post")).to_contain_text("Fri 26 Feb, 09:00")


def test_a_busy_day_shows_what_fits_and_more_opens_the_day(page: Page, team: Team):
    made = [_post(team, f"Busy {h:02d}", dt.datetime(2027, 4, 20, h, 0)) for h in range(8, 15)]
    _open(page, team, "dayGridMonth", "2027-04-01")
    day = _day(page, "2027-04-20")
    more = day.locator(".fc-event[data-more-day='2027-04-20']")
    # As many posts as the cell has room for (the earliest), then "+N more" in the last row:
    # the page gets no more events than it shows, and FullCalendar needs no "+more" of its own.
    expect(more).to_be_visible()
    shown = day.locator(".fc-event[data-post-id]")
    count = shown.count()
    assert 1 <= count < len(made)
    expect(more).to_have_text(f"+{len(made) - count} more")
    expect(shown.first).to_contain_text("08:00")
    expect(day.locator(".fc-daygrid-more-link")).to_have_count(0)
    for event in shown.all():
        assert event.bounding_box()["y"] < more.bounding_box()["y"]
    page.screenshot(path=ARTIFACTS / "calendar-busy-day-light.png")
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html.dark, html[class*='dark']")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / "calendar-busy-day-dark.png")
    page.emulate_media(color_scheme="light")
    more.click()
    expect(page.locator("#calendar .fc-timeGridDay-view")).to_be_visible()
    for post in made:
        expect(_event(page, post.id)).to_have_count(1)
    expect(page.locator("#calendar .fc-event[data-more-day]")).to_have_count(0)
    # A taller window has room for more of them.
    size = page.viewport_size
    assert size is not None
    page.set_viewport_size({"width": size["width"], "height": size["height"] + 400})
    _open(page, team, "dayGridMonth", "2027-04-01")
    roomier = _day(page, "2027-04-20").locator(".fc-event[data-post-id]")
    assert wait_for(lambda: roomier.count() > count, 20, every=0.25)
    page.set_viewport_size(size)
