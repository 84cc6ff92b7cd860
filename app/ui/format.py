"""How the UI prints dates, times, numbers, sizes and platform names: every page uses these.

Times are shown in the user's zone (`AuthState.user_timezone`); an unknown zone reads as UTC,
and in the user's format (`AuthState.user_time_format`, "24h" or "12h": the `hours` keyword).
One full form for a moment, `Wed 3 Dec 2026, 14:30 CET`; lists use `relative` (`Today 14:30`),
a time just picked on the calendar `short` (`Wed 17 Feb, 14:00`).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from app.providers.registry import UnknownPlatform, provider_class


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The time zone called `name`, UTC for an empty or unknown name."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def time_of(value: dt.datetime | dt.time, hours: str = "24h", seconds: bool = False) -> str:
    """A wall-clock time as the user reads them: `14:30` (24h) or `2:30 PM` (12h)."""
    if hours == "12h":
        h12 = value.hour % 12 or 12
        rest = f":{value.minute:02d}" + (f":{value.second:02d}" if seconds else "")
        return f"{h12}{rest} {'AM' if value.hour < 12 else 'PM'}"
    return f"{value:{'%H:%M:%S' if seconds else '%H:%M'}}"


def wall_time(hhmm: str, hours: str = "24h") -> str:
    """A stored `HH:MM` wall time (posting slots) in the user's format; as is if unreadable."""
    try:
        return time_of(dt.time.fromisoformat(hhmm), hours)
    except ValueError:
        return hhmm


_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?$")


def parse_clock(text: str) -> dt.time:
    """A time typed by a person, in either format: `14:30`, `2:30 PM`, `2:30pm`, `9am`, `9`,
    `12 AM` (midnight). ValueError for anything else."""
    match = _CLOCK.match(text.strip().lower())
    if not match:
        raise ValueError(f"not a time: {text!r}")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"not a 12-hour time: {text!r}")
        hour = hour % 12 + (12 if half == "p" else 0)
    return dt.time(hour, minute)  # ValueError past 23:59


def zone_name(tz: str, when: dt.datetime | None = None) -> str:
    """A zone as people say it, with its abbreviation at `when` (now by default):
    `New York (EST)`, `Paris (CEST)`, `UTC`. Zones without a letter abbreviation keep the
    offset (`Kolkata (IST)`, `Dubai (+04)`)."""
    info = zone(tz)
    local = (when or dt.datetime.now(dt.UTC)).astimezone(info)
    abbr = local.tzname() or ""
    key = info.key
    if key in ("UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu"):
        return "UTC"
    city = key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} ({abbr})" if abbr and abbr != city else city


def datetime_zone(
    value: dt.datetime | None, tz: str, empty: str = "", *, hours: str = "24h"
) -> str:
    """A moment in the user's zone, with the zone: `Wed 3 Dec 2026, 14:30 CET`
    (`Wed 3 Dec 2026, 2:30 PM CET` in 12h)."""
    if value is None:
        return empty
    local = value.astimezone(zone(tz))
    return f"{local:%a} {local.day} {local:%b %Y}, {time_of(local, hours)} {local.tzname()}"


def relative(
    value: dt.datetime | None, tz: str, now: dt.datetime | None = None, *, hours: str = "24h"
) -> str:
    """A moment near now, for lists: `Today 14:30`, `Tomorrow 09:00`, `Wed 3 Dec 14:30`."""
    if value is None:
        return ""
    local = value.astimezone(zone(tz))
    today = (now or dt.datetime.now(dt.UTC)).astimezone(local.tzinfo).date()
    clock = time_of(local, hours)
    days = (local.date() - today).days
    if days in (-1, 0, 1):
        return f"{('Yesterday', 'Today', 'Tomorrow')[days + 1]} {clock}"
    if local.year == today.year:
        return f"{local:%a} {local.day} {local:%b} {clock}"
    return f"{local.day} {local:%b %Y} {clock}"


def short(value: dt.datetime, tz: str, *, hours: str = "24h") -> str:
    """A moment just picked on a calendar, weekday first: `Wed 17 Feb, 14:00`."""
    local = value.astimezone(zone(tz))
    return f"{local:%a} {local.day} {local:%b}, {time_of(local, hours)}"


def clock(value: dt.datetime, tz: str, seconds: bool = False, *, hours: str = "24h") -> str:
    """The wall-clock time in the user's zone: `14:30` (or `14:30:05`; `2:30 PM` in 12h)."""
    return time_of(value.astimezone(zone(tz)), hours, seconds)


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
