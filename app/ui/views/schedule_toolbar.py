"""Posting schedule: which account, its time zone, presets and removing every slot."""

from __future__ import annotations

import reflex as rx

from app.ui.state.schedule import WORKSPACE_ZONE, AccountOption, ScheduleState


def _account_item(o: AccountOption) -> rx.Component:
    return rx.select.item(o.name, value=o.id)


def toolbar() -> rx.Component:
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


def presets() -> rx.Component:
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
