"""Posts: compose, validate per destination, schedule, edit, cancel, publish now, retry.

A post targets several accounts; each (post, account) is a destination that the engine
publishes exactly once. Editing or cancelling takes the post's row lock, which the worker's
claim also takes (shared), so an edit never races a publish: one of them waits.
"""

from __future__ import annotations

import datetime as dt
import operator
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from types import UnionType
from typing import Any, NotRequired, Protocol, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, computed_field
from sqlalchemy import ARRAY, Label, Uuid, any_, bindparam, literal_column
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from typing_extensions import TypedDict, Unpack

from app import db
from app.config import settings
from app.models import (
    AccountStatus,
    DestinationStatus,
    Media,
    Post,
    PostApproval,
    PostDestination,
    PostMedia,
    PostStatus,
    PublishAttempt,
    Role,
    SocialAccount,
    User,
    utcnow,
)
from app.providers.registry import provider_class
from app.services import (
    account_posts,
    accounts,
    activity,
    approval_rules,
    checks,
    plans,
    post_threads,
    post_versions,
    schedule,
)
from app.services.access import require_role
from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.media import media_item
from app.services.post_status import ACTIVE, refresh_post_status

MAX_CONTENT = 100_000
MAX_ALT_TEXT = post_threads.MAX_ALT_TEXT
# A schedule this far in the past is refused (clocks and slow forms get some slack).
PAST_SLACK = dt.timedelta(minutes=1)
EDITABLE = (PostStatus.draft, PostStatus.scheduled, PostStatus.failed, PostStatus.cancelled)


@dataclass
class PostInput:
    content: str = ""
    account_ids: list[uuid.UUID] = field(default_factory=list)
    # Aware datetime, or naive wall time read in `timezone`.
    scheduled_at: dt.datetime | None = None
    timezone: str = "UTC"
    platform_configs: dict[str, Any] = field(default_factory=dict)
    # Per-account text replacing `content` for that account.
    overrides: dict[uuid.UUID, str] = field(default_factory=dict)
    media_ids: list[uuid.UUID] = field(default_factory=list)
    # The thread's further parts (after `content`): texts or {"text", "media_ids"}, for every
    # selected network that publishes threads; None leaves platform_configs as given.
    thread: list[Any] | None = None
    # Alt text (image description) per attached medium, sent where the network takes it.
    media_alt: dict[uuid.UUID, str] = field(default_factory=dict)


class DestinationView(BaseModel):
    """A post's destination, as services and the REST API show it."""

    model_config = ConfigDict(frozen=True)

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


