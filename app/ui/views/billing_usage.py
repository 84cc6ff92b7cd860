"""Billing: the workspace's plan, its usage this month and the AI captions used."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, stack
from app.ui.components.section import heading_row, settings_card
from app.ui.state.settings import BillingState, UsageRow


def _usage_row(r: UsageRow) -> rx.Component:
    color = rx.match(r.state, ("over", "red"), ("near", "amber"), "grass")
    return stack(
        rx.hstack(
            rx.text(r.label, size="2", weight="medium"),
            rx.spacer(),
            rx.text(
                r.used,
                " of ",
                r.limit,
                size="2",
                color_scheme=rx.cond(r.state == "over", "red", "gray"),
                class_name="usage-value",
            ),
            width="100%",
        ),
        rx.cond(
            r.unlimited,
            muted(rx.cond(BillingState.billing, "No limit on this plan", "No limit")),
            rx.progress(value=r.percent, max=100, color_scheme=color, aria_label=r.label),
        ),
        class_name="usage-row",
        data_limit=r.name,
        data_state=r.state,
        spacing="1",
    )


def current_plan() -> rx.Component:
    return settings_card(
        heading_row(
            rx.cond(BillingState.billing, "Current plan", "Usage"),
            rx.badge(BillingState.tier_name, size="2", id="current-tier"),
            rx.spacer(),
            muted("Usage in ", BillingState.period, size="2"),
            width="100%",
            wrap="wrap",
        ),
        rx.foreach(BillingState.rows, _usage_row),
        spacing="4",
        id="plan-usage",
    )


def ai_usage() -> rx.Component:
    return settings_card(
        heading_row(
            "AI captions this month",
            rx.spacer(),
            rx.cond(
                BillingState.ai_configured,
                rx.badge(BillingState.ai_model, variant="soft"),
                rx.badge("AI not set up", color_scheme="gray"),
            ),
            width="100%",
        ),
        rx.data_list.root(
            rx.foreach(
                BillingState.ai_rows,
                lambda r: rx.data_list.item(
                    rx.data_list.label(r["label"]), rx.data_list.value(r["value"])
                ),
            ),
            id="ai-usage",
        ),
    )
