"""Settings → Instance (instance admins): the OAuth app Herald uses for each platform."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import reflex as rx

from app.models import User
from app.services import connect, instance_settings, mail, platform_apps, users
from app.ui import format
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, guarded_event, setter, shows_errors, signed_in

SOURCE_LABELS = {"env": "environment", "stored": "saved here", "default": "default"}
# What the users table's buttons do to a user, and what the toast then says.
USER_CHANGES: dict[str, tuple[Callable[[User, uuid.UUID], object], str]] = {
    "promote": (lambda me, u: users.set_instance_admin(me, u, True), "Now an instance admin."),
    "demote": (lambda me, u: users.set_instance_admin(me, u, False), "No longer an admin."),
    "disable": (lambda me, u: users.set_disabled(me, u, True), "User disabled; signed out."),
    "enable": (lambda me, u: users.set_disabled(me, u, False), "User enabled."),
}


# The instance settings' handlers: for a signed-in user, no workspace needed; errors as toasts.
admin_event = guarded_event(workspace=False)


class InstanceState(AuthState):
    apps: list[dict[str, str]] = []
    error: str = ""
    ai: dict[str, str] = {}
    ai_model: str = ""
    ai_base_url: str = ""
    storage: dict[str, str] = {}
    users: list[dict[str, str]] = []
    registration: str = ""
    registration_note: str = ""
    email: dict[str, str] = {}
    require_verified: bool = False
    test_email_id: str = ""
    test_email_status: str = ""

    @rx.event
    @signed_in(workspace=False)
    def load(self, me: SignedIn):
        if not me.user.is_instance_admin:
            self.error = "Only the instance admin manages these settings."
            self.apps = []
            return
        self.error = ""
        self._refresh(me.user)

    def _refresh_ai(self, user) -> None:
        view = instance_settings.ai_settings(user)
        self.ai = {
            "configured": "yes" if view.configured else "",
            "model": view.model,
            "base_url": view.base_url or "api.openai.com (default)",
            "has_key": "yes" if view.has_key else "",
            "model_source": SOURCE_LABELS[view.model_source],
            "base_url_source": SOURCE_LABELS[view.base_url_source],
            "api_key_source": SOURCE_LABELS[view.api_key_source],
            "model_env": "yes" if view.model_source == "env" else "",
            "base_url_env": "yes" if view.base_url_source == "env" else "",
            "api_key_env": "yes" if view.api_key_source == "env" else "",
            "stored_has_key": "yes" if view.stored_has_key else "",
            "per_hour": str(view.requests_per_hour or "unlimited"),
        }
        self.ai_model = view.stored_model
        self.ai_base_url = view.stored_base_url

    def _refresh_storage(self, user) -> None:
        st = instance_settings.storage_settings(user)
        self.storage = {
            "backend": "S3-compatible bucket" if st.backend == "s3" else "Local disk",
            "is_s3": "yes" if st.backend == "s3" else "",
            "local_path": st.local_path,
            "bucket": st.bucket,
            "endpoint": st.endpoint,
            "region": st.region,
            "path_style": "yes" if st.path_style else "no",
            "credentials": "set" if st.has_credentials else "default chain (env, profile, role)",
            "max_image": f"{st.max_image_bytes / 1024**2:.0f} MB",
            "max_video": f"{st.max_video_bytes / 1024**2:.0f} MB",
        }

    def _refresh_users(self, user) -> None:
        self.users = [
            {
                "id": str(u.id),
                "email": u.email,
                "name": u.full_name or u.email.split("@")[0],
                "created": format.datetime_zone(
                    u.created_at, self.user_timezone, hours=self.user_time_format
                ),
                "workspaces": str(u.workspaces),
                "admin": "yes" if u.is_instance_admin else "",
                "active": "yes" if u.is_active else "",
                "me": "yes" if u.id == user.id else "",
            }
            for u in users.list_users(user)
        ]

    def _refresh_registration(self, user) -> None:
        view = instance_settings.registration(user)
        self.registration = view.policy
        self.registration_note = (
            "Set in the environment (HERALD_REGISTRATION)."
            if view.source == "env"
            else f"Default on this address: {view.default}."
        )

    @admin_event
    def save_registration(self, me: SignedIn, policy: str):
        instance_settings.save_registration(me.user, policy)
        self._refresh_registration(me.user)
        return rx.toast.success("Registration setting saved.")

    def _refresh_email(self, user) -> None:
        view = mail.smtp_settings(user)
        env = {name: "yes" if src == "env" else "" for name, src in view.sources.items()}
        self.email = {
            "configured": "yes" if view.configured else "",
            "host": view.host,
            "port": str(view.port),
            "username": view.username,
            "from_addr": view.from_addr,
            "security": view.security,
            "has_password": "yes" if view.has_password else "",
            "stored_password": "yes" if view.sources["password"] == "stored" else "",
            "pending": str(view.pending),
            "failed": str(view.failed),
            **{f"{name}_env": flag for name, flag in env.items()},
        }
        self.require_verified = view.require_verified

    @admin_event
    def save_email(self, me: SignedIn, form: dict):
        values = {
            name: form.get(name)
            for name in ("host", "port", "username", "password", "from_addr", "security")
            if form.get(name) is not None and self.email.get(f"{name}_env") != "yes"
        }
        mail.save_smtp_settings(me.user, values=values)
        self._refresh_email(me.user)
        return [rx.set_value("smtp-password", ""), rx.toast.success("Email settings saved.")]

    @admin_event
    def clear_email_password(self, me: SignedIn):
        mail.save_smtp_settings(me.user, clear_password=True)
        self._refresh_email(me.user)
        return rx.toast.success("Stored SMTP password removed.")

    @admin_event
    def set_require_verified(self, me: SignedIn, value: bool):
        mail.save_smtp_settings(me.user, require_verified=bool(value))
        self._refresh_email(me.user)

    @admin_event
    def send_test_email(self, me: SignedIn, form: dict):
        outbox_id = mail.send_test(me.user, form.get("to", ""))
        self.test_email_id = str(outbox_id)
        self.test_email_status = "queued: a worker sends it in a moment"
        return rx.toast.success("Test email queued.")

    @rx.event
    @shows_errors(inline="test_email_status", toast=False)
    @signed_in(workspace=False, quiet=True)
    def refresh_test_email(self, me: SignedIn):
        if not self.test_email_id:
            return
        view = mail.outbox_status(me.user, self.test_email_id)
        error = f" ({view.last_error})" if view.last_error else ""
        self.test_email_status = f"{view.status} after {view.attempts} attempt(s){error}"
        self._refresh_email(me.user)

    def _refresh(self, user) -> None:
        self._refresh_email(user)
        self._refresh_registration(user)
        self._refresh_ai(user)
        self._refresh_storage(user)
        self._refresh_users(user)
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

    set_ai_model = setter("ai_model")
    set_ai_base_url = setter("ai_base_url")

    @admin_event
    def save_ai(self, me: SignedIn, form: dict):
        instance_settings.save_ai_settings(
            me.user,
            model=self.ai_model,
            base_url=self.ai_base_url,
            api_key=form.get("api_key") or None,
        )
        self._refresh_ai(me.user)
        return [rx.set_value("ai-api-key", ""), rx.toast.success("AI settings saved.")]

    @admin_event
    def clear_ai_key(self, me: SignedIn):
        instance_settings.save_ai_settings(me.user, clear_api_key=True)
        self._refresh_ai(me.user)
        return rx.toast.success("Stored AI key removed.")

    @admin_event
    def change_user(self, me: SignedIn, user_id: str, change: str):
        """One of USER_CHANGES ("promote", "demote", "disable", "enable") on another user."""
        if change not in USER_CHANGES:
            return rx.toast.error("Unknown change.")
        apply, done = USER_CHANGES[change]
        apply(me.user, uuid.UUID(user_id))
        self._refresh_users(me.user)
        self._load_user(self._user() or me.user)
        return rx.toast.success(done)

    @admin_event
    def save(self, me: SignedIn, form: dict):
        platform = form.get("platform", "")
        saved = platform_apps.save_app(
            me.user, platform, form.get("client_id", ""), form.get("client_secret") or None
        )
        self._refresh(me.user)
        return rx.toast.success(f"{saved.name} app saved.")

    @admin_event
    def remove(self, me: SignedIn, platform: str):
        platform_apps.delete_app(me.user, platform)
        self._refresh(me.user)
        return rx.toast.success("App removed.")
