"""Analytics page: followers, engagement per post and per platform, top posts, a post's own
metrics history. Reads through app.services.analytics (the same functions as
/api/analytics); "Sync now" goes through app.services.metrics.request_sync."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import uuid
import zoneinfo
from typing import Any

import reflex as rx

from app.models import User
from app.providers.registry import UnknownPlatform, provider_class
from app.services import accounts, analytics, metrics, posts
from app.services.errors import ServiceError
from app.ui.components.stat import Stat
from app.ui.state.auth import AuthState

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
PLATFORM_COLORS = {
    "x": "var(--slate-11)",
    "bluesky": "var(--sky-9)",
    "mastodon": "var(--iris-9)",
    "threads": "var(--bronze-10)",
    "linkedin": "var(--blue-10)",
    "facebook": "var(--indigo-9)",
    "instagram": "var(--pink-9)",
    "youtube": "var(--red-9)",
    "tiktok": "var(--cyan-9)",
    "pinterest": "var(--crimson-9)",
}
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


def platform_name(platform: str) -> str:
    try:
        return provider_class(platform).display_name
    except UnknownPlatform:
        return platform


def number(n: int | None) -> str:
    if n is None:
        return "—"
    if abs(n) >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if abs(n) >= 10_000:
        return f"{n / 1000:.1f}k".replace(".0k", "k")
    return f"{n:,}"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def short_time(value: dt.datetime | None, zone: str) -> str:
    if value is None:
        return ""
    local = value.astimezone(zone_of(zone))
    return f"{local.day} {local:%b %Y %H:%M}"


def excerpt(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def date_range(
    preset: str, start_day: str, end_day: str, zone: str, now: dt.datetime | None = None
) -> tuple[dt.datetime, dt.datetime, str]:
    """[start, end) and a label: the last N days up to now, or whole days (user's timezone)
    from `start_day` to `end_day` inclusive."""
    now = now or dt.datetime.now(dt.UTC)
    if preset in PRESETS:
        return now - dt.timedelta(days=int(preset)), now, f"Last {preset} days"
    tz = zone_of(zone)
    try:
        first = dt.date.fromisoformat(start_day)
        last = dt.date.fromisoformat(end_day)
    except ValueError as exc:
        raise ValueError("Choose both dates of the custom range.") from exc
    if first > last:
        raise ValueError("The start date must be on or before the end date.")
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    label = f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
    return start, end.astimezone(dt.UTC), label


def _stats(s: analytics.Stats) -> list[Stat]:
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


def _follower_chart(
    agg: analytics.Aggregate,
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """One row per day, one column per account (a0, a1...), and the lines to draw."""
    lines: list[dict[str, str]] = []
    rows: dict[dt.date, dict[str, Any]] = {}
    for i, acc in enumerate(a for a in agg.accounts if a.stats.followers.series):
        key = f"a{i}"
        lines.append({
            "key": key,
            "name": f"{acc.account_name} ({platform_name(acc.platform)})",
            "color": SERIES_COLORS[i % len(SERIES_COLORS)],
        })  # fmt: skip
        for point in acc.stats.followers.series:
            row = rows.setdefault(point.date, {"date": f"{point.date.day} {point.date:%b}"})
            row[key] = point.value
    return [rows[d] for d in sorted(rows)], lines


class AnalyticsState(AuthState):
    loading: bool = True
    error: str = ""
    range_error: str = ""
    preset: str = "30"
    custom_from: str = ""
    custom_to: str = ""
    account_filter: str = "all"
    platform_filter: str = "all"
    account_options: list[dict[str, str]] = []
    platform_options: list[dict[str, str]] = []
    has_metrics: bool = True
    has_accounts: bool = True
    range_label: str = ""
    stats: list[Stat] = []
    follower_rows: list[dict[str, Any]] = []
    follower_lines: list[dict[str, str]] = []
    post_rows: list[dict[str, Any]] = []
    platform_rows: list[dict[str, Any]] = []
    top_posts: list[TopRow] = []
    syncing: bool = False
    # The post dialog.
    detail_open: bool = False
    detail_loading: bool = False
    detail_content: str = ""
    detail_totals: str = ""
    detail_dests: list[DestDetail] = []
    _fingerprint: str = ""
    _loaded_at: float = 0.0
    _account_platforms: dict[str, str] = {}

    @rx.var
    def is_custom(self) -> bool:
        return self.preset == "custom"

    def _signed_in(self) -> tuple[User, uuid.UUID] | None:
        user, wid = self._user(), self._workspace_uuid()
        return (user, wid) if user is not None and wid is not None else None

    def _refresh(self, user: User, wid: uuid.UUID) -> None:
        fingerprint = analytics.fingerprint(user, wid)
        self.has_metrics = analytics.has_metrics(user, wid)
        accs = accounts.list_accounts(user, wid)
        self.has_accounts = bool(accs)
        self._account_platforms = {str(a.id): a.platform for a in accs}
        self.platform_options = [
            {"id": p, "name": platform_name(p)} for p in sorted({a.platform for a in accs})
        ]
        self.account_options = [
            {"id": str(a.id), "name": f"{a.name or a.username} · {platform_name(a.platform)}"}
            for a in accs
            if self.platform_filter in ("all", a.platform)
        ]
        if self.account_filter not in {"all", *self._account_platforms}:
            self.account_filter = "all"
        try:
            start, end, label = date_range(
                self.preset, self.custom_from, self.custom_to, self.user_timezone
            )
        except ValueError as exc:
            self.range_error = str(exc)
            return
        self.range_error = ""
        try:
            agg = analytics.aggregate(
                user,
                wid,
                start=start,
                end=end,
                account_id=None if self.account_filter == "all" else uuid.UUID(self.account_filter),
                platform=None if self.platform_filter == "all" else self.platform_filter,
            )
        except ServiceError as exc:
            self.range_error = exc.message
            return
        names = {str(a.account_id): a.account_name for a in agg.accounts}
        zone = self.user_timezone
        self.range_label = label
        self.stats = _stats(agg.totals)
        self.follower_rows, self.follower_lines = _follower_chart(agg)
        self.post_rows = [
            {
                "label": f"{p.published_at.astimezone(zone_of(zone)):%d %b} · "
                f"{names.get(str(p.account_id), '')}",
                "content": excerpt(p.content, 60),
                "likes": p.likes,
                "comments": p.comments,
                "shares": p.shares,
                "engagement": p.engagement,
            }
            for p in agg.posts[-BAR_POSTS:]
        ]
        self.platform_rows = [
            {
                "platform": platform_name(p.platform),
                "engagement": p.stats.engagement,
                "posts": p.stats.posts_published,
                "fill": PLATFORM_COLORS.get(p.platform, "var(--gray-9)"),
            }
            for p in agg.platforms
        ]
        self.top_posts = [
            TopRow(
                post_id=str(t.post_id),
                content=excerpt(t.content) or "(no text)",
                account=names.get(str(t.account_id), ""),
                platform=t.platform,
                platform_name=platform_name(t.platform),
                when=short_time(t.published_at, zone),
                engagement=number(t.engagement),
                likes=number(t.likes),
                comments=number(t.comments),
                shares=number(t.shares),
                views=number(t.views),
                permalink=t.permalink or "",
            )
            for t in agg.totals.top_posts
        ]
        self.error = ""
        self._fingerprint = fingerprint
        self._loaded_at = time.monotonic()

    def _reload(self):
        signed = self._signed_in()
        if signed is None:
            return self._login_redirect()
        try:
            self._refresh(*signed)
        except ServiceError as exc:
            self.error = exc.message
        self.loading = False
        return None

    @rx.event
    def load(self):
        if not self.custom_to:
            today = dt.datetime.now(zone_of(self.user_timezone)).date()
            self.custom_to = today.isoformat()
            self.custom_from = (today - dt.timedelta(days=29)).isoformat()
        self.detail_open = False
        return self._reload()

    @rx.event
    def tick(self, _value: str = ""):
        """Every few seconds while the page is open: reload when new metrics arrived."""
        if self.loading:
            return
        signed = self._signed_in()
        if signed is None:
            return
        try:
            stale = time.monotonic() - self._loaded_at > FULL_REFRESH_S
            changed = analytics.fingerprint(*signed) != self._fingerprint
        except ServiceError:
            return
        if stale or changed:
            if changed and self.syncing:
                self.syncing = False
            self._reload()

    @rx.event
    def set_preset(self, value: str | list[str]):
        value = value[0] if isinstance(value, list) else value
        if value in (*PRESETS, "custom"):
            self.preset = value
            return self._reload()

    @rx.event
    def set_custom_from(self, value: str):
        self.custom_from = value
        return self._reload()

    @rx.event
    def set_custom_to(self, value: str):
        self.custom_to = value
        return self._reload()

    @rx.event
    def set_account_filter(self, value: str):
        self.account_filter = value
        return self._reload()

    @rx.event
    def set_platform_filter(self, value: str):
        self.platform_filter = value
        if value != "all" and self._account_platforms.get(self.account_filter) != value:
            self.account_filter = "all"
        return self._reload()

    @rx.event
    def sync_now(self):
        signed = self._signed_in()
        if signed is None:
            return self._login_redirect()
        try:
            queued = metrics.request_sync(*signed)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        except Exception:  # Redis down: say so instead of failing silently
            return rx.toast.error("Could not reach the job queue. Try again in a minute.")
        self.syncing = True
        if queued:
            return rx.toast.success("Syncing metrics now: the numbers update here in a moment.")
        return rx.toast.info("A sync is already running for this workspace.")

    # ----------------------------------------------------------------- post dialog

    @rx.event
    def open_post(self, post_id: str):
        signed = self._signed_in()
        if signed is None:
            return self._login_redirect()
        self.detail_open = True
        self.detail_loading = True
        self.detail_dests = []
        self.detail_content = ""
        yield
        try:
            view = analytics.post_analytics(*signed, uuid.UUID(post_id))
        except (ServiceError, ValueError) as exc:
            self.detail_open = False
            self.detail_loading = False
            yield rx.toast.error(getattr(exc, "message", "This post cannot be shown."))
            return
        zone = self.user_timezone
        try:
            self.detail_content = posts.get_post(*signed, view.post_id).content
        except ServiceError:
            self.detail_content = ""
        t = view.totals
        self.detail_totals = (
            f"{number(t['engagement'])} engagement · {number(t['likes'])} likes · "
            f"{number(t['comments'])} comments · {number(t['shares'])} shares · "
            f"{number(t['views'])} views"
        )
        self.detail_dests = [
            DestDetail(
                id=str(d.destination_id),
                account=d.account_name,
                platform=d.platform,
                platform_name=platform_name(d.platform),
                status=d.status,
                permalink=d.permalink or "",
                published=short_time(d.published_at, zone),
                latest=(
                    f"{number(d.latest.likes)} likes · {number(d.latest.comments)} comments · "
                    f"{number(d.latest.shares)} shares · {number(d.latest.views)} views"
                    if d.latest
                    else "No metrics yet."
                ),
                history=[
                    {
                        "at": short_time(m.collected_at, zone),
                        "likes": m.likes,
                        "comments": m.comments,
                        "shares": m.shares,
                        "views": m.views,
                    }
                    for m in d.history
                ],
            )
            for d in view.destinations
        ]
        self.detail_loading = False

    @rx.event
    def set_detail_open(self, value: bool):
        self.detail_open = value
