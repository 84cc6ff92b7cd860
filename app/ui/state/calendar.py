"""Calendar page: the posts of the visible range as FullCalendar events, drag to reschedule,
a post dialog with its destinations and actions, filters, live status refresh.

Every action calls the same app.services function as the REST API.
"""

from __future__ import annotations

import datetime as dt
import html
import time
import uuid
import zoneinfo
from typing import Any
from urllib.parse import quote

import reflex as rx

from app.models import DestinationStatus, PostStatus, Role
from app.providers.registry import provider_class
from app.services import accounts, posts
from app.services.errors import NotFound, ServiceError
from app.services.post_status import WAITING
from app.ui.state.auth import AuthState

# Distinct colours per network (close to each brand where that stays readable).
PLATFORM_COLORS = {
    "x": "#475569",
    "bluesky": "#0284c7",
    "mastodon": "#6364ff",
    "threads": "#a16207",
    "linkedin": "#0a66c2",
    "facebook": "#4f46e5",
    "instagram": "#c026d3",
    "youtube": "#dc2626",
    "tiktok": "#0d9488",
    "pinterest": "#be123c",
}
STATUS_COLORS = {
    "draft": "#71717a",
    "scheduled": "#2563eb",
    "publishing": "#d97706",
    "published": "#16a34a",
    "partially_published": "#ca8a04",
    "failed": "#dc2626",
    "cancelled": "#a1a1aa",
}
STATUS_LABELS = {
    "draft": "Draft",
    "scheduled": "Scheduled",
    "publishing": "Publishing",
    "published": "Published",
    "partially_published": "Partly published",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
# Posts of one range are read in pages of the service's maximum page size.
PAGE = 500
MAX_EVENTS = 5000
TITLE_WORDS = 6
TITLE_CHARS = 48
# Live refresh: posts due within HOT_AHEAD seconds (or overdue by less than STALE_DUE, or
# publishing) are watched on every tick; otherwise the page re-reads every QUIET_REFRESH.
HOT_AHEAD = 120
STALE_DUE = 15 * 60
QUIET_REFRESH = 20
NEW_POST_HOUR = 9  # a whole day clicked in the month view: suggest 09:00 that day


def platform_name(platform: str) -> str:
    try:
        return provider_class(platform).display_name
    except KeyError:
        return platform


def title_of(content: str) -> str:
    words = content.split()
    if not words:
        return "(no text)"
    title = " ".join(words[:TITLE_WORDS])
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rstrip() + "…"
    elif len(words) > TITLE_WORDS:
        title += "…"
    return title


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def parse_when(value: str, timezone: str) -> dt.datetime:
    """A FullCalendar date string: with an offset, naive (wall time in `timezone`), or a date."""
    value = value.strip()
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return dt.datetime(day.year, day.month, day.day, NEW_POST_HOUR, tzinfo=_zone(timezone))
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=_zone(timezone))
    return when


def format_when(when: dt.datetime | None, timezone: str) -> str:
    if when is None:
        return "Not scheduled"
    local = when.astimezone(_zone(timezone))
    return f"{local:%a %-d %b %Y, %H:%M} {local.tzname()}"


def _avatar_html(dest: posts.DestinationView, avatar: str) -> str:
    name = html.escape(f"{platform_name(dest.platform)} · {dest.account_name}", quote=True)
    color = PLATFORM_COLORS.get(dest.platform, "#64748b")
    if avatar.startswith(("https://", "http://", "/")):
        src = html.escape(avatar, quote=True)
        return (
            f'<img class="herald-ev-avatar" src="{src}" alt="" title="{name}" '
            f'loading="lazy" style="border-color:{color}">'
        )
    letter = html.escape(platform_name(dest.platform)[:1].upper())
    return f'<span class="herald-ev-chip" title="{name}" style="background:{color}">{letter}</span>'


def _color(status: str, platforms: list[str], color_by: str) -> tuple[str, str]:
    """(background, border): by platform the border still tells the status."""
    if color_by == "status" or not platforms:
        color = STATUS_COLORS.get(status, "#64748b")
        return color, color
    return PLATFORM_COLORS.get(platforms[0], "#64748b"), STATUS_COLORS.get(status, "#64748b")


