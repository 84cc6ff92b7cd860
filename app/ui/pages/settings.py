"""Settings → Team."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import email_input, ghost_button, muted
from app.ui.components.buttons import row_button
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page, public_page
from app.ui.components.section import data_table, settings_card
from app.ui.components.settings_blocks import about_workspace
from app.ui.components.settings_nav import settings_page
from app.ui.components.team_dialogs import team_confirm_dialog
from app.ui.state.auth import AuthState
from app.ui.state.team import TeamState

ROLES = ["admin", "editor", "viewer"]


def _role_cell(m: rx.Var) -> rx.Component:
    return rx.cond(
        AuthState.is_workspace_admin,
        rx.select(
            ROLES,
            value=m["role"],
            on_change=lambda role: TeamState.set_role(m["user_id"], role),
            size="1",
        ),
        rx.badge(m["role"]),
    )


def _member_row(m: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(m["name"], weight="medium")),
        rx.table.cell(m["email"]),
        rx.table.cell(_role_cell(m), class_name="member-role"),
        rx.table.cell(
            rx.cond(
                AuthState.is_workspace_admin | (m["is_me"] == "yes"),
                row_button(
                    rx.cond(m["is_me"] == "yes", "Leave", "Remove"),
                    on_click=TeamState.ask(
                        rx.cond(m["is_me"] == "yes", "leave", "remove"), m["user_id"], m["name"]
                    ),
                    class_name="remove-member",
                    color_scheme="red",
                ),
            )
        ),
        data_email=m["email"],
        data_role=m["role"],
        class_name="member-row",
    )


def _members() -> rx.Component:
    return data_table(
        ("Name", "Email", "Role", ""),
        TeamState.members,
        _member_row,
        "members",
        scroll=False,
    )


def _invite_form() -> rx.Component:
    return settings_card(
        "Invite people",
        rx.form(
            rx.hstack(
                email_input("email", "Email (optional)", "invite-email"),
                rx.select(ROLES, name="role", default_value="editor", id="invite-role"),
                rx.button("Create invite link", type="submit", id="create-invite"),
                spacing="2",
                wrap="wrap",
            ),
            on_submit=TeamState.create_invite,
            reset_on_submit=True,
        ),
        rx.cond(
            TeamState.new_link != "",
            rx.hstack(
                rx.code(TeamState.new_link, id="invite-link", size="2"),
                row_button(
                    rx.icon("copy", size=14),
                    "Copy",
                    on_click=[rx.set_clipboard(TeamState.new_link), rx.toast("Link copied.")],
                ),
                align="center",
                wrap="wrap",
            ),
        ),
        rx.match(
            TeamState.new_link_mail,
            (
                "sent",
                rx.text(
                    "Emailed to the invited address. You can also share the link yourself.",
                    size="2",
                    color_scheme="grass",
                    id="invite-mail-note",
                ),
            ),
            (
                "not_sent",
                rx.text(
                    "Not emailed: this Herald has no email (SMTP) set up. Share the link "
                    "with the person yourself.",
                    size="2",
                    color_scheme="amber",
                    id="invite-mail-note",
                ),
            ),
            rx.fragment(),
        ),
        rx.cond(
            TeamState.invites.length() > 0,
            rx.vstack(
                rx.text("Pending invites", weight="medium", size="2"),
                rx.foreach(
                    TeamState.invites,
                    lambda i: rx.hstack(
                        rx.badge(i["role"]),
                        rx.text(i["email"], size="2"),
                        muted("expires ", i["expires"]),
                        ghost_button(
                            "Revoke",
                            size="1",
                            on_click=TeamState.ask("revoke", i["id"], i["email"]),
                            class_name="revoke-invite",
                            color="red",
                        ),
                        align="center",
                        class_name="pending-invite",
                    ),
                ),
                spacing="2",
            ),
        ),
        about="Create a link and send it to the person you invite. It works once and expires "
        "after 7 days.",
    )


@protected_page("/settings/team", "Team", on_load=[TeamState.load])
def team() -> rx.Component:
    return settings_page(
        "/settings/team",
        about_workspace(
            "Members of ",
            ". Admins manage members, accounts and billing; editors create and edit posts and "
            "media; viewers can look.",
        ),
        form_error(TeamState.error),
        team_confirm_dialog(),
        _members(),
        rx.cond(AuthState.is_workspace_admin, _invite_form()),
    )


@public_page("/settings", "Settings", rx.redirect("/settings/team"))
def settings_index() -> rx.Component:
    return rx.center(rx.spinner(), height="100vh")
