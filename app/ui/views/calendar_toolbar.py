"""Calendar: "New post" (at the chosen time), the filters, the colour legend and the count."""

from __future__ import annotations

import reflex as rx

from app.ui.components.section import filter_select
from app.ui.state.calendar import CalendarState

STATUS_OPTIONS = [
    {"id": k, "label": v}
    for k, v in {
        "draft": "Draft",
        "scheduled": "Scheduled",
        "publishing": "Publishing",
        "published": "Published",
        "partially_published": "Partly published",
        "failed": "Failed",
        "cancelled": "Cancelled",
    }.items()
]


def toolbar() -> rx.Component:
    return rx.flex(
        rx.hstack(
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
                rx.icon_button(
                    rx.icon("x", size=14),
                    variant="ghost",
                    color_scheme="gray",
                    on_click=CalendarState.clear_selection,
                    aria_label="Forget the chosen time",
                    id="clear-selection",
                ),
            ),
            align="center",
            spacing="2",
        ),
        rx.spacer(),
        rx.hstack(
            filter_select(
                "filter-account",
                CalendarState.f_account,
                CalendarState.set_account,
                "All accounts",
                CalendarState.account_options,
                aria_label="All accounts",
                min_width="150px",
            ),
            filter_select(
                "filter-platform",
                CalendarState.f_platform,
                CalendarState.set_platform,
                "All networks",
                CalendarState.platform_options,
                aria_label="All networks",
                min_width="150px",
            ),
            filter_select(
                "filter-status",
                CalendarState.f_status,
                CalendarState.set_status,
                "All statuses",
                STATUS_OPTIONS,
                aria_label="All statuses",
                min_width="150px",
            ),
            rx.cond(
                CalendarState.filtered,
                rx.button(
                    "Clear filters",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=CalendarState.clear_filters,
                    id="clear-filters",
                ),
            ),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        wrap="wrap",
        gap="3",
        align="center",
        width="100%",
    )


def legend() -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.text("Colour by", size="2", color_scheme="gray"),
            rx.segmented_control.root(
                rx.segmented_control.item("Network", value="platform"),
                rx.segmented_control.item("Status", value="status"),
                value=CalendarState.color_by,
                on_change=CalendarState.set_color_by,
                size="1",
                id="color-by",
            ),
            align="center",
            spacing="2",
        ),
        rx.flex(
            rx.foreach(
                CalendarState.legend,
                lambda item: rx.hstack(
                    rx.box(
                        width="10px",
                        height="10px",
                        border_radius="3px",
                        background=item["color"],
                    ),
                    rx.text(item["label"], size="1"),
                    align="center",
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
        rx.text(
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
            size="1",
            color_scheme="gray",
            id="calendar-summary",
        ),
        wrap="wrap",
        gap="3",
        align="center",
        width="100%",
    )