class PostView(BaseModel):
    """A post with its destinations and media, as services and the REST API show it."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    workspace_id: uuid.UUID
    author_id: uuid.UUID | None
    content: str
    scheduled_at: dt.datetime | None
    timezone: str
    status: PostStatus
    platform_configs: dict[str, Any]
    media_ids: list[uuid.UUID]
    media_alt: dict[uuid.UUID, str] = Field(
        default_factory=dict, description="Alt text per attached medium (only those that have one)."
    )
    destinations: list[DestinationView]
    created_at: dt.datetime
    updated_at: dt.datetime
    approval: PostApproval = Field(
        default=PostApproval.none,
        description="none (no approval asked), pending (waiting for an admin, never published), "
        "approved, or rejected (see `approval_comment`).",
    )
    approval_requested_by: uuid.UUID | None = None
    approval_requested_at: dt.datetime | None = None
    approval_decided_by: uuid.UUID | None = None
    approval_decided_at: dt.datetime | None = None
    approval_comment: str | None = Field(
        default=None, description="The approver's comment (always given on a rejection)."
    )

    @computed_field(  # type: ignore[prop-decorator]
        description="The thread's further parts, each its text and media ids (X, Bluesky, "
        "Mastodon, Threads publish them as replies to the first; other networks get the first "
        "part only)."
    )
    @property
    def thread(self) -> list[post_threads.ThreadPart]:
        return post_threads.parts_of(self.platform_configs)

    version: int = Field(
        default=1,
        description="Bumped by every edit. Send it back with an edit (`version`, or "
        "`If-Match`) and an edit made from an older copy is refused (409 version_conflict).",
    )


class PostPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[PostView]
    total: int
    limit: int
    offset: int


# --------------------------------------------------------------------------- reading


# A post view as one JSON document built by PostgreSQL (the post, its destinations with their
# accounts, its media ids), which pydantic reads into a PostView in one pass: far cheaper than
# Python building objects field by field, on the API's hottest page. The same document serves
# a page of posts and a single post.
_VIEW_SQL = """json_build_object(
        'id', posts.id, 'workspace_id', posts.workspace_id, 'author_id', posts.author_id,
        'content', posts.content, 'scheduled_at', posts.scheduled_at,
        'timezone', posts.timezone, 'status', posts.status,
        'platform_configs', posts.platform_configs,
        'media_ids', (SELECT coalesce(json_agg(pm.media_id ORDER BY pm.position), '[]')
            FROM post_media pm WHERE pm.post_id = posts.id),
        'media_alt', (SELECT coalesce(json_object_agg(pm.media_id, pm.alt_text), '{}'::json)
            FROM post_media pm WHERE pm.post_id = posts.id AND pm.alt_text IS NOT NULL),
        'destinations', (SELECT coalesce(json_agg(json_build_object(
                'id', d.id, 'account_id', a.id, 'platform', a.platform,
                'account_name', coalesce(nullif(a.account_name, ''), a.username),
                'status', d.status, 'platform_post_id', d.platform_post_id,
                'permalink', d.permalink, 'error_message', d.error_message,
                'attempts', d.attempts, 'next_attempt_at', d.next_attempt_at,
                'published_at', d.published_at, 'content_override', d.content_override,
                'stop_requested_at', d.stop_requested_at)
              ORDER BY a.platform, a.account_name), '[]')
            FROM post_destinations d JOIN social_accounts a ON a.id = d.social_account_id
            WHERE d.post_id = posts.id),
        'created_at', posts.created_at, 'updated_at', posts.updated_at,
        'approval', posts.approval, 'approval_requested_by', posts.approval_requested_by,
        'approval_requested_at', posts.approval_requested_at,
        'approval_decided_by', posts.approval_decided_by,
        'approval_decided_at', posts.approval_decided_at,
        'approval_comment', posts.approval_comment,
        'version', posts.version)::text"""
_VIEW_JSON: Label[str] = literal_column(_VIEW_SQL).label("view")
_POST_VIEW = sa_select(_VIEW_JSON).select_from(Post)
_VIEWS = TypeAdapter(list[PostView])


def _read_views(documents: Iterable[str]) -> list[PostView]:
    return _VIEWS.validate_json("[" + ",".join(documents) + "]")


def _views(s: Session, posts: Sequence[Any]) -> list[PostView]:
    """Views of posts (anything with an `id`), in the same order, in one query."""
    if not posts:
        return []
    # One array parameter (a statement PostgreSQL can prepare once), not one per id.
    ids = bindparam("post_ids", [p.id for p in posts], type_=ARRAY(Uuid()))
    query = _POST_VIEW.add_columns(col(Post.id)).where(col(Post.id) == any_(ids))
    documents = {r.id: r.view for r in s.execute(query).all()}
    return _read_views(documents[p.id] for p in posts)


def _view(
    post: Post,
    dests: list[DestinationView],
    media_ids: list[uuid.UUID],
    media_alt: dict[uuid.UUID, str] | None = None,
) -> PostView:
    return PostView(
        id=post.id,
        workspace_id=post.workspace_id,
        author_id=post.author_id,
        content=post.content,
        scheduled_at=post.scheduled_at,
        timezone=post.timezone,
        status=post.status,
        platform_configs=post.platform_configs,
        media_ids=media_ids,
        media_alt={
            k: v.strip() for k, v in (media_alt or {}).items() if k in media_ids and v.strip()
        },
        destinations=dests,
        created_at=post.created_at,
        updated_at=post.updated_at,
        approval=post.approval,
        approval_requested_by=post.approval_requested_by,
        approval_requested_at=post.approval_requested_at,
        approval_decided_by=post.approval_decided_by,
        approval_decided_at=post.approval_decided_at,
        approval_comment=post.approval_comment,
        version=post.version,
    )


def _destination_view(d: PostDestination, account: SocialAccount) -> DestinationView:
    """The view of a destination written in this session (the same fields `_views` reads)."""
    return DestinationView(
        id=d.id,
        account_id=account.id,
        platform=account.platform,
        account_name=account.account_name or account.username,
        status=d.status,
        platform_post_id=d.platform_post_id,
        permalink=d.permalink,
        error_message=d.error_message,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        published_at=d.published_at,
        content_override=d.content_override,
        stop_requested_at=d.stop_requested_at,
    )


def _get(s: Session, workspace_id: uuid.UUID, post_id: uuid.UUID, lock: bool = False) -> Post:
    query = select(Post).where(Post.id == post_id, Post.workspace_id == workspace_id)
    post = s.exec(query.with_for_update() if lock else query).first()
    if post is None:
        raise NotFound("Post not found.")
    return post


def get_post(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID) -> PostView:
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        return _views(s, [_get(s, workspace_id, post_id)])[0]


# The filters of `list_posts`, in SQL of psycopg's own (`%(name)s` placeholders) that runs on
# the connection as written: the API's busiest request builds and compiles no SQLAlchemy
# statement. Each is used when its parameter is given.
_FILTERS = {
    "statuses": "posts.status = ANY(%(statuses)s::post_status[])",
    "approval": "posts.approval = ANY(%(approval)s::post_approval[])",
    "author_id": "posts.author_id = %(author_id)s",
    "start": "posts.scheduled_at >= %(start)s",
    "end": "posts.scheduled_at < %(end)s",
}
_DESTINATION_FILTERS = {
    "account_id": "d.social_account_id = %(account_id)s",
    "platform": "a.platform = %(platform)s",
}


def _page_sql(conditions: str) -> str:
    """A page of post views and the total, which rides along (one round trip)."""
    return (
        f"SELECT {_VIEW_SQL} AS view, count(*) OVER () AS total FROM posts "
        f"WHERE {conditions} ORDER BY posts.scheduled_at ASC NULLS LAST, posts.created_at "
        "LIMIT %(limit)s OFFSET %(offset)s"
    )


class PostFilters(TypedDict, total=False):
    """What `list_posts` and `list_posts_json` take besides the user and the workspace."""

    statuses: list[PostStatus] | None
    start: dt.datetime | None
    end: dt.datetime | None
    account_id: uuid.UUID | None
    platform: str | None
    approval: list[PostApproval] | None
    author_id: uuid.UUID | None
    limit: int  # 1–500, default 50
    offset: int  # default 0


def list_posts(user: User, workspace_id: uuid.UUID, **filters: Unpack[PostFilters]) -> PostPage:
    """Posts of a workspace, by schedule time (drafts without one last), filtered."""
    documents, page = _page(user, workspace_id, filters)
    return PostPage(items=_read_views(documents), **page)


def list_posts_json(user: User, workspace_id: uuid.UUID, **filters: Unpack[PostFilters]) -> bytes:
    """`list_posts` as the REST API serves it: PostPage's JSON, byte for byte, made without
    the PostView objects (see _WRITTEN_VIEWS)."""
    documents, page = _page(user, workspace_id, filters)
    items = _WRITTEN_VIEWS.validate_json("[" + ",".join(documents) + "]")
    for item in items:
        item["thread"] = post_threads.parts_of(item["platform_configs"])  # PostView.thread
    return _WRITTEN_PAGE.dump_json({"items": items, **page})


def _page(
    user: User, workspace_id: uuid.UUID, filters: PostFilters
) -> tuple[list[str], dict[str, int]]:
    """The documents of a page of posts (see _VIEW_SQL), and its total, limit and offset."""
    limit, offset = filters.get("limit", 50), filters.get("offset", 0)
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidInput("limit must be 1–500 and offset ≥ 0.", code="invalid_pagination")
    given: dict[str, Any] = {
        **filters,
        "statuses": [PostStatus(v).value for v in filters.get("statuses") or ()],
        "approval": [PostApproval(v).value for v in filters.get("approval") or ()],
    }
    params = {n: v for n, v in given.items() if v and n in _FILTERS | _DESTINATION_FILTERS}
    where = ["posts.workspace_id = %(workspace_id)s"]
    where += [sql for name, sql in _FILTERS.items() if name in params]
    on_destination = [sql for name, sql in _DESTINATION_FILTERS.items() if name in params]
    if on_destination:
        where.append(
            "posts.id IN (SELECT d.post_id FROM post_destinations d JOIN social_accounts a"
            f" ON a.id = d.social_account_id WHERE {' AND '.join(on_destination)})"
        )
    params |= {"workspace_id": workspace_id, "limit": limit, "offset": offset}
    conditions = " AND ".join(where)
    db.in_autocommit(lambda s: require_role(s, user, workspace_id, Role.viewer))
    rows = db.read_rows(_page_sql(conditions), params)
    if rows:
        total = rows[0][1]
    elif offset:  # a page past the end has no row to carry the total: count apart
        total = db.read_rows(f"SELECT count(*) FROM posts WHERE {conditions}", params)[0][0]
    else:
        total = 0
    return [r[0] for r in rows], {"total": total, "limit": limit, "offset": offset}


def _written(annotation: Any) -> Any:
    """`annotation` as a document of _VIEW_SQL holds it: a uuid.UUID as PostgreSQL's text of
    it (canonical, the very text pydantic prints for a UUID), a model as a TypedDict of its
    fields so read, its computed fields left to be filled in after validation."""
    if annotation is uuid.UUID:
        return str
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = {name: _written(f.annotation) for name, f in annotation.model_fields.items()}
        for name, computed in annotation.model_computed_fields.items():
            fields[name] = NotRequired[computed.return_type]
        return TypedDict(f"{annotation.__name__}Document", fields)  # type: ignore[operator]
    args = get_args(annotation)
    if get_origin(annotation) in (list, dict):
        return get_origin(annotation)[tuple(_written(a) for a in args)]
    if get_origin(annotation) in (Union, UnionType):
        return reduce(operator.or_, (_written(a) for a in args))
    return annotation


# A page's posts validated into dicts, not PostView objects: half the CPU of validating and
# printing the page went into making and printing its ~500 uuid.UUID objects. Derived from
# the models, so the fields cannot drift; the JSON is PostPage's (a test compares them).
_WRITTEN_VIEWS: TypeAdapter[list[dict[str, Any]]] = TypeAdapter(_written(list[PostView]))
_WRITTEN_PAGE: TypeAdapter[dict[str, Any]] = TypeAdapter(_written(PostPage))


# --------------------------------------------------------------------------- validation


def resolve_time(value: dt.datetime | None, timezone: str) -> dt.datetime | None:
    """An aware UTC datetime; naive values are wall time in `timezone` (DST-checked)."""
    try:
        zone = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"Unknown timezone {timezone!r}.",
            code="invalid_timezone",
            details={"field": "timezone"},
        ) from exc
    if value is None:
        return None
    if value.tzinfo is None:
        local = value.replace(tzinfo=zone)
        # A wall time skipped by a DST jump does not survive a round trip through UTC.
        if local.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != value:
            raise InvalidInput(
                f"{value:%Y-%m-%d %H:%M} does not exist in {timezone} (the clocks jump forward "
                "then). Pick another time.",
                code="nonexistent_time",
                details={"field": "scheduled_at"},
            )
        value = local
    return value.astimezone(dt.UTC)


class _HasId(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


_Row = TypeVar("_Row", bound=_HasId)


def _in_order(ids: list[uuid.UUID], rows: Iterable[_Row], what: str, field: str) -> list[_Row]:
    """`rows` in the order of `ids`, or InvalidInput (code unknown_<what>) naming in `field`
    the ids not among them: they are not in the workspace."""
    by_id = {row.id: row for row in rows}
    missing = [str(i) for i in ids if i not in by_id]
    if missing:
        raise InvalidInput(
            f"Some {what} do not exist in this workspace.",
            code=f"unknown_{what}",
            details={field: missing},
        )
    return [by_id[i] for i in ids]


def _accounts(s: Session, workspace_id: uuid.UUID, ids: list[uuid.UUID]) -> list[SocialAccount]:
    ids = list(dict.fromkeys(ids))
    rows = s.exec(
        select(SocialAccount).where(
            col(SocialAccount.id).in_(ids), SocialAccount.workspace_id == workspace_id
        )
    ).all()
    return _in_order(ids, rows, "accounts", "account_ids")


def _media(s: Session, workspace_id: uuid.UUID, ids: list[uuid.UUID]) -> list[Media]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    rows = s.exec(
        select(Media).where(col(Media.id).in_(ids), Media.workspace_id == workspace_id)
    ).all()
    return _in_order(ids, rows, "media", "media_ids")


def validate_destinations(
    data: PostInput,
    targets: list[SocialAccount],
    media: list[Media],
    thread_media: dict[uuid.UUID, Media] | None = None,
) -> dict[str, list[str]]:
    """Problems per account id, as each platform counts and limits (checks.check, the
    composer's live check); empty when all is fine. `thread_media`: the media of the thread's
    parts by id (see post_threads.media_ids_of)."""
    items = [media_item(m, data.media_alt.get(m.id)) for m in media]
    known = thread_media or {}
    problems: dict[str, list[str]] = {}
    for account in targets:
        found: list[str] = []
        if account.status in (AccountStatus.expired, AccountStatus.revoked):
            state = (
                "was disconnected"
                if account.last_error == account_posts.DISCONNECTED
                else f"is {account.status.value}"
            )
            found.append(f"The account {state}: reconnect it first.")
        text = data.overrides.get(account.id, data.content)
        stored = dict(data.platform_configs.get(account.platform, {}))
        options, part_ids = post_threads.provider_options(stored)
        alts = post_threads.parts_alt(stored)
        part_media = [
            [media_item(known[m], alt.get(m)) for m in ids if m in known]
            for ids, alt in zip(part_ids, alts, strict=True)
        ]
        provider = accounts.provider_for(account)
        found += checks.check(provider, text, items, options, part_media).problems
        if found:
            problems[str(account.id)] = found
    return problems


def _check(
    data: PostInput,
    targets: list[SocialAccount],
    media: list[Media],
    publish: bool,
    thread_media: dict[uuid.UUID, Media] | None = None,
) -> None:
    if len(data.content) > MAX_CONTENT:
        raise InvalidInput("The post is too long.", code="content_too_long")
    if any(len(a) > MAX_ALT_TEXT for a in data.media_alt.values()):
        raise InvalidInput(
            f"Alt text is limited to {MAX_ALT_TEXT:,} characters.", code="alt_text_too_long"
        )
    if not publish:
        return
    if not targets:
        raise InvalidInput(
            "Choose at least one account.", code="no_accounts", details={"field": "account_ids"}
        )
    problems = validate_destinations(data, targets, media, thread_media)
    if problems:
        names = {str(a.id): _account_label(a) for a in targets}
        first = next(iter(problems))
        raise InvalidInput(
            f"{names[first]}: {problems[first][0]}" if len(targets) > 1 else problems[first][0],
            code="validation_failed",
            details={"destinations": problems},
        )


def _account_label(account: SocialAccount) -> str:
    """An account as people name it: "Alice on X"."""
    network = provider_class(account.platform).display_name
    name = account.account_name or account.username
    return f"{name} on {network}" if name else network


# --------------------------------------------------------------------------- writing


Stale = list[tuple[uuid.UUID, dt.datetime | None]]


def _set_destinations(
    s: Session,
    post: Post,
    targets: list[SocialAccount],
    overrides: dict[uuid.UUID, str],
    *,
    new: bool = False,
) -> tuple[Stale, list[PostDestination]]:
    """Make the post's not-yet-published destinations match `targets` (`new`: the post was just
    created and has none yet).

    Returns the (destination, due time) pairs that had a publish job before, so the caller
    can remove the ones that moved once the change is committed, and the post's destinations
    as they are now.
    """
    existing = (
        {}
        if new
        else {
            d.social_account_id: d
            for d in s.exec(select(PostDestination).where(PostDestination.post_id == post.id)).all()
        }
    )
    stale: Stale = [(d.id, d.next_attempt_at) for d in existing.values() if d.next_attempt_at]
    wanted = {a.id for a in targets}
    current = []
    for account_id, dest in existing.items():
        if account_id not in wanted and dest.status != DestinationStatus.published:
            s.delete(dest)
        else:
            current.append(dest)
    for account in targets:
        found = existing.get(account.id)
        if found is None:
            dest = PostDestination(post_id=post.id, social_account_id=account.id)
            current.append(dest)
        else:
            dest = found
        if dest.status == DestinationStatus.published:
            continue
        dest.content_override = overrides.get(account.id)
        dest.status = DestinationStatus.pending
        # The destination's due time: what the worker's claim checks (None = not scheduled).
        dest.next_attempt_at = post.scheduled_at if post.status == PostStatus.scheduled else None
        dest.give_up_at = _give_up_at(dest.next_attempt_at)
        dest.pending_state = {}
        dest.error_message = None
        dest.updated_at = utcnow()
        s.add(dest)
    return stale, current


def _give_up_at(due: dt.datetime | None) -> dt.datetime | None:
    """When the engine stops trying a destination due at `due` (HERALD_GIVE_UP_AFTER_SECONDS)."""
    return due + dt.timedelta(seconds=settings.give_up_after_seconds) if due else None


def _set_media(
    s: Session, post: Post, media: list[Media], alt: dict[uuid.UUID, str], *, new: bool = False
) -> None:
    if not new:
        for pm in s.exec(select(PostMedia).where(PostMedia.post_id == post.id)).all():
            s.delete(pm)
        s.flush()
    for position, m in enumerate(media):
        text_ = (alt.get(m.id) or "").strip() or None
        s.add(PostMedia(post_id=post.id, media_id=m.id, position=position, alt_text=text_))


def _due(post: Post, mode: str) -> dt.datetime | None:
    if mode == "now":
        return utcnow()
    if mode == "schedule":
        if post.scheduled_at is None:
            raise InvalidInput(
                "Choose when to publish.", code="missing_time", details={"field": "scheduled_at"}
            )
        if post.scheduled_at < utcnow() - PAST_SLACK:
            raise InvalidInput(
                "That time is in the past. Choose a future time or publish now.",
                code="time_in_past",
                details={"field": "scheduled_at"},
            )
        return post.scheduled_at
    return None


def _schedule_all(
    s: Session, post: Post, stale: Stale, dests: list[PostDestination], media: list[Media]
) -> None:
    """Commit, then move the jobs: drop the ones whose time changed, create the new ones.
    If Redis is unavailable here, reconcile rebuilds the schedule from the database."""
    due = post.scheduled_at if post.status == PostStatus.scheduled else None
    waiting = [
        d.id for d in dests if d.status in (DestinationStatus.pending, DestinationStatus.queued)
    ]
    s.commit()
    for dest_id, old_due in stale:
        if old_due != due:
            schedule.unschedule(dest_id, old_due)
    if due is not None:
        video = schedule.media_lane(m.file_type for m in media)
        schedule.schedule_publishes([(dest_id, due) for dest_id in waiting], media=video)


MODES = ("draft", "schedule", "now", "queue")


def _mode(mode: str) -> str:
    if mode not in MODES:
        raise InvalidInput("mode must be draft, schedule, now or queue.", code="invalid_mode")
    return mode


def _queued(user: User, workspace_id: uuid.UUID, data: PostInput, mode: str) -> str:
    """ "queue": the accounts' next free posting slot becomes the time, then it is scheduled."""
    if mode != "queue":
        return mode
    data.scheduled_at = post_threads.queue_time(user, workspace_id, data.account_ids)
    return "schedule"


