"""Instance settings: who may sign up, and the users (admin, disable, enable)."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted
from app.ui.components.buttons import row_button
from app.ui.components.confirm import ask_first
from app.ui.components.section import data_table, settings_block, settings_card, title_meta
from app.ui.state.instance import InstanceState

REGISTRATION = {
    "open": "Open: anyone who reaches this Herald can create an account.",
    "invite": "Invite-only: only people with an invite link to a workspace can sign up.",
    "closed": "Closed: nobody can sign up.",
}


def registration() -> rx.Component:
    return settings_block(
        "Registration",
        rx.radio_group.root(
            rx.vstack(
                *[
                    rx.text(
                        rx.flex(rx.radio_group.item(value=value), label, spacing="2"),
                        as_="label",
                        size="2",
                    )
                    for value, label in REGISTRATION.items()
                ],
                spacing="2",
            ),
            value=InstanceState.registration,
            on_change=InstanceState.save_registration,
            id="registration-policy",
        ),
        muted(InstanceState.registration_note),
        about="Who may create an account (the first account, the instance admin, always could).",
    )


def _change(u: rx.Var, label: str, change: str, **props) -> rx.Component:
    """A button of the row applying one of USER_CHANGES to the user."""
    return row_button(
        label,
        on_click=InstanceState.change_user(u["id"], change),
        class_name=f"{change}-user",
        **props,
    )


def _disable(u: rx.Var) -> rx.Component:
    """ "Disable", asked for again in a dialog."""
    return ask_first(
        row_button("Disable", color_scheme="red", class_name="disable-user"),
        ("Disable ", u["email"], "?"),
        rx.alert_dialog.description(
            "They are signed out everywhere now, cannot sign in, and "
            "their API keys stop working. You can enable them again."
        ),
        "Disable",
        InstanceState.change_user(u["id"], "disable"),
        "confirm-disable",
    )


def _user_row(u: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(title_meta(u["name"], u["email"])),
        rx.table.cell(u["created"]),
        rx.table.cell(u["workspaces"]),
        rx.table.cell(
            rx.hstack(
                rx.cond(u["admin"] == "yes", rx.badge("instance admin", color_scheme="blue")),
                rx.cond(u["active"] != "yes", rx.badge("disabled", color_scheme="red")),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    u["admin"] == "yes",
                    _change(u, "Remove admin", "demote"),
                    _change(u, "Make admin", "promote", disabled=u["active"] != "yes"),
                ),
                rx.cond(
                    u["me"] == "yes",
                    rx.fragment(),
                    rx.cond(u["active"] == "yes", _disable(u), _change(u, "Enable", "enable")),
                ),
                spacing="2",
            )
        ),
        class_name="user-row",
        data_email=u["email"],
    )


def users_table() -> rx.Component:
    return settings_card(
        "Users",
        data_table(
            ("User", "Joined", "Workspaces", "", ""), InstanceState.users, _user_row, "users"
        ),
    )
