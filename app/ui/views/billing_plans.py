"""Billing: the plans to switch to."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, row, soft_button
from app.ui.state.settings import BillingState, PlanCard


def plan_card(c: PlanCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            row(
                rx.heading(c.name, size="5"),
                rx.cond(c.current, rx.badge("Current", color_scheme="grass")),
            ),
            rx.text(c.price, size="4", weight="bold"),
            muted(c.blurb, size="2"),
            rx.separator(size="4"),
            rx.vstack(
                rx.foreach(
                    c.features,
                    lambda f: row(
                        rx.icon("check", size=14, color=rx.color("grass", 9)), rx.text(f, size="2")
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
                                rx.alert_dialog.cancel(soft_button("Cancel")),
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
                    muted("Ask a workspace admin to change the plan."),
                ),
            ),
            spacing="3",
            height="100%",
        ),
        class_name="plan-card",
        data_tier=c.id,
        border=rx.cond(c.current, f"2px solid {rx.color('accent', 8)}", "none"),
    )
