"""Settings → Team: confirm removing a member, leaving the workspace, revoking an invite."""

from __future__ import annotations

import reflex as rx

from app.ui.components.confirm import confirm_dialog
from app.ui.state.auth import AuthState
from app.ui.state.team import TeamState

S = TeamState


def team_confirm_dialog() -> rx.Component:
    kind = S.confirm_kind
    return confirm_dialog(
        open=kind != "",
        on_open_change=S.close_confirm,
        title=rx.match(
            kind,
            ("remove", rx.text("Remove ", S.confirm_name, "?")),
            ("leave", rx.text("Leave ", AuthState.current_workspace_name, "?")),
            rx.text("Revoke the invite for ", S.confirm_name, "?"),
        ),
        description=rx.match(
            kind,
            (
                "remove",
                rx.text(
                    S.confirm_name,
                    " loses access to ",
                    AuthState.current_workspace_name,
                    " (its posts, accounts and media) at once, and their API keys for it stop "
                    "working. The posts they wrote stay and still go out as scheduled. You can "
                    "invite them again.",
                ),
            ),
            (
                "leave",
                rx.text(
                    "You lose access to this workspace at once; its posts keep going out. An "
                    "admin can invite you again."
                ),
            ),
            rx.text(
                "The link stops working at once: whoever has it can no longer join. You can "
                "create a new invite later."
            ),
        ),
        confirm_label=rx.match(kind, ("remove", "Remove"), ("leave", "Leave"), "Revoke"),
        on_confirm=S.confirm,
        confirm_id="confirm-team-action",
        dialog_id="team-dialog",
    )
