"""Dashboard: upcoming and recent posts, failures and broken accounts with their one-click
fixes, 7/30-day numbers. Reads through app.services.dashboard; acts through the same services
as the REST API (posts.retry_failed, connect.start / connect.login)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
import uuid
import zoneinfo

import reflex as rx

from app.models import User
from app.providers.registry import UnknownPlatform, provider_class
from app.services import connect, dashboard, posts
from app.services.errors import ServiceError
from app.ui.components.stat import Stat
from app.ui.state.auth import AuthState

# A full reload at least this often even when nothing changed (the 7-day window moves on).
FULL_REFRESH_S = 60.0


@dataclasses.dataclass
class Chip:
    """One destination of a post: the account (avatar) and how it went there."""

    account_id: str = ""
    name: str = ""
    platform: str = ""
    platform_name: str = ""
    avatar: str = ""
    status: str = ""
    permalink: str = ""
    error: str = ""
    account_status: str = ""


@dataclasses.dataclass
class Card:
    id: str = ""
    content: str = ""
    status: str = ""
    when: str = ""
    when_iso: str = ""
    chips: list[Chip] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class BrokenCard:
    id: str = ""
    name: str = ""
    username: str = ""
    platform: str = ""
    platform_name: str = ""
    avatar: str = ""
    status: str = ""
    error: str = ""
    since: str = ""


def platform_name(platform: str) -> str:
    try:
        return provider_class(platform).display_name
    except UnknownPlatform:
        return platform


def local_time(value: dt.datetime | None, zone: str, now: dt.datetime | None = None) -> str:
    """A time as the user reads it: 'Today 14:30', 'Tomorrow 09:00', 'Wed 3 Dec 14:30'."""
    if value is None:
        return ""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    local = value.astimezone(tz)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return f"Today {clock}"
    if days == 1:
        return f"Tomorrow {clock}"
    if days == -1:
        return f"Yesterday {clock}"
    if local.year == today.year:
        return f"{local:%a} {local.day} {local:%b} {clock}"
    return f"{local.day} {local:%b %Y} {clock}"


def _excerpt(text: str, n: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _number(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if n >= 10_000:
        return f"{n / 1000:.1f}k".replace(".0k", "k")
    return f"{n:,}"


def _card(item: dashboard.PostItem, when: dt.datetime | None, zone: str) -> Card:
    return Card(
        id=str(item.id),
        content=_excerpt(item.content) or "(no text)",
        status=item.status.value,
        when=local_time(when, zone),
        when_iso=when.isoformat() if when else "",
        chips=[
            Chip(
                account_id=str(d.account.id),
                name=d.account.name,
                platform=d.account.platform,
                platform_name=platform_name(d.account.platform),
                avatar=d.account.avatar_url,
                status=d.status.value,
                permalink=d.permalink or "",
                error=d.error_message or "The platform gave no reason.",
                account_status=d.account.status.value,
            )
            for d in item.destinations
        ],
    )


def _stats(s: dashboard.Stats) -> list[Stat]:
    return [
        Stat("published", "Published", _number(s.published),
             f"posts in the last {s.days} days", "circle-check", "green"),
        Stat("failed", "Failed", _number(s.failed),
             f"posts in the last {s.days} days", "circle-alert", "red" if s.failed else "gray"),
        Stat("scheduled", "Scheduled", _number(s.scheduled),
             f"posts in the next {s.days} days", "clock", "blue"),
        Stat("engagement", "Engagement", _number(s.engagement),
             f"{_number(s.likes)} likes · {_number(s.comments)} comments · "
             f"{_number(s.shares)} shares · {_number(s.views)} views", "heart", "pink"),
    ]  # fmt: skip


class DashboardState(AuthState):
    loading: bool = True
    error: str = ""
    upcoming: list[Card] = []
    recent: list[Card] = []
    failures: list[Card] = []
    broken: list[BrokenCard] = []
    stats_week: list[Stat] = []
    stats_month: list[Stat] = []
    period: str = "7"
    has_accounts: bool = True
    has_posts: bool = True
    retrying: str = ""
    reconnecting: str = ""
    updated: str = ""
    _fingerprint: str = ""
    _loaded_at: float = 0.0
    _loaded_for: str = ""

    @rx.var
    def stats(self) -> list[Stat]:
        return self.stats_month if self.period == "30" else self.stats_week

    @rx.var
    def can_edit(self) -> bool:
        return self.current_role in ("admin", "editor")

    @rx.var
    def needs_attention(self) -> bool:
        return bool(self.failures or self.broken)

    def _signed_in(self) -> tuple[User, uuid.UUID] | None:
        user, wid = self._user(), self._workspace_uuid()
        return (user, wid) if user is not None and wid is not None else None

    def _refresh(self, user: User, wid: uuid.UUID) -> None:
        fingerprint = dashboard.fingerprint(user, wid)
        view = dashboard.overview(user, wid)
        zone = self.user_timezone
        self.upcoming = [_card(p, p.scheduled_at, zone) for p in view.upcoming]
        self.recent = [_card(p, p.published_at, zone) for p in view.recent]
        self.failures = [
            _card(p, max(d.updated_at for d in p.destinations), zone) for p in view.failures
        ]
        self.broken = [
            BrokenCard(
                id=str(a.id),
                name=a.name,
                username=a.username,
                platform=a.platform,
                platform_name=platform_name(a.platform),
                avatar=a.avatar_url,
                status=a.status.value,
                error=a.last_error or "",
                since=local_time(a.status_changed_at, zone),
            )
            for a in view.broken_accounts
        ]
        self.stats_week = _stats(view.stats[7])
        self.stats_month = _stats(view.stats[30])
        self.has_accounts = view.account_count > 0
        self.has_posts = view.post_count > 0
        self.updated = local_time(view.generated_at, zone)
        self.error = ""
        self._fingerprint = fingerprint
        self._loaded_at = time.monotonic()
        self._loaded_for = str(wid)

    @rx.event
    def load(self):
        signed = self._signed_in()
        if signed is None:
            return self._login_redirect()
        user, wid = signed
        if self._loaded_for != str(wid):
            self.loading = True  # another workspace's numbers must not show meanwhile
            yield
        try:
            self._refresh(user, wid)
        except ServiceError as exc:
            self.error = exc.message
        self.loading = False

    @rx.event
    def tick(self, _value: str = ""):
        """Every few seconds while the page is open: reload when anything changed."""
        if self.loading:
            return
        signed = self._signed_in()
        if signed is None:
            return
        user, wid = signed
        try:
            stale = time.monotonic() - self._loaded_at > FULL_REFRESH_S
            if stale or dashboard.fingerprint(user, wid) != self._fingerprint:
                self._refresh(user, wid)
        except ServiceError as exc:
            self.error = exc.message

    @rx.event
    def set_period(self, value: str | list[str]):
        value = value[0] if isinstance(value, list) else value
        if value in ("7", "30"):
            self.period = value

    @rx.event
    def retry(self, post_id: str):
        signed = self._signed_in()
        if signed is None:
            return self._login_redirect()
        user, wid = signed
        self.retrying = post_id
        yield
        try:
            view = posts.retry_failed(user, wid, uuid.UUID(post_id))
        except (ServiceError, ValueError) as exc:
            self.retrying = ""
            message = getattr(exc, "message", "This post cannot be retried.")
            self.error = message
            yield rx.toast.error(message)
            return
        names = ", ".join(
            f"{platform_name(d.platform)} · {d.account_name}"
            for d in view.destinations
            if d.status.value in ("pending", "queued", "publishing")
        )
        self.retrying = ""
        self._refresh(user, wid)
        yield rx.toast.success(f"Retrying now on {names}." if names else "Retrying now.")

    @rx.event
    def reconnect(self, account_id: str):
        """The same reconnection as the Accounts page (connect.reconnect): OAuth, coming back
        through the callback to /accounts, or at once (on the server) for a sandbox account."""
        signed = self._signed_in()
        if signed is None:
            return self._login_redirect()
        user, wid = signed
        try:
            self.reconnecting = account_id
            url = connect.reconnect(user, wid, uuid.UUID(account_id))
        except ServiceError as exc:
            self.reconnecting = ""
            self.error = exc.message
            return rx.toast.error(exc.message)
        if url is None:
            self.reconnecting = ""
            self._refresh(user, wid)
            return rx.toast.success("Reconnected.")
        if url.startswith("/"):  # a sandbox login managing several accounts: which of them
            return rx.redirect(url)
        return rx.call_script(f"window.location.assign({json.dumps(url)})")