def recolor(event: dict[str, Any], color_by: str) -> dict[str, Any]:
    props = event.get("extendedProps", {})
    platforms = [p for p in str(props.get("platforms", "")).split(",") if p]
    background, border = _color(str(props.get("status", "")), platforms, color_by)
    return {**event, "backgroundColor": background, "borderColor": border}


def event_of(
    post: posts.PostView, avatars: dict[str, str], color_by: str, can_edit: bool
) -> dict[str, Any]:
    status = post.status.value
    platforms = list(dict.fromkeys(d.platform for d in post.destinations))
    background, border = _color(status, platforms, color_by)
    title = title_of(post.content)
    chips = "".join(
        _avatar_html(d, avatars.get(str(d.account_id), "")) for d in post.destinations[:3]
    )
    more = len(post.destinations) - 3
    if more > 0:
        chips += f'<span class="herald-ev-more">+{more}</span>'
    # Screen readers hear the status first (the colour says it to the eye).
    state = html.escape(STATUS_LABELS.get(status, status))
    body = (
        f'<span class="herald-sr">{state}: </span>'
        f'<span class="herald-ev-title">{html.escape(title)}</span>'
    )
    return {
        "id": str(post.id),
        "title": title,
        "start": post.scheduled_at.astimezone(dt.UTC).isoformat() if post.scheduled_at else "",
        "editable": can_edit and post.status == PostStatus.scheduled,
        "backgroundColor": background,
        "borderColor": border,
        "textColor": "#ffffff",
        "classNames": [f"herald-status-{status}"],
        "extendedProps": {
            "status": status,
            "platforms": ",".join(platforms),
            "html": f'<span class="herald-ev-avatars">{chips}</span>{body}',
        },
    }


def stop_message(view: posts.PostView) -> str:
    """What stopping a post did, network by network: what stays online, what may already be
    there, what is still being sent, and that the rest will not go out."""

    def names(wanted) -> str:
        return ", ".join(
            f"{platform_name(d.platform)} · {d.account_name}"
            + (f" ({d.permalink})" if d.permalink else "")
            for d in view.destinations
            if wanted(d)
        )

    parts = []
    live = names(lambda d: d.status == DestinationStatus.published)
    sending = names(lambda d: d.status == DestinationStatus.publishing)
    unsure = names(lambda d: d.status == DestinationStatus.unknown)
    if live:
        parts.append(f"Already published on {live}: it stays there.")
    if sending:
        parts.append(f"Being sent to {sending} right now: Herald stops after this attempt.")
    if unsure:
        parts.append(f"May already be on {unsure}: Herald is checking and will not send it again.")
    stopped = names(lambda d: d.status == DestinationStatus.cancelled)
    if not parts:
        return f"Post cancelled: nothing was published ({stopped})."
    if stopped:
        parts.append(f"Not published on {stopped}.")
    return " ".join(parts)


