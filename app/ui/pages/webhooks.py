"""Settings → Webhooks: add (signing secret shown once), switch on/off, send a test event, and
the delivery log with response codes and redelivery."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.settings_nav import settings_nav
from app.ui.state.activity import WebhooksState
from app.ui.state.auth import AuthState


def _new_secret() -> rx.Component:
    return rx.cond(
        WebhooksState.new_secret != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.vstack(
                rx.text(
                    "Copy the signing secret of ",
                    rx.code(WebhooksState.new_url),
                    " now: it is shown only once.",
                    weight="medium",
                ),
                rx.hstack(
                    rx.input(
                        value=WebhooksState.new_secret,
                        read_only=True,
                        id="new-webhook-secret",
                        font_family="monospace",
                        width="100%",
                        aria_label="Signing secret",
                    ),
                    rx.button(
                        "Copy",
                        on_click=[
                            rx.set_clipboard(WebhooksState.new_secret),
                            rx.toast("Secret copied."),
                        ],
                    ),
                    rx.button(
                        "Done",
                        variant="soft",
                        color_scheme="gray",
                        on_click=WebhooksState.dismiss_secret,
                        id="dismiss-webhook-secret",
                    ),
                    width="100%",
                ),
                rx.text(
                    "Each request carries ",
                    rx.code("Herald-Signature: t=<unix>,v1=<hex>"),
                    ": HMAC-SHA256 with this secret over ",
                    rx.code("<t>.<body>"),
                    " (see the README).",
                    size="1",
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            id="new-webhook-callout",
            width="100%",
        ),
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
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Add a webhook", size="4"),
                rx.hstack(
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
                    spacing="2",
                    wrap="wrap",
                ),
                rx.flex(
                    rx.foreach(WebhooksState.event_choices, _event_box),
                    wrap="wrap",
                    gap="10px",
                    id="webhook-events",
                ),
                spacing="3",
            ),
            on_submit=WebhooksState.create,
            reset_on_submit=True,
        ),
        width="100%",
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
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in ("When", "Event", "Status", "Code", "Tries", "Error", "")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(WebhooksState.deliveries, _delivery)),
                    width="100%",
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
    return rx.vstack(
        settings_nav("/settings/webhooks"),
        rx.text(
            "Webhooks send ",
            rx.text.strong(AuthState.current_workspace_name),
            "'s activity (published posts, new accounts…) to n8n, Zapier or your own service.",
            color_scheme="gray",
        ),
        form_error(WebhooksState.error),
        rx.cond(
            AuthState.is_workspace_admin,
            rx.vstack(
                _new_secret(),
                _create(),
                rx.cond(
                    WebhooksState.loading,
                    rx.center(rx.spinner(), width="100%", padding="24px"),
                    rx.vstack(rx.foreach(WebhooksState.hooks, _hook), width="100%", id="webhooks"),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
