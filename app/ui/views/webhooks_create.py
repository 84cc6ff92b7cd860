"""Webhooks: adding one (the events it wants) and its signing secret, shown once."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import named_input
from app.ui.components.forms import check_chip
from app.ui.components.settings_blocks import (
    create_card,
    secret_once,
)
from app.ui.state.activity import WebhooksState


def new_secret() -> rx.Component:
    return secret_once(
        WebhooksState.new_secret,
        rx.text(
            "Copy the signing secret of ",
            rx.code(WebhooksState.new_url),
            " now: it is shown only once.",
            weight="medium",
        ),
        rx.text(
            "Each request carries ",
            rx.code("Herald-Signature: t=<unix>,v1=<hex>"),
            ": HMAC-SHA256 with this secret over ",
            rx.code("<t>.<body>"),
            " (see the README).",
            size="1",
        ),
        WebhooksState.dismiss_secret,
        noun="webhook-secret",
        label="Signing secret",
        copied="Secret copied.",
        callout_id="new-webhook-callout",
    )


def _event_box(verb: rx.Var) -> rx.Component:
    return check_chip(
        rx.cond(verb == "*", "everything", verb),
        checked=WebhooksState.chosen.contains(verb),
        on_change=lambda checked: WebhooksState.toggle_event(verb, checked),
        class_name="webhook-event",
        data_event=verb,
    )


def create_webhook() -> rx.Component:
    return create_card(
        "Add a webhook",
        [
            named_input(
                "url", "webhook-url", "Webhook URL", "https://example.com/herald-hook", "24rem"
            ),
            rx.input(
                name="description",
                placeholder="What it is for (optional)",
                max_length=200,
                width="14rem",
                aria_label="Description",
            ),
            rx.button("Add webhook", type="submit", id="create-webhook"),
        ],
        rx.flex(
            rx.foreach(WebhooksState.event_choices, _event_box),
            wrap="wrap",
            gap="10px",
            id="webhook-events",
        ),
        on_submit=WebhooksState.create,
    )
