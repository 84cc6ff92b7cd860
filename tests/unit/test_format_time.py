"""app.ui.format and the user's own time: 12/24-hour clocks, zones named as people say them,
times typed either way, and the daylight-saving edges."""

from __future__ import annotations

import datetime as dt

import pytest

from app.ui import format

NY = "America/New_York"
WINTER = dt.datetime(2026, 12, 3, 14, 0, tzinfo=dt.UTC)  # 9:00 EST
SUMMER = dt.datetime(2027, 7, 1, 13, 5, tzinfo=dt.UTC)  # 9:05 EDT


def test_the_24_hour_forms_are_unchanged_without_the_keyword():
    assert format.datetime_zone(WINTER, "Europe/Paris") == "Thu 3 Dec 2026, 15:00 CET"
    assert format.short(WINTER, NY) == "Thu 3 Dec, 09:00"
    assert format.clock(WINTER, NY, seconds=True) == "09:00:00"
    now = dt.datetime(2026, 12, 2, 20, 0, tzinfo=dt.UTC)
    assert format.relative(WINTER, NY, now) == "Tomorrow 09:00"


def test_the_12_hour_forms():
    assert format.datetime_zone(WINTER, NY, hours="12h") == "Thu 3 Dec 2026, 9:00 AM EST"
    assert format.datetime_zone(SUMMER, NY, hours="12h") == "Thu 1 Jul 2027, 9:05 AM EDT"
    assert format.short(SUMMER, "UTC", hours="12h") == "Thu 1 Jul, 1:05 PM"
    assert format.clock(WINTER, "UTC", seconds=True, hours="12h") == "2:00:00 PM"
    now = dt.datetime(2026, 12, 2, 20, 0, tzinfo=dt.UTC)
    assert format.relative(WINTER, NY, now, hours="12h") == "Tomorrow 9:00 AM"
    assert format.datetime_zone(None, NY, "never", hours="12h") == "never"


@pytest.mark.parametrize(
    ("hour", "twelve", "twentyfour"),
    [(0, "12:00 AM", "00:00"), (11, "11:00 AM", "11:00"), (12, "12:00 PM", "12:00"),
     (23, "11:00 PM", "23:00")],
)  # fmt: skip
def test_midnight_and_noon(hour: int, twelve: str, twentyfour: str):
    assert format.time_of(dt.time(hour), "12h") == twelve
    assert format.time_of(dt.time(hour), "24h") == twentyfour
    assert format.parse_clock(twelve) == dt.time(hour)
    assert format.parse_clock(twentyfour) == dt.time(hour)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("9:00 AM", dt.time(9)), ("9am", dt.time(9)), ("9 a.m.", dt.time(9)),
     ("2:30pm", dt.time(14, 30)), ("14:30", dt.time(14, 30)), ("9", dt.time(9)),
     (" 07:45 ", dt.time(7, 45)), ("9.30 PM", dt.time(21, 30))],
)  # fmt: skip
def test_times_typed_either_way(typed: str, meant: dt.time):
    assert format.parse_clock(typed) == meant


@pytest.mark.parametrize("typed", ["", "noon", "25:00", "13:00 PM", "0 AM", "9:60", "9:5"])
def test_unreadable_times_are_refused(typed: str):
    with pytest.raises(ValueError):
        format.parse_clock(typed)


def test_zones_are_named_with_their_abbreviation_at_that_moment():
    assert format.zone_name(NY, WINTER) == "New York (EST)"
    assert format.zone_name(NY, SUMMER) == "New York (EDT)"
    assert format.zone_name("America/Argentina/Buenos_Aires", WINTER) == "Buenos Aires (-03)"
    assert format.zone_name("UTC") == "UTC"
    assert format.zone_name("Not/AZone") == "UTC"  # an unknown zone reads as UTC


def test_the_dst_edges_in_new_york():
    # 8 March 2026, 2:00 EST the clocks jump to 3:00 EDT; 1 Nov 2026, 2:00 EDT back to 1:00 EST.
    before = dt.datetime(2026, 3, 8, 6, 59, tzinfo=dt.UTC)
    after = before + dt.timedelta(minutes=1)
    assert format.datetime_zone(before, NY, hours="12h") == "Sun 8 Mar 2026, 1:59 AM EST"
    assert format.datetime_zone(after, NY, hours="12h") == "Sun 8 Mar 2026, 3:00 AM EDT"
    first = dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)
    second = first + dt.timedelta(hours=1)  # the same wall time, an hour later
    assert format.datetime_zone(first, NY) == "Sun 1 Nov 2026, 01:30 EDT"
    assert format.datetime_zone(second, NY) == "Sun 1 Nov 2026, 01:30 EST"


def test_posting_slots_in_the_users_format():
    assert format.wall_time("17:00", "12h") == "5:00 PM"
    assert format.wall_time("07:45") == "07:45"
    assert format.wall_time("garbage", "12h") == "garbage"
