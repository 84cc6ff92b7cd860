"""/settings/schedule: each account's weekly posting slots ("Add to the next free slot" in the
composer uses them)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import grid, muted, row, stack
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.section import empty_card
from app.ui.components.settings_nav import settings_page
from app.ui.state.schedule import ScheduleState
from app.ui.views.schedule_toolbar import presets, toolbar
from app.ui.views.schedule_week import day_column


def _editor() -> rx.Component:
    return stack(
        toolbar(),
        muted(
            "Slots are wall-clock times in ",
            rx.text.strong(ScheduleState.effective_zone, id="effective-zone"),
            ": 09:00 stays 09:00 when the clocks change. The composer's “next free slot” picks the "
            "earliest time every chosen account has a slot with no post already scheduled.",
            size="2",
        ),
        rx.cond(
            ~ScheduleState.can_edit,
            rx.callout(
                "You can view this schedule; editors and admins can change it.",
                icon="eye",
                color_scheme="gray",
                width="100%",
            ),
        ),
        presets(),
        grid(
            rx.foreach(ScheduleState.days, day_column),
            id="week-grid",
            columns={"initial": "1", "sm": "2", "md": "4", "xl": "7"},
        ),
        rx.cond(
            ScheduleState.next_free != "",
            row(
                rx.icon("calendar-clock", size=16, color=rx.color("accent", 10)),
                rx.text("Next free slot: ", size="2"),
                rx.text(ScheduleState.next_free, size="2", weight="bold", id="next-free"),
                spacing="1",
            ),
        ),
        spacing="4",
    )


def _no_accounts() -> rx.Component:
    return empty_card(
        "clock",
        rx.text("Connect an account to give it posting times.", color_scheme="gray"),
        rx.link(rx.button("Connect an account"), href="/accounts", id="cta-connect"),
        spacing="3",
        padding="32px",
        id="empty-schedule",
    )


@protected_page("/settings/schedule", "Settings", on_load=[ScheduleState.load])
def schedule() -> rx.Component:
    return settings_page(
        "/settings/schedule",
        rx.heading("Posting schedule", size="5", as_="h2"),
        form_error(ScheduleState.error),
        rx.cond(
            ScheduleState.loading,
            rx.skeleton(rx.box(height="240px", width="100%")),
            rx.cond(ScheduleState.account_options.length() > 0, _editor(), _no_accounts()),
        ),
        id="schedule-page",
    )
