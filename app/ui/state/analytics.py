"""Analytics page: followers, engagement per post and per platform, top posts, a post's own
metrics history. Reads through app.services.analytics (the same functions as
/api/analytics); "Sync now" goes through app.services.metrics.request_sync."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import reflex as rx

from app.models import User
from app.services import accounts, analytics, metrics, posts
from app.services.errors import ServiceError
from app.ui.components.stat import Stat
from app.ui.format import day, excerpt, number, platform_name, relative, zone
from app.ui.state.analytics_data import (
    BAR_POSTS,
    FULL_REFRESH_S,
    PLATFORM_COLORS,
    PRESETS,
    DestDetail,
    TopRow,
    date_range,
    follower_chart,
    stat_tiles,
)
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, setter, shows_errors, signed_in


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
        except ServiceError as exc:  # a range the service refuses: said next to the range
            self.range_error = exc.message
            return
        names = {str(a.account_id): a.account_name for a in agg.accounts}
        tz = self.user_timezone
        self.range_label = label
        self.stats = stat_tiles(agg.totals)
        self.follower_rows, self.follower_lines = follower_chart(agg)
        self.post_rows = [
            {
                "label": f"{day(p.published_at.astimezone(zone(tz)), year=False)} · "
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
                content=excerpt(t.content, 90) or "(no text)",
                account=names.get(str(t.account_id), ""),
                platform=t.platform,
                platform_name=platform_name(t.platform),
                when=relative(t.published_at, tz, hours=self.user_time_format),
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

    @shows_errors(inline="error", toast=False)
    @signed_in
    def _reload(self, me: SignedIn):
        try:
            self._refresh(me.user, me.wid)
        finally:
            self.loading = False

    @rx.event
    def load(self):
        if not self.custom_to:
            today = dt.datetime.now(zone(self.user_timezone)).date()
            self.custom_to = today.isoformat()
            self.custom_from = (today - dt.timedelta(days=29)).isoformat()
        self.detail_open = False
        return self._reload()

    @rx.event
    @signed_in(quiet=True)
    def tick(self, me: SignedIn, _value: str = ""):
        """Every few seconds while the page is open: reload when new metrics arrived."""
        if self.loading:
            return
        try:
            stale = time.monotonic() - self._loaded_at > FULL_REFRESH_S
            changed = analytics.fingerprint(me.user, me.wid) != self._fingerprint
        except ServiceError:  # a poll does not toast; the next deliberate action shows it
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

    set_custom_from = setter("custom_from", then="_reload")
    set_custom_to = setter("custom_to", then="_reload")
    set_account_filter = setter("account_filter", then="_reload")

    @rx.event
    def set_platform_filter(self, value: str):
        self.platform_filter = value
        if value != "all" and self._account_platforms.get(self.account_filter) != value:
            self.account_filter = "all"
        return self._reload()

    @rx.event
    @shows_errors
    @signed_in
    def sync_now(self, me: SignedIn):
        try:
            queued = metrics.request_sync(me.user, me.wid)
        except ServiceError:
            raise  # shown by @shows_errors
        except Exception:  # Redis down: say so instead of failing silently
            return rx.toast.error("Could not reach the job queue. Try again in a minute.")
        self.syncing = True
        if queued:
            return rx.toast.success("Syncing metrics now: the numbers update here in a moment.")
        return rx.toast.info("A sync is already running for this workspace.")

    # ----------------------------------------------------------------- post dialog

    @rx.event
    @signed_in
    def open_post(self, me: SignedIn, post_id: str):
        self.detail_open = True
        self.detail_loading = True
        self.detail_dests = []
        self.detail_content = ""
        yield
        try:
            view = analytics.post_analytics(me.user, me.wid, uuid.UUID(post_id))
        except (ServiceError, ValueError) as exc:  # the dialog closes again: no inline place
            self.detail_open = self.detail_loading = False
            yield rx.toast.error(getattr(exc, "message", "This post cannot be shown."))
            return
        self._show_post(me, view)
        self.detail_loading = False

    def _show_post(self, me: SignedIn, view: analytics.PostAnalytics) -> None:
        tz = self.user_timezone
        try:
            self.detail_content = posts.get_post(me.user, me.wid, view.post_id).content
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
                published=relative(d.published_at, tz, hours=self.user_time_format),
                latest=(
                    f"{number(d.latest.likes)} likes · {number(d.latest.comments)} comments · "
                    f"{number(d.latest.shares)} shares · {number(d.latest.views)} views"
                    if d.latest
                    else "No metrics yet."
                ),
                history=[
                    {
                        "at": relative(m.collected_at, tz, hours=self.user_time_format),
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

    @rx.event
    def set_detail_open(self, value: bool):
        self.detail_open = value
