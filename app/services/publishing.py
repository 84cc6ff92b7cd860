"""The publishing engine: what a worker does with one destination (one post on one account).

Invariants (DESIGN.md): PostgreSQL is the truth and Redis only the schedule; a destination is
claimed atomically, so it is published at most once; a request that may have reached the
platform is never blindly retried (the platform's idempotency key or `find_recent` decides);
every attempt is audited in `publish_attempts`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import re
import socket
import time
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from app import db
from app.config import settings
from app.models import (
    AccountStatus,
    AttemptOutcome,
    DestinationStatus,
    Post,
    PostStatus,
    utcnow,
)
from app.observability import metrics
from app.providers.base import (
    AuthError,
    MediaItem,
    PermanentError,
    ProviderError,
    PublishRequest,
    PublishResult,
    RateLimited,
    TransientError,
)
from app.services import accounts, ratelimit, schedule
from app.storage import open_media, url_for

log = logging.getLogger(__name__)

ACTIVE = (DestinationStatus.publishing, DestinationStatus.processing, DestinationStatus.unknown)
WAITING = (DestinationStatus.pending, DestinationStatus.queued)
# How long a pending platform (media processing) may take before we give up.
PROCESSING_DEADLINE = dt.timedelta(hours=2)
VERIFY_DELAY = 10.0
VERIFY_TRIES = 6
# Claims may run this early (the scheduler's clock and ours can differ slightly).
CLOCK_SKEW = dt.timedelta(seconds=0.5)
HOST = socket.gethostname()


def worker_id() -> str:
    return f"{HOST}:{os.getpid()}"


# --------------------------------------------------------------------------- status of a post


# A post's status follows its destinations. One statement, run while the post row is locked
# (destinations of one post finish concurrently), so the last writer sees every outcome.
_DERIVE_POST_STATUS = text(
    """
    WITH d AS (
        SELECT coalesce(array_agg(status::text), '{}') AS st
        FROM post_destinations WHERE post_id = :id
    )
    UPDATE posts p SET updated_at = now(), status = CAST(CASE
        WHEN cardinality(st) = 0 THEN 'scheduled'
        WHEN st && ARRAY['publishing', 'processing', 'unknown'] THEN 'publishing'
        WHEN st && ARRAY['pending', 'queued'] THEN
            CASE WHEN st && ARRAY['published', 'failed'] THEN 'publishing' ELSE 'scheduled' END
        WHEN cardinality(array_remove(st, 'cancelled')) = 0 THEN 'cancelled'
        WHEN NOT st && ARRAY['failed'] THEN 'published'
        WHEN st && ARRAY['published'] THEN 'partially_published'
        ELSE 'failed' END AS post_status)
    FROM d WHERE p.id = :id AND p.status NOT IN ('draft', 'cancelled')
    RETURNING p.status::text
    """
)


def refresh_post_status(s: Session, post_id: uuid.UUID) -> None:
    """Recompute a post's status from its destinations (ORM session flavour)."""
    s.flush()
    post = s.exec(select(Post).where(Post.id == post_id).with_for_update()).one()
    new = s.connection().execute(_DERIVE_POST_STATUS, {"id": post_id}).scalar()
    if new is not None:
        set_committed_value(post, "status", PostStatus(new))


# --------------------------------------------------------------------------- claiming


@dataclass
class Claim:
    """A claimed destination with what publishing it needs (rows of the same names)."""

    destination: Any
    post: Any
    account: Any
    attempt_id: int
    media: list[Any]


