"""The media library: presigned uploads straight to storage, checked confirmation, listing,
deletion.

An upload is two steps. `presign` checks the role, the declared type and size against the
configured caps and the plan's storage (pending uploads count), records the pending upload and
hands out an upload for one exact key and at most the declared size. After the client
has uploaded, `confirm` checks the object: it sniffs the real type from the bytes, refuses a file
that is not what its name says (or is over the cap) and removes it, reads dimensions and
duration, and computes the checksum in one streaming pass — and only then records it.
An upload never confirmed is deleted (object and record) by `sweep_uploads`, a repeated job.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, cast, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import db
from app.config import settings
from app.models import (
    Media,
    MediaUpload,
    Post,
    PostDestination,
    PostMedia,
    PostStatus,
    Role,
    User,
    utcnow,
)
from app.providers.base import MediaItem
from app.services import plans, post_threads, throttle
from app.services.access import require_role, workspace_row
from app.services.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from app.services.media_prep import StoredMedia, converted_copies
from app.services.post_status import ACTIVE
from app.services.views import copy_view
from app.storage import get_storage, local_path, open_media, sniff, tokens, url_for
from app.storage.base import ObjectExists, ObjectTooLarge, StorageError
from app.storage.local import FILE, UPLOAD, LocalStorage

log = logging.getLogger(__name__)

KINDS = ("image", "video")
_KEY = re.compile(r"^([0-9a-f-]{36})/[0-9a-f]{32}-[A-Za-z0-9._-]{1,120}$")
# Posts in these states will still read their media.
_IN_USE = (PostStatus.scheduled, PostStatus.publishing)
# An upload may be confirmed this long after its link expired; then the sweep deletes it.
CONFIRM_GRACE = dt.timedelta(hours=1)


class TooLarge(ServiceError, status=413, code="file_too_large"): ...


class UploadTicket(BaseModel):
    """Upload the file here, then confirm it with `POST /api/media {key}`.

    method POST: a multipart form with every `fields` entry first, then the file in a part
    named `file`. method PUT: the raw bytes as the body, with `headers`."""

    model_config = ConfigDict(frozen=True)

    upload_url: str
    method: str
    fields: dict[str, str]
    headers: dict[str, str]
    key: str
    expires_at: dt.datetime
    max_bytes: int


class MediaView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    workspace_id: uuid.UUID
    uploaded_by: uuid.UUID | None
    filename: str
    file_type: str
    kind: str
    file_size: int
    width: int | None
    height: int | None
    duration: float | None
    checksum: str
    created_at: dt.datetime
    url: str = Field(description="Short-lived presigned GET URL (thumbnails, previews).")


class MediaPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[MediaView]
    total: int
    limit: int
    offset: int


# --------------------------------------------------------------------------- rules


def allowed_types() -> list[str]:
    return [t.strip().lower() for t in settings.media_types.split(",") if t.strip()]


def kind_of(mime: str) -> str:
    return "video" if mime.startswith("video/") else "image"


def max_bytes(mime: str) -> int:
    if kind_of(mime) == "video":
        return settings.media_max_video_bytes
    return settings.media_max_image_bytes


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def safe_filename(name: str) -> str:
    """A file name fit for a storage key: ASCII letters, digits, `._-`, at most 120 chars,
    keeping the extension."""
    name = unicodedata.normalize("NFKD", Path(name.replace("\\", "/")).name)
    name = name.encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-_") or "file"
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 120:
        name = f"{stem[: 119 - len(ext)]}.{ext}"
    return name[:120]


def _view(m: Media) -> MediaView:
    url = get_storage().url_for(m.storage_key, settings.media_url_seconds, m.file_type)
    return copy_view(MediaView, m, kind=kind_of(m.file_type), url=url)


# --------------------------------------------------------------------------- upload


def presign(
    user: User, workspace_id: uuid.UUID, filename: str, content_type: str, size: int
) -> UploadTicket:
    """An upload for one new file; refused (nothing stored) when the type or size is not
    allowed or the name's extension says another type."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
    throttle.take(
        f"presign:{user.id}",
        settings.media_uploads_per_hour,
        "You started too many uploads in the last hour.",
        "upload_throttled",
    )
    content_type = content_type.split(";")[0].strip().lower()
    allowed = allowed_types()
    if content_type not in allowed:
        raise InvalidInput(
            f"{content_type or 'This type'} cannot be uploaded. Allowed: {', '.join(allowed)}.",
            code="unsupported_type",
            details={"field": "content_type", "allowed": allowed},
        )
    named = sniff.type_of_name(filename)
    if named is None or not sniff.same_type(named, content_type):
        raise InvalidInput(
            f"The file name {filename!r} does not match the type {content_type}.",
            code="type_mismatch",
            details={"field": "filename"},
        )
    cap = max_bytes(content_type)
    if size < 1:
        raise InvalidInput("The file is empty.", code="empty_file", details={"field": "size"})
    if size > cap:
        raise InvalidInput(
            f"The file is {_mb(size)}; {kind_of(content_type)}s can be at most {_mb(cap)}.",
            code="file_too_large",
            details={"field": "size", "max_bytes": cap},
        )
    safe = safe_filename(filename)
    if sniff.type_of_name(safe) != named:  # cleaning ate the extension: put it back
        safe = f"{safe[:110]}.{filename.rpartition('.')[2].lower()}"
    key = f"{workspace_id}/{uuid.uuid4().hex}-{safe}"
    with db.session() as s:  # the declared size is reserved in the plan's storage until then
        require_role(s, user, workspace_id, Role.editor)
        plans.check_storage(s, workspace_id, size)
        expires = utcnow() + dt.timedelta(seconds=settings.media_upload_seconds)
        s.add(
            MediaUpload(
                storage_key=key,
                workspace_id=workspace_id,
                user_id=user.id,
                size=size,
                content_type=content_type,
                expires_at=expires,
            )
        )
    upload = get_storage().presign_upload(key, content_type, size, settings.media_upload_seconds)
    return copy_view(UploadTicket, upload, upload_url=upload.url, key=key, max_bytes=size)