class CalendarState(AuthState):
    range_start: str = ""
    range_end: str = ""
    view: str = ""
    color_by: str = "platform"
    f_account: str = "all"
    f_platform: str = "all"
    f_status: str = "all"
    account_options: list[dict[str, str]] = []
    platform_options: list[dict[str, str]] = []
    events: list[dict[str, Any]] = []
    count: int = 0
    truncated: bool = False
    error: str = ""
    # A day/slot clicked: where "New post" puts the new post.
    selected_at: str = ""
    selected_label: str = ""
    # The post dialog.
    open_post_id: str = ""
    post: dict[str, Any] = {}
    destinations: list[dict[str, str]] = []
    confirm_delete: bool = False
    busy: bool = False

    _avatars: dict[str, str] = {}
    # Live refresh: when the visible posts were last read, and when one of them next needs
    # watching (the earliest scheduled time; 0 = one is publishing now).
    _fetched_at: float = 0.0
    _watch_from: float | None = None

    # ----------------------------------------------------------------- helpers

    def _ctx(self):
        user, wid = self._user(), self._workspace_uuid()
        return user, wid

    def _can_edit(self) -> bool:
        return self.current_role in (Role.editor.value, Role.admin.value)

    def _render_events(self, found: list[posts.PostView]) -> None:
        can_edit = self._can_edit()
        events = [event_of(p, self._avatars, self.color_by, can_edit) for p in found]
        if events != self.events:  # unchanged: nothing is sent, the calendar is left alone
            self.events = events

    def _fetch(self, user, wid: uuid.UUID) -> None:
        """Read the posts of the visible range (all pages of it), with the filters."""
        if not self.range_start or not self.range_end:
            return
        start = parse_when(self.range_start, self.user_timezone)
        end = parse_when(self.range_end, self.user_timezone)
        statuses = [PostStatus(self.f_status)] if self.f_status != "all" else None
        account_id = uuid.UUID(self.f_account) if self.f_account != "all" else None
        platform = self.f_platform if self.f_platform != "all" else None
        found: list[posts.PostView] = []
        total = 0
        while True:
            page = posts.list_posts(
                user, wid, statuses=statuses, start=start, end=end, account_id=account_id,
                platform=platform, limit=PAGE, offset=len(found),
            )  # fmt: skip
            found += page.items
            total = page.total
            if not page.items or len(found) >= min(total, MAX_EVENTS):
                break
        self.count = len(found)
        self.truncated = total > len(found)
        self._render_events(found)
        self._fetched_at = time.time()
        due: list[float] = []
        for p in found:
            if p.status == PostStatus.publishing:
                due.append(0.0)
            elif p.status == PostStatus.scheduled and p.scheduled_at:
                at = p.scheduled_at.timestamp()
                if at > self._fetched_at - STALE_DUE:
                    due.append(at)
        self._watch_from = min(due) if due else None

    def _load_accounts(self, user, wid: uuid.UUID) -> None:
        views = accounts.list_accounts(user, wid)
        self._avatars = {str(a.id): a.avatar_url or "" for a in views}
        self.account_options = [
            {"id": str(a.id), "label": f"{platform_name(a.platform)} · {a.name or a.username}"}
            for a in views
        ]
        seen = list(dict.fromkeys(a.platform for a in views))
        self.platform_options = [{"id": p, "label": platform_name(p)} for p in seen]

    def _show_post(self, view: posts.PostView) -> None:
        tz = self.user_timezone
        dests = view.destinations
        in_flight = any(d.status == DestinationStatus.publishing for d in dests)
        stoppable = view.status != PostStatus.cancelled and any(
            d.status not in (DestinationStatus.published, DestinationStatus.cancelled)
            and d.stop_requested_at is None
            for d in dests
        )
        status = view.status.value
        self.open_post_id = str(view.id)
        self.post = {
            "id": str(view.id),
            "content": view.content,
            "status": status,
            "status_label": STATUS_LABELS.get(status, status),
            "status_color": STATUS_COLORS.get(status, "#64748b"),
            "when": format_when(view.scheduled_at, tz),
            "edit_href": f"/composer?post={view.id}",
            "can_edit": view.status not in (PostStatus.published, PostStatus.publishing),
            "can_cancel": stoppable,
            "cancel_label": "Stop publishing"
            if view.status == PostStatus.publishing
            else "Cancel post",
            "can_retry": any(d.status == DestinationStatus.failed for d in dests),
            "can_delete": not in_flight,
            "delete_text": delete_text(view),
        }
        self.destinations = [
            {
                "id": str(d.id),
                "platform": d.platform,
                "platform_name": platform_name(d.platform),
                "account": d.account_name,
                "avatar": self._avatars.get(str(d.account_id), ""),
                "status": d.status.value,
                "permalink": d.permalink or "",
                "error": d.error_message or "",
                "attempts": str(d.attempts),
                "published_at": format_when(d.published_at, tz) if d.published_at else "",
            }
            for d in dests
        ]

    # ----------------------------------------------------------------- page events

    @rx.event
    def load(self):
        user, wid = self._ctx()
        if user is None or wid is None:
            return self._login_redirect()
        # The calendar reads ?view= and ?date= itself; its datesSet then gives the range.
        query = self.router.url.query_parameters
        self.error = ""
        self.selected_at = self.selected_label = ""
        self.open_post_id = ""
        self.confirm_delete = False
        try:
            self._load_accounts(user, wid)
            self._fetch(user, wid)  # the range known from before (datesSet may come first)
        except (ServiceError, ValueError) as exc:
            self.error = getattr(exc, "message", str(exc))
        if query.get("post"):
            return CalendarState.open_post(query["post"])

    @rx.event
    def range_changed(self, info: dict):
        """FullCalendar's datesSet: the visible range changed (navigation or view switch)."""
        user, wid = self._ctx()
        if user is None or wid is None:
            return self._login_redirect()
        start, end = str(info.get("start", "")), str(info.get("end", ""))
        if (start, end) == (self.range_start, self.range_end):
            return
        self.range_start, self.range_end = start, end
        self.view = str(info.get("view", ""))
        try:
            self._fetch(user, wid)
            self.error = ""
        except (ServiceError, ValueError) as exc:
            self.error = getattr(exc, "message", str(exc))
            return rx.toast.error(self.error)

    def _quiet(self) -> bool:
        """Nothing in view is about to change: a slower refresh is enough."""
        now = time.time()
        if self.open_post_id or now - self._fetched_at >= QUIET_REFRESH:
            return False
        return self._watch_from is None or self._watch_from > now + HOT_AHEAD

    @rx.event
    def tick(self, _value: str = ""):
        """Live refresh while the page is open (a timer in the page fires this): every tick
        while a visible post is due or publishing, otherwise every QUIET_REFRESH seconds."""
        if not self.range_start or self._quiet():
            return
        user, wid = self._ctx()
        if user is None or wid is None:
            return
        try:
            self._fetch(user, wid)
            if self.open_post_id and not self.busy:
                self._show_post(posts.get_post(user, wid, uuid.UUID(self.open_post_id)))
        except NotFound:
            self.open_post_id = ""  # deleted meanwhile (another tab, a teammate)
        except ServiceError:
            pass  # a poll does not toast; the next deliberate action shows the error

    def _refilter(self):
        user, wid = self._ctx()
        if user is None or wid is None:
            return self._login_redirect()
        try:
            self._fetch(user, wid)
        except (ServiceError, ValueError) as exc:
            return rx.toast.error(getattr(exc, "message", str(exc)))

    @rx.event
    def set_account(self, value: str):
        self.f_account = value
        return self._refilter()

    @rx.event
    def set_platform(self, value: str):
        self.f_platform = value
        return self._refilter()

    @rx.event
    def set_status(self, value: str):
        self.f_status = value
        return self._refilter()

    @rx.event
    def clear_filters(self):
        self.f_account = self.f_platform = self.f_status = "all"
        return self._refilter()

    @rx.event
    def set_color_by(self, value: str | list[str]):
        if value in ("platform", "status") and value != self.color_by:
            self.color_by = value
            self.events = [recolor(e, value) for e in self.events]

    # ----------------------------------------------------------------- drag and drop

    @rx.event
    def moved(self, change: dict):
        """An event dropped on another time: reschedule the post (its jobs move with it)."""
        user, wid = self._ctx()
        if user is None or wid is None:
            return self._login_redirect()
        revert = rx.call_script("window.__heraldRevert && window.__heraldRevert()")
        try:
            post_id = uuid.UUID(str(change.get("id", "")))
            when = parse_when(str(change.get("start", "")), self.user_timezone)
            view = posts.reschedule(user, wid, post_id, when, self.user_timezone)
        except ServiceError as exc:
            self._refilter()
            return [revert, rx.toast.error(f"Not moved: {exc.message}")]
        except ValueError:
            return [revert, rx.toast.error("Not moved: that date could not be read.")]
        self._refilter()
        if self.open_post_id == str(view.id):
            self._show_post(view)
        return rx.toast.success(f"Moved to {format_when(view.scheduled_at, self.user_timezone)}.")

    # ----------------------------------------------------------------- new post

    @rx.event
    def date_clicked(self, info: dict):
        try:
            when = parse_when(str(info.get("date", "")), self.user_timezone)
        except ValueError:
            return
        local = when.astimezone(_zone(self.user_timezone))
        self.selected_at = local.isoformat()
        self.selected_label = f"{local:%a %-d %b, %H:%M}"

    @rx.event
    def clear_selection(self):
        self.selected_at = self.selected_label = ""

    @rx.var
    def new_post_href(self) -> str:
        if self.selected_at:
            return f"/composer?at={quote(self.selected_at, safe='')}"
        return "/composer"

    @rx.event
    def new_post(self):
        return rx.redirect(self.new_post_href)

    # ----------------------------------------------------------------- the post dialog

    @rx.event
    def open_post(self, post_id: str):
        user, wid = self._ctx()
        if user is None or wid is None:
            return self._login_redirect()
        self.confirm_delete = False
        try:
            self._show_post(posts.get_post(user, wid, uuid.UUID(post_id)))
        except ValueError:
            return rx.toast.error("Post not found.")
        except ServiceError as exc:
            return rx.toast.error(exc.message)

    @rx.event
    def set_dialog_open(self, is_open: bool):
        if not is_open:
            self.open_post_id = ""
            self.confirm_delete = False

    @rx.event
    def close_post(self):
        self.open_post_id = ""
        self.confirm_delete = False

    @rx.event
    def ask_delete(self, value: bool = True):
        self.confirm_delete = value

    def _act(self, action: str):
        user, wid = self._ctx()
        if user is None or wid is None:
            return self._login_redirect()
        post_id = uuid.UUID(self.open_post_id)
        self.busy = True
        try:
            if action == "cancel":
                view = posts.cancel_post(user, wid, post_id)
                message = stop_message(view)
            elif action == "retry":
                view = posts.retry_failed(user, wid, post_id)
                message = "Retrying the failed destinations now."
            else:
                posts.delete_post(user, wid, post_id)
                view, message = None, "Post deleted."
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        finally:
            self.busy = False
            self.confirm_delete = False
        if view is None:
            self.open_post_id = ""
        else:
            self._show_post(view)
        self._refilter()
        return rx.toast.success(message)

    @rx.event
    def cancel_open_post(self):
        return self._act("cancel")

    @rx.event
    def retry_open_post(self):
        return self._act("retry")

    @rx.event
    def delete_open_post(self):
        return self._act("delete")

    # ----------------------------------------------------------------- computed

    @rx.var
    def can_edit(self) -> bool:
        return self.current_role in ("editor", "admin")

    @rx.var
    def filtered(self) -> bool:
        return (self.f_account, self.f_platform, self.f_status) != ("all", "all", "all")

    @rx.var
    def legend(self) -> list[dict[str, str]]:
        if self.color_by == "status":
            return [
                {"label": STATUS_LABELS[k], "color": v, "key": k} for k, v in STATUS_COLORS.items()
            ]
        platforms = [o["id"] for o in self.platform_options] or list(PLATFORM_COLORS)
        return [
            {"label": platform_name(p), "color": PLATFORM_COLORS.get(p, "#64748b"), "key": p}
            for p in platforms
        ]


def delete_text(view: posts.PostView) -> str:
    """What deleting the post does, for its confirmation."""
    waiting = sum(1 for d in view.destinations if d.status in WAITING)
    published = sum(1 for d in view.destinations if d.status == DestinationStatus.published)
    parts = []
    if waiting:
        parts.append(
            f"It will not go out to the {waiting} account{'s' * (waiting != 1)} still waiting "
            "for it."
        )
    if published:
        copies = (
            "The copy already published stays"
            if published == 1
            else (f"The {published} copies already published stay")
        )
        them = "it" if published == 1 else "them"
        parts.append(f"{copies} on the networks: delete {them} there if needed.")
    parts.append("Its history in Herald (attempts, analytics) goes too. This cannot be undone.")
    return " ".join(parts)
