"""Analytics: the range, the platform and account filters, "Sync now"."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, row
from app.ui.components.section import filter_select
from app.ui.state.analytics import AnalyticsState


def sync_button(button_id: str) -> rx.Component:
    return rx.cond(
        AnalyticsState.is_workspace_admin,
        rx.button(
            rx.icon("refresh-cw", size=14),
            rx.cond(AnalyticsState.syncing, "Syncing…", "Sync now"),
            on_click=AnalyticsState.sync_now,
            loading=AnalyticsState.syncing,
            variant="soft",
            id=button_id,
        ),
    )


def _date(value: rx.Var, on_change, input_id: str, label: str) -> rx.Component:
    return rx.input(
        type="date",
        value=value,
        on_change=on_change.debounce(300),
        id=input_id,
        aria_label=label,
    )


def toolbar() -> rx.Component:
    return rx.flex(
        rx.segmented_control.root(
            rx.segmented_control.item("7 days", value="7", id="range-7"),
            rx.segmented_control.item("30 days", value="30", id="range-30"),
            rx.segmented_control.item("90 days", value="90", id="range-90"),
            rx.segmented_control.item("Custom", value="custom", id="range-custom"),
            value=AnalyticsState.preset,
            on_change=AnalyticsState.set_preset,
            aria_label="Date range",
        ),
        rx.cond(
            AnalyticsState.is_custom,
            row(
                _date(
                    AnalyticsState.custom_from, AnalyticsState.set_custom_from, "range-from", "From"
                ),
                muted("to", size="2"),
                _date(AnalyticsState.custom_to, AnalyticsState.set_custom_to, "range-to", "To"),
            ),
        ),  # fmt: skip
        filter_select(
            "filter-platform",
            AnalyticsState.platform_filter,
            AnalyticsState.set_platform_filter,
            "All platforms",
            AnalyticsState.platform_options,
            "name",
            aria_label="Platform",
        ),
        filter_select(
            "filter-account",
            AnalyticsState.account_filter,
            AnalyticsState.set_account_filter,
            "All accounts",
            AnalyticsState.account_options,
            "name",
            aria_label="Account",
        ),  # fmt: skip
        rx.spacer(),
        sync_button("sync-now"),
        spacing="3",
        wrap="wrap",
        align="center",
        width="100%",
    )
