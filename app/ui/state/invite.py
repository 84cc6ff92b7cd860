"""/invite/[invite_token]: show what the link offers and accept it."""

from __future__ import annotations

import reflex as rx

from app.services import workspaces as ws
from app.services.errors import ServiceError
from app.ui.state.auth import AuthState


class InviteState(AuthState):
    workspace_name: str = ""
    role: str = ""
    invited_by: str = ""
    error: str = ""
    signed_in: bool = False

    def _token(self) -> str:
        return str(getattr(self, "invite_token", "") or "")

    @rx.event
    def load(self):
        self.error = ""
        user = self._user()
        self.signed_in = user is not None
        if user is not None:
            self._load_user(user)
        try:
            info = ws.invite_info(self._token())
        except ServiceError as exc:
            self.error = exc.message
            return
        self.workspace_name, self.role, self.invited_by = (
            info.workspace_name,
            info.role,
            info.invited_by,
        )

    @rx.event
    def accept(self):
        user = self._user()
        if user is None:
            return self._login_redirect()
        try:
            joined = ws.accept_invite(user, self._token())
        except ServiceError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self._load_user(user)
        self.workspace_id = str(joined.id)
        return [rx.toast.success(f"You joined {joined.name}."), rx.redirect("/settings/team")]
