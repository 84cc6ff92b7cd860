"""Accounts: a login that manages several accounts — which of them to connect."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import controlled_dialog, dialog_buttons, row, soft_button
from app.ui.components.section import title_meta
from app.ui.state.accounts import AccountsState


def _choice(c: rx.Var) -> rx.Component:
    return row(
        rx.checkbox(
            checked=AccountsState.chosen.contains(c["id"]),
            on_change=lambda checked: AccountsState.toggle_choice(c["id"], checked),
            id="choice-" + c["id"].to(str),
        ),
        rx.avatar(src=c["avatar"], fallback=c["name"].to(str)[:2], size="2", radius="full"),
        title_meta(c["name"], c["username"], weight="bold", size="2"),
        rx.cond(c["connected"] == "yes", rx.badge("already connected", color_scheme="gray")),
        spacing="3",
    )


def pick_dialog() -> rx.Component:
    """After a login that manages several pages/organizations/channels: which to connect."""
    return controlled_dialog(
        "Choose what to connect",
        rx.dialog.description(
            "This ",
            AccountsState.pick_platform,
            " login manages several accounts. Herald will publish to the ones you select.",
            size="2",
        ),  # fmt: skip
        rx.vstack(rx.foreach(AccountsState.choices, _choice), spacing="3", margin_y="4"),
        dialog_buttons(
            soft_button("Cancel", on_click=AccountsState.cancel_pick),
            rx.button(
                "Connect selected",
                on_click=AccountsState.confirm_pick,
                disabled=AccountsState.chosen.length() == 0,
                id="confirm-pick",
            ),
            spacing="3",
        ),
        open=AccountsState.pick_key != "",
    )
