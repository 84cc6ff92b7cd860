"""Accounts: the sandbox notices (what it is, and that it was reset)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import notice
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
    reconnect = rx.button(
        "Reconnect sandbox accounts",
        on_click=AccountsState.reconnect_sandbox,
        id="reconnect-sandbox",
        size="2",
    )
    return notice(
        AccountsState.sandbox_reset != "",
        rx.text(AccountsState.sandbox_reset, id="sandbox-reset-message"),
        rx.cond(AccountsState.is_workspace_admin, reconnect),
        icon="triangle-alert",
        color="amber",
        id="sandbox-reset",
        spread=True,
        width="100%",
    )
