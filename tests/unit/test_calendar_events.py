"""The calendar's pure helpers: event building (escaping, colours, editability) and dates."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import pytest

from app.models import DestinationStatus, PostStatus
from app.services.posts import DestinationView, PostView
from app.ui.format import datetime_zone
from app.ui.state.calendar_events import (
    PLATFORM_COLORS,
    STATUS_COLORS,
    event_of,
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


def test_event_html_escapes_content_names_and_urls():
    post, avatars = _post("<img src=x onerror=alert(1)> hi")
    ev = event_of(post, avatars, "platform", can_edit=True)
    markup = ev["extendedProps"]["html"]
    assert "<img src=x" not in markup and "&lt;img src=x" in markup
    assert "<b>Acc</b>" not in markup
    assert '"onerror="' not in markup
    assert ev["start"] == "2027-03-13T15:00:00+00:00"
    assert ev["editable"] is True


def test_only_scheduled_posts_of_editors_are_draggable():
    for status in PostStatus:
        post, avatars = _post("x", status)
        assert event_of(post, avatars, "platform", True)["editable"] is (
            status == PostStatus.scheduled
        )
    post, avatars = _post("x")
    assert event_of(post, avatars, "platform", can_edit=False)["editable"] is False


def test_colours_by_platform_or_status():
    post, avatars = _post("x", PostStatus.failed, ("bluesky", "x"), avatar_ok=False)
    ev = event_of(post, avatars, "platform", True)
    assert ev["backgroundColor"] == PLATFORM_COLORS["bluesky"]
    assert ev["borderColor"] == STATUS_COLORS["failed"]
    assert ev["extendedProps"]["html"].count("herald-ev-chip") == 2
    assert recolor(ev, "status")["backgroundColor"] == STATUS_COLORS["failed"]
    assert recolor(recolor(ev, "status"), "platform") == ev


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
