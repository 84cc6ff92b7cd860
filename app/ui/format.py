"""How the UI prints dates, times, numbers, sizes and platform names: every page uses these.

Times are shown in the user's zone (`AuthState.user_timezone`); an unknown zone reads as UTC.
One full form for a moment, `Wed 3 Dec 2026, 14:30 CET`; lists use `relative` (`Today 14:30`),
a time just picked on the calendar `short` (`Wed 17 Feb, 14:00`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from app.providers.registry import UnknownPlatform, provider_class


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The time zone called `name`, UTC for an empty or unknown name."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def datetime_zone(value: dt.datetime | None, tz: str, empty: str = "") -> str:
    """A moment in the user's zone, with the zone: `Wed 3 Dec 2026, 14:30 CET`."""
    if value is None:
        return empty
    local = value.astimezone(zone(tz))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def relative(value: dt.datetime | None, tz: str, now: dt.datetime | None = None) -> str:
    """A moment near now, for lists: `Today 14:30`, `Tomorrow 09:00`, `Wed 3 Dec 14:30`."""
    if value is None:
        return ""
    local = value.astimezone(zone(tz))
    today = (now or dt.datetime.now(dt.UTC)).astimezone(local.tzinfo).date()
    clock = f"{local:%H:%M}"
    days = (local.date() - today).days
    if days in (-1, 0, 1):
        return f"{('Yesterday', 'Today', 'Tomorrow')[days + 1]} {clock}"
    if local.year == today.year:
        return f"{local:%a} {local.day} {local:%b} {clock}"
    return f"{local.day} {local:%b %Y} {clock}"


def short(value: dt.datetime, tz: str) -> str:
    """A moment just picked on a calendar, weekday first: `Wed 17 Feb, 14:00`."""
    local = value.astimezone(zone(tz))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def clock(value: dt.datetime, tz: str, seconds: bool = False) -> str:
    """The wall-clock time in the user's zone: `14:30` (or `14:30:05`)."""
    return f"{value.astimezone(zone(tz)):{'%H:%M:%S' if seconds else '%H:%M'}}"


def day(value: dt.date, year: bool = True) -> str:
    """A calendar day: `3 Dec 2026` (`3 Dec` without the year, for chart axes)."""
    return f"{value.day} {value:{'%b %Y' if year else '%b'}}"


def month(value: dt.date) -> str:
    """A month: `December 2026`."""
    return f"{value:%B %Y}"


def number(n: int | None) -> str:
    """A count, compact from 10 000 up: `999`, `12.3k`, `2.5M`; `—` for no value."""
    if n is None:
        return "—"
    if abs(n) >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if abs(n) >= 10_000:
        return f"{n / 1000:.1f}k".replace(".0k", "k")
    return f"{n:,}"


def percent(rate: float | None) -> str:
    """A ratio as a percentage with one decimal: `12.3%`; `—` for no value."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def size(n: int) -> str:
    """A byte count: `512 B`, `48 KB`, `3.2 MB`."""
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def excerpt(text: str, n: int) -> str:
    """`text` on one line, cut to at most `n` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def platform_name(platform: str) -> str:
    """A network's display name (`X`, `LinkedIn`); the key itself for an unknown network."""
    try:
        return provider_class(platform).display_name
    except UnknownPlatform:
        return platform
