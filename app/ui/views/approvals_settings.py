"""Settings → Workspace: the "Posts need approval" switch."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted, row
from app.ui.components.section import settings_card
from app.ui.state.approvals import ApprovalSettingState
from app.ui.state.auth import AuthState


def approval_setting() -> rx.Component:
    s = ApprovalSettingState
    return settings_card(
        "Approvals",
        row(
            rx.switch(
                checked=s.require_approval,
                on_change=s.set_required,
                disabled=~AuthState.is_workspace_admin,
                id="require-approval",
            ),
            rx.text(
                "Posts need approval",
                as_="label",
                html_for="require-approval",
                size="2",
                weight="medium",
            ),
        ),
        muted(
            "Editors submit posts; an admin approves them (they are then scheduled) or "
            "sends them back with a comment. Admins' own posts skip approval. Turning it on "
            "leaves posts already scheduled as they are.",
            size="2",
        ),
        rx.cond(
            ~AuthState.is_workspace_admin,
            muted("Only the workspace's admins can change this."),
        ),
        id="approval-setting",
    )
