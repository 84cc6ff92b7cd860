"""The publishing engine: what a worker does with one destination (one post on one account).

Invariants (DESIGN.md): PostgreSQL is the truth and Redis only the schedule; a destination is
claimed atomically, so it is published at most once; a request that may have reached the
platform is never blindly retried (the platform's idempotency key or `find_recent` decides);
every attempt is audited in `publish_attempts`.

Every path is bounded. `attempts` counts every request that reached, or may have reached, the
platform: publishes, finalizes, token refreshes and failed reads while checking an unclear
outcome. They share one budget (HERALD_MAX_ATTEMPTS) and one backoff (HERALD_RETRY_BASE_SECONDS
doubling up to HERALD_RETRY_MAX_SECONDS, with jitter); waiting for a rate limit or for a platform
whose circuit breaker is open spends nothing. Whatever happens, a destination stops at its
deadline (`give_up_at`, HERALD_GIVE_UP_AFTER_SECONDS after it was due): `failed`, with the
platform's last message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from app import db
from app.config import settings
from app.models import (
    AccountStatus,
    AttemptOutcome,
    DestinationStatus,
    Media,
    utcnow,
)
from app.observability import metrics
from app.providers.base import (
    AuthError,
    PermanentError,
    Provider,
    ProviderError,
    PublishRequest,
    PublishResult,
    RateLimited,
    RecentPost,
    TokenSet,
    TransientError,
)
from app.providers.registry import provider_class
from app.services import (
    account_posts,
    accounts,
    backoff,
    circuit,
    liveness,
    media_prep,
    outages,
    post_threads,
    ratelimit,
    sandbox,
    schedule,
)
from app.services.claims import ClaimedAccount, ClaimedDestination, ClaimedMedia, ClaimedPost
from app.services.media import media_item
from app.services.post_status import DERIVE, WAITING

log = logging.getLogger(__name__)

# How long a pending platform (media processing) may take before we give up.
PROCESSING_DEADLINE = dt.timedelta(hours=2)
# Claims may run this early (the scheduler's clock and ours can differ slightly).
CLOCK_SKEW = dt.timedelta(seconds=0.5)
# While the database is unreachable, an outcome is retried this long before the claim is left
# to reconcile (which sees that this worker no longer holds it).
WRITE_PATIENCE_S = 300.0

T = TypeVar("T")
# Deadlock detected, serialization failure: the statement can simply run again.
RETRYABLE_SQLSTATES = ("40P01", "40001")


def _patiently(write: Callable[[], T], what: str) -> T:
    """Run a database write, retrying with backoff while the database is unreachable (a
    restart) or the write lost a deadlock: an outcome the platform already gave must not be
    lost to a dropped connection."""
    deadline = time.monotonic() + WRITE_PATIENCE_S
    delay = 0.5
    while True:
        try:
            return write()
        except DBAPIError as exc:
            sqlstate = getattr(exc.orig, "sqlstate", None)
            lost = exc.connection_invalidated or "connection" in str(exc).lower()
            if not lost and sqlstate not in RETRYABLE_SQLSTATES:
                raise
            if time.monotonic() + delay > deadline:
                raise
            log.warning("database unavailable while recording %s; retrying in %.1f s", what, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


# --------------------------------------------------------------------------- claiming


@dataclass
class Claim:
    """A claimed destination with what publishing it needs (records of the rows of the same
    names)."""

    destination: ClaimedDestination
    post: ClaimedPost
    account: ClaimedAccount
    attempt_id: int
    media: list[ClaimedMedia]

    @property
    def platform(self) -> str:
        return str(self.account.platform)

    @property
    def breakers(self) -> list[str]:
        federated = provider_class(self.platform).capabilities.per_instance
        api_base = (self.account.meta or {}).get("api_base", "")
        return circuit.scopes(self.platform, str(self.account.id), api_base, federated)

    @property
    def media_lane(self) -> bool:
        return schedule.media_lane(m.file_type for m in self.media)

    @property
    def deadline(self) -> dt.datetime:
        if self.destination.give_up_at is not None:
            return self.destination.give_up_at
        due = self.post.scheduled_at or self.destination.created_at
        return due + dt.timedelta(seconds=settings.give_up_after_seconds)


# herald_claim (migration 0006): claim, open an attempt, read what publishing needs; one round trip.
# (psycopg placeholders: it runs on the driver's cursor, see db.call_scalar.)
_CLAIM = (
    "SELECT herald_claim(%(id)s, %(expected)s, %(now)s, %(soon)s, %(worker)s, %(needs_due)s, "
    "%(spend)s)"
)


def _claim(
    destination_id: uuid.UUID, expected: tuple[DestinationStatus, ...], *, spend: int
) -> Claim | None:
    """Atomically move a due destination to `publishing` and open an attempt; None if it is
    not ours to publish (already claimed, cancelled, edited to a later time, not due yet).
    `spend` is what the claim costs of the attempt budget (1 for a request that may create the
    post, 0 for reads).

    Every condition is on the destination's own row, so an edit or cancel that holds that row
    either commits first (and the claim no longer matches) or sees it `publishing` and stops.
    """
    now = utcnow()
    params = {
        "now": now,
        "soon": now + CLOCK_SKEW,
        "worker": liveness.worker_id(),
        "id": destination_id,
        "expected": [e.value for e in expected],
        "needs_due": expected == WAITING,
        "spend": spend,
    }

    def claim() -> Any:
        return db.call_scalar(_CLAIM, params)

    # A claim whose answer was lost (the connection dropped after it committed) does not match
    # again and looks like "not ours"; this process still holds it (liveness), so reconcile
    # sees that no one works on it and recovers it.
    found = _patiently(claim, f"the claim of {destination_id}")
    if found is None:
        return None
    return Claim(
        ClaimedDestination.from_json(found["destination"]),
        ClaimedPost.from_json(found["post"]),
        ClaimedAccount.from_json(found["account"]),
        found["attempt_id"],
        [ClaimedMedia.from_json(m) for m in found["media"]],
    )


def _run_claimed(
    destination_id: uuid.UUID,
    expected: tuple[DestinationStatus, ...],
    spend: int,
    body: Callable[[Claim], str],
) -> str:
    """Claim, run `body`, and make sure the claim is let go: this process reports what it holds
    (liveness), so a claim it could not settle is recovered by reconcile, never stuck."""
    liveness.hold(destination_id)
    try:
        claim = _claim(destination_id, expected, spend=spend)
        if claim is None:
            return "skipped"
        return body(claim)
    finally:
        liveness.release(destination_id)


# --------------------------------------------------------------------------- outcomes

# herald_finish (migration 0006): the outcome, the attempt row, the post's status; one round trip.
_FINISH = (
    "SELECT herald_finish(%(id)s, %(attempt_id)s, %(now)s, %(status)s, %(outcome)s, %(error)s, "
    "%(http_status)s, %(next_attempt_at)s, %(attempts)s, CAST(%(pending)s AS jsonb), "
    "%(platform_post_id)s, %(permalink)s, %(drop_attempt)s)"
)


def warm_up() -> None:
    """Open the database connection and prepare the hot statements (no rows match)."""
    nobody = uuid.uuid4()
    _claim(nobody, WAITING, spend=1)
    with db.autocommit().connect() as conn:
        conn.execute(DERIVE, {"id": nobody})
    ratelimit.script()
    circuit.admit([f"account:{nobody}"])


def _permalink(claim: Claim, result: PublishResult | None) -> str | None:
    """The platform's link to the post; a sandbox post's is the simulator's page of it."""
    if result is None:
        return None
    if result.platform_post_id and claim.account.is_sandbox:
        return sandbox.permalink(claim.platform, str(result.platform_post_id))
    return result.permalink


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
    spent: int = 0,
    drop_attempt: bool = False,
) -> None:
    """Record an attempt's outcome on the destination, the attempt row and the post.

    `spent` adjusts the attempt budget beyond what the claim took (-1: this attempt never
    reached the platform; +1: a read that counts, e.g. a failed check). `drop_attempt` removes
    the attempt row of a claim that only waited (a repeated wait is not worth an audit row).
    """
    if status == DestinationStatus.published:
        pending_state = {}
        if result is not None and result.permalink is None:
            urls = claim.destination.pending_state.get("thread_urls") or [None]
            result.permalink = urls[0]
    elif pending_state is not None:
        pending_state = {**pending_state, **_thread_progress(claim)}
    claim.destination.attempts = max(0, claim.destination.attempts + spent)
    params = {
        "id": claim.destination.id,
        "attempt_id": claim.attempt_id,
        "now": utcnow(),
        "status": status.value,
        "outcome": outcome.value,
        "error": error,
        "http_status": http_status,
        "next_attempt_at": next_attempt_at,
        "attempts": claim.destination.attempts,
        "pending": json.dumps(pending_state) if pending_state is not None else None,
        "platform_post_id": result.platform_post_id if result else None,
        "permalink": _permalink(claim, result),
        "drop_attempt": drop_attempt,
    }

    def write() -> None:
        db.call_scalar(_FINISH, params)

    _patiently(write, f"the outcome of {claim.destination.id}")
    metrics.record_publish(claim.platform, outcome.value)
    if status == DestinationStatus.published and claim.post.scheduled_at:
        metrics.observe_lateness(
            claim.platform, (utcnow() - claim.post.scheduled_at).total_seconds()
        )
    log.info(
        "destination %s (%s): %s (%s)%s",
        claim.destination.id,
        claim.platform,
        status.value,
        outcome.value,
        f": {error}" if error else "",
    )


