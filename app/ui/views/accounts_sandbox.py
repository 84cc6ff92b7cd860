"""Accounts: the sandbox notices (what it is, and that it was reset)."""

from __future__ import annotations

import reflex as rx

from app.ui.state.accounts import AccountsState


def sandbox_banner() -> rx.Component:
    return rx.cond(
        AccountsState.sandbox_feed != "",
        rx.callout(
            rx.text(
                "Sandbox mode: connect a simulated account on any network, schedule a post and "
                "watch it go out. Published posts appear in the ",
                rx.link("sandbox feed", href=AccountsState.sandbox_feed, id="sandbox-feed-link"),
                ".",
            ),
            icon="flask-conical",
            color_scheme="violet",
            width="100%",
        ),
    )


def sandbox_reset_notice() -> rx.Component:
    """Once for all the workspace's sandbox accounts: the simulator's state is gone."""
    return rx.cond(
        AccountsState.sandbox_reset != "",
        rx.callout(
            rx.hstack(
                rx.text(AccountsState.sandbox_reset, id="sandbox-reset-message"),
                rx.cond(
                    AccountsState.is_workspace_admin,
                    rx.button(
                        "Reconnect sandbox accounts",
                        on_click=AccountsState.reconnect_sandbox,
                        id="reconnect-sandbox",
                        size="2",
                    ),
                ),
                align="center",
                justify="between",
                width="100%",
                wrap="wrap",
            ),
            icon="triangle-alert",
            color_scheme="amber",
            width="100%",
            id="sandbox-reset",
        ),
    )
