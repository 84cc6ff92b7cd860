"""Comments on a post: the team's internal thread about it, with @mentions.

Every member may read and write comments, viewers included (as in Buffer, where the whole
team discusses a post; a viewer who may not edit the post can still say what to change).
A member edits only their own comments; they delete their own, and admins delete any.

A mention is `@` followed by a member's full name, first name (when no other member shares
it) or email local part, case-insensitive, at the start of the text or after a non-word
character (so an email address in the text is not a mention). Only members of the
workspace are resolved; anything else stays plain text. Each comment added is recorded in
the activity log as `comment.added` with `details["mentions"]`: the ids of the members
mentioned other than the author, which is what mention notifications are derived from.
An edit that mentions someone new records `comment.edited` with only the new ones.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from app import db
from app.models import Membership, Post, PostComment, Role, User, utcnow
from app.services import activity
from app.services.access import effective_role, membership, require_role
from app.services.errors import Forbidden, InvalidInput, NotFound

MAX_BODY = 2_000
EXCERPT = 120
# Where a mention may start: not right after a word character or another "@"/"." (emails).
_AT = re.compile(r"(?<![\w@.])@")


@dataclass(frozen=True)
class Member:
    """A member as mentions see them."""

    user_id: uuid.UUID
    name: str  # full name, or the email's local part when the name is empty
    email: str

    @property
    def handle(self) -> str:
        """What to type after `@` to mention this member."""
        return self.name


class MentionView(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: uuid.UUID
    name: str = Field(description="The member's name as it is now.")
    start: int = Field(description="Offset of the `@` in `body` (characters).")
    end: int = Field(description="Offset just past the mention in `body`.")


class CommentView(BaseModel):
    """A comment as services and the REST API show it (to the acting user)."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    post_id: uuid.UUID
    author_id: uuid.UUID | None = Field(description="Null once the author's account is gone.")
    author_name: str
    author_initials: str
    body: str
    mentions: list[MentionView]
    created_at: dt.datetime
    edited_at: dt.datetime | None
    can_edit: bool = Field(description="The acting user wrote it.")
    can_delete: bool = Field(description="The acting user wrote it or is a workspace admin.")


# --------------------------------------------------------------------------- mentions


def _local_part(email: str) -> str:
    return email.split("@", 1)[0]


def display_name(user: User | None) -> str:
    if user is None:
        return "Former member"
    return user.full_name.strip() or _local_part(user.email)


def initials(name: str) -> str:
    """Up to two letters for an avatar: "Ada Lovelace" → "AL", "ada" → "AD"."""
    words = [w for w in re.split(r"[\s._-]+", name) if w]
    if len(words) >= 2:
        return (words[0][0] + words[1][0]).upper()
    return (words[0][:2] if words else "?").upper()


def _keys(members: Sequence[Member]) -> list[tuple[str, uuid.UUID]]:
    """Every way of naming a member after `@`, lower-cased, longest first; a key that would
    name two members (a shared first name) names nobody."""
    firsts: dict[str, int] = {}
    for m in members:
        first = m.name.split()[0].lower() if m.name.split() else ""
        firsts[first] = firsts.get(first, 0) + 1
    found: dict[str, set[uuid.UUID]] = {}
    for m in members:
        words = m.name.split()
        names = {" ".join(words), _local_part(m.email)}
        if words and firsts[words[0].lower()] == 1:
            names.add(words[0])
        for name in names:
            if name:
                found.setdefault(name.lower(), set()).add(m.user_id)
    keys = [(k, next(iter(ids))) for k, ids in found.items() if len(ids) == 1]
    return sorted(keys, key=lambda kv: -len(kv[0]))


def parse_mentions(body: str, members: Sequence[Member]) -> list[dict[str, Any]]:
    """The mentions of `body` as spans `{"user_id", "start", "end"}`, in order."""
    keys = _keys(members)
    spans: list[dict[str, Any]] = []
    for at in _AT.finditer(body):
        begin = at.end()
        for key, user_id in keys:
            end = begin + len(key)
            if body[begin:end].lower() != key:
                continue
            if end < len(body) and (body[end].isalnum() or body[end] == "_"):
                continue  # "@bobby" is not "@bob"
            spans.append({"user_id": str(user_id), "start": at.start(), "end": end})
            break
    return spans