def _thread_progress(claim: Claim) -> dict[str, Any]:
    """The parts of a thread already out (kept through retries, waits and failures, so the
    next try goes on from the part that failed instead of posting the others again)."""
    state = claim.destination.pending_state
    return {k: state[k] for k in ("thread_done", "thread_urls") if state.get(k)}


def _note_thread_progress(claim: Claim, exc: ProviderError) -> None:
    """A thread stopped part-way: remember the ids of the parts that went out."""
    done = exc.details.get("published_ids")
    if isinstance(done, list) and done:
        claim.destination.pending_state = {
            **claim.destination.pending_state,
            "thread_done": [str(i) for i in done],
        }


def backoff_seconds(attempts: int) -> float:
    """The engine's backoff (HERALD_RETRY_BASE_SECONDS doubling to HERALD_RETRY_MAX_SECONDS)."""
    return backoff.delay(attempts, settings.retry_base_seconds, settings.retry_max_seconds)


def _fail(claim: Claim, outcome: AttemptOutcome, message: str, **kw: Any) -> None:
    _finish(claim, DestinationStatus.failed, outcome, error=message, pending_state={}, **kw)


def _give_up_reason(claim: Claim, at: dt.datetime, message: str) -> str | None:
    """Why the engine stops instead of trying again at `at`, or None to go on."""
    attempts = claim.destination.attempts
    if attempts >= settings.max_attempts:
        return f"Gave up after {attempts} attempts: {message}"
    if at > claim.deadline:
        hours = settings.give_up_after_seconds / 3600
        return f"Gave up: still not published {hours:g} h after it was due: {message}"
    return None


