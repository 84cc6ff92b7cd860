"""Posting schedule: the week, one column of time slots per day, each with its add form."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import ghost_icon, muted, row, stack
from app.ui.state.schedule import DaySlots, ScheduleState


def _slot(day: DaySlots, label: rx.Var, shown: rx.Var) -> rx.Component:
    """One slot: `label` is its HH:MM key, `shown` the same time in the user's format."""
    return rx.badge(
        rx.text(shown, size="2", weight="medium"),
        rx.cond(
            ScheduleState.can_edit,
            ghost_icon(
                "x",
                "Remove " + day.name + " " + shown,
                12,
                size="1",
                on_click=ScheduleState.remove_slot(day.weekday, label),
                class_name="remove-slot",
            ),
        ),
        variant="soft",
        size="2",
        radius="full",
        class_name="slot",
        data_time=label,
        gap="4px",
    )


def _add_form(day: DaySlots) -> rx.Component:
    return rx.form(
        row(
            rx.el.input(type="hidden", name="weekday", value=day.weekday.to(str)),
            rx.input(
                name="time",
                size="1",
                placeholder=rx.cond(ScheduleState.user_time_format == "12h", "9:00 AM", "09:00"),
                auto_complete="off",
                id="add-time-" + day.weekday.to(str),
                aria_label="New time on " + day.name,
                width="100%",
            ),
            rx.icon_button(
                rx.icon("plus", size=14),
                type="submit",
                size="1",
                variant="soft",
                aria_label="Add a time on " + day.name,
                id="add-slot-" + day.weekday.to(str),
            ),
            width="100%",
            spacing="1",
        ),
        on_submit=ScheduleState.add_slot,
        reset_on_submit=True,
        width="100%",
    )


def day_column(day: DaySlots) -> rx.Component:
    return rx.card(
        stack(
            rx.hstack(
                rx.text(day.name, weight="bold", size="2"),
                rx.spacer(),
                muted(day.times.length()),
                width="100%",
            ),
            rx.cond(
                day.times.length() > 0,
                rx.flex(
                    rx.foreach(day.times, lambda t, i: _slot(day, t, day.shown[i])),
                    direction="column",
                    spacing="2",
                    align="start",
                ),
                muted("No slots"),
            ),
            rx.cond(ScheduleState.can_edit, _add_form(day)),
            spacing="2",
        ),
        class_name="day-column",
        data_weekday=day.weekday,
        width="100%",
    )