def _refuse(key: str, error: ServiceError) -> ServiceError:
    """Remove a refused upload from storage; returns the error to raise."""
    try:
        get_storage().delete(key)
    except Exception:  # the refusal stands; an orphan object is only wasted space
        log.exception("could not delete refused upload %s", key)
    return error


def _claims(stored_name: str, display: str, content_type: str | None) -> list[str]:
    """The types the upload's names and declared content type say it is."""
    claims = [sniff.type_of_name(stored_name) or "unknown"]
    named = sniff.type_of_name(display)
    if named is not None or "." in display.strip("."):  # an extension we do not know
        claims.append(named or "unknown")
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared and declared not in ("application/octet-stream", "binary/octet-stream"):
        claims.append(declared)
    return claims


def _check_type(key: str, display: str, mime: str | None, claims: list[str]) -> None:
    allowed = allowed_types()
    if mime is None or mime not in allowed:
        what = sniff.LABELS.get(mime or "", "not an image or video Herald can publish")
        raise _refuse(
            key,
            InvalidInput(
                f"{display}: the file is {what}. Allowed: {', '.join(allowed)}.",
                code="unsupported_type",
                details={"sniffed": mime},
            ),
        )
    for claimed in claims:
        if not sniff.same_type(claimed, mime):
            said = sniff.LABELS.get(claimed, "something else")
            raise _refuse(
                key,
                InvalidInput(
                    f"{display} says it is {said}, but its bytes are a {sniff.LABELS[mime]}.",
                    code="type_mismatch",
                    details={"sniffed": mime, "claimed": claimed},
                ),
            )