def _retry_later(claim: Claim, error: ProviderError, outcome: AttemptOutcome) -> None:
    """A failure that created nothing on the platform (or a harmless retry): try again after
    the backoff, unless the budget or the deadline is spent."""
    at = utcnow() + dt.timedelta(seconds=backoff_seconds(claim.destination.attempts))
    reason = _give_up_reason(claim, at, error.message)
    if reason:
        _fail(claim, outcome, reason, http_status=error.status)
        return
    _queue_again(claim, at, outcome, error.message, http_status=error.status)


def _queue_again(
    claim: Claim, at: dt.datetime, outcome: AttemptOutcome, message: str, **record: Any
) -> None:
    """Record the attempt (`record`: more of _finish's fields) and publish the destination
    again at `at`; what it was waiting on is cleared unless `record` gives a pending_state."""
    record["pending_state"] = record.get("pending_state") or {}
    _finish(claim, DestinationStatus.queued, outcome, error=message, next_attempt_at=at, **record)
    schedule.schedule_publish(claim.destination.id, at, media=claim.media_lane)


def _verify_later(
    claim: Claim, error: ProviderError, pending_state: dict[str, Any], delay_s: float
) -> None:
    """It may have been published: record the outcome as unknown and read the account's
    posts after `delay_s` (`verify`)."""
    _finish(
        claim,
        DestinationStatus.unknown,
        AttemptOutcome.unknown,
        error=f"Outcome unknown, checking the platform: {error.message}",
        http_status=error.status,
        pending_state=pending_state,
    )
    schedule.schedule_verify(claim.destination.id, delay_s)


def _wait_until(
    claim: Claim,
    at: dt.datetime,
    outcome: AttemptOutcome,
    message: str,
    *,
    http_status: int | None = None,
    pending_state: dict[str, Any] | None = None,
    quiet: bool = False,
) -> str:
    """Wait for the platform (a rate limit, an open breaker) without spending an attempt; fail
    if that is past the deadline."""
    if at > claim.deadline:
        _fail(
            claim,
            outcome,
            f"Gave up at the deadline while waiting: {message}",
            http_status=http_status,
            spent=-1,
        )
        return "failed"
    _queue_again(
        claim,
        at,
        outcome,
        message,
        http_status=http_status,
        pending_state=pending_state,
        spent=-1,
        drop_attempt=quiet,
    )
    return "waiting"


def _unclear_state(claim: Claim, message: str) -> dict[str, Any]:
    """Pending state of an `unknown` destination: when the first unclear attempt was sent (the
    check searches from there), how often it was checked, and the platform's last words."""
    sent = claim.destination.pending_state.get("sent_at") or claim.destination.claimed_at
    sent_at = sent if isinstance(sent, str) else sent.isoformat()
    return {"verify_tries": 0, "sent_at": sent_at, "last_error": message}


def _was_unclear(claim: Claim) -> bool:
    return "sent_at" in claim.destination.pending_state


def _verify_delay(claim: Claim) -> float:
    """Platforms show a new post in the account's timeline after a moment: never check sooner
    than HERALD_VERIFY_DELAY_SECONDS, and back off like any retry."""
    return max(settings.verify_delay_seconds, backoff_seconds(claim.destination.attempts))