def _with_thread(
    s: Session, workspace_id: uuid.UUID, data: PostInput, targets: list[SocialAccount]
) -> dict[uuid.UUID, Media]:
    """Store `data.thread` in the platform configs; the media its parts use, by id (a medium
    that is not in this workspace's library is refused)."""
    if data.thread is not None:
        parts = post_threads.clean_parts(data.thread)
        data.platform_configs = post_threads.apply(
            data.platform_configs, [a.platform for a in targets], parts
        )
    ids = post_threads.media_ids_of(data.platform_configs)
    return {m.id: m for m in _media(s, workspace_id, ids)}


def create_post(
    user: User,
    workspace_id: uuid.UUID,
    data: PostInput,
    *,
    mode: str = "schedule",
    idempotency_key: str | None = None,
) -> tuple[PostView, bool]:
    """Create a draft, a scheduled post or one to publish now. Returns (post, created); with
    an idempotency key already used in this workspace, the earlier post is returned."""
    mode = _queued(user, workspace_id, data, _mode(mode))
    with db.session() as s:
        member = require_role(s, user, workspace_id, Role.editor)
        if idempotency_key:
            earlier = s.exec(
                select(Post).where(
                    Post.workspace_id == workspace_id, Post.idempotency_key == idempotency_key
                )
            ).first()
            if earlier:
                return _views(s, [earlier])[0], False
        targets = _accounts(s, workspace_id, data.account_ids)
        media = _media(s, workspace_id, data.media_ids)
        thread_media = _with_thread(s, workspace_id, data, targets)
        _check(data, targets, media, publish=mode != "draft", thread_media=thread_media)
        post = Post(
            workspace_id=workspace_id,
            author_id=user.id,
            content=data.content,
            timezone=data.timezone,
            scheduled_at=resolve_time(data.scheduled_at, data.timezone),
            platform_configs=data.platform_configs,
            idempotency_key=idempotency_key or None,
        )
        post.scheduled_at = _due(post, mode) or post.scheduled_at
        post.status = PostStatus.draft if mode == "draft" else PostStatus.scheduled
        approval = approval_rules.on_save(s, user, member, post, mode)
        if post.status == PostStatus.scheduled:
            plans.check_post(s, workspace_id, post.scheduled_at)
        s.add(post)
        try:
            s.flush()
        except IntegrityError:  # the same key raced us: the other request created it
            s.rollback()
            return _idempotent_replay(user, workspace_id, idempotency_key), False
        stale, dests = _set_destinations(s, post, targets, data.overrides, new=True)
        _set_media(s, post, media, data.media_alt, new=True)
        s.flush()
        # Built from what was just written (no read back), ordered as _views orders them.
        by_account = {d.social_account_id: d for d in dests}
        ordered = sorted(targets, key=lambda a: (a.platform, a.account_name))
        view = _view(
            post,
            [_destination_view(by_account[a.id], a) for a in ordered],
            [m.id for m in media],
            data.media_alt,
        )
        _record(
            s,
            workspace_id,
            user,
            "post.created",
            post,
            {"mode": mode, "scheduled_at": post.scheduled_at, "accounts": len(targets)},
        )
        approval_rules.record(s, user, post, approval, _label(post))
        _schedule_all(s, post, stale, dests, [*media, *thread_media.values()])
    return view, True


