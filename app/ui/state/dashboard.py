"""Dashboard: upcoming and recent posts, failures and broken accounts with their one-click
fixes, 7/30-day numbers. Reads through app.services.dashboard; acts through the same services
as the REST API (posts.retry_failed, connect.start / connect.login)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
import uuid

import reflex as rx

from app.models import User
from app.services import comments, connect, dashboard, posts
from app.services.errors import ServiceError
from app.ui.components.stat import Stat
from app.ui.format import excerpt, number, platform_name, relative
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, shows_errors, signed_in

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
    comments: int = 0


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


def _card(
    item: dashboard.PostItem,
    when: dt.datetime | None,
    zone: str,
    counts: dict[str, int],
    hours: str = "24h",
) -> Card:
    return Card(
        id=str(item.id),
        comments=counts.get(str(item.id), 0),
        content=excerpt(item.content, 140) or "(no text)",
        status=item.status.value,
        when=relative(when, zone, hours=hours),
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
        Stat("published", "Published", number(s.published),
             f"posts in the last {s.days} days", "circle-check", "green"),
        Stat("failed", "Failed", number(s.failed),
             f"posts in the last {s.days} days", "circle-alert", "red" if s.failed else "gray"),
        Stat("scheduled", "Scheduled", number(s.scheduled),
             f"posts in the next {s.days} days", "clock", "blue"),
        Stat("engagement", "Engagement", number(s.engagement),
             f"{number(s.likes)} likes · {number(s.comments)} comments · "
             f"{number(s.shares)} shares · {number(s.views)} views", "heart", "pink"),
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

    def _refresh(self, user: User, wid: uuid.UUID) -> None:
        view = dashboard.overview(user, wid)
        zone, hours = self.user_timezone, self.user_time_format
        listed = [p.id for p in (*view.upcoming, *view.recent, *view.failures)]
        counts = comments.counts(user, wid, listed)
        self.upcoming = [_card(p, p.scheduled_at, zone, counts, hours) for p in view.upcoming]
        self.recent = [_card(p, p.published_at, zone, counts, hours) for p in view.recent]
        self.failures = [
            _card(p, max(d.updated_at for d in p.destinations), zone, counts, hours)
            for p in view.failures
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
                since=relative(a.status_changed_at, zone, hours=hours),
            )
            for a in view.broken_accounts
        ]
        self.stats_week = _stats(view.stats[7])
        self.stats_month = _stats(view.stats[30])
        self.has_accounts = view.account_count > 0
        self.has_posts = view.post_count > 0
        self.updated = relative(view.generated_at, zone, hours=hours)
        self.error = ""
        self._fingerprint = view.fingerprint
        self._loaded_at = time.monotonic()
        self._loaded_for = str(wid)

    @rx.event
    @signed_in
    def load(self, me: SignedIn):
        if self._loaded_for != str(me.wid):
            self.loading = True  # another workspace's numbers must not show meanwhile
            yield
        self._reload(me)
        self.loading = False

    @shows_errors(inline="error", toast=False)
    def _reload(self, me: SignedIn, if_changed: bool = False) -> None:
        """Read the overview again (`if_changed`: only when the fingerprint moved, or when the
        last full read is older than FULL_REFRESH_S)."""
        fresh = time.monotonic() - self._loaded_at <= FULL_REFRESH_S
        if if_changed and fresh and dashboard.fingerprint(me.user, me.wid) == self._fingerprint:
            return
        self._refresh(me.user, me.wid)

    @rx.event
    @signed_in(quiet=True)
    def tick(self, me: SignedIn, _value: str = ""):
        """Every few seconds while the page is open: reload when anything changed."""
        if not self.loading:
            self._reload(me, if_changed=True)

    @rx.event
    def set_period(self, value: str | list[str]):
        value = value[0] if isinstance(value, list) else value
        if value in ("7", "30"):
            self.period = value

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def retry(self, me: SignedIn, post_id: str):
        self.retrying = post_id
        yield
        try:
            view = posts.retry_failed(me.user, me.wid, uuid.UUID(post_id))
        except ValueError:
            self.error = "This post cannot be retried."
            yield rx.toast.error(self.error)
            return
        finally:
            self.retrying = ""
        names = ", ".join(
            f"{platform_name(d.platform)} · {d.account_name}"
            for d in view.destinations
            if d.status.value in ("pending", "queued", "publishing")
        )
        self._refresh(me.user, me.wid)
        yield rx.toast.success(f"Retrying now on {names}." if names else "Retrying now.")

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def reconnect(self, me: SignedIn, account_id: str):
        """The same reconnection as the Accounts page (connect.reconnect): OAuth, coming back
        through the callback to /accounts, or at once (on the server) for a sandbox account."""
        self.reconnecting = account_id
        try:
            url = connect.reconnect(me.user, me.wid, uuid.UUID(account_id))
        except ServiceError:
            self.reconnecting = ""
            raise
        if url is None:
            self.reconnecting = ""
            self._refresh(me.user, me.wid)
            return rx.toast.success("Reconnected.")
        if url.startswith("/"):  # a sandbox login managing several accounts: which of them
            return rx.redirect(url)
        return rx.call_script(f"window.location.assign({json.dumps(url)})")
