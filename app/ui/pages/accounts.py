"""/accounts: connected accounts and the networks to connect."""

from __future__ import annotations

import reflex as rx

from app.ui.components.disconnect_dialog import disconnect_dialog
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.state.accounts import AccountsState

STATUS_COLORS = {"connected": "green", "expiring": "amber", "expired": "red", "revoked": "gray"}


def _account(a: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.avatar(src=a["avatar"], fallback=a["name"].to(str)[:2], radius="full"),
            rx.vstack(
                rx.text(a["name"], weight="bold"),
                rx.text(a["platform_name"], " · ", a["username"], size="2", color_scheme="gray"),
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
                rx.button(
                    rx.icon("refresh-cw", size=12),
                    "Reconnect",
                    size="1",
                    variant="soft",
                    on_click=AccountsState.reconnect(a["id"]),
                    class_name="reconnect",
                ),
            ),
            rx.cond(
                AccountsState.is_workspace_admin & (a["status"] != "revoked"),
                rx.button(
                    "Disconnect",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=AccountsState.ask_disconnect(a["id"], a["name"]),
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


def _platform(p: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(p["name"], weight="bold"),
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
                    rx.text("Not set up on this Herald", size="1", color_scheme="gray"),
                ),
            ),
            rx.cond(
                p["sandbox"] == "yes",
                rx.button(
                    rx.icon("flask-conical", size=14),
                    "Sandbox account",
                    size="1",
                    variant="soft",
                    color_scheme="violet",
                    on_click=AccountsState.start(p["id"], True),
                    id="sandbox-" + p["id"].to(str),
                ),
            ),
            spacing="2",
        ),
        min_width="180px",
    )


def _choice(c: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.checkbox(
            checked=AccountsState.chosen.contains(c["id"]),
            on_change=lambda checked: AccountsState.toggle_choice(c["id"], checked),
            id="choice-" + c["id"].to(str),
        ),
        rx.avatar(src=c["avatar"], fallback=c["name"].to(str)[:2], size="2", radius="full"),
        rx.vstack(
            rx.text(c["name"], weight="bold", size="2"),
            rx.text(c["username"], size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.cond(c["connected"] == "yes", rx.badge("already connected", color_scheme="gray")),
        align="center",
        spacing="3",
    )


def _pick_dialog() -> rx.Component:
    """After a login that manages several pages/organizations/channels: which to connect."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Choose what to connect"),
            rx.dialog.description(
                "This ",
                AccountsState.pick_platform,
                " login manages several accounts. Herald will publish to the ones you select.",
                size="2",
            ),  # fmt: skip
            rx.vstack(rx.foreach(AccountsState.choices, _choice), spacing="3", margin_y="4"),
            rx.hstack(
                rx.button(
                    "Cancel",
                    variant="soft",
                    color_scheme="gray",
                    on_click=AccountsState.cancel_pick,
                ),  # fmt: skip
                rx.button(
                    "Connect selected",
                    on_click=AccountsState.confirm_pick,
                    disabled=AccountsState.chosen.length() == 0,
                    id="confirm-pick",
                ),
                justify="end",
                spacing="3",
            ),
        ),
        open=AccountsState.pick_key != "",
    )


def _sandbox_banner() -> rx.Component:
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


def _sandbox_reset_notice() -> rx.Component:
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


@protected_page("/accounts", "Accounts", on_load=[AccountsState.load])
def accounts() -> rx.Component:
    return rx.vstack(
        _pick_dialog(),
        disconnect_dialog(),
        _sandbox_banner(),
        _sandbox_reset_notice(),
        form_error(AccountsState.error),
        rx.cond(
            AccountsState.accounts.length() > 0,
            rx.vstack(rx.foreach(AccountsState.accounts, _account), width="100%", id="accounts"),
            rx.text("No accounts yet: connect one below.", color_scheme="gray"),
        ),
        rx.cond(
            AccountsState.is_workspace_admin,
            rx.vstack(
                rx.heading("Connect an account", size="4"),
                rx.flex(rx.foreach(AccountsState.platforms, _platform), gap="3", wrap="wrap"),
                spacing="3",
            ),
        ),
        spacing="5",
        width="100%",
    )