_CLAIM = text(
    """
    WITH claimed AS (
        UPDATE post_destinations
        SET status = 'publishing', claimed_at = :now, claimed_by = :worker,
            attempts = attempts + 1, updated_at = :now
        WHERE id = :id AND status = ANY(CAST(:expected AS destination_status[]))
          AND (next_attempt_at <= :soon OR (next_attempt_at IS NULL AND NOT :needs_due))
        RETURNING *
    ), attempt AS (
        INSERT INTO publish_attempts (destination_id, started_at, worker)
        SELECT id, :now, :worker FROM claimed
        RETURNING id
    ), shown AS (
        -- Show the post as publishing; skipped (never waited for) when its row is locked:
        -- whoever holds it sets the status, and the claim must not wait on an edit.
        UPDATE posts SET status = 'publishing' WHERE id IN (
            SELECT p.id FROM posts p JOIN claimed ON p.id = claimed.post_id
            WHERE p.status = 'scheduled' FOR UPDATE OF p SKIP LOCKED)
    )
    SELECT claimed.*, attempt.id AS attempt_id FROM claimed, attempt
    """
)
# A new statement, so a new snapshot: it sees an edit that committed while we waited.
_CLAIMED_POST = text(
    """
    SELECT p.*, to_jsonb(a.*) AS account,
      (SELECT coalesce(jsonb_agg(to_jsonb(m.*) ORDER BY pm.position), '[]'::jsonb)
         FROM post_media pm JOIN media m ON m.id = pm.media_id WHERE pm.post_id = p.id) AS media
    FROM posts p JOIN social_accounts a ON a.id = :account_id
    WHERE p.id = :post_id
    """
)


def _row(values: dict[str, Any], **enums: type) -> SimpleNamespace:
    """A light read-only record of a row or JSON object (timestamps and enums parsed).

    The hot path avoids ORM instances: building them costs more than the queries.
    """
    out = dict(values)
    for key, value in out.items():
        if isinstance(value, str) and key.endswith("_at"):
            out[key] = dt.datetime.fromisoformat(value)
    for key, enum in enums.items():
        out[key] = enum(out[key])
    if isinstance(out.get("id"), str):
        out["id"] = uuid.UUID(out["id"])
    return SimpleNamespace(**out)


