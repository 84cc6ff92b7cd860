"""/api/admin/*: instance settings (instance admins only)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser
from app.services import instance_settings, mail, platform_apps, users
from app.services.errors import NotFound

router = APIRouter(prefix="/api/admin", tags=["admin"])


class AppOut(BaseModel):
    platform: str
    name: str
    source: str = Field(description='"env", "settings" or "" when not configured')
    client_id: str
    has_secret: bool


class AppIn(BaseModel):
    client_id: str = Field(max_length=500)
    client_secret: str | None = Field(
        default=None, max_length=1000, description="Write-only; empty keeps the stored secret."
    )


@router.get("/platform-apps", response_model=list[AppOut])
def list_apps(user: CurrentUser) -> list[AppOut]:
    return [AppOut(**a.__dict__) for a in platform_apps.list_apps(user)]


@router.put("/platform-apps/{platform}", response_model=AppOut)
def save_app(platform: str, body: AppIn, user: CurrentUser) -> AppOut:
    return AppOut(
        **platform_apps.save_app(user, platform, body.client_id, body.client_secret).__dict__
    )


@router.delete("/platform-apps/{platform}", status_code=204)
def delete_app(platform: str, user: CurrentUser) -> Response:
    platform_apps.delete_app(user, platform)
    return Response(status_code=204)


class AIOut(BaseModel):
    configured: bool
    model: str
    base_url: str
    has_key: bool = Field(description="Whether an API key is set; the key is never returned.")
    model_source: str = Field(description='"env", "stored" or "default"')
    base_url_source: str
    api_key_source: str
    stored_model: str
    stored_base_url: str
    stored_has_key: bool
    requests_per_hour: int


class AIIn(BaseModel):
    model: str | None = Field(default=None, max_length=200, description='"" back to default')
    base_url: str | None = Field(default=None, max_length=500, description='"" removes it')
    api_key: str | None = Field(default=None, max_length=1000, description="Write-only.")
    clear_api_key: bool = False


class StorageOut(BaseModel):
    backend: str
    local_path: str
    bucket: str
    endpoint: str
    region: str
    path_style: bool
    has_credentials: bool
    max_image_bytes: int
    max_video_bytes: int


class UserAdminOut(BaseModel):
    id: uuid.UUID
    email: str
    full_name: str
    created_at: dt.datetime
    last_login_at: dt.datetime | None
    workspaces: int
    is_instance_admin: bool
    is_active: bool


class UserAdminIn(BaseModel):
    is_instance_admin: bool | None = None
    disabled: bool | None = Field(default=None, description="true ends their sessions now")


@router.get("/ai", response_model=AIOut)
def get_ai(user: CurrentUser) -> AIOut:
    """The AI settings in effect and where each comes from (environment wins)."""
    return AIOut(**asdict(instance_settings.ai_settings(user)))


@router.put("/ai", response_model=AIOut)
def save_ai(body: AIIn, user: CurrentUser) -> AIOut:
    return AIOut(
        **asdict(
            instance_settings.save_ai_settings(
                user,
                model=body.model,
                base_url=body.base_url,
                api_key=body.api_key,
                clear_api_key=body.clear_api_key,
            )
        )
    )


class RegistrationIn(BaseModel):
    policy: str = Field(default="", max_length=20, description="open, invite or closed")


class RegistrationOut(BaseModel):
    policy: str
    source: str = Field(description="env, stored or default")
    default: str


@router.get("/registration", response_model=RegistrationOut)
def get_registration(user: CurrentUser) -> RegistrationOut:
    """Who may create an account after the first: open, invite (an invite link is needed) or
    closed. Default: open on a loopback base URL, invite-only elsewhere."""
    return RegistrationOut(**asdict(instance_settings.registration(user)))


@router.put("/registration", response_model=RegistrationOut)
def save_registration(body: RegistrationIn, user: CurrentUser) -> RegistrationOut:
    return RegistrationOut(**asdict(instance_settings.save_registration(user, body.policy)))


@router.get("/storage", response_model=StorageOut)
def get_storage(user: CurrentUser) -> StorageOut:
    """Media storage settings (read-only: set with HERALD_STORAGE / HERALD_S3_*)."""
    return StorageOut(**asdict(instance_settings.storage_settings(user)))


@router.get("/users", response_model=list[UserAdminOut])
def list_users(user: CurrentUser) -> list[UserAdminOut]:
    return [UserAdminOut(**asdict(u)) for u in users.list_users(user)]


@router.patch("/users/{user_id}", response_model=UserAdminOut)
def change_user(user_id: uuid.UUID, body: UserAdminIn, user: CurrentUser) -> UserAdminOut:
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
    return UserAdminOut(**asdict(view))


class EmailOut(BaseModel):
    configured: bool = Field(description="An SMTP host and a From address are set.")
    host: str
    port: int
    username: str
    from_addr: str
    security: str = Field(description="none, starttls or tls")
    has_password: bool = Field(description="Whether a password is set; it is never returned.")
    sources: dict[str, str] = Field(description='Per setting: "env", "stored" or "default"')
    require_verified: bool = Field(description="New accounts must confirm their email.")
    pending: int = Field(description="Emails waiting to be sent (or retried).")
    failed: int = Field(description="Emails that could not be sent.")


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


class OutboxOut(BaseModel):
    id: uuid.UUID
    kind: str
    to_addr: str
    status: str = Field(description="pending, sending, sent or failed")
    attempts: int
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


@router.get("/email", response_model=EmailOut)
def get_email(user: CurrentUser) -> EmailOut:
    """The SMTP settings in effect and where each comes from (environment wins)."""
    return EmailOut(**asdict(mail.smtp_settings(user)))


@router.put("/email", response_model=EmailOut)
def save_email(body: EmailIn, user: CurrentUser) -> EmailOut:
    values = body.model_dump(include={"host", "port", "username", "password", "from_addr"})
    values["security"] = body.security
    view = mail.save_smtp_settings(
        user,
        values=values,
        clear_password=body.clear_password,
        require_verified=body.require_verified,
    )
    return EmailOut(**asdict(view))


@router.post("/email/test", status_code=202, response_model=OutboxOut)
def send_test_email(body: EmailTestIn, user: CurrentUser) -> OutboxOut:
    """Queue a test email; a worker sends it. Follow it with GET /api/admin/email/outbox/{id}."""
    outbox_id = mail.send_test(user, body.to)
    return OutboxOut(**asdict(mail.outbox_status(user, outbox_id)))


@router.get("/email/outbox/{outbox_id}", response_model=OutboxOut)
def outbox_email(outbox_id: str, user: CurrentUser) -> OutboxOut:
    """Where one email stands (pending, sending, sent, failed) and its last error."""
    return OutboxOut(**asdict(mail.outbox_status(user, outbox_id)))
