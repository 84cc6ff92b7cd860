"""/api/admin/*: instance settings (instance admins only)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser
from app.services import instance_settings, mail, platform_apps, users
from app.services.errors import NotFound

router = APIRouter(prefix="/api/admin", tags=["admin"])


class AppIn(BaseModel):
    client_id: str = Field(max_length=500)
    client_secret: str | None = Field(
        default=None, max_length=1000, description="Write-only; empty keeps the stored secret."
    )


@router.get("/platform-apps", response_model=list[platform_apps.AppView])
def list_apps(user: CurrentUser) -> list[platform_apps.AppView]:
    return platform_apps.list_apps(user)


@router.put("/platform-apps/{platform}", response_model=platform_apps.AppView)
def save_app(platform: str, body: AppIn, user: CurrentUser) -> platform_apps.AppView:
    return platform_apps.save_app(user, platform, body.client_id, body.client_secret)


@router.delete("/platform-apps/{platform}", status_code=204)
def delete_app(platform: str, user: CurrentUser) -> Response:
    platform_apps.delete_app(user, platform)
    return Response(status_code=204)


class AIIn(BaseModel):
    model: str | None = Field(default=None, max_length=200, description='"" back to default')
    base_url: str | None = Field(default=None, max_length=500, description='"" removes it')
    api_key: str | None = Field(default=None, max_length=1000, description="Write-only.")
    clear_api_key: bool = False


class UserAdminIn(BaseModel):
    is_instance_admin: bool | None = None
    disabled: bool | None = Field(default=None, description="true ends their sessions now")


@router.get("/ai", response_model=instance_settings.AISettingsView)
def get_ai(user: CurrentUser) -> instance_settings.AISettingsView:
    """The AI settings in effect and where each comes from (environment wins)."""
    return instance_settings.ai_settings(user)


@router.put("/ai", response_model=instance_settings.AISettingsView)
def save_ai(body: AIIn, user: CurrentUser) -> instance_settings.AISettingsView:
    return instance_settings.save_ai_settings(
        user,
        model=body.model,
        base_url=body.base_url,
        api_key=body.api_key,
        clear_api_key=body.clear_api_key,
    )


class RegistrationIn(BaseModel):
    policy: str = Field(default="", max_length=20, description="open, invite or closed")


@router.get("/registration", response_model=instance_settings.RegistrationView)
def get_registration(user: CurrentUser) -> instance_settings.RegistrationView:
    """Who may create an account after the first: open, invite (an invite link is needed) or
    closed. Default: open on a loopback base URL, invite-only elsewhere."""
    return instance_settings.registration(user)


@router.put("/registration", response_model=instance_settings.RegistrationView)
def save_registration(
    body: RegistrationIn, user: CurrentUser
) -> instance_settings.RegistrationView:
    return instance_settings.save_registration(user, body.policy)


@router.get("/storage", response_model=instance_settings.StorageSettingsView)
def get_storage(user: CurrentUser) -> instance_settings.StorageSettingsView:
    """Media storage settings (read-only: set with HERALD_STORAGE / HERALD_S3_*)."""
    return instance_settings.storage_settings(user)


@router.get("/users", response_model=list[users.UserView])
def list_users(user: CurrentUser) -> list[users.UserView]:
    return users.list_users(user)


@router.patch("/users/{user_id}", response_model=users.UserView)
def change_user(user_id: uuid.UUID, body: UserAdminIn, user: CurrentUser) -> users.UserView:
    """Promote/demote an instance admin (never the last one), disable or enable a user."""
    view = None
    if body.is_instance_admin is not None:
        view = users.set_instance_admin(user, user_id, body.is_instance_admin)
    if body.disabled is not None:
        view = users.set_disabled(user, user_id, body.disabled)
    if view is None:
        view = next((u for u in users.list_users(user) if u.id == user_id), None)
        if view is None:
            raise NotFound("User not found.")
    return view


class EmailIn(BaseModel):
    host: str | None = Field(default=None, max_length=253, description='"" removes it')
    port: int | None = Field(default=None, ge=1, le=65535)
    username: str | None = Field(default=None, max_length=320)
    password: str | None = Field(default=None, max_length=1000, description="Write-only.")
    clear_password: bool = False
    from_addr: str | None = Field(default=None, max_length=320)
    security: str | None = Field(default=None, max_length=10, description="none|starttls|tls")
    require_verified: bool | None = None


class EmailTestIn(BaseModel):
    to: str = Field(default="", max_length=320, description="Empty: your own address.")


@router.get("/email", response_model=mail.SmtpSettingsView)
def get_email(user: CurrentUser) -> mail.SmtpSettingsView:
    """The SMTP settings in effect and where each comes from (environment wins)."""
    return mail.smtp_settings(user)


@router.put("/email", response_model=mail.SmtpSettingsView)
def save_email(body: EmailIn, user: CurrentUser) -> mail.SmtpSettingsView:
    values = body.model_dump(include={"host", "port", "username", "password", "from_addr"})
    values["security"] = body.security
    view = mail.save_smtp_settings(
        user,
        values=values,
        clear_password=body.clear_password,
        require_verified=body.require_verified,
    )
    return view


@router.post("/email/test", status_code=202, response_model=mail.OutboxView)
def send_test_email(body: EmailTestIn, user: CurrentUser) -> mail.OutboxView:
    """Queue a test email; a worker sends it. Follow it with GET /api/admin/email/outbox/{id}."""
    outbox_id = mail.send_test(user, body.to)
    return mail.outbox_status(user, outbox_id)


@router.get("/email/outbox/{outbox_id}", response_model=mail.OutboxView)
def outbox_email(outbox_id: str, user: CurrentUser) -> mail.OutboxView:
    """Where one email stands (pending, sending, sent, failed) and its last error."""
    return mail.outbox_status(user, outbox_id)
