"""The bell: unread count (polled cheaply), the latest notifications in a popover, the full
/notifications page, marking read. Preferences and chat channels: state/notify_prefs.py."""

from __future__ import annotations

import reflex as rx

from app.services import notifications
from app.services.errors import ServiceError
from app.ui import format
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, guarded_event, shows_errors, signed_in

POLL_MS = 20_000
PANEL = 12  # notifications in the popover
PAGE = 50


# The bell's handlers: errors as toasts; nothing happens when signed out (it polls).
bell_event = guarded_event(quiet=True)


class NotifyState(AuthState):
    unread: int = 0
    items: list[dict[str, str]] = []
    next_before: int = 0
    loading: bool = True

    def _rows(self, page: notifications.NotificationPage) -> list[dict[str, str]]:
        return [
            {
                "id": str(n.id),
                "title": n.title,
                "body": n.body,
                "link": n.link,
                "group": n.group,
                "verb": n.verb,
                "read": "yes" if n.read else "",
                "when": format.relative(n.created_at, self.user_timezone),
            }
            for n in page.items
        ]

    def _load(self, me: SignedIn, limit: int, more: bool = False) -> None:
        page = notifications.list_notifications(
            me.user, me.wid, before=self.next_before if more else None, limit=limit
        )
        rows = self._rows(page)
        self.items = [*self.items, *rows] if more else rows
        self.unread = page.unread
        self.next_before = page.next_before or 0
        self.loading = False

    @rx.event
    @signed_in(quiet=True)
    def poll(self, me: SignedIn, _value: str = ""):
        """The live count: one indexed count every POLL_MS."""
        try:
            self.unread = notifications.unread_count(me.user, me.wid)
        except ServiceError:
            self.unread = 0

    @bell_event
    def opened(self, me: SignedIn, is_open: bool):
        if is_open:
            self._load(me, PANEL)

    @rx.event
    @shows_errors
    @signed_in
    def load_page(self, me: SignedIn):
        self.loading = True
        self._load(me, PAGE)

    @bell_event
    def load_more(self, me: SignedIn):
        if self.next_before:
            self._load(me, PAGE, more=True)

    @bell_event
    def open_item(self, me: SignedIn, notification_id: str, link: str):
        """Mark it read, then go where it points."""
        self.unread = notifications.mark_read(me.user, me.wid, int(notification_id))
        self.items = [{**n, "read": "yes"} if n["id"] == notification_id else n for n in self.items]
        return rx.redirect(link) if link else None

    @bell_event
    def mark_read(self, me: SignedIn, notification_id: str):
        self.unread = notifications.mark_read(me.user, me.wid, int(notification_id))
        self.items = [{**n, "read": "yes"} if n["id"] == notification_id else n for n in self.items]

    @bell_event
    def read_all(self, me: SignedIn):
        notifications.mark_all_read(me.user, me.wid)
        self.unread = 0
        self.items = [{**n, "read": "yes"} for n in self.items]
