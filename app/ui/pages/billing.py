"""Settings → Billing: the workspace's plan, its limits with live usage, and switching plans.

There is no payment integration: the plan is a workspace setting (see app/services/plans.py).
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.settings_nav import settings_nav
from app.ui.state.auth import AuthState
from app.ui.state.settings import BillingState, PlanCard, UsageRow


def _usage_row(r: UsageRow) -> rx.Component:
    color = rx.match(r.state, ("over", "red"), ("near", "amber"), "grass")
    return rx.vstack(
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
            rx.text(
                rx.cond(BillingState.billing, "No limit on this plan", "No limit"),
                size="1",
                color_scheme="gray",
            ),
            rx.progress(value=r.percent, max=100, color_scheme=color, aria_label=r.label),
        ),
        spacing="1",
        width="100%",
        class_name="usage-row",
        data_limit=r.name,
        data_state=r.state,
    )


def _current() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(rx.cond(BillingState.billing, "Current plan", "Usage"), size="4"),
                rx.badge(BillingState.tier_name, size="2", id="current-tier"),
                rx.spacer(),
                rx.text("Usage in ", BillingState.period, size="2", color_scheme="gray"),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.foreach(BillingState.rows, _usage_row),
            spacing="4",
            width="100%",
        ),
        width="100%",
        id="plan-usage",
    )


def _card(c: PlanCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(c.name, size="5"),
                rx.cond(c.current, rx.badge("Current", color_scheme="grass")),
                align="center",
                spacing="2",
            ),
            rx.text(c.price, size="4", weight="bold"),
            rx.text(c.blurb, size="2", color_scheme="gray"),
            rx.separator(size="4"),
            rx.vstack(
                rx.foreach(
                    c.features,
                    lambda f: rx.hstack(
                        rx.icon("check", size=14, color=rx.color("grass", 9)),
                        rx.text(f, size="2"),
                        align="center",
                        spacing="2",
                    ),
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.cond(
                c.current,
                rx.button("Your plan", disabled=True, variant="soft", width="100%"),
                rx.cond(
                    BillingState.can_change,
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(
                            rx.button(
                                "Switch to ",
                                c.name,
                                width="100%",
                                id="switch-" + c.id,
                            )
                        ),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title("Switch to ", c.name, "?"),
                            rx.alert_dialog.description(
                                "The new limits apply at once. A downgrade is refused while "
                                "this workspace holds more than the plan allows.",
                            ),
                            rx.hstack(
                                rx.alert_dialog.cancel(
                                    rx.button("Cancel", variant="soft", color_scheme="gray")
                                ),
                                rx.alert_dialog.action(
                                    rx.button(
                                        "Switch",
                                        on_click=BillingState.switch(c.id),
                                        id="confirm-switch",
                                    )
                                ),
                                justify="end",
                                spacing="3",
                                margin_top="16px",
                            ),
                        ),
                    ),
                    rx.text(
                        "Ask a workspace admin to change the plan.",
                        size="1",
                        color_scheme="gray",
                    ),
                ),
            ),
            spacing="3",
            height="100%",
        ),
        class_name="plan-card",
        data_tier=c.id,
        border=rx.cond(c.current, f"2px solid {rx.color('accent', 8)}", "none"),
    )


def _ai_usage() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("AI captions this month", size="4"),
                rx.spacer(),
                rx.cond(
                    BillingState.ai_configured,
                    rx.badge(BillingState.ai_model, variant="soft"),
                    rx.badge("AI not set up", color_scheme="gray"),
                ),
                align="center",
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
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@protected_page("/settings/billing", "Billing", on_load=[BillingState.load])
def billing() -> rx.Component:
    return rx.vstack(
        settings_nav("/settings/billing"),
        rx.cond(
            BillingState.billing,
            rx.text(
                "Plans set what ",
                rx.text.strong(AuthState.current_workspace_name),
                " can do. Herald has no payment step: the plan is a setting that workspace "
                "admins change here.",
                color_scheme="gray",
            ),
            rx.callout(
                "This Herald is self-hosted: no plans, no prices, no limits on accounts, "
                "members, posts or storage. Below is what this workspace uses. (An operator "
                "who sells plans turns them on with HERALD_BILLING=on.)",
                icon="server",
                id="billing-off",
                width="100%",
            ),
        ),
        form_error(BillingState.error),
        rx.foreach(
            BillingState.warnings,
            lambda w: rx.callout(w, icon="info", color_scheme="amber", class_name="plan-warning"),
        ),
        rx.cond(
            BillingState.loading,
            rx.center(rx.spinner(size="3"), width="100%", padding="48px"),
            rx.vstack(
                _current(),
                rx.grid(
                    rx.foreach(BillingState.cards, _card),
                    display=rx.cond(BillingState.billing, "grid", "none"),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="4",
                    width="100%",
                ),
                _ai_usage(),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
