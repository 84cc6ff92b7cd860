"""The calendar's pure helpers: event building (escaping, colours, editability) and dates."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid
import zoneinfo
from pathlib import Path

import pytest

from app.models import DestinationStatus, PostStatus
from app.services.posts import DestinationView, PostView
from app.ui.components.fullcalendar import RENDER_EVENT_JS
from app.ui.format import datetime_zone
from app.ui.state.calendar_events import (
    PLATFORM_COLORS,
    STATUS_COLORS,
    event_of,
    first_range,
    month_cut,
    parse_when,
    recolor,
    title_of,
)

NY = "America/New_York"


def _destination(platform: str, name: str, status: DestinationStatus) -> DestinationView:
    return DestinationView(
        id=uuid.uuid4(), account_id=uuid.uuid4(), platform=platform, account_name=name,
        status=status, platform_post_id=None, permalink=None, error_message=None, attempts=0,
        next_attempt_at=None, published_at=None, content_override=None,
    )  # fmt: skip


def _post(content: str, status=PostStatus.scheduled, platforms=("x",), avatar_ok=True):
    now = dt.datetime(2027, 3, 13, 15, 0, tzinfo=dt.UTC)
    dests = [_destination(p, "<b>Acc</b>", DestinationStatus.pending) for p in platforms]
    post = PostView(
        id=uuid.uuid4(), workspace_id=uuid.uuid4(), author_id=None, content=content,
        scheduled_at=now, timezone=NY, status=status, platform_configs={}, media_ids=[],
        destinations=dests, created_at=now, updated_at=now,
    )  # fmt: skip
    avatars = {str(d.account_id): 'https://img.example/a.png"onerror="x' for d in dests}
    return post, (avatars if avatar_ok else {})


def test_titles_are_the_first_words():
    assert title_of("one two three") == "one two three"
    assert title_of("a b c d e f g h") == "a b c d e f…"
    assert title_of("   ") == "(no text)"
    assert len(title_of("x" * 200)) == 48


def test_event_markup_escapes_names_and_urls():
    post, avatars = _post("<img src=x onerror=alert(1)> hi")
    chips: list[str] = []
    ev = event_of(post, avatars, "platform", True, chips)
    markup = chips[ev["extendedProps"]["chips"]]
    assert markup.startswith('<span class="herald-ev-avatars">')
    assert "<b>Acc</b>" not in markup and "&lt;b&gt;Acc&lt;/b&gt;" in markup
    assert '"onerror="' not in markup
    assert ev["title"] == "<img src=x onerror=alert(1)> hi"  # text: the browser escapes it
    assert "html" not in ev["extendedProps"]
    assert ev["start"] == "2027-03-13T15:00:00+00:00"
    assert ev["editable"] is True


def test_events_share_the_markup_of_the_same_accounts():
    post, avatars = _post("one", platforms=("x", "bluesky"))
    other = post.model_copy(update={"id": uuid.uuid4(), "content": "two"})
    chips: list[str] = []
    first = event_of(post, avatars, "platform", True, chips)
    second = event_of(other, avatars, "platform", True, chips)
    assert first["extendedProps"]["chips"] == second["extendedProps"]["chips"] == 0
    assert len(chips) == 1
    alone, solo = _post("three", platforms=("x",))
    assert event_of(alone, solo, "platform", True, chips)["extendedProps"]["chips"] == 1


def _render(event: dict, chips: list[str], time_text: str = "10:00", view: str = "dayGridMonth"):
    """The event's content as the browser draws it (fullcalendar.RENDER_EVENT_JS, in Node)."""
    shown = {key: event[key] for key in ("id", "title", "extendedProps")}
    arg = json.dumps({"timeText": time_text, "view": {"type": view}, "event": shown})
    call = f"heraldEventContent({arg}, {json.dumps(chips)})"
    script = f"{RENDER_EVENT_JS}\nconsole.log(JSON.stringify({call}));"
    node = Path(sys.executable).with_name("node")
    out = subprocess.run([str(node), "-e", script], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["html"]


def test_the_browser_draws_an_event_with_every_text_escaped():
    post, avatars = _post("<img src=x onerror=alert(1)> hi", PostStatus.failed)
    chips: list[str] = []
    ev = event_of(post, avatars, "platform", True, chips)
    html = _render(ev, chips, time_text="<b>10:00</b>")
    assert html.startswith('<div class="herald-ev"><span class="herald-ev-time">&lt;b&gt;10:00')
    assert chips[0] in html
    assert '<span class="herald-sr">Failed: </span>' in html
    assert '<span class="herald-ev-title">&lt;img src=x onerror=alert(1)&gt; hi</span>' in html
    assert "<img src=x" not in html and "herald-ev-comments" not in html
    assert "herald-ev-time" not in _render(ev, chips, view="listWeek")


def test_calendar_events_show_their_comment_count():
    post, avatars = _post("Launch")
    chips: list[str] = []
    three = _render(event_of(post, avatars, "platform", True, chips, 3), chips)
    assert 'title="3 comments"' in three and ">3</span>" in three
    one = _render(event_of(post, avatars, "platform", True, chips, 1), chips)
    assert "1 comments" not in one and 'title="1 comment"' in one


def _at(post: PostView, when: dt.datetime) -> PostView:
    return post.model_copy(update={"id": uuid.uuid4(), "scheduled_at": when})


def test_a_busy_day_of_the_month_shows_what_fits_and_one_more():
    post, _ = _post("x")
    # 20:00-23:00 New York on 13 March is 00:00-03:00 UTC on the 14th: the user's day counts.
    evening = [_at(post, dt.datetime(2027, 3, 14, h, 0, tzinfo=dt.UTC)) for h in (3, 0, 2, 1)]
    quiet = _at(post, dt.datetime(2027, 3, 15, 15, 0, tzinfo=dt.UTC))
    shown, more = month_cut([*evening, quiet], 3, NY)
    assert [p.scheduled_at.hour for p in shown] == [0, 1, 15]  # the day's earliest, then the 15th
    [marker] = more
    assert marker["id"] == "more:2027-03-13" and marker["title"] == "+2 more"
    assert marker["extendedProps"] == {"day": "2027-03-13"}
    assert marker["editable"] is False
    # It sorts after the day's shown posts (FullCalendar orders a day's events by start).
    assert marker["start"] == "2027-03-14T02:00:01+00:00"
    assert recolor(marker, "status") is marker
    html = _render(marker, [], time_text="21:00")
    assert html == '<div class="herald-ev herald-ev-more-link">+2 more</div>'
    # A day that fits is left whole; one row only leaves the "+N more".
    assert month_cut(evening, 4, NY) == (sorted(evening, key=lambda p: p.scheduled_at), [])
    shown, [marker] = month_cut(evening, 1, NY)
    assert shown == [] and marker["title"] == "+4 more"


def test_only_scheduled_posts_of_editors_are_draggable():
    for status in PostStatus:
        post, avatars = _post("x", status)
        assert event_of(post, avatars, "platform", True, [])["editable"] is (
            status == PostStatus.scheduled
        )
    post, avatars = _post("x")
    assert event_of(post, avatars, "platform", False, [])["editable"] is False


def test_colours_by_platform_or_status():
    post, avatars = _post("x", PostStatus.failed, ("bluesky", "x"), avatar_ok=False)
    chips: list[str] = []
    ev = event_of(post, avatars, "platform", True, chips)
    assert ev["backgroundColor"] == PLATFORM_COLORS["bluesky"]
    assert ev["borderColor"] == STATUS_COLORS["failed"]
    assert chips[ev["extendedProps"]["chips"]].count("herald-ev-chip") == 2
    assert recolor(ev, "status")["backgroundColor"] == STATUS_COLORS["failed"]
    assert recolor(recolor(ev, "status"), "platform") == ev


@pytest.mark.parametrize(
    ("view", "date", "expected"),
    [
        ("dayGridMonth", "2027-01-01", ("2026-12-27", "2027-02-07")),  # six weeks from Sunday
        ("", "2027-03-14", ("2027-02-28", "2027-04-11")),  # the default view: a month
        ("timeGridWeek", "2027-03-17", ("2027-03-14", "2027-03-21")),
        ("listWeek", "2027-03-14", ("2027-03-14", "2027-03-21")),  # a Sunday starts its week
        ("timeGridDay", "2027-03-14", ("2027-03-14", "2027-03-15")),
    ],
)
def test_the_calendar_opens_on_the_range_fullcalendar_shows(view, date, expected):
    shown, start, end = first_range(view, date, NY)
    assert shown == (view or "dayGridMonth")
    zone = zoneinfo.ZoneInfo(NY)
    assert (dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)) == tuple(
        dt.datetime.combine(dt.date.fromisoformat(d), dt.time(), zone) for d in expected
    )


