"""Autosaved working copies of the composer, and the workspace's drafts list.

A working copy is what one user has typed in the composer and not saved yet (text, accounts,
per-network options and variants, media, date and time), kept per user, workspace and post
being edited ("new" for a post not created yet), so nothing typed is lost on a reload, a
back/forward or leaving the page. Saving the post (draft, schedule, publish) discards it.
Drafts proper are posts with status `draft`; `list_drafts` is the list the dashboard shows.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from app import db
from app.models import ComposerDraft, Post, PostDestination, PostStatus, Role, SocialAccount, User
from app.models.base import utcnow
from app.services.access import require_role
from app.services.errors import InvalidInput, NotFound
from app.services.views import copy_view

NEW = "new"
# A working copy larger than this is refused (a post's text is at most 100 000 characters).
MAX_PAYLOAD_BYTES = 512_000


class WorkingCopy(BaseModel):
    """What the composer holds; every field optional so an older copy still reads."""

    model_config = ConfigDict(extra="ignore")

    text: str = ""
    account_ids: list[str] = Field(default_factory=list, max_length=50)
    overrides: dict[str, str] = Field(default_factory=dict)
    customized: list[str] = Field(default_factory=list)
    options: dict[str, dict[str, str]] = Field(default_factory=dict)
    media_ids: list[str] = Field(default_factory=list, max_length=20)
    # The thread's further parts: {"text", "media_ids"} each.
    thread: list[dict[str, Any]] = Field(default_factory=list, max_length=25)
    date: str = ""
    time: str = ""


class WorkingCopyView(BaseModel):
    model_config = ConfigDict(frozen=True)

    post_id: uuid.UUID | None
    base_version: int | None
    payload: WorkingCopy
    updated_at: dt.datetime


def _slot(post_id: uuid.UUID | None) -> str:
    return str(post_id) if post_id else NEW


def _view(row: ComposerDraft) -> WorkingCopyView:
    return WorkingCopyView(
        post_id=row.post_id,
        base_version=row.base_version,
        payload=WorkingCopy.model_validate(row.payload),
        updated_at=row.updated_at,
    )


def _check_post(s: Session, workspace_id: uuid.UUID, post_id: uuid.UUID | None) -> None:
    if post_id is None:
        return
    found = s.exec(
        select(Post.id).where(Post.id == post_id, Post.workspace_id == workspace_id)
    ).first()
    if found is None:
        raise NotFound("Post not found.")


def save(
    user: User,
    workspace_id: uuid.UUID,
    payload: WorkingCopy,
    *,
    post_id: uuid.UUID | None = None,
    base_version: int | None = None,
) -> WorkingCopyView:
    """Keep `user`'s working copy (replacing the previous one of the same post)."""
    data = payload.model_dump(mode="json")
    if len(json.dumps(data)) > MAX_PAYLOAD_BYTES:
        raise InvalidInput("This draft is too large to autosave.", code="draft_too_large")
    now = utcnow()
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
        _check_post(s, workspace_id, post_id)
        values: dict[str, Any] = {
            "id": uuid.uuid4(),
            "user_id": user.id,
            "workspace_id": workspace_id,
            "post_id": post_id,
            "slot": _slot(post_id),
            "base_version": base_version,
            "payload": data,
            "updated_at": now,
        }
        stmt = insert(ComposerDraft).values(**values)
        s.execute(
            stmt.on_conflict_do_update(
                constraint="uq_composer_drafts_slot",
                set_={
                    "payload": stmt.excluded.payload,
                    "base_version": stmt.excluded.base_version,
                    "updated_at": stmt.excluded.updated_at,
                },
            )
        )
        s.commit()
    return WorkingCopyView(
        post_id=post_id, base_version=base_version, payload=payload, updated_at=now
    )


def get(
    user: User, workspace_id: uuid.UUID, post_id: uuid.UUID | None = None
) -> WorkingCopyView | None:
    """`user`'s working copy of a new post (or of `post_id`), if there is one."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        row = s.exec(
            select(ComposerDraft).where(
                ComposerDraft.user_id == user.id,
                ComposerDraft.workspace_id == workspace_id,
                ComposerDraft.slot == _slot(post_id),
            )
        ).first()
        return _view(row) if row else None


def discard(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID | None = None) -> bool:
    """Forget `user`'s working copy of a new post (or of `post_id`); whether there was one."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        result = s.execute(
            delete(ComposerDraft).where(
                col(ComposerDraft.user_id) == user.id,
                col(ComposerDraft.workspace_id) == workspace_id,
                col(ComposerDraft.slot) == _slot(post_id),
            )
        )
        s.commit()
        return bool(getattr(result, "rowcount", 0))


# --------------------------------------------------------------------------- drafts list


class DraftItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    content: str
    platforms: list[str]
    scheduled_at: dt.datetime | None
    updated_at: dt.datetime
    author: str


class DraftList(BaseModel):
    model_config = ConfigDict(frozen=True)

    total: int
    items: list[DraftItem]
    # The signed-in user's own unsaved new post, if any (not a post yet).
    unsaved: WorkingCopyView | None = None


def list_drafts(user: User, workspace_id: uuid.UUID, *, limit: int = 5) -> DraftList:
    """The workspace's draft posts, most recently edited first, and the user's unsaved one."""
    if not 1 <= limit <= 100:
        raise InvalidInput("limit must be 1–100.", code="invalid_pagination")
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        where = (col(Post.workspace_id) == workspace_id, col(Post.status) == PostStatus.draft)
        total = s.exec(select(func.count()).select_from(Post).where(*where)).one()
        rows = s.exec(
            select(Post).where(*where).order_by(col(Post.updated_at).desc()).limit(limit)
        ).all()
        ids = [p.id for p in rows]
        platforms: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
        if ids:
            for post_id, platform in s.exec(
                select(PostDestination.post_id, SocialAccount.platform)
                .join(SocialAccount, col(SocialAccount.id) == PostDestination.social_account_id)
                .where(col(PostDestination.post_id).in_(ids))
                .order_by(col(SocialAccount.platform))
            ).all():
                if platform not in platforms[post_id]:
                    platforms[post_id].append(platform)
        authors = {
            u.id: (u.full_name.strip() or u.email)
            for u in s.exec(
                select(User).where(col(User.id).in_({p.author_id for p in rows if p.author_id}))
            ).all()
        }
        own = s.exec(
            select(ComposerDraft).where(
                ComposerDraft.user_id == user.id,
                ComposerDraft.workspace_id == workspace_id,
                ComposerDraft.slot == NEW,
            )
        ).first()
        return DraftList(
            total=total,
            items=[
                copy_view(
                    DraftItem,
                    p,
                    platforms=platforms[p.id],
                    author=authors.get(p.author_id, "") if p.author_id else "",
                )
                for p in rows
            ],
            unsaved=_view(own) if own else None,
        )
