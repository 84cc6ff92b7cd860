"""The "New workspace" dialog, opened from the sidebar and from Settings → Workspace."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import close_button, controlled_dialog, dialog_buttons
from app.ui.components.forms import form_error
from app.ui.state.workspace import WorkspaceState


def new_workspace_button(**props) -> rx.Component:
    return rx.tooltip(
        rx.icon_button(
            rx.icon("plus", size=16),
            variant="soft",
            color_scheme="gray",
            aria_label="New workspace",
            # From the narrow screens' menu: close the drawer first, so that its focus trap
            # does not dismiss the dialog as it opens (no-op in the sidebar).
            on_click=[
                rx.call_script("document.getElementById('nav-close')?.click()"),
                WorkspaceState.set_create_open(True),
            ],
            **props,
        ),
        content="New workspace",
    )


def new_workspace_dialog() -> rx.Component:
    return controlled_dialog(
        "New workspace",
        rx.dialog.description(
            "A separate set of accounts, posts, media and members (a client, a brand). "
            "You are its admin; switch between workspaces in the sidebar.",
            size="2",
        ),
        form_error(WorkspaceState.error),
        rx.form(
            rx.vstack(
                rx.input(
                    name="name",
                    placeholder="e.g. Acme Bakery",
                    id="new-workspace-name",
                    max_length=100,
                    width="100%",
                    auto_focus=True,
                ),
                dialog_buttons(
                    close_button(type="button"),
                    rx.button("Create workspace", type="submit", id="create-workspace"),
                    width="100%",
                ),
                spacing="3",
                margin_top="12px",
            ),
            on_submit=WorkspaceState.create,
            reset_on_submit=True,
        ),
        open=WorkspaceState.create_open,
        on_open_change=WorkspaceState.set_create_open,
        max_width="440px",
        id="new-workspace-dialog",
    )
