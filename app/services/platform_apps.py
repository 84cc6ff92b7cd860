"""Settings → Instance: the OAuth apps this Herald uses per platform (instance admins only).

Secrets are stored encrypted and never leave the server; env variables
(`HERALD_<PLATFORM>_CLIENT_ID` / `_CLIENT_SECRET`) win over what is stored here.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from app import db
from app.crypto import encrypt
from app.models import PlatformApp, User, utcnow
from app.providers.base import Provider
from app.providers.registry import UnknownPlatform, all_providers, provider_class
from app.services.access import require_instance_admin
from app.services.errors import InvalidInput, NotFound


class AppView(BaseModel):
    model_config = ConfigDict(frozen=True)

    platform: str
    name: str
    source: str = Field(description='"env", "settings" or "" when not configured')
    client_id: str
    has_secret: bool


def _view(cls: type[Provider], source: str, client_id: str, has_secret: bool) -> AppView:
    return AppView(
        platform=cls.id,
        name=cls.display_name,
        source=source,
        client_id=client_id,
        has_secret=has_secret,
    )


def _central(platform: str) -> type[Provider]:
    try:
        cls = provider_class(platform)
    except UnknownPlatform as exc:
        raise NotFound(f"Unknown platform {platform!r}.") from exc
    if cls.capabilities.per_instance:
        raise InvalidInput(
            f"{cls.display_name} needs no app: Herald registers itself on each server.",
            code="per_instance_platform",
        )
    return cls


def list_apps(user: User) -> list[AppView]:
    require_instance_admin(user, "manage platform apps")
    with db.session() as s:
        stored = {
            a.platform: a
            for a in s.exec(select(PlatformApp).where(PlatformApp.instance_url == "")).all()
        }
    views = []
    for cls in all_providers():
        if cls.capabilities.per_instance:
            continue
        env_id = os.environ.get(f"HERALD_{cls.id.upper()}_CLIENT_ID", "")
        app = stored.get(cls.id)
        if env_id:
            secret = bool(os.environ.get(f"HERALD_{cls.id.upper()}_CLIENT_SECRET"))
            views.append(_view(cls, "env", env_id, secret))
        elif app:
            views.append(_view(cls, "settings", app.client_id, bool(app.client_secret)))
        else:
            views.append(_view(cls, "", "", False))
    return views


def save_app(user: User, platform: str, client_id: str, client_secret: str | None) -> AppView:
    """Create or update a platform's app. An empty secret keeps the stored one."""
    require_instance_admin(user, "manage platform apps")
    cls = _central(platform)
    client_id = client_id.strip()
    if not client_id or len(client_id) > 500:
        raise InvalidInput(
            "Enter the app's client id.", code="invalid_client_id", details={"field": "client_id"}
        )
    with db.session() as s:
        app = s.exec(
            select(PlatformApp).where(
                PlatformApp.platform == platform, PlatformApp.instance_url == ""
            )
        ).first() or PlatformApp(platform=platform, client_id=client_id)
        app.client_id = client_id
        if client_secret:
            app.client_secret = encrypt(client_secret.strip())
        app.updated_by = user.id
        app.updated_at = utcnow()
        s.add(app)
        return _view(cls, "settings", client_id, bool(app.client_secret))


def delete_app(user: User, platform: str) -> None:
    require_instance_admin(user, "manage platform apps")
    _central(platform)
    with db.session() as s:
        app = s.exec(
            select(PlatformApp).where(
                PlatformApp.platform == platform, PlatformApp.instance_url == ""
            )
        ).first()
        if app is None:
            raise NotFound("No app is stored for this platform.")
        s.delete(app)