def _handle_error(claim: Claim, exc: ProviderError, provider_idempotent: bool) -> None:
    """The one decision table for a failed request that may create the post."""
    if isinstance(exc, RateLimited):
        at = max(exc.retry_at, utcnow() + dt.timedelta(seconds=1))
        _wait_until(claim, at, AttemptOutcome.rate_limited, exc.message, http_status=exc.status)
    elif isinstance(exc, TransientError) and (not exc.sent or provider_idempotent):
        # Nothing reached the platform, or its idempotency key makes a retry harmless.
        _retry_later(claim, exc, AttemptOutcome.transient)
    elif isinstance(exc, TransientError) or (
        isinstance(exc, PermanentError) and exc.duplicate and _was_unclear(claim)
    ):
        # It may have been published (a timeout after sending; or the platform calls our retry
        # a duplicate of an earlier unclear attempt): read the account's posts before anything.
        _verify_later(claim, exc, _unclear_state(claim, exc.message), _verify_delay(claim))
    elif isinstance(exc, AuthError):
        message = (
            f"{claim.account.account_name or claim.account.platform}: "
            f"{exc.message.rstrip('.')}. "
            "Reconnect the account, then retry."
        )
        accounts.mark_broken(
            claim.account.id,
            AccountStatus.expired,
            exc.message,
            seen_since=claim.destination.claimed_at,
        )
        _fail(claim, AttemptOutcome.auth_error, message, http_status=exc.status)
    else:
        _fail(claim, AttemptOutcome.failed, exc.message, http_status=exc.status)


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


# --------------------------------------------------------------------------- breakers


def _through_breakers(claim: Claim, call: Callable[[], T]) -> T:
    """Run one platform call behind the claim's circuit breakers and feed them its outcome.
    Raises `_Blocked` when a breaker is open (nothing was sent)."""
    scopes = claim.breakers
    gate = circuit.admit(scopes)
    if not gate.allowed:
        raise _Blocked(gate)
    try:
        value = call()
    except TransientError as exc:
        _breaker_changed(circuit.record(scopes, False, probe=gate.probe, message=exc.message))
        raise
    except (ProviderError, accounts.RefreshBusy):
        # The platform answered (a refusal, a rate limit): it is up.
        if gate.watched:
            _breaker_changed(circuit.record(scopes, True, probe=gate.probe))
        raise
    if gate.watched:
        _breaker_changed(circuit.record(scopes, True, probe=gate.probe))
    return value


class _Blocked(Exception):
    def __init__(self, gate: circuit.Gate) -> None:
        super().__init__(gate.scope)
        self.gate = gate


def _breaker_changed(changes: list[str]) -> None:
    for change in changes:
        what, _, scope = change.partition(":")
        if what == "opened":
            log.warning("%s is failing: nothing is sent there until a probe succeeds", scope)
        else:
            log.warning("%s answers again: releasing what waited", scope)
            release_waiting(scope)
        try:  # the notice (once per outage: only the call that flipped the breaker sees it)
            outages.record_change(change, circuit.last_error(scope) if what == "opened" else "")
        except Exception:
            log.warning("could not record the outage of %s", scope, exc_info=True)


def _wait_for_breaker(claim: Claim, blocked: _Blocked, kind: str) -> str:
    """Hold a job back while a breaker is open: nothing is spent. A publish parks (released as
    soon as a probe succeeds, see release_waiting); a check or verify keeps its state and runs
    again after the cool-down."""
    gate = blocked.gate
    cooldown = settings.breaker_cooldown_seconds
    # Past the cool-down a probe is in flight: ask again after one cool-down at the latest
    # (its success releases everything at once).
    until = min(gate.retry_at, time.time() + cooldown)
    spread = random.uniform(0, cooldown / 2)
    at = dt.datetime.fromtimestamp(max(until, time.time() + 1) + spread, dt.UTC)
    if kind == "publish":
        message = (
            f"Waiting: {gate.scope} is not answering; Herald publishes as soon as it answers again."
        )
        outcome = _wait_until(
            claim,
            at,
            AttemptOutcome.skipped,
            message,
            pending_state={"waiting_for": gate.scope},
            # One audit row when the wait begins, not one per cool-down.
            quiet=claim.destination.pending_state.get("waiting_for") == gate.scope,
        )
        # The breaker may have closed while this parked, after its release ran: release again.
        if outcome == "waiting" and not circuit.is_open(gate.scope):
            release_waiting(gate.scope)
        return outcome
    status = DestinationStatus.processing if kind == "check" else DestinationStatus.unknown
    _finish(
        claim,
        status,
        AttemptOutcome.skipped,
        error=claim.destination.error_message,
        drop_attempt=True,
    )
    follow_up = schedule.schedule_check if kind == "check" else schedule.schedule_verify
    follow_up(claim.destination.id, (at - utcnow()).total_seconds())
    return "waiting"


