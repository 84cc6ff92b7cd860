"""Settings → Instance: the AI settings (editable at runtime), who may register (open,
invite-only, closed) and the storage settings (read-only: they come from the environment), for
instance admins.

AI settings are stored in `instance_settings` (the API key encrypted with `app.crypto`) and
resolved in one place, `ai_config()`: environment > stored > default. A value given in the
environment cannot be changed here (the page says so). The API
key is write-only: only whether one is set is ever shown.
"""

from __future__ import annotations

import logging
import os
import time
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from app import db
from app.ai.config import DEFAULT_MODEL, AIConfig
from app.config import settings
from app.crypto import decrypt, encrypt
from app.models import InstanceSetting, User, utcnow
from app.services.access import require_instance_admin
from app.services.errors import InvalidInput

log = logging.getLogger(__name__)

# The AI settings an instance admin may store: name → (settings field, key in
# `instance_settings`). Precedence for each: environment > stored > default.
AI_SETTINGS = {
    "base_url": ("openai_base_url", "ai.base_url"),
    "model": ("openai_model", "ai.model"),
    "api_key": ("openai_api_key", "ai.api_key"),
}
# Stored settings are re-read at most this often per process (a save clears it at once here).
STORED_TTL = 5.0
_stored_cache: tuple[float, dict[str, str]] | None = None


def _from_env(name: str) -> str | None:
    """The value given in the environment (or .env), or None when it was not given."""
    field = AI_SETTINGS[name][0]
    value = getattr(settings, field)
    default = type(settings).model_fields[field].default
    plain = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    default = default.get_secret_value() if hasattr(default, "get_secret_value") else default
    given = f"HERALD_{field.upper()}" in {k.upper() for k in os.environ}
    return plain if given or plain != default else None


def read_settings(keys: dict[str, str], what: str) -> dict[str, str]:
    """The stored values (secrets decrypted) of the instance settings `keys` (key -> name), by
    name; one that cannot be decrypted is logged (as one of the `what` settings) and left out."""
    values: dict[str, str] = {}
    with db.session() as s:
        rows = s.exec(select(InstanceSetting).where(col(InstanceSetting.key).in_(keys))).all()
    for row in rows:
        try:
            values[keys[row.key]] = decrypt(row.value) if row.secret else row.value
        except ValueError:
            log.error("stored %s setting %s cannot be decrypted (key changed?)", what, row.key)
    return values


def store_settings(changes: dict[str, tuple[str, bool] | None], user: User) -> None:
    """Write instance settings as `user`: key -> (value, secret), or None to remove the key
    (back to the environment or the default)."""
    with db.session() as s:
        for key, change in changes.items():
            row = s.get(InstanceSetting, key)
            if change is None:
                if row is not None:
                    s.delete(row)
                continue
            row = row or InstanceSetting(key=key)
            row.value, row.secret = change
            row.updated_at = utcnow()
            row.updated_by = user.id
            s.add(row)


def stored_ai_settings() -> dict[str, str]:
    """The AI settings saved by the instance admin (decrypted), cached for STORED_TTL."""
    global _stored_cache
    now = time.monotonic()
    if _stored_cache is not None and now - _stored_cache[0] < STORED_TTL:
        return _stored_cache[1]
    values = read_settings({key: name for name, (_, key) in AI_SETTINGS.items()}, "AI")
    _stored_cache = (now, values)
    return values


def forget_stored_ai_settings() -> None:
    global _stored_cache
    _stored_cache = None


def _ai_sources() -> dict[str, str]:
    """Where each AI setting comes from: "env", "stored" or "default"."""
    stored = stored_ai_settings()
    return {
        name: "env" if _from_env(name) is not None else "stored" if stored.get(name) else "default"
        for name in AI_SETTINGS
    }


def ai_config() -> AIConfig:
    """The one place the AI settings are resolved: environment > stored > default."""
    stored = stored_ai_settings()

    def pick(name: str, default: str) -> str:
        env = _from_env(name)
        if env is not None:
            return env.strip()
        return (stored.get(name) or default).strip()

    return AIConfig(
        api_key=pick("api_key", ""),
        base_url=pick("base_url", "").rstrip("/"),
        model=pick("model", DEFAULT_MODEL) or DEFAULT_MODEL,
        timeout=settings.openai_timeout_seconds,
    )


class AISettingsView(BaseModel):
    model_config = ConfigDict(frozen=True)

    # What generation uses now (resolved).
    configured: bool
    model: str
    base_url: str
    has_key: bool = Field(description="Whether an API key is set; the key is never returned.")
    # Where each comes from: "env", "stored" or "default".
    model_source: str = Field(description='"env", "stored" or "default"')
    base_url_source: str
    api_key_source: str
    # What is stored here (the key never is returned).
    stored_model: str
    stored_base_url: str
    stored_has_key: bool
    requests_per_hour: int


class StorageSettingsView(BaseModel):
    model_config = ConfigDict(frozen=True)

    backend: str  # local | s3
    local_path: str
    bucket: str
    endpoint: str
    region: str
    path_style: bool
    has_credentials: bool
    max_image_bytes: int
    max_video_bytes: int


