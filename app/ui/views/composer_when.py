"""Composer: when the post goes out, and the buttons that save, schedule or publish it."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_error
from app.ui.state.approvals_composer import ComposerApprovalState
from app.ui.state.composer import TEXT, ComposerState
from app.ui.state.composer_schedule import ComposerScheduleState
from app.ui.views.composer_post import section
from app.ui.views.composer_thread import queue_button


def when() -> rx.Component:
    return section(
        "When",
        "calendar-clock",
        rx.flex(
            rx.vstack(
                rx.text("Date", as_="label", html_for="post-date", size="2", weight="medium"),
                rx.input(
                    type="date",
                    id="post-date",
                    value=ComposerScheduleState.date,
                    on_change=ComposerScheduleState.set_date,
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.text("Time", as_="label", html_for="post-time", size="2", weight="medium"),
                rx.input(
                    id="post-time",
                    value=ComposerScheduleState.time,
                    on_change=ComposerScheduleState.set_time,
                    placeholder=rx.cond(
                        ComposerScheduleState.user_time_format == "12h", "9:00 AM", "09:00"
                    ),
                    custom_attrs={"list": "post-time-options", "autoComplete": "off"},
                    width="8rem",
                ),
                rx.el.datalist(
                    rx.foreach(ComposerScheduleState.time_choices, lambda t: rx.el.option(value=t)),
                    id="post-time-options",
                ),
                spacing="1",
            ),
            rx.button(
                rx.icon("calendar-check", size=14),
                "Next free slot",
                variant="soft",
                on_click=ComposerScheduleState.next_free_slot,
                disabled=ComposerState.selected.length() == 0,
                id="next-slot",
            ),
            rx.vstack(
                rx.text("Time zone", size="2", weight="medium"),
                rx.badge(
                    rx.icon("globe", size=12),
                    ComposerScheduleState.timezone_label,
                    variant="surface",
                    size="2",
                    id="post-timezone",
                ),
                spacing="1",
            ),
            spacing="4",
            wrap="wrap",
            align="end",
        ),
        rx.cond(
            ComposerScheduleState.time_error != "",
            rx.text(
                ComposerScheduleState.time_error, color_scheme="red", size="2", id="time-error"
            ),
        ),
        form_error(ComposerState.form_error),
        rx.flex(
            rx.button(
                rx.icon("save", size=14),
                "Save draft",
                variant="soft",
                color_scheme="gray",
                on_click=ComposerScheduleState.submit("draft", TEXT.value),
                loading=ComposerState.busy == "draft",
                disabled=~ComposerState.can_edit,
                id="save-draft",
            ),
            rx.button(
                rx.icon("send", size=14),
                rx.cond(ComposerApprovalState.submits, "Publish once approved", "Publish now"),
                variant="soft",
                on_click=ComposerScheduleState.submit("now", TEXT.value),
                loading=ComposerState.busy == "now",
                disabled=~ComposerState.can_edit,
                id="publish-now",
            ),
            queue_button(),
            rx.button(
                rx.icon("calendar-check", size=14),
                rx.cond(ComposerApprovalState.submits, "Submit for approval", "Schedule"),
                on_click=ComposerScheduleState.submit("schedule", TEXT.value),
                loading=ComposerState.busy == "schedule",
                disabled=~ComposerState.can_edit,
                id="schedule",
            ),
            spacing="2",
            wrap="wrap",
            justify="end",
            width="100%",
        ),
    )
