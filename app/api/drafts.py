"""/api/drafts: the workspace's drafts and the composer's autosaved working copy."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import composer_drafts
from app.services.errors import NotFound

router = APIRouter(prefix="/api", tags=["drafts"])


class WorkingCopyIn(BaseModel):
    post_id: uuid.UUID | None = None
    base_version: int | None = None
    payload: composer_drafts.WorkingCopy


@router.get("/drafts", response_model=composer_drafts.DraftList)
def list_drafts(
    wid: WorkspaceDep, user: CurrentUser, limit: int = Query(default=20, ge=1, le=100)
) -> composer_drafts.DraftList:
    """Draft posts, most recently edited first, with your own unsaved new post (`unsaved`)."""
    return composer_drafts.list_drafts(user, wid, limit=limit)


@router.get("/drafts/working-copy", response_model=composer_drafts.WorkingCopyView)
def get_working_copy(
    wid: WorkspaceDep, user: CurrentUser, post_id: uuid.UUID | None = None
) -> composer_drafts.WorkingCopyView:
    """Your autosaved, not yet saved composer: of a new post, or of the post `post_id`."""
    found = composer_drafts.get(user, wid, post_id)
    if found is None:
        raise NotFound("No unsaved working copy.", code="no_working_copy")
    return found


@router.put("/drafts/working-copy", response_model=composer_drafts.WorkingCopyView)
def save_working_copy(
    body: WorkingCopyIn, wid: WorkspaceDep, user: CurrentUser
) -> composer_drafts.WorkingCopyView:
    """Autosave: replace your working copy of a new post (or of `post_id`)."""
    return composer_drafts.save(
        user, wid, body.payload, post_id=body.post_id, base_version=body.base_version
    )


@router.delete("/drafts/working-copy", status_code=204)
def discard_working_copy(
    wid: WorkspaceDep, user: CurrentUser, post_id: uuid.UUID | None = None
) -> Response:
    composer_drafts.discard(user, wid, post_id)
    return Response(status_code=204)
