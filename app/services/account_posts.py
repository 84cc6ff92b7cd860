"""What happens to the posts waiting for an account when it is disconnected.

Two honest choices (the Accounts page asks; the REST API takes `posts=keep|remove`):
- `remove`: the account's waiting destinations (pending or queued) leave their posts; a post
  left with no destination at all becomes a **draft** (its text, media and time are kept, so
  it can be pointed at another account and scheduled again).
- `keep`: they stay, marked "account disconnected" at once; if the account is connected again
  before they are due they go out, otherwise the engine fails them with that reason (see
  `publishing._publish`), never leaving them pending.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Post, PostDestination, PostStatus, utcnow
from app.services import schedule
from app.services.errors import InvalidInput
from app.services.post_status import WAITING, refresh_post_status

PostsChoice = Literal["keep", "remove"]
CHOICES: dict[str, PostsChoice] = {"keep": "keep", "remove": "remove"}
# The account's last_error after a disconnect, and what its waiting destinations say.
DISCONNECTED = "Disconnected"
KEPT_NOTE = "Account disconnected: reconnect it before this is due, or it fails."
FAILED_NOTE = "The account was disconnected: reconnect it, then retry."


class DisconnectReport(BaseModel):
    """What a disconnect did to the posts that were waiting for the account."""

    model_config = ConfigDict(frozen=True)

    account_id: uuid.UUID
    posts: str = Field(description="The choice applied: keep or remove.")
    waiting: int = Field(description="Destinations that were waiting for this account.")
    removed: int = Field(description="Destinations removed from their posts (posts=remove).")
    kept: int = Field(
        description="Destinations kept and marked 'account disconnected' (posts=keep): they go "
        "out if the account is connected again before they are due, else fail with that reason."
    )
    drafted: int = Field(description="Posts left with no destination, now drafts.")


def parse_choice(value: str) -> PostsChoice:
    choice = CHOICES.get(value)
    if choice is None:
        raise InvalidInput(
            "posts must be keep or remove.", code="invalid_choice", details={"field": "posts"}
        )
    return choice


def _waiting(s: Session, account_id: uuid.UUID, lock: bool = False) -> list[PostDestination]:
    query = (
        select(PostDestination)
        .join(Post, col(Post.id) == PostDestination.post_id)
        .where(
            PostDestination.social_account_id == account_id,
            col(PostDestination.status).in_(WAITING),
            Post.status != PostStatus.draft,
        )
    )
    return list(s.exec(query.with_for_update(of=PostDestination) if lock else query).all())


def waiting_count(s: Session, account_id: uuid.UUID) -> int:
    """Scheduled posts (not drafts) with a destination still waiting for this account."""
    query = (
        select(func.count(func.distinct(PostDestination.post_id)))
        .join(Post, col(Post.id) == PostDestination.post_id)
        .where(
            PostDestination.social_account_id == account_id,
            col(PostDestination.status).in_(WAITING),
            Post.status != PostStatus.draft,
        )
    )
    return int(s.exec(query).one() or 0)


def settle(
    s: Session, account_id: uuid.UUID, choice: PostsChoice
) -> tuple[DisconnectReport, list[tuple[uuid.UUID, dt.datetime | None]]]:
    """Apply the choice in `s` (the account row is locked by the caller). Returns the report
    and the publish jobs to remove once committed."""
    dests = _waiting(s, account_id, lock=True)
    now = utcnow()
    stale: list[tuple[uuid.UUID, dt.datetime | None]] = []
    drafted = 0
    if choice == "keep":
        for d in dests:
            d.error_message = KEPT_NOTE
            d.updated_at = now
            s.add(d)
        s.flush()
        return DisconnectReport(
            account_id=account_id,
            posts=choice,
            waiting=len(dests),
            removed=0,
            kept=len(dests),
            drafted=0,
        ), stale
    posts = {d.post_id for d in dests}
    for d in dests:
        stale.append((d.id, d.next_attempt_at))
        s.delete(d)
    s.flush()
    for post_id in posts:
        post = s.exec(select(Post).where(Post.id == post_id).with_for_update()).one()
        left = s.exec(select(func.count()).where(PostDestination.post_id == post_id)).one()
        if not left:
            post.status = PostStatus.draft
            post.updated_at = now
            s.add(post)
            drafted += 1
        else:
            refresh_post_status(s, post_id)
    return DisconnectReport(
        account_id=account_id,
        posts=choice,
        waiting=len(dests),
        removed=len(dests),
        kept=0,
        drafted=drafted,
    ), stale


def unschedule(stale: list[tuple[uuid.UUID, dt.datetime | None]]) -> None:
    for dest_id, due in stale:
        schedule.unschedule(dest_id, due)


def clear_kept_note(s: Session, account_id: uuid.UUID) -> None:
    """The account is connected again: its kept destinations lose the disconnected note."""
    for d in s.exec(
        select(PostDestination).where(
            PostDestination.social_account_id == account_id,
            col(PostDestination.status).in_(WAITING),
            PostDestination.error_message == KEPT_NOTE,
        )
    ).all():
        d.error_message = None
        s.add(d)
