"""The composer's "Add to queue": the selected accounts' next free posting slot, shown before
the post is scheduled there (app/services/slots.py; Settings → Posting schedule)."""

from __future__ import annotations

import datetime as dt
import uuid

import reflex as rx

from app.services import slots
from app.ui import format
from app.ui.format import zone
from app.ui.state.composer_schedule import ComposerScheduleState
from app.ui.state.handlers import SignedIn, setter, shows_errors, signed_in


class ComposerQueueState(ComposerScheduleState):
    queue_open: bool = False
    # The slot found (ISO, UTC) and how it reads in the author's time zone; empty: none.
    queue_at: str = ""
    queue_label: str = ""

    @rx.event
    @shows_errors
    @signed_in
    def open_queue(self, me: SignedIn):
        """Find the next common free slot of the selected accounts and ask to confirm it."""
        if not self.selected:
            self.form_error = "Choose at least one account to publish to."
            return rx.toast.error(self.form_error)
        when = slots.next_free_slot(me.user, me.wid, [uuid.UUID(a) for a in self.selected])
        self.queue_at, self.queue_label = "", ""
        if when is not None:
            local = when.astimezone(zone(self.user_timezone))
            self.queue_at = when.isoformat()
            self.queue_label = (
                f"{format.short(local, self.user_timezone)} {local.tzname() or ''}".strip()
            )
        self.queue_open = True

    @rx.event
    def close_queue(self):
        self.queue_open = False

    set_queue_open = setter("queue_open", bool)

    @rx.event
    def confirm_queue(self, text: str):
        """Schedule at the slot shown (its wall time in the author's zone)."""
        self.queue_open = False
        if not self.queue_at:
            return None
        local = dt.datetime.fromisoformat(self.queue_at).astimezone(zone(self.user_timezone))
        self.date, self.time = local.strftime("%Y-%m-%d"), local.strftime("%H:%M")
        self.time_error = ""
        return ComposerScheduleState.submit("schedule", text)
