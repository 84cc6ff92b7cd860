"""Accounts page: confirm a disconnect, and say what happens to the posts waiting for it."""

from __future__ import annotations

import reflex as rx

from app.ui.components.confirm import confirm_button, confirm_dialog
from app.ui.state.accounts import AccountsState

S = AccountsState


def _waiting_text() -> rx.Component:
    n = S.disconnect_waiting
    return rx.cond(
        n > 0,
        rx.text(
            rx.text.strong(
                n, rx.cond(n == 1, " scheduled post targets", " scheduled posts target")
            ),
            " this account. Remove it from those posts (a post left with no account becomes a "
            "draft), or keep them pending: they go out if you reconnect the account before "
            "they are due, otherwise they fail with “account disconnected”.",
            size="2",
            id="disconnect-waiting",
        ),
        rx.text("No scheduled post targets this account.", size="2", id="disconnect-waiting"),
    )


def disconnect_dialog() -> rx.Component:
    return confirm_dialog(
        open=S.disconnect_id != "",
        on_open_change=S.close_disconnect,
        title=rx.text("Disconnect ", S.disconnect_name, "?"),
        description=(
            "Herald forgets its access (and revokes it where the network allows). Published "
            "posts and analytics stay; you can connect it again later."
        ),
        body=rx.box(_waiting_text(), margin_top="8px"),
        dialog_id="disconnect-dialog",
        choices=[
            rx.cond(
                S.disconnect_waiting > 0,
                rx.fragment(
                    confirm_button(
                        "Keep them pending",
                        S.disconnect("keep"),
                        id="disconnect-keep",
                        color="orange",
                        variant="soft",
                    ),
                    confirm_button(
                        "Remove from those posts", S.disconnect("remove"), id="disconnect-remove"
                    ),
                ),
                confirm_button("Disconnect", S.disconnect("keep"), id="disconnect-confirm"),
            )
        ],
    )
