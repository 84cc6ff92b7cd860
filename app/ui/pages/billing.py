"""Settings → Billing: the workspace's plan, its limits with live usage, and switching plans.

There is no payment integration: the plan is a workspace setting (see app/services/plans.py).
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import grid, stack
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.settings_blocks import about_workspace
from app.ui.components.settings_nav import settings_page
from app.ui.state.settings import BillingState
from app.ui.views.billing_plans import plan_card
from app.ui.views.billing_usage import ai_usage, current_plan


@protected_page("/settings/billing", "Billing", on_load=[BillingState.load])
def billing() -> rx.Component:
    return settings_page(
        "/settings/billing",
        rx.cond(
            BillingState.billing,
            about_workspace(
                "Plans set what ",
                " can do. Herald has no payment step: the plan is a setting that workspace "
                "admins change here.",
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
            stack(
                current_plan(),
                grid(
                    rx.foreach(BillingState.cards, plan_card),
                    display=rx.cond(BillingState.billing, "grid", "none"),
                    columns={"initial": "1", "md": "3"},
                    spacing="4",
                ),
                ai_usage(),
                spacing="4",
            ),
        ),
    )