def confirm(
    user: User, workspace_id: uuid.UUID, key: str, filename: str | None = None
) -> tuple[MediaView, bool]:
    """Check an uploaded object and record it. Returns (media, created): confirming a key
    again returns the media recorded the first time."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
        match = _KEY.match(key)
        if match is None or match.group(1) != str(workspace_id):
            raise NotFound("Upload not found.", code="upload_not_found")
        earlier = s.exec(select(Media).where(Media.storage_key == key)).first()
        if earlier is not None:
            return _view(earlier), False
    stored_name = key.rsplit("/", 1)[1][33:]  # after "<32 hex>-"
    display = "".join(c for c in filename or "" if c.isprintable()).strip()[:300] or stored_name
    storage = get_storage()
    info = storage.head(key)
    if info is None:
        raise NotFound(
            "Nothing was uploaded under this key (or the upload failed).", code="upload_not_found"
        )
    cap = max(settings.media_max_image_bytes, settings.media_max_video_bytes)
    if info.size > cap:
        raise _refuse(key, InvalidInput(f"The file is over {_mb(cap)}.", code="file_too_large"))
    raw = storage.open(key)
    try:
        reader = sniff.Reader(raw, limit=cap)
        mime = sniff.sniff(reader.peek(sniff.SNIFF_BYTES))
        _check_type(key, display, mime, _claims(stored_name, display, info.content_type))
        assert mime is not None
        limit = max_bytes(mime)
        if info.size > limit:
            raise _refuse(
                key,
                InvalidInput(
                    f"{display} is {_mb(info.size)}; {kind_of(mime)}s can be at most {_mb(limit)}.",
                    code="file_too_large",
                    details={"max_bytes": limit},
                ),
            )
        try:
            found = sniff.probe(mime, reader)
            size, checksum = reader.drain()
        except sniff.CorruptMedia as exc:
            raise _refuse(
                key,
                InvalidInput(
                    f"{display} looks like a {sniff.LABELS[mime]} but cannot be read ({exc}).",
                    code="corrupt_file",
                ),
            ) from exc
        except sniff.TooLarge as exc:
            raise _refuse(
                key, InvalidInput(f"{display} is over {_mb(cap)}.", code="file_too_large")
            ) from exc
    finally:
        raw.close()
    if size > max_bytes(mime):
        raise _refuse(key, InvalidInput(f"{display} is too large.", code="file_too_large"))
    media = Media(
        workspace_id=workspace_id,
        uploaded_by=user.id,
        storage_key=key,
        filename=display,
        file_type=mime,
        file_size=size,
        width=found.width,
        height=found.height,
        duration=found.duration,
        checksum=checksum,
    )
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
        pending = s.get(MediaUpload, key)
        if pending is not None:  # from now on the file itself counts, not its reservation
            s.delete(pending)
            s.flush()
        try:
            plans.check_storage(s, workspace_id, size)
        except plans.PlanLimit as exc:
            raise _refuse(key, exc) from None
        s.add(media)
        try:
            s.flush()
        except IntegrityError:  # a concurrent confirm of the same key recorded it first
            s.rollback()
            return _view(s.exec(select(Media).where(Media.storage_key == key)).one()), False
        return _view(media), True


def sweep_uploads(limit: int = 500) -> int:
    """Delete uploads never confirmed (their object, then their record) once their link has
    expired and the grace to confirm has passed. Returns how many were deleted."""
    cutoff = utcnow() - CONFIRM_GRACE
    deleted = 0
    with db.session() as s:
        rows = s.exec(
            select(MediaUpload)
            .where(MediaUpload.expires_at < cutoff)
            .order_by(col(MediaUpload.expires_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        storage = get_storage()
        for row in rows:
            try:
                storage.delete(row.storage_key)
            except Exception:  # kept for the next sweep
                log.exception("could not delete expired upload %s", row.storage_key)
                continue
            s.delete(row)
            deleted += 1
    return deleted


# --------------------------------------------------------------------------- reading


def _get(s: Session, workspace_id: uuid.UUID, media_id: uuid.UUID, lock: bool = False) -> Media:
    return workspace_row(s, Media, workspace_id, media_id, "Media not found.", lock=lock)


def get_media(user: User, workspace_id: uuid.UUID, media_id: uuid.UUID) -> MediaView:
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        return _view(_get(s, workspace_id, media_id))


def list_media(
    user: User,
    workspace_id: uuid.UUID,
    *,
    kind: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> MediaPage:
    """The workspace's media, newest first: by kind, upload time range and file name."""
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidInput("limit must be 1–500 and offset ≥ 0.", code="invalid_pagination")
    if kind is not None and kind not in KINDS:
        raise InvalidInput("type must be image or video.", code="invalid_type")
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        query = select(Media).where(Media.workspace_id == workspace_id)
        if kind:
            query = query.where(col(Media.file_type).startswith(f"{kind}/"))
        if start:
            query = query.where(col(Media.created_at) >= start)
        if end:
            query = query.where(col(Media.created_at) < end)
        q = (q or "").replace("\x00", "").strip()
        if q:
            pattern = re.sub(r"([\\%_])", r"\\\1", q)
            query = query.where(col(Media.filename).ilike(f"%{pattern}%", escape="\\"))
        total = s.exec(select(func.count()).select_from(query.subquery())).one()
        rows = s.exec(
            query.order_by(col(Media.created_at).desc(), col(Media.id)).limit(limit).offset(offset)
        ).all()
        return MediaPage(items=[_view(m) for m in rows], total=total, limit=limit, offset=offset)


# --------------------------------------------------------------------------- deleting


