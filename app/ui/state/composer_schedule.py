"""The composer's "When" section and its buttons: date, time, next free slot, and saving the
post as a draft, scheduled or published now."""

from __future__ import annotations

import datetime as dt
import uuid

import reflex as rx

from app.models import PostApproval
from app.services import composer_drafts, posts, slots
from app.services.errors import InvalidInput, ServiceError
from app.ui import format
from app.ui.format import zone
from app.ui.state.approvals import submitted_message
from app.ui.state.composer import ComposerState
from app.ui.state.composer_model import options_to_config
from app.ui.state.handlers import SignedIn, shows_errors, signed_in

TIME_CODES = ("missing_time", "time_in_past", "nonexistent_time", "invalid_timezone")


class ComposerScheduleState(ComposerState):
    date: str = ""
    time: str = ""
    time_error: str = ""

    @rx.event
    def load_when(self):
        """After ComposerState.load: the post's time, the `at` asked for, or the next hour."""
        self.time_error = ""
        tz = zone(self.user_timezone)
        when = self._start
        if when is None:
            now = dt.datetime.now(tz) + dt.timedelta(hours=1)
            when = now.replace(minute=0, second=0, microsecond=0)
        self._show(when)

    def _show(self, when: dt.datetime) -> None:
        local = when.astimezone(zone(self.user_timezone))
        self.date = local.strftime("%Y-%m-%d")
        self.time = format.time_of(local, self.user_time_format)

    @rx.event
    def set_date(self, value: str):
        self.date = value
        self.time_error = ""

    @rx.event
    def set_time(self, value: str):
        self.time = value
        self.time_error = ""

    @rx.event
    @shows_errors
    @signed_in
    def next_free_slot(self, me: SignedIn):
        """Fill date and time with the selected accounts' next common free posting slot."""
        if not self.selected:
            return rx.toast.error("Select at least one account first.")
        when = slots.next_free_slot(me.user, me.wid, [uuid.UUID(a) for a in self.selected])
        if when is None:
            return rx.toast.error(
                "No free slot: set posting times under Settings → Posting schedule."
            )
        self._show(when)
        self.time_error = ""
        found = format.short(when, self.user_timezone, hours=self.user_time_format)
        return rx.toast.success(f"Next free slot: {found}.")

    def _input(self, text: str) -> posts.PostInput:
        scheduled: dt.datetime | None = None
        if self.date and self.time:
            day = dt.date.fromisoformat(self.date)
            scheduled = dt.datetime.combine(day, format.parse_clock(self.time))
        chosen = set(self.selected)
        return posts.PostInput(
            content=text,
            account_ids=[uuid.UUID(a) for a in self.selected],
            scheduled_at=scheduled,
            timezone=self.user_timezone or "UTC",
            platform_configs=options_to_config(self.options, set(self.selected_platforms)),
            overrides={
                uuid.UUID(a): self.overrides.get(a, "")
                for a in self.customized
                if a in chosen and a in self.overrides
            },
            media_ids=[uuid.UUID(m.id) for m in self.media_items],
            thread=[
                {
                    "text": text,
                    "media_ids": [m.id for m in media],
                    "media_alt": {m.id: m.alt for m in media if m.alt.strip()},
                }
                for text, media in zip(self.thread_parts, self._part_media(), strict=True)
            ],
            media_alt={uuid.UUID(m.id): m.alt for m in self.media_items if m.alt.strip()},
        )

    def _refused(self, exc: InvalidInput) -> None:
        """Show where a refusal belongs: on each network, at the time, or over the form."""
        details = exc.details if isinstance(exc.details, dict) else {}
        if exc.code == "validation_failed" and details.get("destinations"):
            self.problems = {str(k): list(v) for k, v in details["destinations"].items()}
            first = next(iter(self.problems))
            platform = next((r.platform for r in self.account_rows if r.id == first), "")
            if platform:
                self.active_tab = platform
            self.form_error = "Fix the problems marked on each network before publishing."
        elif details.get("field") == "scheduled_at" or exc.code in TIME_CODES:
            self.time_error = exc.message
        else:
            self.form_error = exc.message

    @rx.event
    @signed_in
    def submit(self, me: SignedIn, mode: str, text: str | None = None):
        user, wid = me.user, me.wid
        if self.busy:
            return
        if text is not None:
            self.text = text
        self.problems, self.form_error, self.time_error = {}, "", ""
        if mode != "draft" and not self.selected:
            self.form_error = "Choose at least one account to publish to."
            return rx.toast.error(self.form_error)
        try:
            data = self._input(self.text)
        except ValueError:
            example = "9:00 AM" if self.user_time_format == "12h" else "09:00"
            self.time_error = f"Pick a date and type a time like {example}."
            return rx.toast.error(self.time_error)
        if mode == "now":
            data.scheduled_at = None
        self.busy = mode
        try:
            if self.post_id:
                view = posts.update_post(
                    user, wid, uuid.UUID(self.post_id), data, mode=mode,
                    expected_version=self.post_version or None,
                )  # fmt: skip
            else:
                view, _ = posts.create_post(user, wid, data, mode=mode)
        except InvalidInput as exc:
            self.busy = ""
            self._refused(exc)
            return rx.toast.error(exc.message)
        except ServiceError as exc:
            self.busy = ""
            self.form_error = exc.message
            if exc.code == "version_conflict":  # the text stays; composer_autosave offers a way
                self.stale_version = int((exc.details or {}).get("version") or 0)
            return rx.toast.error(exc.message)
        self.busy = ""
        # Saved: the autosaved working copy has done its job.
        composer_drafts.discard(user, wid, uuid.UUID(self.post_id) if self.post_id else None)
        self.post_id, self.post_status = str(view.id), view.status.value
        self.post_version, self.stale_version = view.version, 0
        if view.approval == PostApproval.pending:
            return [rx.toast.success(submitted_message(view, self.user_timezone)), rx.redirect("/")]
        if mode == "draft":
            message, target = "Draft saved.", "/"
        elif mode == "now":
            message, target = "Publishing now: watch it on the dashboard.", "/"
        else:
            tz = zone(self.user_timezone)
            local = view.scheduled_at.astimezone(tz) if view.scheduled_at else None
            when = (
                f"{format.short(local, self.user_timezone, hours=self.user_time_format)} "
                f"{local.tzname()}"
                if local
                else ""
            )
            message = f"Scheduled for {when}."
            target = f"/calendar?date={local:%Y-%m-%d}" if local else "/calendar"
        return [rx.toast.success(message), rx.redirect(target)]

    @rx.var
    def timezone_label(self) -> str:
        """The time typed, read in the user's zone, with the zone named:
        `9:00 AM · New York (EST)` (the zone alone while the time is unreadable)."""
        tz = zone(self.user_timezone)
        try:
            day = dt.date.fromisoformat(self.date)
            local = dt.datetime.combine(day, format.parse_clock(self.time or "00:00"), tz)
        except ValueError:
            return format.zone_name(self.user_timezone)
        shown = format.time_of(local, self.user_time_format)
        return f"{shown} · {format.zone_name(self.user_timezone, local)}"

    @rx.var
    def time_choices(self) -> list[str]:
        """Suggestions under the time input, every half hour, in the user's format."""
        return [
            format.time_of(dt.time(h, m), self.user_time_format) for h in range(24) for m in (0, 30)
        ]
