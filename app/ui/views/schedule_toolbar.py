"""Posting schedule: which account, its time zone, presets and removing every slot."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import bar, muted
from app.ui.components.buttons import row_button
from app.ui.components.confirm import ask_first
from app.ui.state.schedule import WORKSPACE_ZONE, AccountOption, ScheduleState


def _account_item(o: AccountOption) -> rx.Component:
    return rx.select.item(o.name, value=o.id)


def _select(label: str, trigger_id: str, *items, **props) -> rx.Component:
    """A select (`items`) with its label above it."""
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(id=trigger_id, min_width="240px"), rx.select.content(*items), **props
        ),
        spacing="1",
    )


def toolbar() -> rx.Component:
    return bar(
        _select(
            "Account",
            "schedule-account",
            rx.foreach(ScheduleState.account_options, _account_item),
            value=ScheduleState.selected,
            on_change=ScheduleState.select_account,
        ),
        _select(
            "Timezone",
            "schedule-zone",
            rx.select.item(
                "Workspace timezone (" + ScheduleState.workspace_zone + ")", value=WORKSPACE_ZONE
            ),
            rx.select.separator(),
            rx.foreach(ScheduleState.zone_options, lambda z: rx.select.item(z, value=z)),
            value=ScheduleState.zone_choice,
            on_change=ScheduleState.set_zone,
            disabled=~ScheduleState.can_edit,
        ),
        spacing="4",
        align="end",
    )


def presets() -> rx.Component:
    return rx.cond(
        ScheduleState.can_edit,
        bar(
            muted("Presets:", size="2"),
            rx.foreach(
                ScheduleState.presets,
                lambda p: row_button(
                    rx.icon("wand-sparkles", size=14),
                    p["label"],
                    on_click=ScheduleState.apply_preset(p["key"]),
                    id="preset-" + p["key"].to(str),
                ),
            ),
            ask_first(
                row_button(
                    rx.icon("trash-2", size=14),
                    "Clear all",
                    color_scheme="red",
                    disabled=ScheduleState.slot_count == 0,
                    id="clear-slots",
                ),
                ("Remove every slot?",),
                rx.alert_dialog.description(
                    "This account will have no posting slots. Scheduled posts stay as they are.",
                    size="2",
                ),
                "Remove all",
                ScheduleState.clear_all,
                "confirm-clear",
            ),
            spacing="2",
        ),
    )
