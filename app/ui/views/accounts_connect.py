"""Accounts: the networks to connect (OAuth, an app password, the sandbox)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, row
from app.ui.components.buttons import row_button
from app.ui.components.network_logo import network_logo
from app.ui.state.accounts import AccountsState


def _app_password_form(p: rx.Var) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.input(type="hidden", name="platform", value=p["id"]),
            rx.input(
                name="identifier",
                placeholder="handle",
                size="1",
                id="identifier-" + p["id"].to(str),
            ),
            rx.input(
                name="app_password",
                type="password",
                placeholder="app password",
                size="1",
                id="app-password-" + p["id"].to(str),
            ),
            rx.button("Connect", size="2", type="submit", id="connect-" + p["id"].to(str)),
            spacing="2",
        ),
        on_submit=AccountsState.login,
        reset_on_submit=True,
    )


def platform_card(p: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            row(network_logo(p["id"].to(str), "20px"), rx.text(p["name"], weight="bold")),
            rx.cond(
                p["federated"] == "yes",
                rx.input(
                    placeholder="your server, e.g. mastodon.social",
                    value=AccountsState.instance_url,
                    on_change=AccountsState.set_instance_url,
                    size="1",
                    id=f"instance-{p['id']}",
                ),
            ),
            rx.cond(
                p["app_password"] == "yes",
                _app_password_form(p),
                rx.cond(
                    p["configured"] == "yes",
                    rx.button(
                        "Connect",
                        size="2",
                        on_click=AccountsState.start(p["id"], False),
                        id="connect-" + p["id"].to(str),
                    ),
                    muted("Not set up on this Herald"),
                ),
            ),
            rx.cond(
                p["sandbox"] == "yes",
                row_button(
                    rx.icon("flask-conical", size=14),
                    "Sandbox account",
                    color_scheme="violet",
                    on_click=AccountsState.start(p["id"], True),
                    id="sandbox-" + p["id"].to(str),
                ),
            ),
            spacing="2",
        ),
        min_width="180px",
    )
