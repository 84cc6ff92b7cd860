"""/accounts: connected accounts and the networks to connect."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import stack
from app.ui.components.disconnect_dialog import disconnect_dialog
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.state.accounts import AccountsState
from app.ui.views.accounts_cards import account_card
from app.ui.views.accounts_connect import platform_card
from app.ui.views.accounts_pick import pick_dialog
from app.ui.views.accounts_sandbox import sandbox_banner, sandbox_reset_notice


@protected_page("/accounts", "Accounts", on_load=[AccountsState.load])
def accounts() -> rx.Component:
    return stack(
        pick_dialog(),
        disconnect_dialog(),
        sandbox_banner(),
        sandbox_reset_notice(),
        form_error(AccountsState.error),
        rx.cond(
            AccountsState.accounts.length() > 0,
            rx.vstack(
                rx.foreach(AccountsState.accounts, account_card), width="100%", id="accounts"
            ),
            rx.text("No accounts yet: connect one below.", color_scheme="gray"),
        ),
        rx.cond(
            AccountsState.is_workspace_admin,
            rx.vstack(
                rx.heading("Connect an account", size="4"),
                rx.flex(
                    rx.foreach(AccountsState.platforms, platform_card), spacing="3", wrap="wrap"
                ),
                spacing="3",
            ),
        ),
        spacing="5",
    )
