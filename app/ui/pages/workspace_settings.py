"""Settings → Workspace: rename the current workspace, see and switch to the others, create one."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, stack
from app.ui.components.buttons import row_button
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.section import heading_row, settings_card
from app.ui.components.settings_nav import settings_page
from app.ui.state.approvals import ApprovalSettingState
from app.ui.state.auth import AuthState
from app.ui.state.workspace import WorkspaceState
from app.ui.views.approvals_settings import approval_setting


def _rename() -> rx.Component:
    return settings_card(
        "Name",
        rx.cond(
            AuthState.is_workspace_admin,
            rx.form(
                rx.hstack(
                    rx.input(
                        name="name",
                        default_value=AuthState.current_workspace_name,
                        key=AuthState.workspace_id,
                        id="workspace-name",
                        max_length=100,
                        width="100%",
                    ),
                    rx.button("Rename", type="submit", id="rename-workspace"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=WorkspaceState.rename,
                width="100%",
            ),
            muted(AuthState.current_workspace_name, " (only its admins can rename it).", size="2"),
        ),
    )


def _workspace_row(w: rx.Var) -> rx.Component:
    current = w["id"] == AuthState.workspace_id
    return rx.hstack(
        rx.icon("building-2", size=16, color=rx.color("gray", 10)),
        rx.text(w["name"], weight="medium", size="2"),
        rx.badge(w["role"], variant="soft"),
        rx.spacer(),
        rx.cond(
            current,
            rx.badge("Current", color_scheme="grass"),
            row_button(
                "Switch",
                on_click=AuthState.switch_workspace(w["id"]),
                class_name="switch-workspace",
            ),
        ),
        align="center",
        width="100%",
        class_name="workspace-row",
        data_name=w["name"],
    )


def _list() -> rx.Component:
    return settings_card(
        heading_row(
            "Your workspaces",
            rx.spacer(),
            rx.button(
                rx.icon("plus", size=14),
                "New workspace",
                size="2",
                on_click=WorkspaceState.set_create_open(True),
                id="settings-new-workspace",
            ),
            width="100%",
        ),
        stack(rx.foreach(AuthState.workspaces, _workspace_row), id="workspaces"),
        about="Each workspace has its own accounts, posts, media and team.",
    )


@protected_page(
    "/settings/workspace", "Workspace", on_load=[WorkspaceState.load, ApprovalSettingState.load]
)
def workspace_settings() -> rx.Component:
    return settings_page(
        "/settings/workspace",
        form_error(WorkspaceState.error),
        _rename(),
        approval_setting(),
        _list(),
    )
