"""Accounts: one card per connected account, with its status and actions."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, row
from app.ui.components.buttons import danger_button, row_button
from app.ui.components.network_logo import network_logo
from app.ui.state.accounts import AccountsState

STATUS_COLORS = {"connected": "green", "expiring": "amber", "expired": "red", "revoked": "gray"}


def account_card(a: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.avatar(src=a["avatar"], fallback=a["name"].to(str)[:2], radius="full"),
            rx.vstack(
                rx.text(a["name"], weight="bold"),
                row(
                    network_logo(a["platform"].to(str), "16px"),
                    muted(a["platform_name"], " · ", a["username"], size="2"),
                    spacing="1",
                ),
                rx.cond(a["error"] != "", rx.text(a["error"], size="1", color_scheme="red")),
                rx.cond(
                    a["waiting"] != "",
                    rx.text(a["waiting"], size="1", color_scheme="amber", class_name="kept-posts"),
                ),
                spacing="0",
            ),
            rx.spacer(),
            rx.cond(a["sandbox"] == "yes", rx.badge("Sandbox", color_scheme="violet")),
            rx.badge(
                a["status"],
                color_scheme=rx.match(a["status"], *STATUS_COLORS.items(), "red"),
                class_name="account-status",
            ),
            rx.cond(
                AccountsState.is_workspace_admin & (a["status"] != "connected"),
                row_button(
                    rx.icon("refresh-cw", size=12),
                    "Reconnect",
                    on_click=AccountsState.reconnect(a["id"]),
                    class_name="reconnect",
                ),
            ),
            rx.cond(
                AccountsState.is_workspace_admin & (a["status"] != "revoked"),
                danger_button(
                    "Disconnect",
                    AccountsState.ask_disconnect(a["id"], a["name"]),
                    class_name="disconnect",
                ),
            ),
            align="center",
            width="100%",
        ),
        class_name="account-card",
        data_platform=a["platform"],
        width="100%",
    )