def _claim(destination_id: uuid.UUID, expected: tuple[DestinationStatus, ...]) -> Claim | None:
    """Atomically move a due destination to `publishing` and open an attempt; None if it is
    not ours to publish (already claimed, cancelled, edited to a later time, not due yet).

    Every condition is on the destination's own row, so an edit or cancel that holds that row
    either commits first (and the claim no longer matches) or sees it `publishing` and stops.
    """
    now = utcnow()
    with db.engine().begin() as conn:
        row = (
            conn.execute(
                _CLAIM,
                {
                    "now": now,
                    "soon": now + CLOCK_SKEW,
                    "worker": worker_id(),
                    "id": destination_id,
                    "expected": [e.value for e in expected],
                    "needs_due": expected == WAITING,
                },
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        dest = _row(row, status=DestinationStatus)
        found = (
            conn.execute(
                _CLAIMED_POST, {"post_id": dest.post_id, "account_id": dest.social_account_id}
            )
            .mappings()
            .one()
        )
    columns = {k: v for k, v in found.items() if k not in ("account", "media")}
    post = _row(columns, status=PostStatus)
    account = _row(found["account"], status=AccountStatus)
    media = [_row(m) for m in found["media"]]
    return Claim(dest, post, account, row["attempt_id"], media)


# --------------------------------------------------------------------------- outcomes

_FINISH = text(
    """
    WITH dest AS (
        UPDATE post_destinations SET
            status = CAST(:status AS destination_status), updated_at = :now,
            next_attempt_at = :next_attempt_at, error_message = :error,
            attempts = attempts - CAST(:undo AS int),
            pending_state = coalesce(CAST(:pending AS jsonb), pending_state),
            platform_post_id = coalesce(:platform_post_id, platform_post_id),
            permalink = coalesce(:permalink, permalink),
            published_at = CASE WHEN :published THEN :now ELSE published_at END,
            claimed_by = CASE WHEN :active THEN claimed_by ELSE NULL END
        WHERE id = :id
        RETURNING post_id
    ), attempt AS (
        UPDATE publish_attempts SET finished_at = :now,
            outcome = CAST(:outcome AS attempt_outcome), error = :error,
            http_status = :http_status
        WHERE id = :attempt_id
    )
    SELECT p.id FROM posts p JOIN dest ON p.id = dest.post_id FOR UPDATE OF p
    """
)


def warm_up() -> None:
    """Open the database connection and prepare the hot statements (no rows match)."""
    nobody = uuid.uuid4()
    _claim(nobody, WAITING)
    with db.engine().begin() as conn:
        conn.execute(_DERIVE_POST_STATUS, {"id": nobody})
    ratelimit.script()


def _finish(
    claim: Claim,
    status: DestinationStatus,
    outcome: AttemptOutcome,
    *,
    error: str | None = None,
    http_status: int | None = None,
    result: PublishResult | None = None,
    next_attempt_at: dt.datetime | None = None,
    pending_state: dict[str, Any] | None = None,
    undo_attempt: bool = False,
) -> None:
    """Record an attempt's outcome on the destination, the attempt row and the post."""
    published = status == DestinationStatus.published
    if published:
        pending_state = {}
    with db.engine().begin() as conn:
        conn.execute(
            _FINISH,
            {
                "id": claim.destination.id,
                "attempt_id": claim.attempt_id,
                "now": utcnow(),
                "status": status.value,
                "outcome": outcome.value,
                "error": error,
                "http_status": http_status,
                "next_attempt_at": next_attempt_at,
                "undo": int(undo_attempt),
                "pending": json.dumps(pending_state) if pending_state is not None else None,
                "platform_post_id": result.platform_post_id if result else None,
                "permalink": result.permalink if result else None,
                "published": published,
                "active": status in ACTIVE,
            },
        )
        conn.execute(_DERIVE_POST_STATUS, {"id": claim.post.id})
    metrics.record_publish(claim.account.platform, outcome.value)
    if published and claim.post.scheduled_at:
        metrics.observe_lateness(
            claim.account.platform, (utcnow() - claim.post.scheduled_at).total_seconds()
        )
    log.info(
        "destination %s: %s (%s)%s",
        claim.destination.id,
        status.value,
        outcome.value,
        f": {error}" if error else "",
    )


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter, bounded: base·2^(n-1), 50–100% of it, ≤ max."""
    delay = min(settings.retry_max_seconds, settings.retry_base_seconds * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.5, 1.0)


def _retry_later(claim: Claim, error: ProviderError, outcome: AttemptOutcome) -> None:
    if claim.destination.attempts >= settings.max_attempts:
        _finish(
            claim,
            DestinationStatus.failed,
            outcome,
            error=f"Gave up after {claim.destination.attempts} attempts: {error.message}",
            http_status=error.status,
        )
        return
    at = utcnow() + dt.timedelta(seconds=backoff_seconds(claim.destination.attempts))
    _finish(
        claim,
        DestinationStatus.queued,
        outcome,
        error=error.message,
        http_status=error.status,
        next_attempt_at=at,
    )
    schedule.schedule_publish(claim.destination.id, at)


def _unclear_state(claim: Claim) -> dict[str, Any]:
    """Pending state of an `unknown` destination: when the unclear attempt was sent (kept
    across retries, so the check searches from the first one) and how often it was checked."""
    sent = claim.destination.pending_state.get("sent_at") or claim.destination.claimed_at
    sent_at = sent if isinstance(sent, str) else sent.isoformat()
    return {"verify_tries": 0, "sent_at": sent_at}


def _was_unclear(claim: Claim) -> bool:
    return "sent_at" in claim.destination.pending_state


def _handle_error(claim: Claim, exc: ProviderError, provider_idempotent: bool) -> None:
    if isinstance(exc, RateLimited):
        at = max(exc.retry_at, utcnow() + dt.timedelta(seconds=1))
        _finish(
            claim,
            DestinationStatus.queued,
            AttemptOutcome.rate_limited,
            error=exc.message,
            http_status=exc.status,
            next_attempt_at=at,
            undo_attempt=True,
        )
        schedule.schedule_publish(claim.destination.id, at)
    elif isinstance(exc, TransientError) and (not exc.sent or provider_idempotent):
        # Nothing reached the platform, or its idempotency key makes a retry harmless.
        _retry_later(claim, exc, AttemptOutcome.transient)
    elif isinstance(exc, TransientError) or (
        isinstance(exc, PermanentError) and exc.duplicate and _was_unclear(claim)
    ):
        # It may have been published (a timeout after sending; or the platform calls our retry
        # a duplicate of an earlier unclear attempt): read the account's posts before anything.
        _finish(
            claim,
            DestinationStatus.unknown,
            AttemptOutcome.unknown,
            error=f"Outcome unknown, checking the platform: {exc.message}",
            http_status=exc.status,
            pending_state=_unclear_state(claim),
        )
        schedule.schedule_verify(claim.destination.id, VERIFY_DELAY)
    elif isinstance(exc, AuthError):
        message = (
            f"{claim.account.account_name or claim.account.platform}: "
            f"{exc.message.rstrip('.')}. "
            "Reconnect the account, then retry."
        )
        accounts.mark_broken(claim.account.id, AccountStatus.expired, exc.message)
        _finish(
            claim,
            DestinationStatus.failed,
            AttemptOutcome.auth_error,
            error=message,
            http_status=exc.status,
        )
    else:
        _finish(
            claim,
            DestinationStatus.failed,
            AttemptOutcome.failed,
            error=exc.message,
            http_status=exc.status,
        )


def _record_result(claim: Claim, result: PublishResult, started: dt.datetime) -> None:
    if result.state == "published":
        _finish(claim, DestinationStatus.published, AttemptOutcome.published, result=result)
        return
    state = {**result.pending_state, "processing_since": started.isoformat()}
    _finish(
        claim,
        DestinationStatus.processing,
        AttemptOutcome.pending,
        result=result,
        pending_state=state,
    )
    schedule.schedule_check(claim.destination.id, 2.0)


# --------------------------------------------------------------------------- the jobs


def media_item(m: Any) -> MediaItem:
    """A stored medium (a Media row or a row with its fields) as a provider attachment: a
    stream opened on demand, and a presigned URL for platforms that fetch media themselves
    (Instagram, Threads, TikTok by URL...)."""
    return MediaItem(
        m.file_type,
        m.file_size,
        lambda key=m.storage_key: open_media(key),
        m.filename,
        url=url_for(m.storage_key, content_type=m.file_type),
    )


def _request(claim: Claim) -> PublishRequest:
    post, dest = claim.post, claim.destination
    media = [media_item(m) for m in claim.media]
    options = dict(post.platform_configs.get(claim.account.platform, {}))
    return PublishRequest(
        text=dest.content_override if dest.content_override is not None else post.content,
        media=media,
        options=options,
        idempotency_key=str(dest.idempotency_key),
    )


def _missed(claim: Claim, now: dt.datetime) -> bool:
    due = claim.destination.next_attempt_at or claim.post.scheduled_at
    assert due is not None
    late = now - due
    if late <= dt.timedelta(seconds=settings.missed_grace_seconds):
        return False
    minutes = int(late.total_seconds() // 60)
    _finish(
        claim,
        DestinationStatus.failed,
        AttemptOutcome.skipped,
        error=f"Missed: Herald could not publish at the scheduled time and it is now {minutes} "
        "min late, so it was not published. Reschedule or publish it now.",
    )
    return True


def _with_token(claim: Claim, call) -> Any:
    """Run `call(provider, token)` with a fresh token; on a 401 refresh once and try again.

    A refresh that fails transiently never created a post, so it is reported as not sent.
    """

    def token(force: bool = False):
        try:
            return accounts.fresh_token(claim.account, force=force)
        except TransientError as exc:
            raise TransientError(f"Token refresh failed: {exc.message}", sent=False) from exc

    account, tok = token()
    provider = accounts.provider_for(account)
    try:
        return call(provider, tok)
    except AuthError as exc:
        if not (exc.refresh_may_help and provider.capabilities.refresh_tokens):
            raise
        account, tok = token(force=True)
        return call(provider, tok)


def publish(destination_id: uuid.UUID) -> str:
    """The publish job: claim, check budget and token, call the platform, record the outcome."""
    claim = _claim(destination_id, WAITING)
    if claim is None:
        return "skipped"
    due = claim.destination.next_attempt_at or claim.post.scheduled_at
    early = (due - utcnow()).total_seconds()  # type: ignore[operator]
    if early > 0:  # never publish before the scheduled instant
        time.sleep(early)
    now = utcnow()
    if _missed(claim, now):
        return "missed"
    if claim.account.status in (AccountStatus.expired, AccountStatus.revoked):
        _finish(
            claim,
            DestinationStatus.failed,
            AttemptOutcome.auth_error,
            error=f"The account is {claim.account.status.value}: reconnect it, then retry.",
        )
        return "failed"
    budget = ratelimit.take(claim.account.platform, str(claim.account.id))
    if not budget.allowed:
        at = now + dt.timedelta(seconds=budget.wait_seconds)
        _finish(
            claim,
            DestinationStatus.queued,
            AttemptOutcome.rate_limited,
            undo_attempt=True,
            error="Waiting for this account's posting budget.",
            next_attempt_at=at,
        )
        schedule.schedule_publish(destination_id, at)
        return "deferred"
    provider_idempotent = accounts.provider_for(claim.account).capabilities.idempotent_publish
    request = _request(claim)
    try:
        result = _with_token(claim, lambda p, t: p.publish(t, request))
    except ProviderError as exc:
        _handle_error(claim, exc, provider_idempotent)
        return type(exc).__name__
    except accounts.RefreshBusy:
        _retry_later(
            claim, TransientError("Token refresh in progress", sent=False), AttemptOutcome.transient
        )
        return "deferred"
    _record_result(claim, result, now)
    return result.state


def check(destination_id: uuid.UUID) -> str:
    """Poll a platform that is processing our post; finalize it once ready."""
    claim = _claim(destination_id, (DestinationStatus.processing,))
    if claim is None:
        return "skipped"
    state = dict(claim.destination.pending_state)
    provider_idempotent = accounts.provider_for(claim.account).capabilities.idempotent_publish
    try:
        status = _with_token(claim, lambda p, t: p.check_status(t, state))
        if status.state == "failed":
            raise PermanentError(status.message or "The platform could not process the post")
        if status.state == "processing":
            since = dt.datetime.fromisoformat(state.get("processing_since", utcnow().isoformat()))
            if utcnow() - since > PROCESSING_DEADLINE:
                raise PermanentError("The platform did not finish processing in time")
            _finish(
                claim,
                DestinationStatus.processing,
                AttemptOutcome.pending,
                undo_attempt=True,
                pending_state=status.pending_state or state,
            )
            schedule.schedule_check(destination_id, status.retry_after or 5.0)
            return "processing"
        result = _with_token(claim, lambda p, t: p.finalize(t, status.pending_state or state))
    except ProviderError as exc:
        _handle_error(claim, exc, provider_idempotent)
        return type(exc).__name__
    _record_result(claim, result, dt.datetime.fromisoformat(state["processing_since"]))
    return result.state


def _normal(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().casefold()


def verify(destination_id: uuid.UUID) -> str:
    """Decide an `unknown` outcome: find the post on the platform, or make it safe to retry."""
    claim = _claim(destination_id, (DestinationStatus.unknown,))
    if claim is None:
        return "skipped"
    state = claim.destination.pending_state
    tries = int(state.get("verify_tries", 0)) + 1
    # From a little before the unclear attempt (this claim overwrote claimed_at).
    sent_at = dt.datetime.fromisoformat(state["sent_at"]) if "sent_at" in state else utcnow()
    since = sent_at - dt.timedelta(minutes=2)
    want = _normal(_request(claim).text)
    try:
        recent = _with_token(claim, lambda p, t: p.find_recent(t, since))
    except ProviderError as exc:
        if tries >= VERIFY_TRIES:
            _finish(
                claim,
                DestinationStatus.failed,
                AttemptOutcome.unknown,
                error="Could not confirm whether the post went out; check the account "
                f"before retrying ({exc.message}).",
            )
            return "failed"
        _finish(
            claim,
            DestinationStatus.unknown,
            AttemptOutcome.unknown,
            undo_attempt=True,
            error=exc.message,
            pending_state={**state, "verify_tries": tries},
        )
        schedule.schedule_verify(destination_id, VERIFY_DELAY * tries)
        return "unknown"
    match = next((p for p in recent if _normal(p.text) == want), None)
    if match:
        found = PublishResult("published", match.platform_post_id, match.permalink)
        _finish(claim, DestinationStatus.published, AttemptOutcome.published, result=found)
        return "published"
    # Not there: the request never took effect, so one more try cannot duplicate it.
    now = utcnow()
    _finish(
        claim,
        DestinationStatus.queued,
        AttemptOutcome.skipped,
        undo_attempt=True,
        error="Not found on the platform after an unclear answer; trying again.",
        next_attempt_at=now,
    )
    schedule.schedule_publish(destination_id, now)
    return "retry"
