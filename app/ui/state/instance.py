"""Settings → Instance (instance admins): the OAuth app Herald uses for each platform."""

from __future__ import annotations

import reflex as rx

from app.services import connect, platform_apps
from app.services.errors import ServiceError
from app.ui.state.auth import AuthState


class InstanceState(AuthState):
    apps: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    def load(self):
        user = self._user()
        if user is None:
            return self._login_redirect()
        if not user.is_instance_admin:
            self.error = "Only the instance admin manages these settings."
            self.apps = []
            return
        self.error = ""
        self._refresh(user)

    def _refresh(self, user) -> None:
        self.apps = [
            {
                "platform": a.platform,
                "name": a.name,
                "source": a.source,
                "client_id": a.client_id,
                "has_secret": "yes" if a.has_secret else "",
                "callback": connect.callback_url(a.platform),
            }
            for a in platform_apps.list_apps(user)
        ]

    @rx.event
    def save(self, form: dict):
        user = self._user()
        if user is None:
            return self._login_redirect()
        platform = form.get("platform", "")
        try:
            saved = platform_apps.save_app(
                user, platform, form.get("client_id", ""), form.get("client_secret") or None
            )
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._refresh(user)
        return rx.toast.success(f"{saved.name} app saved.")

    @rx.event
    def remove(self, platform: str):
        user = self._user()
        if user is None:
            return self._login_redirect()
        try:
            platform_apps.delete_app(user, platform)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._refresh(user)
        return rx.toast.success("App removed.")
