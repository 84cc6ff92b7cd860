"""/api/posts: compose, schedule, edit, cancel, publish now, retry, audit trail."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.models import PostApproval, PostStatus
from app.services import posts
from app.services.errors import InvalidInput

router = APIRouter(prefix="/api", tags=["posts"])


class ThreadPartIn(BaseModel):
    """One further part of a thread."""

    text: str = Field(default="", max_length=posts.MAX_CONTENT)
    media_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=10,
        description="Library media attached to this part (images; a video where the network "
        "takes one on a reply). Threads takes media from public URLs only, not on parts.",
    )
    media_alt: dict[uuid.UUID, str] = Field(
        default_factory=dict,
        description="Alt text per medium of this part's `media_ids`, sent to the networks that "
        "take it.",
    )


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
    thread: list[ThreadPartIn | str] | None = Field(
        default=None,
        max_length=24,
        description='The thread\'s further parts, each `{"text", "media_ids", "media_alt"}` (media '
        "from the library, attached to that part's reply, within the network's per-post limits) "
        "or a plain text: X, Bluesky, Mastodon and Threads publish them as a reply chain under "
        "`content`; other networks get `content` only. Omitted: `platform_configs` decide; [] "
        "removes the thread.",
    )
    mode: Literal["draft", "schedule", "now", "queue"] = Field(
        default="schedule",
        description="`queue`: at the accounts' next free posting slot (Settings → Posting "
        "schedule); 422 `no_free_slot` when they have none.",
    )
    media_alt: dict[uuid.UUID, str] = Field(
        default_factory=dict,
        description="Alt text (image description) per medium of `media_ids`, sent to the "
        "networks that take it.",
    )
    version: int | None = Field(
        default=None,
        description="On an edit: the post's `version` you started from; if someone changed the "
        "post since, the edit is refused (409 version_conflict). `If-Match` works too.",
    )

    def data(self) -> posts.PostInput:
        return posts.PostInput(
            content=self.content,
            account_ids=self.account_ids,
            scheduled_at=self.scheduled_at,
            timezone=self.timezone,
            platform_configs=self.platform_configs,
            overrides=self.overrides,
            media_ids=self.media_ids,
            thread=self.thread,
            media_alt=self.media_alt,
        )


class RescheduleIn(BaseModel):
    scheduled_at: dt.datetime
    timezone: str = "UTC"


@router.get("/posts", response_model=posts.PostPage)
def list_posts(
    wid: WorkspaceDep,
    user: CurrentUser,
    # A plain default: a default_factory costs pydantic an inspect.signature per request.
    status: list[PostStatus] = Query(default=[]),
    start: dt.datetime | None = Query(default=None, alias="from"),
    end: dt.datetime | None = Query(default=None, alias="to"),
    account_id: uuid.UUID | None = None,
    platform: str | None = None,
    approval: list[PostApproval] = Query(
        default=[], description="Approval states, e.g. `pending`: what waits for an admin."
    ),
    author_id: uuid.UUID | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> Response:
    page = posts.list_posts_json(
        user,
        wid,
        statuses=status,
        start=start,
        end=end,
        account_id=account_id,
        platform=platform,
        approval=approval,
        author_id=author_id,
        limit=limit,
        offset=offset,
    )
    # PostPage's JSON, made once and not validated again (the response_model above documents it).
    return Response(page, media_type="application/json")


@router.post("/posts", status_code=201, response_model=posts.PostView)
def create_post(
    body: PostIn,
    response: Response,
    wid: WorkspaceDep,
    user: CurrentUser,
    idempotency_key: str | None = Header(default=None, max_length=200),
) -> posts.PostView:
    """Create a draft, schedule a post, or publish it now (`mode`). Every destination is
    validated against its platform first. Repeating a request with the same
    `Idempotency-Key` returns the first post (200) instead of creating another."""
    view, created = posts.create_post(
        user, wid, body.data(), mode=body.mode, idempotency_key=idempotency_key
    )
    if not created:
        response.status_code = 200
    return view


@router.get("/posts/{post_id}", response_model=posts.PostView)
def get_post(post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> posts.PostView:
    return posts.get_post(user, wid, post_id)


@router.put("/posts/{post_id}", response_model=posts.PostView)
def update_post(
    post_id: uuid.UUID,
    body: PostIn,
    wid: WorkspaceDep,
    user: CurrentUser,
    if_match: str | None = Header(default=None, max_length=40),
) -> posts.PostView:
    """Replace a post. Send the `version` you loaded (body or `If-Match`) so a teammate's newer
    edit is never silently overwritten: a stale edit gets 409 `version_conflict`."""
    return posts.update_post(
        user, wid, post_id, body.data(), mode=body.mode, expected_version=_version(body, if_match)
    )


def _version(body: PostIn, if_match: str | None) -> int | None:
    if body.version is not None:
        return body.version
    if not if_match or if_match.strip() == "*":
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise InvalidInput(
            "If-Match must be the post's version, e.g. If-Match: 3.", code="invalid_if_match"
        )
    return int(raw)


@router.patch("/posts/{post_id}/schedule", response_model=posts.PostView)
def reschedule(
    post_id: uuid.UUID,
    body: RescheduleIn,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> posts.PostView:
    return posts.reschedule(user, wid, post_id, body.scheduled_at, body.timezone)


@router.post("/posts/{post_id}/cancel", response_model=posts.PostView)
def cancel_post(post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> posts.PostView:
    """Stop publishing, whatever the post's state: every destination not yet published is
    cancelled; one being sent right now is cancelled as soon as that request's outcome is known
    (`stop_requested_at`), and one whose outcome is unclear is still checked, never resent.
    Published destinations stay on their networks (`permalink`)."""
    return posts.cancel_post(user, wid, post_id)


@router.delete("/posts/{post_id}", status_code=204)
def delete_post(post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> Response:
    posts.delete_post(user, wid, post_id)
    return Response(status_code=204)


@router.post("/posts/{post_id}/publish-now", response_model=posts.PostView)
def publish_now(post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> posts.PostView:
    return posts.publish_now(user, wid, post_id)


@router.post("/posts/{post_id}/retry", response_model=posts.PostView)
def retry_failed(post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> posts.PostView:
    """Publish the failed destinations again; published ones are left alone."""
    return posts.retry_failed(user, wid, post_id)


@router.get("/posts/{post_id}/attempts", response_model=list[posts.AttemptView])
def list_attempts(
    post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser
) -> list[posts.AttemptView]:
    return posts.list_attempts(user, wid, post_id)
