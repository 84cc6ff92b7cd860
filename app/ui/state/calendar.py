"""Calendar page: the posts of the visible range as FullCalendar events, drag to reschedule,
a post dialog with its destinations and actions, filters, live status refresh.

Every action calls the same app.services function as the REST API.
"""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import quote

import reflex as rx

from app.models import DestinationStatus, PostStatus, Role
from app.services import accounts, comments, posts
from app.services.errors import NotFound, ServiceError
from app.ui.format import datetime_zone, platform_name, short, zone
from app.ui.state.auth import AuthState
from app.ui.state.calendar_events import (
    HOT_AHEAD,
    MAX_EVENTS,
    MONTH_ROWS,
    MORE_PREFIX,
    PAGE,
    PLATFORM_COLORS,
    QUIET_REFRESH,
    STALE_DUE,
    STATUS_COLORS,
    STATUS_LABELS,
    delete_text,
    event_of,
    first_range,
    month_cut,
    parse_when,
    recolor,
    shown_status,
    stop_message,
)
from app.ui.state.handlers import SignedIn, setter, shows_errors, signed_in


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
    # The avatars' markup the events name by index (calendar_events.chip_index).
    chips: list[str] = []
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
    _comment_counts: dict[str, int] = {}  # post id → comments, for the events' badges
    # How many events a month cell shows (the browser measures it on datesSet).
    _month_rows: int = MONTH_ROWS
    # Live refresh: when the visible posts were last read, and when one of them next needs
    # watching (the earliest scheduled time; 0 = one is publishing now).
    _fetched_at: float = 0.0
    _watch_from: float | None = None

    # ----------------------------------------------------------------- helpers

    def _can_edit(self) -> bool:
        return self.current_role in (Role.editor.value, Role.admin.value)

    def _render_events(self, found: list[posts.PostView]) -> None:
        can_edit = self._can_edit()
        counts = self._comment_counts
        chips = list(self.chips)
        more: list[dict[str, Any]] = []
        if self.view == "dayGridMonth":
            found, more = month_cut(found, self._month_rows, self.user_timezone)
        events = [
            event_of(p, self._avatars, self.color_by, can_edit, chips, counts.get(str(p.id), 0))
            for p in found
        ] + more
        if chips != self.chips:  # before the events that name them
            self.chips = chips
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
        self._comment_counts = comments.counts(user, wid, [p.id for p in found])
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
        status = shown_status(view)
        self.open_post_id = str(view.id)
        self.post = {
            "id": str(view.id),
            "content": view.content,
            "status": status,
            "status_label": STATUS_LABELS.get(status, status),
            "status_color": STATUS_COLORS.get(status, "#64748b"),
            "when": datetime_zone(
                view.scheduled_at, tz, "Not scheduled", hours=self.user_time_format
            ),
            "edit_href": f"/composer?post={view.id}",
            "can_edit": view.status not in (PostStatus.published, PostStatus.publishing),
            "can_cancel": stoppable,
            "cancel_label": "Stop publishing"
            if view.status == PostStatus.publishing
            else "Cancel post",
            "can_retry": any(d.status == DestinationStatus.failed for d in dests),
            "can_delete": not in_flight,
            "delete_text": delete_text(view),
            "approval": view.approval.value,
            "approval_comment": view.approval_comment or "",
            "can_decide": status == "awaiting_approval" and self.current_role == "admin",
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
                "published_at": datetime_zone(d.published_at, tz, hours=self.user_time_format),
            }
            for d in dests
        ]

    # ----------------------------------------------------------------- page events

    def _same_range(self, start: str, end: str) -> bool:
        """The range read last is `start`..`end` (the same instants, however written)."""
        if (start, end) == (self.range_start, self.range_end):
            return True
        try:
            tz = self.user_timezone
            return (parse_when(start, tz), parse_when(end, tz)) == (
                parse_when(self.range_start, tz),
                parse_when(self.range_end, tz),
            )
        except ValueError:
            return False

    @rx.event
    @signed_in
    def load(self, me: SignedIn):
        # The calendar opens where ?view= and ?date= say (it reads them itself): the posts of
        # that range come with this first load, and its datesSet then finds them read.
        query = self.router.url.query_parameters
        self.view, self.range_start, self.range_end = first_range(
            query.get("view", ""), query.get("date", ""), self.user_timezone
        )
        self.error = ""
        self.selected_at = self.selected_label = ""
        self.open_post_id = ""
        self.confirm_delete = False
        if query.get("status") in {*(s.value for s in PostStatus), "all"}:
            self.f_status = query["status"]  # e.g. the dashboard's drafts: ?status=draft
        try:
            self._load_accounts(me.user, me.wid)
            self._fetch(me.user, me.wid)
        except (ServiceError, ValueError) as exc:  # said on the page; the post still opens
            self.error = getattr(exc, "message", str(exc))
        if query.get("post"):
            return CalendarState.open_post(query["post"])

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def range_changed(self, me: SignedIn, info: dict):
        """FullCalendar's datesSet: the visible range changed (navigation or view switch)."""
        start, end = str(info.get("start", "")), str(info.get("end", ""))
        self.view = str(info.get("view", ""))
        rows = info.get("rows")
        fits = min(rows, 50) if isinstance(rows, int) and rows > 0 else self._month_rows
        if self._same_range(start, end) and fits == self._month_rows:
            return
        self._month_rows = fits
        self.range_start, self.range_end = start, end
        try:
            self._fetch(me.user, me.wid)
        except ValueError as exc:
            self.error = str(exc)
            return rx.toast.error(self.error)
        self.error = ""

    def _quiet(self) -> bool:
        """Nothing in view is about to change: a slower refresh is enough."""
        now = time.time()
        if self.open_post_id or now - self._fetched_at >= QUIET_REFRESH:
            return False
        return self._watch_from is None or self._watch_from > now + HOT_AHEAD

    @rx.event
    @signed_in(quiet=True)
    def tick(self, me: SignedIn, _value: str = ""):
        """Live refresh while the page is open (a timer in the page fires this): every tick
        while a visible post is due or publishing, otherwise every QUIET_REFRESH seconds."""
        if not self.range_start or self._quiet():
            return
        try:
            self._fetch(me.user, me.wid)
            if self.open_post_id and not self.busy:
                post_id = uuid.UUID(self.open_post_id)
                self._show_post(posts.get_post(me.user, me.wid, post_id))
        except NotFound:
            self.open_post_id = ""  # deleted meanwhile (another tab, a teammate)
        except ServiceError:
            pass  # a poll does not toast; the next deliberate action shows the error

    @shows_errors
    @signed_in
    def _refilter(self, me: SignedIn):
        try:
            self._fetch(me.user, me.wid)
        except ValueError as exc:
            return rx.toast.error(str(exc))

    set_account = setter("f_account", then="_refilter", name="set_account")
    set_platform = setter("f_platform", then="_refilter", name="set_platform")
    set_status = setter("f_status", then="_refilter", name="set_status")

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
    @signed_in
    def moved(self, me: SignedIn, change: dict):
        """An event dropped on another time: reschedule the post (its jobs move with it)."""
        revert = rx.call_script("window.__heraldRevert && window.__heraldRevert()")
        try:
            post_id = uuid.UUID(str(change.get("id", "")))
            when = parse_when(str(change.get("start", "")), self.user_timezone)
            view = posts.reschedule(me.user, me.wid, post_id, when, self.user_timezone)
        except ServiceError as exc:  # the event goes back where it was: the toast says why
            self._refilter()
            return [revert, rx.toast.error(f"Not moved: {exc.message}")]
        except ValueError:
            return [revert, rx.toast.error("Not moved: that date could not be read.")]
        self._refilter()
        if self.open_post_id == str(view.id):
            self._show_post(view)
        moved_to = datetime_zone(
            view.scheduled_at, self.user_timezone, "Not scheduled", hours=self.user_time_format
        )
        if view.approval.value == "pending":  # an editor moved an approved post
            return rx.toast.info(
                f"Moved to {moved_to}. The change needs approval again: it is not scheduled "
                "until an admin approves it."
            )
        return rx.toast.success(f"Moved to {moved_to}.")

    # ----------------------------------------------------------------- new post

    @rx.event
    def date_clicked(self, info: dict):
        try:
            when = parse_when(str(info.get("date", "")), self.user_timezone)
        except ValueError:
            return
        self.selected_at = when.astimezone(zone(self.user_timezone)).isoformat()
        self.selected_label = short(when, self.user_timezone, hours=self.user_time_format)

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
    @shows_errors
    @signed_in
    def open_post(self, me: SignedIn, post_id: str):
        if post_id.startswith(MORE_PREFIX):
            return  # a day's "+N more": the browser opened that day (fullcalendar.py)
        self.confirm_delete = False
        try:
            self._show_post(posts.get_post(me.user, me.wid, uuid.UUID(post_id)))
        except ValueError:
            return rx.toast.error("Post not found.")

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

    @shows_errors
    @signed_in
    def _act(self, me: SignedIn, action: str):
        post_id = uuid.UUID(self.open_post_id)
        self.busy = True
        try:
            if action == "cancel":
                view = posts.cancel_post(me.user, me.wid, post_id)
                message = stop_message(view)
            elif action == "retry":
                view = posts.retry_failed(me.user, me.wid, post_id)
                message = "Retrying the failed destinations now."
            else:
                posts.delete_post(me.user, me.wid, post_id)
                view, message = None, "Post deleted."
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