def _label(post: Post) -> str:
    """How the activity log names a post: the start of its text."""
    text_ = " ".join(post.content.split())
    return text_ if len(text_) <= 80 else text_[:79] + "…"


def _record(
    s: Session,
    workspace_id: uuid.UUID,
    user: User,
    verb: str,
    post: Post,
    details: dict[str, Any] | None = None,
) -> None:
    """Record an event about the post in the activity log (activity.record)."""
    activity.record(s, workspace_id, user, verb, "post", post.id, _label(post), details)


def _idempotent_replay(user: User, workspace_id: uuid.UUID, key: str | None) -> PostView:
    with db.session() as s:
        post = s.exec(
            select(Post).where(Post.workspace_id == workspace_id, Post.idempotency_key == key)
        ).one()
        return _views(s, [post])[0]


def _lock_destinations(s: Session, post: Post, action: str) -> list[PostDestination]:
    """Lock the post's destinations and refuse if one is being published.

    A worker's claim updates a destination row, so it either committed before this lock
    (and we see it active) or it waits for us and re-checks the row we changed.
    """
    dests = list(
        s.exec(
            select(PostDestination).where(PostDestination.post_id == post.id).with_for_update()
        ).all()
    )
    if any(d.status in ACTIVE for d in dests):
        raise Conflict(
            f"This post is being published right now and cannot be {action}. Try again in a "
            "moment.",
            code="post_publishing",
        )
    return dests


