"""Settings → Instance: the AI settings (editable at runtime) and the storage settings
(read-only: they come from the environment), for instance admins.

AI settings are stored in `instance_settings` (the API key encrypted with `app.crypto`) and
resolved in one place, `app.ai.captions.AIConfig.from_settings`: environment > stored >
default. A value given in the environment cannot be changed here (the page says so). The API
key is write-only: only whether one is set is ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from sqlmodel import select

from app import db
from app.ai import captions
from app.config import settings
from app.crypto import encrypt
from app.models import InstanceSetting, User, utcnow
from app.services.errors import InvalidInput
from app.services.users import require_instance_admin


@dataclass(frozen=True)
class AISettingsView:
    # What generation uses now (resolved).
    configured: bool
    model: str
    base_url: str
    has_key: bool
    # Where each comes from: "env", "stored" or "default".
    model_source: str
    base_url_source: str
    api_key_source: str
    # What is stored here (the key never is returned).
    stored_model: str
    stored_base_url: str
    stored_has_key: bool
    requests_per_hour: int


@dataclass(frozen=True)
class StorageSettingsView:
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
    captions.forget_stored_ai_settings()
    config = captions.AIConfig.from_settings()
    stored = captions.stored_ai_settings()
    sources = captions.ai_sources()
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
        model = model.strip()
        if len(model) > 200 or any(c.isspace() for c in model):
            raise InvalidInput(
                "Model must be a model name without spaces (at most 200 characters).",
                code="invalid_model",
                details={"field": "model"},
            )
        changes["ai.model"] = (model, False) if model else None
    if base_url is not None:
        url = _check_url(base_url)
        changes["ai.base_url"] = (url, False) if url else None
    if clear_api_key:
        changes["ai.api_key"] = None
    elif api_key:
        api_key = api_key.strip()
        if len(api_key) > 1000 or any(c.isspace() for c in api_key):
            raise InvalidInput(
                "That does not look like an API key.",
                code="invalid_api_key",
                details={"field": "api_key"},
            )
        changes["ai.api_key"] = (encrypt(api_key), True)
    with db.session() as s:
        rows = {
            r.key: r
            for r in s.exec(
                select(InstanceSetting).where(InstanceSetting.key.in_(changes))  # type: ignore[attr-defined]
            ).all()
        }
        for key, value in changes.items():
            row = rows.get(key)
            if value is None:
                if row is not None:
                    s.delete(row)
                continue
            row = row or InstanceSetting(key=key)
            row.value, row.secret = value
            row.updated_at = utcnow()
            row.updated_by = user.id
            s.add(row)
    captions.forget_stored_ai_settings()
    return ai_settings(user)


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