def _mentioned(spans: Iterable[dict[str, Any]], author_id: uuid.UUID) -> list[str]:
    """The distinct members mentioned, in order, without the author (no self-notification)."""
    ids = dict.fromkeys(str(s["user_id"]) for s in spans)
    ids.pop(str(author_id), None)
    return list(ids)


def _members(s: Session, workspace_id: uuid.UUID) -> list[Member]:
    rows = s.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(col(User.full_name), col(User.email))
    ).all()
    return [Member(u.id, display_name(u), u.email) for u in rows]


def mentionable(user: User, workspace_id: uuid.UUID) -> list[Member]:
    """The members a comment in this workspace can mention (any member may ask)."""
    with db.session() as s:
        membership(s, user, workspace_id)
        return _members(s, workspace_id)


# --------------------------------------------------------------------------- helpers


def _clean(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise InvalidInput(
            "Write something first: a comment cannot be empty.",
            code="comment_empty",
            details={"field": "body"},
        )
    if len(text) > MAX_BODY:
        raise InvalidInput(
            f"A comment can be at most {MAX_BODY:,} characters; this one has {len(text):,}.",
            code="comment_too_long",
            details={"field": "body", "max": MAX_BODY, "length": len(text)},
        )
    if "\x00" in text:
        raise InvalidInput(
            "A comment cannot hold NUL characters.", code="invalid_input", details={"field": "body"}
        )
    return text


def _post(s: Session, workspace_id: uuid.UUID, post_id: uuid.UUID) -> Post:
    post = s.exec(select(Post).where(Post.id == post_id, Post.workspace_id == workspace_id)).first()
    if post is None:
        raise NotFound("Post not found.")
    return post


def _comment(
    s: Session, workspace_id: uuid.UUID, post_id: uuid.UUID, comment_id: uuid.UUID
) -> PostComment:
    found = s.exec(
        select(PostComment)
        .where(
            PostComment.id == comment_id,
            PostComment.post_id == post_id,
            PostComment.workspace_id == workspace_id,
            col(PostComment.deleted_at).is_(None),
        )
        .with_for_update()
    ).first()
    if found is None:
        raise NotFound("Comment not found (it may have been deleted).")
    return found


def _label(post: Post) -> str:
    text = " ".join(post.content.split())
    return text if len(text) <= 80 else text[:79] + "…"


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _view(
    c: PostComment, author: User | None, names: dict[str, str], me: User, is_admin: bool
) -> CommentView:
    name = display_name(author) if c.author_id is not None else "Former member"
    mine = c.author_id == me.id
    return CommentView(
        id=c.id,
        post_id=c.post_id,
        author_id=c.author_id,
        author_name=name,
        author_initials=initials(name),
        body=c.body,
        mentions=[
            MentionView(
                user_id=uuid.UUID(str(m["user_id"])),
                name=names.get(str(m["user_id"]), "Former member"),
                start=int(m["start"]),
                end=int(m["end"]),
            )
            for m in c.mentions
        ],
        created_at=c.created_at,
        edited_at=c.edited_at,
        can_edit=mine,
        can_delete=mine or is_admin,
    )


def _names(s: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = {uuid.UUID(i) for i in ids}
    if not wanted:
        return {}
    users = s.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {str(u.id): display_name(u) for u in users}


def _is_admin(m: Membership) -> bool:
    return effective_role(m.role) == Role.admin


# --------------------------------------------------------------------------- actions


def list_comments(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID) -> list[CommentView]:
    """The post's comments, oldest first (any member)."""
    with db.session() as s:
        m = require_role(s, user, workspace_id, Role.viewer)
        _post(s, workspace_id, post_id)
        rows = s.exec(
            select(PostComment, User)
            .join(User, col(User.id) == PostComment.author_id, isouter=True)
            .where(
                PostComment.post_id == post_id,
                PostComment.workspace_id == workspace_id,
                col(PostComment.deleted_at).is_(None),
            )
            .order_by(col(PostComment.created_at), col(PostComment.id))
        ).all()
        names = _names(s, {str(x["user_id"]) for c, _ in rows for x in c.mentions})
        admin = _is_admin(m)
        return [_view(c, author, names, user, admin) for c, author in rows]


def add_comment(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID, body: str) -> CommentView:
    """Add a comment (any member, viewers too); its @mentions are resolved against the
    workspace's members and recorded with the `comment.added` activity event."""
    text = _clean(body)
    with db.session() as s:
        m = require_role(s, user, workspace_id, Role.viewer)
        post = _post(s, workspace_id, post_id)
        spans = parse_mentions(text, _members(s, workspace_id))
        comment = PostComment(
            post_id=post.id, workspace_id=workspace_id, author_id=user.id, body=text, mentions=spans
        )
        s.add(comment)
        s.flush()
        details = {
            "comment_id": str(comment.id),
            "mentions": _mentioned(spans, user.id),
            "excerpt": _excerpt(text),
        }
        activity.record(
            s, workspace_id, user, "comment.added", "post", post.id, _label(post), details
        )
        names = _names(s, {str(x["user_id"]) for x in spans})
        return _view(comment, user, names, user, _is_admin(m))


def edit_comment(
    user: User, workspace_id: uuid.UUID, post_id: uuid.UUID, comment_id: uuid.UUID, body: str
) -> CommentView:
    """Change the text of one's own comment. Members mentioned for the first time by the
    edit are recorded (`comment.edited`, `details["mentions"]`: only the new ones)."""
    text = _clean(body)
    with db.session() as s:
        m = require_role(s, user, workspace_id, Role.viewer)
        post = _post(s, workspace_id, post_id)
        comment = _comment(s, workspace_id, post_id, comment_id)
        if comment.author_id != user.id:
            raise Forbidden("Only its author can edit a comment.", code="not_your_comment")
        if text != comment.body:
            before = {str(x["user_id"]) for x in comment.mentions}
            spans = parse_mentions(text, _members(s, workspace_id))
            comment.body, comment.mentions, comment.edited_at = text, spans, utcnow()
            s.add(comment)
            added = [i for i in _mentioned(spans, user.id) if i not in before]
            details = {"comment_id": str(comment.id), "mentions": added, "excerpt": _excerpt(text)}
            activity.record(
                s, workspace_id, user, "comment.edited", "post", post.id, _label(post), details
            )
        names = _names(s, {str(x["user_id"]) for x in comment.mentions})
        return _view(comment, user, names, user, _is_admin(m))


def delete_comment(
    user: User, workspace_id: uuid.UUID, post_id: uuid.UUID, comment_id: uuid.UUID
) -> None:
    """Delete a comment: its author, or a workspace admin. The text is erased; the row stays
    (deleted_at) so the activity log's reference to it does not dangle silently."""
    with db.session() as s:
        m = require_role(s, user, workspace_id, Role.viewer)
        post = _post(s, workspace_id, post_id)
        comment = _comment(s, workspace_id, post_id, comment_id)
        mine = comment.author_id == user.id
        if not mine and not _is_admin(m):
            raise Forbidden(
                "Only its author or a workspace admin can delete a comment.",
                code="not_your_comment",
            )
        comment.body, comment.mentions, comment.deleted_at = "", [], utcnow()
        s.add(comment)
        details = {"comment_id": str(comment.id), "by_author": mine}
        activity.record(
            s, workspace_id, user, "comment.deleted", "post", post.id, _label(post), details
        )


def counts(user: User, workspace_id: uuid.UUID, post_ids: Sequence[uuid.UUID]) -> dict[str, int]:
    """How many comments each of these posts has (ids as text; posts without any absent)."""
    if not post_ids:
        return {}

    def read(s: Session) -> dict[str, int]:
        require_role(s, user, workspace_id, Role.viewer)
        rows = s.exec(
            select(PostComment.post_id, func.count())
            .where(
                PostComment.workspace_id == workspace_id,
                col(PostComment.post_id).in_(list(post_ids)),
                col(PostComment.deleted_at).is_(None),
            )
            .group_by(col(PostComment.post_id))
        ).all()
        return {str(pid): int(n) for pid, n in rows}

    # The calendar asks on every load and live refresh: reads only, no transaction needed.
    return db.in_autocommit(read)
