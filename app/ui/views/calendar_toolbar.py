"""Calendar: "New post" (at the chosen time), the filters, the colour legend and the count."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import bar, ghost_button, ghost_icon, muted, row
from app.ui.components.section import filter_select
from app.ui.state.calendar import CalendarState
from app.ui.state.calendar_events import STATUS_LABELS

# The statuses the filter offers: every status label but the approval ones.
STATUS_OPTIONS = [
    {"id": k, "label": v}
    for k, v in STATUS_LABELS.items()
    if k not in ("awaiting_approval", "rejected")
]


def _filter(trigger_id: str, value: rx.Var, on_change, all_label: str, options) -> rx.Component:
    return filter_select(
        trigger_id, value, on_change, all_label, options, aria_label=all_label, min_width="150px"
    )


def toolbar() -> rx.Component:
    return bar(
        row(
            rx.button(
                rx.icon("plus", size=16),
                rx.cond(
                    CalendarState.selected_label != "",
                    rx.text("New post · ", CalendarState.selected_label),
                    rx.text("New post"),
                ),
                on_click=CalendarState.new_post,
                id="new-post",
                data_href=CalendarState.new_post_href,
            ),
            rx.cond(
                CalendarState.selected_label != "",
                ghost_icon(
                    "x",
                    "Forget the chosen time",
                    on_click=CalendarState.clear_selection,
                    id="clear-selection",
                ),
            ),
        ),
        rx.spacer(),
        row(
            _filter(
                "filter-account",
                CalendarState.f_account,
                CalendarState.set_account,
                "All accounts",
                CalendarState.account_options,
            ),
            _filter(
                "filter-platform",
                CalendarState.f_platform,
                CalendarState.set_platform,
                "All networks",
                CalendarState.platform_options,
            ),
            _filter(
                "filter-status",
                CalendarState.f_status,
                CalendarState.set_status,
                "All statuses",
                STATUS_OPTIONS,
            ),
            rx.cond(
                CalendarState.filtered,
                ghost_button(
                    "Clear filters", on_click=CalendarState.clear_filters, id="clear-filters"
                ),
            ),
            wrap="wrap",
        ),
    )


def legend() -> rx.Component:
    return bar(
        row(
            muted("Colour by", size="2"),
            rx.segmented_control.root(
                rx.segmented_control.item("Network", value="platform"),
                rx.segmented_control.item("Status", value="status"),
                value=CalendarState.color_by,
                on_change=CalendarState.set_color_by,
                size="1",
                id="color-by",
            ),
        ),
        rx.flex(
            rx.foreach(
                CalendarState.legend,
                lambda item: row(
                    rx.box(
                        width="10px", height="10px", border_radius="3px", background=item["color"]
                    ),
                    rx.text(item["label"], size="1"),
                    spacing="1",
                    class_name="legend-item",
                ),
            ),
            column_gap="16px",
            row_gap="4px",
            wrap="wrap",
            id="legend",
        ),
        rx.spacer(),
        muted(
            CalendarState.count,
            rx.cond(CalendarState.count == 1, " post", " posts"),
            rx.cond(CalendarState.truncated, " (first ones only: narrow the view)", ""),
            " · times in ",
            rx.link(
                CalendarState.user_zone_full,
                href="/settings/profile",
                title="Change your time zone and time format in your profile",
                id="calendar-zone",
            ),
            id="calendar-summary",
        ),
    )
