"""/settings/schedule: each account's weekly posting slots ("Add to the next free slot" in the
composer uses them)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.settings_nav import settings_nav
from app.ui.state.schedule import WORKSPACE_ZONE, AccountOption, DaySlots, ScheduleState


def _slot(day: DaySlots, label: rx.Var) -> rx.Component:
    return rx.badge(
        rx.text(label, size="2", weight="medium"),
        rx.cond(
            ScheduleState.can_edit,
            rx.icon_button(
                rx.icon("x", size=12),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=ScheduleState.remove_slot(day.weekday, label),
                aria_label="Remove " + day.name + " " + label,
                class_name="remove-slot",
            ),
        ),
        variant="soft",
        size="2",
        radius="full",
        class_name="slot",
        data_time=label,
        gap="1",
    )


def _add_form(day: DaySlots) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="weekday", value=day.weekday.to(str)),
            rx.input(
                type="time",
                name="time",
                size="1",
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
            spacing="1",
            width="100%",
            align="center",
        ),
        on_submit=ScheduleState.add_slot,
        reset_on_submit=True,
        width="100%",
    )


def _day(day: DaySlots) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(day.name, weight="bold", size="2"),
                rx.spacer(),
                rx.text(day.times.length(), size="1", color_scheme="gray"),
                width="100%",
            ),
            rx.cond(
                day.times.length() > 0,
                rx.flex(
                    rx.foreach(day.times, lambda t: _slot(day, t)),
                    direction="column",
                    gap="2",
                    align="start",
                ),
                rx.text("No slots", size="1", color_scheme="gray"),
            ),
            rx.cond(ScheduleState.can_edit, _add_form(day)),
            spacing="2",
            width="100%",
        ),
        class_name="day-column",
        data_weekday=day.weekday,
        width="100%",
    )


def _account_item(o: AccountOption) -> rx.Component:
    return rx.select.item(o.name, value=o.id)


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text("Account", as_="label", size="2", weight="medium"),
            rx.select.root(
                rx.select.trigger(id="schedule-account", min_width="240px"),
                rx.select.content(rx.foreach(ScheduleState.account_options, _account_item)),
                value=ScheduleState.selected,
                on_change=ScheduleState.select_account,
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.text("Timezone", as_="label", size="2", weight="medium"),
            rx.select.root(
                rx.select.trigger(id="schedule-zone", min_width="240px"),
                rx.select.content(
                    rx.select.item(
                        "Workspace timezone (" + ScheduleState.workspace_zone + ")",
                        value=WORKSPACE_ZONE,
                    ),
                    rx.select.separator(),
                    rx.foreach(ScheduleState.zone_options, lambda z: rx.select.item(z, value=z)),
                ),
                value=ScheduleState.zone_choice,
                on_change=ScheduleState.set_zone,
                disabled=~ScheduleState.can_edit,
            ),
            spacing="1",
        ),
        gap="4",
        wrap="wrap",
        align="end",
        width="100%",
    )


def _presets() -> rx.Component:
    return rx.cond(
        ScheduleState.can_edit,
        rx.flex(
            rx.text("Presets:", size="2", color_scheme="gray"),
            rx.foreach(
                ScheduleState.presets,
                lambda p: rx.button(
                    rx.icon("wand-sparkles", size=14),
                    p["label"],
                    size="1",
                    variant="soft",
                    on_click=ScheduleState.apply_preset(p["key"]),
                    id="preset-" + p["key"].to(str),
                ),
            ),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.button(
                        rx.icon("trash-2", size=14),
                        "Clear all",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        disabled=ScheduleState.slot_count == 0,
                        id="clear-slots",
                    )
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Remove every slot?"),
                    rx.alert_dialog.description(
                        "This account will have no posting slots. Scheduled posts stay as "
                        "they are.",
                        size="2",
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button("Cancel", variant="soft", color_scheme="gray")
                        ),
                        rx.alert_dialog.action(
                            rx.button(
                                "Remove all",
                                color_scheme="red",
                                on_click=ScheduleState.clear_all,
                                id="confirm-clear",
                            )
                        ),
                        justify="end",
                        spacing="3",
                        margin_top="16px",
                    ),
                ),
            ),
            gap="2",
            wrap="wrap",
            align="center",
            width="100%",
        ),
    )


def _editor() -> rx.Component:
    return rx.vstack(
        _toolbar(),
        rx.text(
            "Slots are wall-clock times in ",
            rx.text.strong(ScheduleState.effective_zone, id="effective-zone"),
            ": 09:00 stays 09:00 when the clocks change. The composer's “next free slot” picks the "
            "earliest time every chosen account has a slot with no post already scheduled.",
            size="2",
            color_scheme="gray",
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
        _presets(),
        rx.grid(
            rx.foreach(ScheduleState.days, _day),
            columns=rx.breakpoints(initial="1", sm="2", md="4", xl="7"),
            spacing="3",
            width="100%",
            id="week-grid",
        ),
        rx.cond(
            ScheduleState.next_free != "",
            rx.hstack(
                rx.icon("calendar-clock", size=16, color=rx.color("accent", 10)),
                rx.text("Next free slot: ", size="2"),
                rx.text(ScheduleState.next_free, size="2", weight="bold", id="next-free"),
                align="center",
                spacing="1",
            ),
        ),
        spacing="4",
        width="100%",
    )


def _no_accounts() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("clock", size=32, color=rx.color("gray", 8)),
            rx.text("Connect an account to give it posting times.", color_scheme="gray"),
            rx.link(rx.button("Connect an account"), href="/accounts", id="cta-connect"),
            align="center",
            spacing="3",
            padding="32px",
        ),
        width="100%",
        id="empty-schedule",
    )


@protected_page("/settings/schedule", "Settings", on_load=[ScheduleState.load])
def schedule() -> rx.Component:
    return rx.vstack(
        settings_nav("/settings/schedule"),
        rx.heading("Posting schedule", size="5", as_="h2"),
        form_error(ScheduleState.error),
        rx.cond(
            ScheduleState.loading,
            rx.skeleton(rx.box(height="240px", width="100%")),
            rx.cond(ScheduleState.account_options.length() > 0, _editor(), _no_accounts()),
        ),
        spacing="4",
        width="100%",
        id="schedule-page",
    )
