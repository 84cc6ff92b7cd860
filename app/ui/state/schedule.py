"""Settings → Posting schedule: weekly time slots per account. Every change is saved at once
through app.services.slots.set_slots (the same function as PUT /api/accounts/{id}/slots)."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid

import reflex as rx

from app.models import User
from app.services import slots, workspaces
from app.ui import format
from app.ui.format import platform_name
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, first_load, shows_errors, signed_in

SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COMMON_ZONES = (
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
    "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw",
    "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Moscow", "Africa/Lagos",
    "Africa/Johannesburg", "Africa/Cairo", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore",
    "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney", "Australia/Perth",
    "Pacific/Auckland", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    "America/Mexico_City", "America/Bogota", "America/New_York", "America/Chicago",
    "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
    "America/Toronto", "America/Vancouver", "Pacific/Honolulu",
)  # fmt: skip
WORKSPACE_ZONE = "workspace"


@dataclasses.dataclass
class DaySlots:
    weekday: int = 0
    name: str = ""
    short: str = ""
    times: list[str] = dataclasses.field(default_factory=list)
    # The same times in the user's format (`5:00 PM`); `times` stays HH:MM, the slot's key.
    shown: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class AccountOption:
    id: str = ""
    name: str = ""
    count: int = 0


class ScheduleState(AuthState):
    loading: bool = True
    error: str = ""
    account_options: list[AccountOption] = []
    selected: str = ""
    account_name: str = ""
    zone_choice: str = WORKSPACE_ZONE
    effective_zone: str = "UTC"
    workspace_zone: str = "UTC"
    days: list[DaySlots] = []
    next_free: str = ""
    saving: bool = False
    zone_options: list[str] = list(COMMON_ZONES)
    presets: list[dict[str, str]] = [
        {"key": key, "label": label} for key, (label, _, _) in slots.PRESETS.items()
    ]
    _slots: list[tuple[int, str]] = []

    @rx.var
    def can_edit(self) -> bool:
        return self.current_role in ("admin", "editor")

    @rx.var
    def slot_count(self) -> int:
        return sum(len(d.times) for d in self.days)

    def _show(self, user: User, wid: uuid.UUID, views: list[slots.ScheduleView]) -> None:
        self.account_options = [
            AccountOption(str(v.account_id), f"{v.account_name} · {platform_name(v.platform)}",
                          len(v.slots))
            for v in views
        ]  # fmt: skip
        if self.selected not in {o.id for o in self.account_options}:
            self.selected = self.account_options[0].id if self.account_options else ""
        view = next((v for v in views if str(v.account_id) == self.selected), None)
        if view is None:
            self.days, self._slots, self.next_free = [], [], ""
            return
        self.account_name = view.account_name
        self.zone_choice = view.timezone or WORKSPACE_ZONE
        self.effective_zone = view.effective_timezone
        extra = [z for z in (view.timezone, self.user_timezone) if z and z not in COMMON_ZONES]
        self.zone_options = [*COMMON_ZONES, *dict.fromkeys(extra)]
        self._slots = [(s.weekday, s.label) for s in view.slots]
        hours = self.user_time_format
        self.days = [
            DaySlots(d, slots.WEEKDAYS[d], SHORT_DAYS[d], labels,
                     [format.wall_time(t, hours) for t in labels])
            for d in range(7)
            for labels in [[s.label for s in view.slots if s.weekday == d]]
        ]  # fmt: skip
        found = slots.next_free_slot(user, wid, [view.account_id]) if view.slots else None
        self.next_free = format.datetime_zone(
            found, self.user_timezone, hours=self.user_time_format
        )

    def _refresh(self, user: User, wid: uuid.UUID) -> None:
        views = slots.list_schedules(user, wid)
        self.workspace_zone = workspaces.get_workspace(user, wid).timezone or "UTC"
        self._show(user, wid, views)

    @rx.event
    @signed_in
    def load(self, me: SignedIn):
        first_load(self, me)

    @rx.event
    def select_account(self, account_id: str):
        self.selected = account_id
        return self.load()

    @shows_errors(inline="error")
    @signed_in
    def _save(self, me: SignedIn, new_slots: list[tuple[int, str]], zone: str | None, message: str):
        try:
            slots.set_slots(me.user, me.wid, uuid.UUID(self.selected), new_slots, zone)
        except ValueError:
            self.error = "Choose an account first."
            return rx.toast.error(self.error)
        self._refresh(me.user, me.wid)
        self.error = ""
        return rx.toast.success(message)

    def _zone(self) -> str | None:
        return None if self.zone_choice == WORKSPACE_ZONE else self.zone_choice

    @rx.event
    @shows_errors(inline="error")
    def add_slot(self, form: dict):
        try:
            weekday = int(form.get("weekday", ""))
        except ValueError:
            return rx.toast.error("Pick a day.")
        value = str(form.get("time", "")).strip()
        if not value:
            self.error = "Enter a time (like 09:30 or 9:30 AM) before adding it."
            return rx.toast.error(self.error)
        with contextlib.suppress(ValueError):  # either format; else the service names it
            value = f"{format.parse_clock(value):%H:%M}"
        label = f"{slots.parse_time(value):%H:%M}"
        said = f"{slots.WEEKDAYS[weekday]} {format.wall_time(label, self.user_time_format)}"
        if (weekday, label) in self._slots:
            return rx.toast.info(f"{said} is already a slot.")
        return self._save([*self._slots, (weekday, label)], self._zone(), f"Added {said}.")

    @rx.event
    def remove_slot(self, weekday: int, label: str):
        rest = [s for s in self._slots if s != (weekday, label)]
        said = f"{slots.WEEKDAYS[weekday]} {format.wall_time(label, self.user_time_format)}"
        return self._save(rest, self._zone(), f"Removed {said}.")

    @rx.event
    def apply_preset(self, key: str):
        if key not in slots.PRESETS:
            return rx.toast.error("Unknown preset.")
        label, days, times = slots.PRESETS[key]
        week = [(d, t) for d in days for t in times]
        return self._save(week, self._zone(), f"Schedule set: {label}.")

    @rx.event
    def clear_all(self):
        return self._save([], self._zone(), "All slots removed.")

    @rx.event
    def set_zone(self, value: str):
        self.zone_choice = value
        zone = None if value == WORKSPACE_ZONE else value
        return self._save(self._slots, zone, f"Slots now read in {zone or 'the workspace zone'}.")
