"""/api/keys: workspace API keys (admins, signed in). The full key is returned once."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.models import Role
from app.services import api_keys

router = APIRouter(prefix="/api", tags=["api keys"])


class KeyIn(BaseModel):
    name: str = Field(max_length=200)
    role: Role = Field(
        default=Role.editor, description="At most the creator's role: admin, editor or viewer."
    )
    expires_at: dt.datetime | None = Field(
        default=None, description="ISO-8601 with an offset; no value: the key never expires."
    )


@router.get("/keys", response_model=list[api_keys.KeyView])
def list_keys(wid: WorkspaceDep, user: CurrentUser) -> list[api_keys.KeyView]:
    """The workspace's live keys (admins). Secrets are never listed."""
    return api_keys.list_keys(user, wid)


@router.post("/keys", status_code=201, response_model=api_keys.CreatedKey)
def create_key(body: KeyIn, wid: WorkspaceDep, user: CurrentUser) -> api_keys.CreatedKey:
    """Create a key for this workspace (admins). Use it as `Authorization: Bearer hk_…`; it acts
    in this workspace only, with at most its role. Keys cannot manage keys or members."""
    return api_keys.create_key(user, wid, body.name, body.role, body.expires_at)


@router.delete("/keys/{key_id}", status_code=204)
def revoke_key(key_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> Response:
    api_keys.revoke_key(user, wid, key_id)
    return Response(status_code=204)