def update_post(
    user: User,
    workspace_id: uuid.UUID,
    post_id: uuid.UUID,
    data: PostInput,
    *,
    mode: str,
    verb: str = "post.edited",
    submit: bool = False,
    expected_version: int | None = None,
) -> PostView:
    """Replace a post's content, targets, media and time; re-validate and re-schedule.

    Destinations already published stay as they are; the rest follow the new version.
    `verb`: how the activity log calls it (an edit, a reschedule). In a workspace that requires
    approval, an editor's post goes (back) to waiting for approval instead of being scheduled
    (`submit`: even an admin's; see app.services.approvals).
    `verb`: how the activity log calls it (an edit, a reschedule). `expected_version`: the
    version the editor started from; a post changed since is refused (version_conflict).
    """
    mode = _queued(user, workspace_id, data, _mode(mode))
    with db.session() as s:
        member = require_role(s, user, workspace_id, Role.editor)
        post = _get(s, workspace_id, post_id, lock=True)
        if expected_version is not None and expected_version != post.version:
            raise post_versions.conflict(s, user, post)
        _lock_destinations(s, post, "edited")
        if post.status == PostStatus.published:
            raise Conflict("A published post cannot be edited.", code="post_published")
        targets = _accounts(s, workspace_id, data.account_ids)
        media = _media(s, workspace_id, data.media_ids)
        thread_media = _with_thread(s, workspace_id, data, targets)
        _check(data, targets, media, publish=mode != "draft", thread_media=thread_media)
        before = post.scheduled_at
        post.content = data.content
        post.timezone = data.timezone
        post.platform_configs = data.platform_configs
        post.scheduled_at = resolve_time(data.scheduled_at, data.timezone)
        post.scheduled_at = _due(post, mode) or post.scheduled_at
        post.status = PostStatus.draft if mode == "draft" else PostStatus.scheduled
        approval = approval_rules.on_save(s, user, member, post, mode, submit=submit)
        if post.status == PostStatus.scheduled:
            plans.check_post(s, workspace_id, post.scheduled_at, exclude=post.id)
        post.updated_at = utcnow()
        post.version += 1
        s.add(post)
        stale, dests = _set_destinations(s, post, targets, data.overrides)
        _set_media(s, post, media, data.media_alt)
        s.flush()
        if mode != "draft":
            refresh_post_status(s, post.id)
        view = _views(s, [post])[0]
        _record(
            s,
            workspace_id,
            user,
            verb,
            post,
            {"mode": mode, "scheduled_at": post.scheduled_at, "previous_scheduled_at": before},
        )
        approval_rules.record(s, user, post, approval, _label(post))
        _schedule_all(s, post, stale, dests, [*media, *thread_media.values()])
    return view


