"""Workspaces in the UI: create one (sidebar and Settings → Workspace), rename the current one,
switch between them (the switcher itself lives in AuthState)."""

from __future__ import annotations

import reflex as rx

from app.services import workspaces as ws
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, shows_errors, signed_in


class WorkspaceState(AuthState):
    create_open: bool = False
    error: str = ""

    @rx.event
    def set_create_open(self, is_open: bool):
        self.create_open = is_open
        self.error = ""

    @rx.event
    @shows_errors(inline="error")
    @signed_in(workspace=False)
    def create(self, me: SignedIn, form: dict):
        """A new workspace, of which the user is the admin; it becomes the current one."""
        made = ws.create_workspace(me.user, str(form.get("name", "")))
        self.error, self.create_open = "", False
        self._load_user(me.user)
        self.workspace_id = str(made.id)
        return [rx.redirect("/settings/workspace"), rx.toast.success(f"Created {made.name}.")]

    @rx.event
    @shows_errors(inline="error")
    @signed_in
    def rename(self, me: SignedIn, form: dict):
        renamed = ws.rename_workspace(me.user, me.wid, str(form.get("name", "")))
        self.error = ""
        self._load_user(me.user)
        return rx.toast.success(f"Renamed to {renamed.name}.")

    @rx.event
    def load(self):
        self.error = ""
        self.create_open = False
