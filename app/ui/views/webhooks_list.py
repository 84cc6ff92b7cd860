"""Webhooks: each webhook with its switches, and its delivery log."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, stack
from app.ui.components.buttons import danger_button, row_button
from app.ui.components.section import data_table
from app.ui.state.activity import WebhooksState


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
        rx.table.cell(muted(d["error"])),
        rx.table.cell(
            row_button(
                "Redeliver",
                on_click=WebhooksState.redeliver(d["id"]),
                class_name="redeliver",
            )
        ),
        class_name="delivery-row",
    )


def _deliveries() -> rx.Component:
    return rx.card(
        stack(
            rx.hstack(
                rx.heading("Deliveries", size="3"),
                row_button(
                    "Refresh",
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
        ),
        width="100%",
        id="deliveries",
    )


def webhook_card(h: rx.Var) -> rx.Component:
    return rx.card(
        stack(
            rx.hstack(
                rx.code(h["url"]),
                rx.cond(
                    h["active"] == "yes",
                    rx.badge("on", color_scheme="green"),
                    rx.badge("off", color_scheme="red"),
                ),
                rx.spacer(),
                row_button(
                    "Deliveries",
                    on_click=WebhooksState.show_deliveries(h["id"]),
                    class_name="show-deliveries",
                ),
                row_button(
                    "Send test event",
                    on_click=WebhooksState.send_test(h["id"]),
                    class_name="send-test",
                ),
                rx.cond(
                    h["active"] == "yes",
                    row_button(
                        "Switch off",
                        color_scheme="gray",
                        on_click=WebhooksState.set_active(h["id"], False),
                    ),
                    row_button(
                        "Switch on",
                        on_click=WebhooksState.set_active(h["id"], True),
                        class_name="switch-on",
                    ),
                ),
                danger_button("Delete", WebhooksState.delete(h["id"])),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            muted("Events: ", h["events"]),
            rx.cond(
                h["reason"] != "",
                rx.callout(h["reason"], color_scheme="red", size="1", class_name="disabled-reason"),
            ),
            rx.cond(WebhooksState.open_hook == h["id"], _deliveries()),
        ),
        width="100%",
        class_name="webhook-row",
    )