_RELEASE = text(
    """
    WITH w AS (
        SELECT d.id, d.next_attempt_at AS old_due, p.scheduled_at,
          EXISTS (SELECT 1 FROM post_media pm JOIN media m ON m.id = pm.media_id
                  WHERE pm.post_id = p.id AND m.file_type LIKE 'video/%') AS video
        FROM post_destinations d JOIN posts p ON p.id = d.post_id
        WHERE d.status = 'queued' AND d.pending_state->>'waiting_for' = :scope
        FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE post_destinations d SET next_attempt_at = :now, updated_at = :now
    FROM w WHERE d.id = w.id
    RETURNING w.id, w.old_due, w.scheduled_at, w.video
    """
)


def release_waiting(scope: str) -> int:
    """A breaker closed: everything that waited behind it goes out now, in due order."""
    now = utcnow()
    with db.engine().begin() as conn:
        rows = conn.execute(_RELEASE, {"scope": scope, "now": now}).all()
    for row in sorted(rows, key=lambda r: r.scheduled_at or now):
        schedule.unschedule(row.id, row.old_due)
        schedule.schedule_publish(row.id, now, media=row.video)
    if rows:
        log.info("released %d destinations that waited for %s", len(rows), scope)
    return len(rows)


# --------------------------------------------------------------------------- the jobs


_ALT_TEXTS = text(
    "SELECT m.storage_key, pm.alt_text FROM post_media pm JOIN media m ON m.id = pm.media_id"
    " WHERE pm.post_id = :post AND pm.alt_text IS NOT NULL"
)


def _alt_texts(claim: Claim) -> dict[str, str]:
    """Alt text per storage key of the post's media (read apart from the claim's one query)."""
    if not claim.media:
        return {}
    with db.autocommit().connect() as conn:
        rows = conn.execute(_ALT_TEXTS, {"post": claim.post.id}).all()
    return {r.storage_key: r.alt_text for r in rows}


def _request(claim: Claim, thread_rows: list[list[Media]] | None = None) -> PublishRequest:
    """What the provider is asked to publish; `thread_rows`: the media of the thread's further
    parts (see _thread_rows; none: the texts only, e.g. for reading back)."""
    post, dest = claim.post, claim.destination
    alt = _alt_texts(claim)
    items = [media_item(m, alt.get(m.storage_key)) for m in claim.media]
    stored = dict(post.platform_configs.get(claim.account.platform, {}))
    options, _ = post_threads.provider_options(stored)
    part_alt = post_threads.parts_alt(stored)
    done = dest.pending_state.get("thread_done") or []
    done = [str(i) for i in done] if isinstance(done, list) else []
    return PublishRequest(
        text=dest.content_override if dest.content_override is not None else post.content,
        media=items,
        options=options,
        idempotency_key=str(dest.idempotency_key),
        thread_done=done,
        thread_media=[
            [media_item(m, part_alt[j].get(m.id) if j < len(part_alt) else None) for m in part]
            for j, part in enumerate(thread_rows or [])
        ],
    )


def _thread_rows(claim: Claim) -> list[list[Media]]:
    """The media of the thread's further parts, read from the library; the parts already out
    (the first post and the parts in `thread_done`) need none and get an empty list."""
    options = claim.post.platform_configs.get(claim.account.platform, {})
    _, part_ids = post_threads.provider_options(dict(options or {}))
    done = claim.destination.pending_state.get("thread_done") or []
    done_n = len(done) if isinstance(done, list) else 0
    wanted = {m for ids in part_ids[max(0, done_n - 1) :] for m in ids}
    if not wanted:
        return [[] for _ in part_ids]
    with db.session() as s:
        # The ids were checked against the post's workspace when it was saved.
        rows = s.exec(select(Media).where(col(Media.id).in_(wanted))).all()
        for row in rows:
            s.expunge(row)
    found = {m.id: m for m in rows}
    if wanted - set(found):
        raise PermanentError(
            "A medium of the thread was deleted from the library; edit the post and attach it "
            "again.",
            code="thread_media_missing",
        )
    return [[] if j + 1 < done_n else [found[m] for m in ids] for j, ids in enumerate(part_ids)]