def test_the_calendar_opens_on_today_without_a_date():
    _, start, end = first_range("timeGridDay", "not a date", NY)
    today = dt.datetime.now(zoneinfo.ZoneInfo(NY)).date()
    assert dt.datetime.fromisoformat(start).date() == today
    assert dt.datetime.fromisoformat(end).date() == today + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("value", "expected_utc"),
    [
        ("2027-03-13T10:00:00-05:00", dt.datetime(2027, 3, 13, 15, 0, tzinfo=dt.UTC)),
        ("2027-03-15T10:00:00", dt.datetime(2027, 3, 15, 14, 0, tzinfo=dt.UTC)),  # wall time
        ("2027-03-15T14:00:00Z", dt.datetime(2027, 3, 15, 14, 0, tzinfo=dt.UTC)),
        ("2027-03-15", dt.datetime(2027, 3, 15, 13, 0, tzinfo=dt.UTC)),  # a day: 09:00 there
    ],
)
def test_calendar_dates_are_read_in_the_users_zone(value, expected_utc):
    assert parse_when(value, NY) == expected_utc


def test_times_are_shown_in_the_users_zone_across_dst():
    before = dt.datetime(2027, 3, 13, 15, 0, tzinfo=dt.UTC)
    after = dt.datetime(2027, 3, 15, 14, 0, tzinfo=dt.UTC)
    assert datetime_zone(before, NY) == "Sat 13 Mar 2027, 10:00 EST"
    assert datetime_zone(after, NY) == "Mon 15 Mar 2027, 10:00 EDT"
    assert datetime_zone(after, "Not/AZone").endswith("14:00 UTC")
    assert zoneinfo.ZoneInfo(NY)  # the test machine has the IANA database
