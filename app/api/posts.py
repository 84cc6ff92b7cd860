"""/api/posts: compose, schedule, edit, cancel, publish now, retry, audit trail."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel, Field

from app.api.deps import current_user, workspace_of
from app.models import DestinationStatus, PostStatus, User
from app.services import posts

router = APIRouter(prefix="/api", tags=["posts"])


class PostIn(BaseModel):
    content: str = Field(default="", max_length=posts.MAX_CONTENT)
    account_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    scheduled_at: dt.datetime | None = Field(
        default=None,
        description="ISO-8601. With an offset it is an instant; without one it is wall time in "
        "`timezone` (DST-aware).",
    )
    timezone: str = "UTC"
    platform_configs: dict[str, dict[str, Any]] = Field(default_factory=dict)
    overrides: dict[uuid.UUID, str] = Field(
        default_factory=dict, description="Per-account text that replaces `content`."
    )
    media_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    mode: Literal["draft", "schedule", "now"] = "schedule"

    def data(self) -> posts.PostInput:
        return posts.PostInput(
            content=self.content,
            account_ids=self.account_ids,
            scheduled_at=self.scheduled_at,
            timezone=self.timezone,
            platform_configs=self.platform_configs,
            overrides=self.overrides,
            media_ids=self.media_ids,
        )


class RescheduleIn(BaseModel):
    scheduled_at: dt.datetime
    timezone: str = "UTC"


class DestinationOut(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    platform: str
    account_name: str
    status: DestinationStatus
    platform_post_id: str | None
    permalink: str | None
    error_message: str | None
    attempts: int
    next_attempt_at: dt.datetime | None
    published_at: dt.datetime | None
    content_override: str | None
    stop_requested_at: dt.datetime | None = Field(
        default=None,
        description="Publishing was stopped while a request was in flight: the destination is "
        "cancelled once that request's outcome is known (or published, if the platform took it).",
    )


class PostOut(BaseModel):
    id: uuid.UUID
    workspace_id: uuid.UUID
    author_id: uuid.UUID | None
    content: str
    scheduled_at: dt.datetime | None
    timezone: str
    status: PostStatus
    platform_configs: dict[str, Any]
    media_ids: list[uuid.UUID]
    destinations: list[DestinationOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, v: posts.PostView) -> PostOut:
        return cls(
            **{k: getattr(v, k) for k in cls.model_fields if k != "destinations"},
            destinations=[DestinationOut(**d.__dict__) for d in v.destinations],
        )


class PostPage(BaseModel):
    items: list[PostOut]
    total: int
    limit: int
    offset: int


class AttemptOut(BaseModel):
    id: int
    destination_id: uuid.UUID
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str | None
    http_status: int | None
    error: str | None
    worker: str


@router.get("/posts", response_model=PostPage)
def list_posts(
    status: list[PostStatus] = Query(default_factory=list),
    start: dt.datetime | None = Query(default=None, alias="from"),
    end: dt.datetime | None = Query(default=None, alias="to"),
    account_id: uuid.UUID | None = None,
    platform: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=1_000_000),
    wid: uuid.UUID = Depends(workspace_of),
    user: User = Depends(current_user),
) -> PostPage:
    page = posts.list_posts(
        user,
        wid,
        statuses=status,
        start=start,
        end=end,
        account_id=account_id,
        platform=platform,
        limit=limit,
        offset=offset,
    )
    return PostPage(
        items=[PostOut.of(p) for p in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/posts", status_code=201, response_model=PostOut)
def create_post(
    body: PostIn,
    response: Response,
    idempotency_key: str | None = Header(default=None, max_length=200),
    wid: uuid.UUID = Depends(workspace_of),
    user: User = Depends(current_user),
) -> PostOut:
    """Create a draft, schedule a post, or publish it now (`mode`). Every destination is
    validated against its platform first. Repeating a request with the same
    `Idempotency-Key` returns the first post (200) instead of creating another."""
    view, created = posts.create_post(
        user, wid, body.data(), mode=body.mode, idempotency_key=idempotency_key
    )
    if not created:
        response.status_code = 200
    return PostOut.of(view)


@router.get("/posts/{post_id}", response_model=PostOut)
def get_post(
    post_id: uuid.UUID, wid: uuid.UUID = Depends(workspace_of), user: User = Depends(current_user)
) -> PostOut:
    return PostOut.of(posts.get_post(user, wid, post_id))


@router.put("/posts/{post_id}", response_model=PostOut)
def update_post(
    post_id: uuid.UUID,
    body: PostIn,
    wid: uuid.UUID = Depends(workspace_of),
    user: User = Depends(current_user),
) -> PostOut:
    return PostOut.of(posts.update_post(user, wid, post_id, body.data(), mode=body.mode))


@router.patch("/posts/{post_id}/schedule", response_model=PostOut)
def reschedule(
    post_id: uuid.UUID,
    body: RescheduleIn,
    wid: uuid.UUID = Depends(workspace_of),
    user: User = Depends(current_user),
) -> PostOut:
    return PostOut.of(posts.reschedule(user, wid, post_id, body.scheduled_at, body.timezone))


@router.post("/posts/{post_id}/cancel", response_model=PostOut)
def cancel_post(
    post_id: uuid.UUID, wid: uuid.UUID = Depends(workspace_of), user: User = Depends(current_user)
) -> PostOut:
    """Stop publishing, whatever the post's state: every destination not yet published is
    cancelled; one being sent right now is cancelled as soon as that request's outcome is known
    (`stop_requested_at`), and one whose outcome is unclear is still checked, never resent.
    Published destinations stay on their networks (`permalink`)."""
    return PostOut.of(posts.cancel_post(user, wid, post_id))


@router.delete("/posts/{post_id}", status_code=204)
def delete_post(
    post_id: uuid.UUID, wid: uuid.UUID = Depends(workspace_of), user: User = Depends(current_user)
) -> Response:
    posts.delete_post(user, wid, post_id)
    return Response(status_code=204)


@router.post("/posts/{post_id}/publish-now", response_model=PostOut)
def publish_now(
    post_id: uuid.UUID, wid: uuid.UUID = Depends(workspace_of), user: User = Depends(current_user)
) -> PostOut:
    return PostOut.of(posts.publish_now(user, wid, post_id))


@router.post("/posts/{post_id}/retry", response_model=PostOut)
def retry_failed(
    post_id: uuid.UUID, wid: uuid.UUID = Depends(workspace_of), user: User = Depends(current_user)
) -> PostOut:
    """Publish the failed destinations again; published ones are left alone."""
    return PostOut.of(posts.retry_failed(user, wid, post_id))


@router.get("/posts/{post_id}/attempts", response_model=list[AttemptOut])
def list_attempts(
    post_id: uuid.UUID, wid: uuid.UUID = Depends(workspace_of), user: User = Depends(current_user)
) -> list[AttemptOut]:
    return [AttemptOut(**a.__dict__) for a in posts.list_attempts(user, wid, post_id)]
