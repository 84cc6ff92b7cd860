"""Workspaces in the UI: create one (sidebar and Settings → Workspace), rename the current one,
switch between them (the switcher itself lives in AuthState)."""

from __future__ import annotations

import reflex as rx

from app.services import workspaces as ws
from app.services.errors import ServiceError
from app.ui.state.auth import AuthState


class WorkspaceState(AuthState):
    create_open: bool = False
    error: str = ""

    @rx.event
    def set_create_open(self, is_open: bool):
        self.create_open = is_open
        self.error = ""

    @rx.event
    def create(self, form: dict):
        """A new workspace, of which the user is the admin; it becomes the current one."""
        user = self._user()
        if user is None:
            return self._login_redirect()
        try:
            made = ws.create_workspace(user, str(form.get("name", "")))
        except ServiceError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.error, self.create_open = "", False
        self._load_user(user)
        self.workspace_id = str(made.id)
        return [rx.redirect("/settings/workspace"), rx.toast.success(f"Created {made.name}.")]

    @rx.event
    def rename(self, form: dict):
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return self._login_redirect()
        try:
            renamed = ws.rename_workspace(user, wid, str(form.get("name", "")))
        except ServiceError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.error = ""
        self._load_user(user)
        return rx.toast.success(f"Renamed to {renamed.name}.")

    @rx.event
    def load(self):
        self.error = ""
        self.create_open = False