def delete_media(user: User, workspace_id: uuid.UUID, media_id: uuid.UUID) -> None:
    """Delete a file from the library and from storage. Refused while a scheduled or
    publishing post uses it; drafts and past posts using it lose the attachment."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
        media = _get(s, workspace_id, media_id, lock=True)
        in_use = or_(
            col(Post.status).in_(_IN_USE),
            col(Post.id).in_(
                select(PostDestination.post_id).where(col(PostDestination.status).in_(ACTIVE))
            ),
        )
        busy = s.exec(
            select(Post.id)
            .join(PostMedia, col(PostMedia.post_id) == Post.id)
            .where(PostMedia.media_id == media.id)
            .where(in_use)
        ).all()
        # Media of a thread's further parts live in the post's platform_configs.
        in_threads = s.exec(
            select(Post)
            .where(Post.workspace_id == workspace_id)
            .where(cast(Post.platform_configs, String).contains(str(media.id)))
        ).all()
        busy = [*busy, *(p.id for p in in_threads if _thread_busy(s, p) and p.id not in busy)]
        if busy:
            raise Conflict(
                "A scheduled post uses this file; remove it from the post or cancel the post "
                "first.",
                code="media_in_use",
                details={"post_ids": [str(p) for p in busy]},
            )
        for pm in s.exec(select(PostMedia).where(PostMedia.media_id == media.id)).all():
            s.delete(pm)
        for post in in_threads:  # drafts and past posts: their thread parts lose it
            post.platform_configs = post_threads.without_media(post.platform_configs, media.id)
            s.add(post)
        s.flush()
        s.delete(media)
        key = media.storage_key
        try:
            s.commit()
        except IntegrityError as exc:  # a post attached it meanwhile
            raise Conflict("A post just attached this file.", code="media_in_use") from exc
    for gone in [key, *converted_copies(media)]:
        try:
            get_storage().delete(gone)
        except Exception:  # the library entry is gone; an orphan object is only wasted space
            log.exception("could not delete media object %s", gone)


def _thread_busy(s: Session, post: Post) -> bool:
    """Will this post still read its thread's media (scheduled, publishing, or a destination
    still on its way)?"""
    if post.status in _IN_USE:
        return True
    active = s.exec(
        select(PostDestination.id)
        .where(PostDestination.post_id == post.id)
        .where(col(PostDestination.status).in_(ACTIVE))
    ).first()
    return active is not None


# --------------------------------------------------------------------------- local storage


def _local() -> LocalStorage:
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        raise NotFound("Media are not stored on this server.")
    return storage


async def receive_upload(
    token: str, chunks: AsyncIterator[bytes], *, content_type: str | None, length: int | None
) -> int:
    """Store an upload to a local-storage upload URL; the size cap holds while streaming."""
    storage = _local()
    try:
        claims = tokens.verify(UPLOAD, token)
    except tokens.BadToken as exc:
        raise Forbidden("This upload link is invalid or has expired.", code="bad_upload") from exc
    if (content_type or "").split(";")[0].strip().lower() != claims["t"]:
        raise Forbidden(f"The upload must declare Content-Type {claims['t']}.", code="bad_upload")
    cap = int(claims["m"])
    if length is not None and length > cap:
        raise TooLarge(f"The file is over the {_mb(cap)} limit.", details={"max_bytes": cap})
    try:
        return await storage.write(claims["k"], chunks, cap)
    except ObjectTooLarge as exc:
        raise TooLarge(
            f"The file is over the {_mb(cap)} limit.", details={"max_bytes": cap}
        ) from exc
    except ObjectExists as exc:
        raise Conflict("A file was already uploaded with this link.", code="exists") from exc
    except StorageError as exc:
        raise InvalidInput("The upload is empty.", code="empty_file") from exc


def local_file(token: str) -> tuple[Path, str]:
    """(path, content type) of a signed local-storage download URL."""
    _local()
    try:
        claims = tokens.verify(FILE, token)
    except tokens.BadToken as exc:
        raise Forbidden("This link is invalid or has expired.", code="bad_link") from exc
    path = local_path(claims["k"])
    if not path.is_file():
        raise NotFound("File not found.")
    mime = claims.get("t") or ""
    if not mime:
        with path.open("rb") as fh:
            mime = sniff.sniff(fh.read(sniff.SNIFF_BYTES)) or "application/octet-stream"
    return path, mime


def media_item(m: StoredMedia, alt_text: str | None = None) -> MediaItem:
    """A stored medium as a provider attachment: a stream opened on demand, and a presigned URL
    for platforms that fetch media themselves (Instagram, Threads, TikTok by URL...)."""
    key = m.storage_key
    return MediaItem(
        m.file_type,
        m.file_size,
        lambda: open_media(key),
        m.filename,
        alt_text or None,
        url=url_for(m.storage_key, content_type=m.file_type),
        width=m.width,
        height=m.height,
    )