def ai_settings(user: User) -> AISettingsView:
    require_instance_admin(user, "see the AI settings")
    forget_stored_ai_settings()
    config = ai_config()
    stored = stored_ai_settings()
    sources = _ai_sources()
    return AISettingsView(
        configured=config.configured,
        model=config.model,
        base_url=config.base_url,
        has_key=bool(config.api_key),
        model_source=sources["model"],
        base_url_source=sources["base_url"],
        api_key_source=sources["api_key"],
        stored_model=stored.get("model", ""),
        stored_base_url=stored.get("base_url", ""),
        stored_has_key=bool(stored.get("api_key")),
        requests_per_hour=settings.ai_requests_per_hour,
    )


def _check_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not value:
        return ""
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(value) > 500:
        raise InvalidInput(
            "Base URL must be an http(s) URL, e.g. http://localhost:11434/v1.",
            code="invalid_url",
            details={"field": "base_url"},
        )
    return value


def save_ai_settings(
    user: User,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    clear_api_key: bool = False,
) -> AISettingsView:
    """Store AI settings. None leaves a value as it is; "" removes the stored model / base URL
    (back to the default); `api_key` sets the key, `clear_api_key` removes it."""
    require_instance_admin(user, "change the AI settings")
    changes: dict[str, tuple[str, bool] | None] = {}
    if model is not None:
        message = "Model must be a model name without spaces (at most 200 characters)."
        model = _one_word(model, 200, "model", message)
        changes["ai.model"] = (model, False) if model else None
    if base_url is not None:
        url = _check_url(base_url)
        changes["ai.base_url"] = (url, False) if url else None
    if clear_api_key:
        changes["ai.api_key"] = None
    elif api_key:
        api_key = _one_word(api_key, 1000, "api_key", "That does not look like an API key.")
        changes["ai.api_key"] = (encrypt(api_key), True)
    store_settings(changes, user)
    forget_stored_ai_settings()
    return ai_settings(user)


def _one_word(value: str, limit: int, field: str, message: str) -> str:
    """`value` stripped, if it has no white space and at most `limit` characters; otherwise
    InvalidInput(`message`) on `field` (code `invalid_<field>`)."""
    value = value.strip()
    if len(value) > limit or any(c.isspace() for c in value):
        raise InvalidInput(message, code=f"invalid_{field}", details={"field": field})
    return value


def storage_settings(user: User) -> StorageSettingsView:
    require_instance_admin(user, "see the storage settings")
    return StorageSettingsView(
        backend=settings.storage,
        local_path=str(settings.data_dir / "media") if settings.storage == "local" else "",
        bucket=settings.s3_bucket if settings.storage == "s3" else "",
        endpoint=(settings.s3_endpoint_url or "AWS") if settings.storage == "s3" else "",
        region=settings.s3_region if settings.storage == "s3" else "",
        path_style=settings.s3_path_style,
        has_credentials=bool(
            settings.s3_access_key_id and settings.s3_secret_access_key.get_secret_value()
        ),
        max_image_bytes=settings.media_max_image_bytes,
        max_video_bytes=settings.media_max_video_bytes,
    )


# --------------------------------------------------------------------------- registration

REGISTRATION_POLICIES = ("open", "invite", "closed")
_REGISTRATION_KEY = "registration"


class RegistrationView(BaseModel):
    model_config = ConfigDict(frozen=True)

    policy: str  # open | invite | closed
    source: str = Field(description="env, stored or default")
    default: str


def _registration_default() -> str:
    """Open on a developer's machine (loopback base URL), invite-only anywhere else."""
    return "open" if settings.local_only else "invite"


def registration(user: User | None = None) -> RegistrationView:
    """Who may create an account (after the first, who becomes the instance admin): anyone,
    only people with an invite link, or nobody. Environment > stored > default. Without a
    user this is the public answer the sign-up page needs; with one, the admin's view."""
    if user is not None:
        require_instance_admin(user, "see the registration setting")
    default = _registration_default()
    if settings.registration is not None:
        return RegistrationView(policy=settings.registration, source="env", default=default)
    with db.session() as s:
        row = s.get(InstanceSetting, _REGISTRATION_KEY)
    if row is not None and row.value in REGISTRATION_POLICIES:
        return RegistrationView(policy=row.value, source="stored", default=default)
    return RegistrationView(policy=default, source="default", default=default)


def save_registration(user: User, policy: str) -> RegistrationView:
    require_instance_admin(user, "change who may register")
    if policy not in REGISTRATION_POLICIES:
        raise InvalidInput(
            f"Registration must be one of: {', '.join(REGISTRATION_POLICIES)}.",
            code="invalid_registration",
            details={"field": "policy"},
        )
    if settings.registration is not None:
        raise InvalidInput(
            "Registration is set in the environment (HERALD_REGISTRATION).",
            code="setting_from_env",
            details={"field": "policy"},
        )
    store_settings({_REGISTRATION_KEY: (policy, False)}, user)
    return registration(user)
