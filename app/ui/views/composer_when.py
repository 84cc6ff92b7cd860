"""Composer: when the post goes out, and the buttons that save, schedule or publish it."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.ui.components.blocks import action_button, error_text, labelled, soft_action, wrap_row
from app.ui.components.forms import form_error
from app.ui.state.approvals_composer import ComposerApprovalState
from app.ui.state.composer import TEXT, ComposerState
from app.ui.state.composer_schedule import ComposerScheduleState
from app.ui.views.composer_post import section
from app.ui.views.composer_thread import queue_button


def _time_input() -> rx.Component:
    """The time, typed or picked from the user's usual times."""
    s = ComposerScheduleState
    return rx.fragment(
        rx.input(
            id="post-time",
            value=s.time,
            on_change=s.set_time,
            placeholder=rx.cond(s.user_time_format == "12h", "9:00 AM", "09:00"),
            custom_attrs={"list": "post-time-options", "autoComplete": "off"},
            width="8rem",
        ),
        rx.el.datalist(
            rx.foreach(s.time_choices, lambda t: rx.el.option(value=t)),
            id="post-time-options",
        ),
    )


def _submit(kind: str, icon: str, label: Any, **props: Any) -> rx.Component:
    """A button that saves the post as `kind` (draft, now, schedule)."""
    return action_button(
        icon,
        label,
        on_click=ComposerScheduleState.submit(kind, TEXT.value),
        loading=ComposerState.busy == kind,
        disabled=~ComposerState.can_edit,
        **props,
    )


def when() -> rx.Component:
    s = ComposerScheduleState
    submits = ComposerApprovalState.submits
    return section(
        "When",
        "calendar-clock",
        rx.flex(
            labelled(
                "Date",
                rx.input(type="date", id="post-date", value=s.date, on_change=s.set_date),
                html_for="post-date",
            ),
            labelled("Time", _time_input(), html_for="post-time"),
            soft_action(
                "calendar-check",
                "Next free slot",
                on_click=s.next_free_slot,
                disabled=ComposerState.selected.length() == 0,
                id="next-slot",
            ),
            labelled(
                "Time zone",
                rx.badge(
                    rx.icon("globe", size=12),
                    s.timezone_label,
                    variant="surface",
                    size="2",
                    id="post-timezone",
                ),
            ),
            spacing="4",
            wrap="wrap",
            align="end",
        ),
        error_text(s.time_error, id="time-error"),
        form_error(ComposerState.form_error),
        wrap_row(
            _submit(
                "draft", "save", "Save draft", variant="soft", color_scheme="gray", id="save-draft"
            ),
            _submit(
                "now",
                "send",
                rx.cond(submits, "Publish once approved", "Publish now"),
                variant="soft",
                id="publish-now",
            ),
            queue_button(),
            _submit(
                "schedule",
                "calendar-check",
                rx.cond(submits, "Submit for approval", "Schedule"),
                id="schedule",
            ),
            justify="end",
            width="100%",
        ),
    )
