"""/invite/[invite_token]: accept an invitation to a workspace."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, stack
from app.ui.components.forms import form_error
from app.ui.components.layout import public_page
from app.ui.state.invite import InviteState


def _offer() -> rx.Component:
    return stack(
        rx.text(
            InviteState.invited_by,
            " invited you to join ",
            rx.text.strong(InviteState.workspace_name, id="invite-workspace"),
            " as ",
            rx.badge(InviteState.role, id="invite-role-badge"),
            ".",
        ),
        rx.cond(
            InviteState.signed_in,
            rx.hstack(
                muted("Signed in as ", InviteState.user_email, size="2"),
                rx.button("Accept invite", on_click=InviteState.accept, id="accept-invite"),
                align="center",
                justify="between",
                width="100%",
            ),
            rx.hstack(
                rx.link(
                    rx.button("Sign in to accept", id="invite-login"),
                    href="/login?next=" + InviteState.router.url.path,
                ),
                rx.link(
                    rx.button("Create an account", variant="soft", id="invite-register"),
                    href="/register?next=" + InviteState.router.url.path,
                ),
            ),
        ),
        spacing="4",
    )


@public_page("/invite/[invite_token]", "Invitation", InviteState.load)
def invite() -> rx.Component:
    return rx.center(
        rx.card(
            stack(
                rx.heading("Workspace invitation", size="5"),
                form_error(InviteState.error),
                rx.cond(InviteState.workspace_name != "", _offer()),
                spacing="4",
            ),
            size="4",
            width="100%",
            max_width="480px",
        ),
        min_height="100vh",
        padding="16px",
    )
