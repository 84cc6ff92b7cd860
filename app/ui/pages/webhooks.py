"""Settings → Webhooks: add (signing secret shown once), switch on/off, send a test event, and
the delivery log with response codes and redelivery."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import stack
from app.ui.components.layout import protected_page
from app.ui.components.settings_blocks import (
    admin_settings,
    once_loaded,
)
from app.ui.state.activity import WebhooksState
from app.ui.views.webhooks_create import create_webhook, new_secret
from app.ui.views.webhooks_list import webhook_card


@protected_page("/settings/webhooks", "Webhooks", on_load=[WebhooksState.load])
def webhooks_page() -> rx.Component:
    return admin_settings(
        "/settings/webhooks",
        "Webhooks send ",
        "'s activity (published posts, new accounts…) to n8n, Zapier or your own service.",
        WebhooksState.error,
        new_secret(),
        create_webhook(),
        once_loaded(
            WebhooksState.loading,
            stack(rx.foreach(WebhooksState.hooks, webhook_card), id="webhooks"),
        ),
    )
