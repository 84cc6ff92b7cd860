"""Settings → Webhooks: add (signing secret shown once), switch on/off, send a test event, and
the delivery log with response codes and redelivery."""

from __future__ import annotations

import reflex as rx

from app.ui.components.layout import protected_page
from app.ui.components.section import data_table
from app.ui.components.settings_blocks import (
    admin_settings,
    create_card,
    once_loaded,
    secret_once,
)
from app.ui.state.activity import WebhooksState


def _new_secret() -> rx.Component:
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
        input_id="new-webhook-secret",
        label="Signing secret",
        copied="Secret copied.",
        dismiss_id="dismiss-webhook-secret",
        callout_id="new-webhook-callout",
    )


def _event_box(verb: rx.Var) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                checked=WebhooksState.chosen.contains(verb),
                on_change=lambda checked: WebhooksState.toggle_event(verb, checked),
                class_name="webhook-event",
                data_event=verb,
            ),
            rx.text(rx.cond(verb == "*", "everything", verb), size="1"),
            spacing="1",
            align="center",
        ),
    )


def _create() -> rx.Component:
    return create_card(
        "Add a webhook",
        [
            rx.input(
                name="url",
                id="webhook-url",
                placeholder="https://example.com/herald-hook",
                required=True,
                max_length=2000,
                width="24rem",
                aria_label="Webhook URL",
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


def _delivery(d: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(d["when"], size="1")),
        rx.table.cell(rx.code(d["event"])),
        rx.table.cell(
            rx.badge(
                d["status"],
                color_scheme=rx.match(
                    d["status"], ("delivered", "green"), ("failed", "red"), "amber"
                ),
            )
        ),
        rx.table.cell(rx.text(d["code"], class_name="delivery-code")),
        rx.table.cell(d["attempts"]),
        rx.table.cell(rx.text(d["error"], size="1", color_scheme="gray")),
        rx.table.cell(
            rx.button(
                "Redeliver",
                size="1",
                variant="soft",
                on_click=WebhooksState.redeliver(d["id"]),
                class_name="redeliver",
            )
        ),
        class_name="delivery-row",
    )


def _deliveries() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Deliveries", size="3"),
                rx.button(
                    "Refresh",
                    size="1",
                    variant="soft",
                    on_click=WebhooksState.refresh,
                    id="refresh-deliveries",
                ),  # fmt: skip
                justify="between",
                width="100%",
            ),
            rx.cond(
                WebhooksState.deliveries.length() > 0,
                data_table(
                    ("When", "Event", "Status", "Code", "Tries", "Error", ""),
                    WebhooksState.deliveries,
                    _delivery,
                    scroll=False,
                ),
                rx.text("Nothing sent yet.", color_scheme="gray"),
            ),
            width="100%",
        ),
        width="100%",
        id="deliveries",
    )


def _hook(h: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.code(h["url"]),
                rx.cond(
                    h["active"] == "yes",
                    rx.badge("on", color_scheme="green"),
                    rx.badge("off", color_scheme="red"),
                ),
                rx.spacer(),
                rx.button(
                    "Deliveries",
                    size="1",
                    variant="soft",
                    on_click=WebhooksState.show_deliveries(h["id"]),
                    class_name="show-deliveries",
                ),
                rx.button(
                    "Send test event",
                    size="1",
                    variant="soft",
                    on_click=WebhooksState.send_test(h["id"]),
                    class_name="send-test",
                ),
                rx.cond(
                    h["active"] == "yes",
                    rx.button(
                        "Switch off",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=WebhooksState.set_active(h["id"], False),
                    ),
                    rx.button(
                        "Switch on",
                        size="1",
                        variant="soft",
                        on_click=WebhooksState.set_active(h["id"], True),
                        class_name="switch-on",
                    ),
                ),
                rx.button(
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=WebhooksState.delete(h["id"]),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.text("Events: ", h["events"], size="1", color_scheme="gray"),
            rx.cond(
                h["reason"] != "",
                rx.callout(h["reason"], color_scheme="red", size="1", class_name="disabled-reason"),
            ),
            rx.cond(WebhooksState.open_hook == h["id"], _deliveries()),
            width="100%",
        ),
        width="100%",
        class_name="webhook-row",
    )


@protected_page("/settings/webhooks", "Webhooks", on_load=[WebhooksState.load])
def webhooks_page() -> rx.Component:
    return admin_settings(
        "/settings/webhooks",
        "Webhooks send ",
        "'s activity (published posts, new accounts…) to n8n, Zapier or your own service.",
        WebhooksState.error,
        _new_secret(),
        _create(),
        once_loaded(
            WebhooksState.loading,
            rx.vstack(rx.foreach(WebhooksState.hooks, _hook), width="100%", id="webhooks"),
        ),
    )
