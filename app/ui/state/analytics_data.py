"""The analytics page's pure pieces: the date range, the stat tiles and the chart rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from app.providers.registry import all_providers
from app.services import analytics
from app.ui import format
from app.ui.components.stat import Stat
from app.ui.format import number, percent

PRESETS = ("7", "30", "90")
# Chart colours: Radix scales, which follow the light/dark theme on their own.
SERIES_COLORS = (
    "var(--blue-9)",
    "var(--orange-9)",
    "var(--grass-9)",
    "var(--crimson-9)",
    "var(--violet-9)",
    "var(--amber-9)",
    "var(--cyan-9)",
    "var(--pink-9)",
    "var(--teal-9)",
    "var(--indigo-9)",
)
PLATFORM_COLORS = {p.id: p.look.chart_color for p in all_providers()}
# A full reload at least this often even when nothing changed ("last 7 days" moves on).
FULL_REFRESH_S = 300.0
BAR_POSTS = 30  # per-post chart: the latest posts of the range


@dataclasses.dataclass
class TopRow:
    post_id: str = ""
    content: str = ""
    account: str = ""
    platform: str = ""
    platform_name: str = ""
    when: str = ""
    engagement: str = "0"
    likes: str = "0"
    comments: str = "0"
    shares: str = "0"
    views: str = "0"
    permalink: str = ""


@dataclasses.dataclass
class DestDetail:
    id: str = ""
    account: str = ""
    platform: str = ""
    platform_name: str = ""
    status: str = ""
    permalink: str = ""
    published: str = ""
    latest: str = ""
    history: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def date_range(
    preset: str, start_day: str, end_day: str, zone: str, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime, str]:
    """[start, end) and a label: the last N days up to now, or whole days (user's timezone)
    from `start_day` to `end_day` inclusive."""
    now = now or dt.datetime.now(dt.UTC)
    if preset in PRESETS:
        return now - dt.timedelta(days=int(preset)), now, f"Last {preset} days"
    tz = format.zone(zone)
    try:
        first = dt.date.fromisoformat(start_day)
        last = dt.date.fromisoformat(end_day)
    except ValueError as exc:
        raise ValueError("Choose both dates of the custom range.") from exc
    if first > last:
        raise ValueError("The start date must be on or before the end date.")
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    label = f"{format.day(first)} – {format.day(last)}"
    return start, end.astimezone(dt.UTC), label


def stat_tiles(s: analytics.Stats) -> list[Stat]:
    f = s.followers
    change = (
        "" if f.change is None else (f"+{number(f.change)}" if f.change >= 0 else number(f.change))
    )
    basis = {"views": "of views", "followers": "of followers"}.get(
        s.engagement_rate_basis or "", ""
    )
    return [
        Stat("followers", "Followers", number(f.latest),
             f"{change} in this range" if change else "no follower counts yet", "users", "blue"),
        Stat("posts", "Posts published", number(s.posts_published), "in this range",
             "send", "green"),
        Stat("engagement", "Engagement", number(s.engagement),
             f"{number(s.likes)} likes · {number(s.comments)} comments · "
             f"{number(s.shares)} shares", "heart", "pink"),
        Stat("rate", "Engagement rate", percent(s.engagement_rate),
             basis or "needs views or followers", "percent", "violet"),
        Stat("views", "Views", number(s.views), f"{number(s.impressions)} impressions",
             "eye", "amber"),
    ]  # fmt: skip


def follower_chart(
    agg: analytics.Aggregate,
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """One row per day, one column per account (a0, a1...), and the lines to draw."""
    lines: list[dict[str, str]] = []
    rows: dict[dt.date, dict[str, Any]] = {}
    for i, acc in enumerate(a for a in agg.accounts if a.stats.followers.series):
        key = f"a{i}"
        lines.append({
            "key": key,
            "name": f"{acc.account_name} ({format.platform_name(acc.platform)})",
            "color": SERIES_COLORS[i % len(SERIES_COLORS)],
        })  # fmt: skip
        for point in acc.stats.followers.series:
            row = rows.setdefault(point.date, {"date": format.day(point.date, year=False)})
            row[key] = point.value
    return [rows[d] for d in sorted(rows)], lines
