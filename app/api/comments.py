"""/api/posts/{post_id}/comments: the team's internal thread on a post, with @mentions.

Any member may read and comment (viewers included); a comment is edited by its author and
deleted by its author or a workspace admin.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import comments

router = APIRouter(prefix="/api", tags=["comments"])

_NOT_FOUND = {"description": "No such post (or comment) in this workspace."}
_INVALID = {
    "description": "`comment_empty` or `comment_too_long` "
    f"(at most {comments.MAX_BODY:,} characters), with a message to show."
}
_FORBIDDEN = {"description": "`not_your_comment`: someone else's comment."}
_READ: dict[int | str, dict[str, Any]] = {404: _NOT_FOUND}
_WRITE: dict[int | str, dict[str, Any]] = {404: _NOT_FOUND, 422: _INVALID}
_OWN: dict[int | str, dict[str, Any]] = {403: _FORBIDDEN, 404: _NOT_FOUND, 422: _INVALID}


class CommentIn(BaseModel):
    # The service checks the real limit (with a message in words); this only bounds the request.
    body: str = Field(
        max_length=20 * comments.MAX_BODY,
        description=f"The comment, 1 to {comments.MAX_BODY:,} characters. `@Name` (a member's "
        "full name, unique first name or email local part) mentions that member.",
        examples=["@Ada can you check the link before Friday?"],
    )


@router.get("/posts/{post_id}/comments", response_model=list[comments.CommentView], responses=_READ)
def list_comments(
    post_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser
) -> list[comments.CommentView]:
    """The post's comments, oldest first, with their authors and resolved mentions."""
    return comments.list_comments(user, wid, post_id)


@router.post(
    "/posts/{post_id}/comments",
    status_code=201,
    response_model=comments.CommentView,
    responses=_WRITE,
)
def add_comment(
    post_id: uuid.UUID, body: CommentIn, wid: WorkspaceDep, user: CurrentUser
) -> comments.CommentView:
    """Comment on a post. Mentioned members (other than you) are listed in the
    `comment.added` activity event's `details.mentions`, which notifications follow."""
    return comments.add_comment(user, wid, post_id, body.body)


@router.patch(
    "/posts/{post_id}/comments/{comment_id}",
    response_model=comments.CommentView,
    responses=_OWN,
)
def edit_comment(
    post_id: uuid.UUID,
    comment_id: uuid.UUID,
    body: CommentIn,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> comments.CommentView:
    """Change the text of your own comment."""
    return comments.edit_comment(user, wid, post_id, comment_id, body.body)


@router.delete(
    "/posts/{post_id}/comments/{comment_id}",
    status_code=204,
    responses={403: _FORBIDDEN, 404: _NOT_FOUND},
)
def delete_comment(
    post_id: uuid.UUID, comment_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser
) -> Response:
    """Delete your own comment (workspace admins may delete any)."""
    comments.delete_comment(user, wid, post_id, comment_id)
    return Response(status_code=204)