def _missed(claim: Claim, now: dt.datetime) -> bool:
    due = claim.destination.next_attempt_at or claim.post.scheduled_at
    assert due is not None
    late = now - due
    if late <= dt.timedelta(seconds=settings.missed_grace_seconds):
        return False
    minutes = int(late.total_seconds() // 60)
    _fail(
        claim,
        AttemptOutcome.skipped,
        f"Missed: Herald could not publish at the scheduled time and it is now {minutes} "
        "min late, so it was not published. Reschedule or publish it now.",
        spent=-1,
    )
    return True


def _with_token(claim: Claim, call: Callable[[Provider, TokenSet], T]) -> T:
    """Run `call(provider, token)` with a fresh token, behind the claim's circuit breakers; on
    a 401 refresh once and try again.

    A refresh that fails transiently never created a post, so it is reported as not sent.
    """

    def token(force: bool = False) -> tuple[accounts.AccountFields, TokenSet]:
        try:
            return accounts.fresh_token(claim.account, force=force)
        except TransientError as exc:
            raise TransientError(f"Token refresh failed: {exc.message}", sent=False) from exc

    def attempt() -> T:
        account, tok = token()
        provider = accounts.provider_for(account)
        try:
            return call(provider, tok)
        except AuthError as exc:
            if not (exc.refresh_may_help and provider.capabilities.refresh_tokens):
                raise
            account, tok = token(force=True)
            return call(provider, tok)

    return _through_breakers(claim, attempt)


def publish(destination_id: uuid.UUID) -> str:
    """The publish job: claim, check budget and token, call the platform, record the outcome."""
    return _run_claimed(destination_id, WAITING, 1, _publish)


def _publish(claim: Claim) -> str:
    due = claim.destination.next_attempt_at or claim.post.scheduled_at
    assert due is not None  # a post is queued with a time
    early = (due - utcnow()).total_seconds()
    if early > 0:  # never publish before the scheduled instant
        time.sleep(early)
    now = utcnow()
    if _missed(claim, now):
        return "missed"
    if sandbox.is_stale(claim.account):
        return _hold_for_sandbox(claim, now)
    if claim.account.status in (AccountStatus.expired, AccountStatus.revoked):
        disconnected = claim.account.last_error == account_posts.DISCONNECTED
        message = (
            account_posts.FAILED_NOTE
            if disconnected
            else f"The account is {claim.account.status.value}: reconnect it, then retry."
        )
        _fail(claim, AttemptOutcome.auth_error, message, spent=-1)
        return "failed"
    budget = ratelimit.take(claim.account.platform, str(claim.account.id))
    if not budget.allowed:
        at = now + dt.timedelta(seconds=budget.wait_seconds)
        return _wait_until(
            claim, at, AttemptOutcome.rate_limited, "Waiting for this account's posting budget."
        )
    provider_idempotent = provider_class(claim.platform).capabilities.idempotent_publish
    try:
        rows = _thread_rows(claim)
        request = _request(claim, rows)
        result = _with_token(claim, lambda p, t: p.publish(t, _prepared(p, claim, request, rows)))
    except _Blocked as blocked:
        return _wait_for_breaker(claim, blocked, "publish")
    except ProviderError as exc:
        if isinstance(exc, AuthError) and sandbox.is_stale(claim.account, fresh=True):
            return _hold_for_sandbox(claim, now)  # refused because the sandbox was reset
        _note_thread_progress(claim, exc)
        _handle_error(claim, exc, provider_idempotent)
        return type(exc).__name__
    except accounts.RefreshBusy:
        _retry_later(
            claim, TransientError("Token refresh in progress", sent=False), AttemptOutcome.transient
        )
        return "deferred"
    _record_result(claim, result, now)
    return result.state


def _prepared(
    provider: Provider,
    claim: Claim,
    request: PublishRequest,
    thread_rows: list[list[Media]] | None = None,
) -> PublishRequest:
    """The request with its images (the thread parts' too) converted where the network would
    refuse them."""
    if not request.media and not any(request.thread_media):
        return request
    media = media_prep.prepare(provider, claim.media, request.media)
    parts = request.thread_media
    if thread_rows is not None:
        parts = [
            media_prep.prepare(provider, rows, items)
            for rows, items in zip(thread_rows, request.thread_media, strict=True)
        ]
    return dataclasses.replace(request, media=media, thread_media=parts)


# A post of a sandbox account whose simulator state is gone looks again this often.
SANDBOX_HOLD = dt.timedelta(seconds=30)


def _hold_for_sandbox(claim: Claim, now: dt.datetime) -> str:
    """The sandbox was reset: nothing is sent, the account is marked (one notice), and the
    post waits for the one-click reconnect (which publishes it at once), up to its deadline."""
    sandbox.flag_stale(claim.account.workspace_id)
    return _wait_until(
        claim, now + SANDBOX_HOLD, AttemptOutcome.auth_error, sandbox.RESET_MESSAGE, quiet=True
    )


def check(destination_id: uuid.UUID) -> str:
    """Poll a platform that is processing our post; finalize it once ready."""
    return _run_claimed(destination_id, (DestinationStatus.processing,), 0, _check)


def _check(claim: Claim) -> str:
    state = dict(claim.destination.pending_state)
    since = dt.datetime.fromisoformat(state.get("processing_since", utcnow().isoformat()))
    provider_idempotent = provider_class(claim.platform).capabilities.idempotent_publish
    try:
        try:
            status = _with_token(claim, lambda p, t: p.check_status(t, state))
        except ProviderError as exc:
            if isinstance(exc, RateLimited | TransientError):
                return _check_later(claim, exc)
            raise
        if status.state == "failed":
            raise PermanentError(status.message or "The platform could not process the post")
        if status.state == "processing":
            if utcnow() - since > PROCESSING_DEADLINE or utcnow() > claim.deadline:
                raise PermanentError("The platform did not finish processing in time")
            # Progress, not a failure: polls while the platform works cost nothing.
            _finish(
                claim,
                DestinationStatus.processing,
                AttemptOutcome.pending,
                pending_state=status.pending_state or state,
                drop_attempt=True,
            )
            schedule.schedule_check(claim.destination.id, status.retry_after or 5.0)
            return "processing"

        def finalize(provider: Provider, token: TokenSet) -> PublishResult:
            claim.destination.attempts += 1  # finalizing may create the post: an attempt
            return provider.finalize(token, status.pending_state or state)

        result = _with_token(claim, finalize)
    except _Blocked as blocked:
        return _wait_for_breaker(claim, blocked, "check")
    except ProviderError as exc:
        _note_thread_progress(claim, exc)
        _handle_error(claim, exc, provider_idempotent)
        return type(exc).__name__
    _record_result(claim, result, since)
    return result.state


def _check_later(claim: Claim, exc: ProviderError) -> str:
    """A status read failed (the post is still processing on the platform): read again after
    the backoff; a failed read counts against the budget, a rate limit does not."""
    spent = 0 if isinstance(exc, RateLimited) else 1
    claim.destination.attempts += spent
    delay = (
        (exc.retry_at - utcnow()).total_seconds()
        if isinstance(exc, RateLimited)
        else backoff_seconds(claim.destination.attempts)
    )
    at = utcnow() + dt.timedelta(seconds=max(1.0, delay))
    reason = _give_up_reason(claim, at, exc.message)
    if reason:
        _fail(claim, AttemptOutcome.unknown, f"Could not confirm processing. {reason}")
        return "failed"
    _finish(
        claim,
        DestinationStatus.processing,
        AttemptOutcome.transient,
        error=exc.message,
        http_status=exc.status,
    )
    schedule.schedule_check(claim.destination.id, (at - utcnow()).total_seconds())
    return "processing"


def _found_parts(recent: list[RecentPost], parts: list[str], start: int) -> list[str]:
    """Ids of the thread's parts from `start` on found among the account's recent posts, in
    order, up to the first part missing (the next try goes on from there)."""
    ids: list[str] = []
    taken: set[str] = set()
    for text_ in parts[start:]:
        want = _normal(text_)
        hit = next(
            (
                p
                for p in reversed(recent)
                if p.platform_post_id not in taken and _normal(p.text) == want
            ),
            None,
        )
        if hit is None:
            break
        taken.add(hit.platform_post_id)
        ids.append(hit.platform_post_id)
    return ids


def _thread_texts(request: PublishRequest) -> list[str]:
    thread = request.options.get("thread") or []
    ok = isinstance(thread, list) and all(isinstance(t, str) for t in thread)
    return list(thread) if ok else []


def _normal(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().casefold()


def verify(destination_id: uuid.UUID) -> str:
    """Decide an `unknown` outcome: find the post on the platform, or make it safe to retry."""
    return _run_claimed(destination_id, (DestinationStatus.unknown,), 0, _verify)


def _could_not_confirm(claim: Claim, detail: str) -> str:
    account = claim.account.account_name or claim.account.username or claim.platform
    _fail(
        claim,
        AttemptOutcome.unknown,
        f"Could not confirm whether the post went out; check {account} on {claim.platform} "
        f"before retrying ({detail}).",
    )
    return "failed"


def _verify(claim: Claim) -> str:
    state = claim.destination.pending_state
    last_error = state.get("last_error", "no answer")
    if not provider_class(claim.platform).capabilities.find_recent:
        return _could_not_confirm(claim, f"{claim.platform} cannot list recent posts")
    # From a little before the unclear attempt (this claim overwrote claimed_at).
    sent_at = dt.datetime.fromisoformat(state["sent_at"]) if "sent_at" in state else utcnow()
    since = sent_at - dt.timedelta(minutes=2)
    request = _request(claim)
    parts = [request.text, *_thread_texts(request)]
    done = request.thread_done
    want = _normal(parts[0])
    try:
        recent = _with_token(claim, lambda p, t: p.find_recent(t, since))
    except _Blocked as blocked:
        return _wait_for_breaker(claim, blocked, "verify")
    except ProviderError as exc:
        spent = 0 if isinstance(exc, RateLimited) else 1
        claim.destination.attempts += spent
        tries = int(state.get("verify_tries", 0)) + 1
        at = utcnow() + dt.timedelta(seconds=_verify_delay(claim))
        if isinstance(exc, PermanentError | AuthError) or _give_up_reason(claim, at, ""):
            return _could_not_confirm(claim, exc.message)
        _verify_later(claim, exc, {**state, "verify_tries": tries}, (at - utcnow()).total_seconds())
        return "unknown"
    out = _found_parts(recent, parts, len(done)) if len(parts) > 1 else []
    if out:  # parts of a thread went out: go on after them, or it is complete
        done = [*done, *out]
        if len(done) < len(parts):
            claim.destination.pending_state = {**state, "thread_done": done}
            going_on = f"Thread parts 1–{len(done)} are on the platform; going on."
            _queue_again(claim, utcnow(), AttemptOutcome.pending, going_on)
            return "retry"
        root = next((p for p in recent if p.platform_post_id == done[0]), None)
        whole = PublishResult("published", done[0], root.permalink if root else None)
        _finish(claim, DestinationStatus.published, AttemptOutcome.published, result=whole)
        return "published"
    match = next((p for p in recent if _normal(p.text) == want), None) if len(parts) == 1 else None
    if match:
        found = PublishResult("published", match.platform_post_id, match.permalink)
        _finish(claim, DestinationStatus.published, AttemptOutcome.published, result=found)
        return "published"
    # Not there: the request never took effect, so one more try cannot duplicate it — if the
    # budget and the deadline allow one.
    now = utcnow()
    reason = _give_up_reason(claim, now, last_error)
    if reason:
        _fail(claim, AttemptOutcome.skipped, f"{reason} (not published: checked on the platform)")
        return "failed"
    missing = "Not found on the platform after an unclear answer; trying again."
    _queue_again(claim, now, AttemptOutcome.skipped, missing)
    return "retry"


# --------------------------------------------------------------------------- recovery


def abandon(destination_id: uuid.UUID, reason: str) -> bool:
    """A claim whose worker is gone (or let go of it without an outcome): the request may or
    may not have reached the platform. Idempotent platforms simply try again with the same key;
    the others read the account's posts first. Returns False if there was nothing to do."""
    now = utcnow()
    with db.engine().begin() as conn:
        row = conn.execute(
            text(
                "SELECT d.status::text, d.claimed_at, d.post_id, d.stop_requested_at, a.platform, "
                "EXISTS ("
                " SELECT 1 FROM post_media pm JOIN media m ON m.id = pm.media_id"
                " WHERE pm.post_id = d.post_id AND m.file_type LIKE 'video/%') AS video, "
                "EXISTS (SELECT 1 FROM post_media pm WHERE pm.post_id = d.post_id) AS media "
                "FROM post_destinations d JOIN social_accounts a ON a.id = d.social_account_id "
                "WHERE d.id = :id FOR UPDATE OF d"
            ),
            {"id": destination_id},
        ).first()
        if row is None or row.status != DestinationStatus.publishing.value:
            return False
        # Stopped by a user: never sent again, only checked (an idempotent retry would send).
        idempotent = (
            provider_class(row.platform).capabilities.idempotent_publish
            and row.stop_requested_at is None
        )
        conn.execute(
            text(
                "UPDATE publish_attempts SET finished_at = :now, outcome = 'unknown', "
                "error = :reason WHERE destination_id = :id AND finished_at IS NULL"
            ),
            {"now": now, "id": destination_id, "reason": reason},
        )
        sent_at = (row.claimed_at or now).isoformat()
        conn.execute(
            text(
                "UPDATE post_destinations SET claimed_by = NULL, updated_at = :now, "
                "status = CAST(:status AS destination_status), next_attempt_at = :next, "
                # The parts of a thread already out stay known (the rest is replaced).
                "pending_state = jsonb_strip_nulls(jsonb_build_object("
                "'thread_done', pending_state->'thread_done', "
                "'thread_urls', pending_state->'thread_urls')) || CAST(:pending AS jsonb) "
                "WHERE id = :id"
            ),
            {
                "now": now,
                "id": destination_id,
                "status": "queued" if idempotent else "unknown",
                "next": now if idempotent else None,
                "pending": json.dumps(
                    {} if idempotent else {"verify_tries": 0, "sent_at": sent_at}
                ),
            },
        )
        conn.execute(DERIVE, {"id": row.post_id})
    if idempotent:  # the platform de-duplicates: simply try again with the same key
        schedule.schedule_publish(destination_id, now, media=row.video)
    else:
        schedule.schedule_verify(destination_id, _in_progress_for(row.claimed_at, row.media, now))
    return True


def _in_progress_for(claimed_at: dt.datetime | None, media: bool, now: dt.datetime) -> float:
    """Seconds until a request of a worker that just died cannot be in progress at the platform
    any more; only then does reading the account tell whether it went out. The platform keeps
    working on a request whose client went away: checking sooner could find nothing, send the
    post again, and then see the first request land too. Same bound as after a timeout (see
    `_verify_delay`): when it was sent, plus the client's timeout, plus the platform's delay.
    A post without media sends its request right after the claim (after a token refresh at
    most); with media, the last request may have left as late as now."""
    timeout = dt.timedelta(seconds=settings.http_timeout_seconds)
    sent_by = now if media or claimed_at is None else min(now, claimed_at + timeout)
    settled = sent_by + timeout + dt.timedelta(seconds=settings.verify_delay_seconds)
    return max(1.0, (settled - now).total_seconds())
