"""/api/admin/*: instance settings (instance admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from app.api.deps import current_user
from app.models import User
from app.services import platform_apps

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
def list_apps(user: User = Depends(current_user)) -> list[AppOut]:
    return [AppOut(**a.__dict__) for a in platform_apps.list_apps(user)]


@router.put("/platform-apps/{platform}", response_model=AppOut)
def save_app(platform: str, body: AppIn, user: User = Depends(current_user)) -> AppOut:
    return AppOut(
        **platform_apps.save_app(user, platform, body.client_id, body.client_secret).__dict__
    )


@router.delete("/platform-apps/{platform}", status_code=204)
def delete_app(platform: str, user: User = Depends(current_user)) -> Response:
    platform_apps.delete_app(user, platform)
    return Response(status_code=204)