def _input_of(post: PostView, **changes: Any) -> PostInput:
    """The post as it stands, as input for an update (with `changes` applied)."""
    data = PostInput(
        content=post.content,
        account_ids=[d.account_id for d in post.destinations],
        scheduled_at=post.scheduled_at,
        timezone=post.timezone,
        platform_configs=post.platform_configs,
        overrides={
            d.account_id: d.content_override
            for d in post.destinations
            if d.content_override is not None
        },
        media_ids=post.media_ids,
        media_alt=dict(post.media_alt),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def reschedule(
    user: User, workspace_id: uuid.UUID, post_id: uuid.UUID, when: dt.datetime, timezone: str
) -> PostView:
    """Move a scheduled post to another time (the calendar's drag and drop)."""
    current = get_post(user, workspace_id, post_id)
    if current.status != PostStatus.scheduled:
        raise Conflict("Only scheduled posts can be moved.", code="not_scheduled")
    data = _input_of(current, scheduled_at=when, timezone=timezone)
    return update_post(user, workspace_id, post_id, data, mode="schedule", verb="post.rescheduled")


def cancel_post(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID) -> PostView:
    """Stop publishing a post, whatever state it is in.

    Every destination not confirmed published is cancelled, except where a request is in flight
    (`publishing`): that one is marked to stop and the engine cancels it as soon as the request's
    outcome is known (or records it published, if the platform took it). A destination whose
    outcome is unclear (`unknown`) is also marked: the engine still reads the account to say
    whether it went out, but never sends it again. Published destinations stay on the networks.
    """
    now = utcnow()
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
        post = _get(s, workspace_id, post_id, lock=True)
        dests = list(
            s.exec(
                select(PostDestination).where(PostDestination.post_id == post.id).with_for_update()
            ).all()
        )
        open_ = [
            d
            for d in dests
            if d.status not in (DestinationStatus.published, DestinationStatus.cancelled)
        ]
        if post.status == PostStatus.cancelled or not open_:
            raise Conflict(
                f"A {post.status.value} post has nothing left to stop.", code="not_cancellable"
            )
        stale = []
        for dest in open_:
            if dest.status in (DestinationStatus.publishing, DestinationStatus.unknown):
                dest.stop_requested_at = dest.stop_requested_at or now
            else:
                stale.append((dest.id, dest.next_attempt_at))
                dest.status = DestinationStatus.cancelled
                dest.next_attempt_at = None
                dest.error_message = "Stopped before it went out."
            dest.updated_at = now
            s.add(dest)
        post.version += 1
        s.add(post)
        if post.status == PostStatus.draft:
            post.status = PostStatus.cancelled
            if post.approval == PostApproval.pending:
                post.approval = PostApproval.none  # withdrawn
            post.updated_at = now
            s.add(post)
        else:
            refresh_post_status(s, post.id)
        view = _views(s, [post])[0]
        details = {"cancelled": len(stale), "stopping": len(open_) - len(stale)}
        _record(s, workspace_id, user, "post.cancelled", post, details)
    for dest_id, due in stale:
        schedule.unschedule(dest_id, due)
    return view


def delete_post(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID) -> None:
    """Remove a post from Herald (published copies stay on the networks). Refused only while a
    request is in flight for one of its destinations: stop it first (cancel_post)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
        post = _get(s, workspace_id, post_id, lock=True)
        dests = s.exec(
            select(PostDestination).where(PostDestination.post_id == post.id).with_for_update()
        ).all()
        if any(d.status == DestinationStatus.publishing for d in dests):
            raise Conflict(
                "This post is being sent right now and cannot be deleted. Stop publishing it, "
                "then delete it once the request in flight has settled (a moment).",
                code="post_publishing",
            )
        stale = s.exec(
            select(PostDestination.id, PostDestination.next_attempt_at).where(
                PostDestination.post_id == post.id
            )
        ).all()
        _record(s, workspace_id, user, "post.deleted", post)
        s.delete(post)
    for dest_id, due in stale:
        schedule.unschedule(dest_id, due)


def publish_now(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID) -> PostView:
    current = get_post(user, workspace_id, post_id)
    if current.status not in (PostStatus.draft, PostStatus.scheduled, PostStatus.cancelled):
        raise Conflict(
            f"A {current.status.value} post cannot be published now; "
            "retry its failed destinations instead.",
            code="not_publishable",
        )
    return update_post(
        user, workspace_id, post_id, _input_of(current), mode="now", verb="post.rescheduled"
    )


def retry_failed(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID) -> PostView:
    """Publish the failed destinations again, now; published ones are left alone."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
        post = _get(s, workspace_id, post_id, lock=True)
        failed = list(
            s.exec(
                select(PostDestination).where(
                    PostDestination.post_id == post.id,
                    PostDestination.status == DestinationStatus.failed,
                )
            ).all()
        )
        if not failed:
            raise Conflict(
                "This post has no failed destinations to retry.", code="nothing_to_retry"
            )
        targets = _accounts(s, workspace_id, [d.social_account_id for d in failed])
        broken = [a for a in targets if a.status in (AccountStatus.expired, AccountStatus.revoked)]
        if broken:
            raise Conflict(
                f"Reconnect {_account_label(broken[0])} before retrying.",
                code="account_needs_reconnect",
            )
        now = utcnow()
        for dest in failed:
            dest.status = DestinationStatus.pending
            dest.error_message = None
            dest.attempts = 0
            dest.next_attempt_at = now
            dest.give_up_at = _give_up_at(now)
            # Parts of a thread already out stay out: the retry goes on after them.
            dest.pending_state = {
                k: v for k, v in dest.pending_state.items() if k in ("thread_done", "thread_urls")
            }
            dest.updated_at = now
            s.add(dest)
        video = schedule.media_lane(
            m.file_type for m in _post_media(s, post) + _thread_media(s, post)
        )
        if post.scheduled_at is None or post.scheduled_at > now:
            post.scheduled_at = now
        post.status = PostStatus.publishing
        s.add(post)
        s.flush()
        refresh_post_status(s, post.id)
        view = _views(s, [post])[0]
        details = {"destinations": [str(d.id) for d in failed]}
        _record(s, workspace_id, user, "post.retried", post, details)
    for dest in failed:
        schedule.schedule_publish(dest.id, now, media=video)
    return view


def _thread_media(s: Session, post: Post) -> list[Media]:
    """The media of the thread's further parts (still in the library)."""
    ids = post_threads.media_ids_of(post.platform_configs)
    if not ids:
        return []
    return list(s.exec(select(Media).where(col(Media.id).in_(ids))).all())


def _post_media(s: Session, post: Post) -> list[Media]:
    return list(
        s.exec(
            select(Media)
            .join(PostMedia, col(PostMedia.media_id) == Media.id)
            .where(PostMedia.post_id == post.id)
        ).all()
    )


class AttemptView(BaseModel):
    """One publish attempt on a destination (a post's audit trail)."""

    model_config = ConfigDict(frozen=True)

    id: int
    destination_id: uuid.UUID
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str | None
    http_status: int | None
    error: str | None
    worker: str


def list_attempts(user: User, workspace_id: uuid.UUID, post_id: uuid.UUID) -> list[AttemptView]:
    """The audit trail of a post: every publish attempt on every destination, oldest first."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        post = _get(s, workspace_id, post_id)
        rows = s.exec(
            select(PublishAttempt)
            .join(PostDestination, col(PostDestination.id) == PublishAttempt.destination_id)
            .where(PostDestination.post_id == post.id)
            .order_by(col(PublishAttempt.id))
        ).all()
        return [
            AttemptView(
                id=a.id or 0,
                destination_id=a.destination_id,
                started_at=a.started_at,
                finished_at=a.finished_at,
                outcome=a.outcome.value if a.outcome else None,
                http_status=a.http_status,
                error=a.error,
                worker=a.worker,
            )
            for a in rows
        ]


# Used by app.services.approvals, which builds on this module.
label = _label
views = _views
input_of = _input_of
give_up_at = _give_up_at
post_media = _post_media
lock_destinations = _lock_destinations


def get_locked(s: Session, workspace_id: uuid.UUID, post_id: uuid.UUID) -> Post:
    return _get(s, workspace_id, post_id, lock=True)
