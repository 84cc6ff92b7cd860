"""Accounts page: connected accounts of the workspace, connect (OAuth) and disconnect."""

from __future__ import annotations

import json
import uuid

import reflex as rx

from app.providers.registry import provider_class
from app.services import accounts, connect
from app.services.errors import ServiceError
from app.ui.state.auth import AuthState


class AccountsState(AuthState):
    accounts: list[dict[str, str]] = []
    platforms: list[dict[str, str]] = []
    instance_url: str = ""
    error: str = ""

    @rx.event
    def load(self):
        self.error = self.router.url.query_parameters.get("error", "")
        connected = self.router.url.query_parameters.get("connected", "")
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return self._login_redirect()
        self._refresh(user, wid)
        if connected:
            return rx.toast.success(f"Connected {connected}.")

    def _refresh(self, user, wid: uuid.UUID) -> None:
        self.accounts = [
            {
                "id": str(a.id),
                "platform": a.platform,
                "platform_name": provider_class(a.platform).display_name,
                "name": a.name or a.username,
                "username": a.username,
                "avatar": a.avatar_url,
                "status": a.status.value,
                "error": a.last_error or "",
            }
            for a in accounts.list_accounts(user, wid)
        ]
        self.platforms = [
            {
                "id": p["id"],
                "name": p["name"],
                "configured": "yes" if p["configured"] else "",
                "federated": "yes" if p["capabilities"].get("per_instance") else "",
                "app_password": "yes" if p["capabilities"].get("app_password") else "",
            }
            for p in connect.platforms()
        ]

    @rx.event
    def set_instance_url(self, value: str):
        self.instance_url = value

    @rx.event
    def start(self, platform: str):
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return self._login_redirect()
        try:
            url = connect.start(user, wid, platform, self.instance_url or None)
        except ServiceError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        # Same tab: the platform sends the browser back to our callback, then to this page.
        return rx.call_script(f"window.location.assign({json.dumps(url)})")

    @rx.event
    def login(self, form: dict):
        """Platforms without OAuth: a handle and an app password (Bluesky)."""
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return self._login_redirect()
        try:
            account = connect.login(
                user, wid, form.get("platform", ""), form.get("identifier", ""),
                form.get("app_password", ""),
            )  # fmt: skip
        except ServiceError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self.error = ""
        self._refresh(user, wid)
        return rx.toast.success(f"Connected {account.name or account.username}.")

    @rx.event
    def disconnect(self, account_id: str):
        user, wid = self._user(), self._workspace_uuid()
        if user is None or wid is None:
            return self._login_redirect()
        try:
            connect.disconnect(user, wid, uuid.UUID(account_id))
        except ServiceError as exc:
            self.error = exc.message
            return rx.toast.error(exc.message)
        self._refresh(user, wid)
        return rx.toast.success("Disconnected. Its posts and history are kept.")
