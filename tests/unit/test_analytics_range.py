"""The analytics page's date range: presets up to now, custom ranges as whole local days."""

from __future__ import annotations

import datetime as dt

import pytest

from app.ui.format import number, percent
from app.ui.state.analytics_data import date_range

NOW = dt.datetime(2030, 3, 31, 12, tzinfo=dt.UTC)


def test_presets_end_now():
    start, end, label = date_range("7", "", "", "Europe/Berlin", NOW)
    assert (start, end, label) == (NOW - dt.timedelta(days=7), NOW, "Last 7 days")


def test_custom_range_is_whole_days_in_the_users_zone_across_dst():
    start, end, label = date_range("custom", "2030-03-30", "2030-03-31", "Europe/Berlin", NOW)
    assert start == dt.datetime(2030, 3, 29, 23, tzinfo=dt.UTC)  # midnight CET
    assert end == dt.datetime(2030, 3, 31, 22, tzinfo=dt.UTC)  # midnight CEST: a 23 h day
    assert label == "30 Mar 2030 – 31 Mar 2030"


@pytest.mark.parametrize(("first", "last"), [("", "2030-03-01"), ("2030-03-02", "2030-03-01")])
def test_bad_custom_ranges_say_why(first, last):
    with pytest.raises(ValueError, match="date"):
        date_range("custom", first, last, "UTC", NOW)


def test_numbers_read_well():
    assert [number(n) for n in (None, 999, 12_345, 2_500_000)] == ["—", "999", "12.3k", "2.5M"]
    assert percent(None) == "—" and percent(0.1234) == "12.3%"
