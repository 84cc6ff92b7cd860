"""/invite/[invite_token]: show what the link offers and accept it."""

from __future__ import annotations

import reflex as rx

from app.services import workspaces as ws
from app.ui.state import handlers
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, shows_errors


class InviteState(AuthState):
    workspace_name: str = ""
    role: str = ""
    invited_by: str = ""
    error: str = ""
    signed_in: bool = False

    def _token(self) -> str:
        return str(getattr(self, "invite_token", "") or "")

    @rx.event
    @shows_errors(inline="error", toast=False)
    def load(self):
        self.error = ""
        user = self._user()
        self.signed_in = user is not None
        if user is not None:
            self._load_user(user)
        info = ws.invite_info(self._token())
        self.workspace_name, self.role, self.invited_by = (
            info.workspace_name,
            info.role,
            info.invited_by,
        )

    @rx.event
    @shows_errors(inline="error")
    @handlers.signed_in(workspace=False)  # not `signed_in`: a var of this state
    def accept(self, me: SignedIn):
        joined = ws.accept_invite(me.user, self._token())
        self._load_user(me.user)
        self.workspace_id = str(joined.id)
        return [rx.toast.success(f"You joined {joined.name}."), rx.redirect("/settings/team")]
