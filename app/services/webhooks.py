"""Outgoing webhooks: a workspace's endpoints that receive its activity events.

Every activity event queues one `webhook_deliveries` row per active webhook subscribed to its
verb, in the event's transaction (see `app.services.activity`). A worker (`deliver_due`,
kicked after the commit by `activity.kick` and swept every `webhook_sweep_seconds`) POSTs them
through the guarded outbound client, signed:

    Herald-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>
    Herald-Event: post.published
    Herald-Delivery: <delivery id>

A failed try is retried with exponential backoff, at most `webhook_max_attempts` times and
within `webhook_deadline_seconds` of the event. After `webhook_disable_after` consecutive failed
tries the webhook is switched off with a reason and a `webhook.disabled` activity event (the
notification until there is a notification centre; an email hook would go there too).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlmodel import Session, col, select

from app import crypto, db
from app.config import settings
from app.models import Role, User, Webhook, WebhookDelivery, utcnow
from app.net import outbound
from app.redis_client import redis
from app.services import activity, backoff, notifications
from app.services.access import require_role, workspace_row
from app.services.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

MAX_URL = 2000
MAX_WEBHOOKS = 20
SECRET_PREFIX = "whsec_"
TEST_EVENT = "webhook.test"
USER_AGENT = "Herald-Webhooks/1"
# "herald": the signed JSON event; a chat app's incoming webhook gets a message instead.
KINDS = ("herald", "slack", "discord")
CHAT_KINDS = ("slack", "discord")
# A delivery left `sending` this long (its worker died) is tried again.
STALE_SENDING = dt.timedelta(minutes=5)
# One run of the worker job sends at most this many and stops claiming after this long.
BATCH = 20
RUN_SECONDS = 60.0


class WebhookView(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: uuid.UUID
    url: str
    description: str
    events: list[str]
    active: bool
    failure_count: int = Field(description="Failed attempts in a row.")
    disabled_reason: str | None
    created_at: dt.datetime
    last_success_at: dt.datetime | None
    kind: str = "herald"


class CreatedWebhook(WebhookView):
    """A new webhook with its signing secret, returned this once (stored encrypted)."""

    secret: str = Field(description="The signing secret. Shown this once.")

    @property
    def webhook(self) -> WebhookView:
        """The webhook alone, as the list shows it."""
        return WebhookView(**self.model_dump(include=set(WebhookView.model_fields)))


class DeliveryView(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    id: uuid.UUID
    event: str
    status: str = Field(description="pending, sending, delivered or failed.")
    response_code: int | None
    response_excerpt: str
    error: str
    attempts: int
    created_at: dt.datetime
    last_attempt_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    payload: dict[str, Any]


def _view(w: Webhook) -> WebhookView:
    return WebhookView.model_validate(w)


def _delivery_view(d: WebhookDelivery) -> DeliveryView:
    return DeliveryView.model_validate(d)


# --------------------------------------------------------------------------- validation


def _bad_url(message: str, code: str = "invalid_url") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": "url"})


def check_url(url: str) -> str:
    """The URL, if Herald may send to it (http(s), a public address or one on
    HERALD_OUTBOUND_ALLOW); InvalidInput with the reason otherwise."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL:
        raise _bad_url(f"The URL must be 1 to {MAX_URL} characters.")
    try:
        parts = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise _bad_url("That is not a valid URL.") from exc
    if parts.scheme not in ("http", "https") or not parts.host:
        raise _bad_url("The URL must start with https:// (or http://) and name a host.")
    if parts.userinfo:
        raise _bad_url("Put no user name or password in the URL; verify the signature instead.")
    try:
        outbound.check(url)
    except outbound.OutboundRefused as exc:
        raise _bad_url(f"Herald does not send webhooks there: {exc}.", "url_refused") from exc
    except httpx.HTTPError as exc:
        raise _bad_url(f"{parts.host} could not be resolved.", "url_unresolvable") from exc
    return url


def check_events(events: list[str]) -> list[str]:
    """Known verbs, "<kind>.*" prefixes or "*", without duplicates; at least one."""
    kinds = {v.split(".")[0] for v in activity.VERBS}
    clean: list[str] = []
    for e in events:
        e = (e or "").strip()
        ok = e == "*" or e in activity.VERBS or (e.endswith(".*") and e[:-2] in kinds)
        if not ok:
            raise InvalidInput(
                f"Unknown event {e!r}; use one of {', '.join(activity.VERBS)}, a prefix such as "
                "'post.*', or '*'.",
                code="invalid_event",
                details={"field": "events"},
            )
        if e not in clean:
            clean.append(e)
    if not clean:
        raise InvalidInput(
            "Subscribe to at least one event.", code="invalid_event", details={"field": "events"}
        )
    return clean


def _get(s: Session, workspace_id: uuid.UUID, webhook_id: uuid.UUID) -> Webhook:
    return workspace_row(s, Webhook, workspace_id, webhook_id, "Webhook not found.")


# --------------------------------------------------------------------------- management


def create_webhook(
    user: User,
    workspace_id: uuid.UUID,
    url: str,
    events: list[str],
    description: str = "",
    kind: str = "herald",
) -> CreatedWebhook:
    """A new webhook (admins); its signing secret is returned this once. `kind` "slack" or
    "discord": a chat app's incoming webhook URL, sent a message per event."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}.", details={"field": "kind"})
    url = check_url(url)
    events = check_events(events)
    description = description.strip()[:200]
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        count = len(s.exec(select(Webhook.id).where(Webhook.workspace_id == workspace_id)).all())
        if count >= MAX_WEBHOOKS:
            raise InvalidInput(
                f"A workspace can have at most {MAX_WEBHOOKS} webhooks.", code="too_many_webhooks"
            )
        secret = SECRET_PREFIX + crypto.new_token(32)
        w = Webhook(
            workspace_id=workspace_id,
            created_by=user.id,
            url=url,
            description=description,
            secret=crypto.encrypt(secret),
            events=events,
            kind=kind,
        )
        # Recorded before the webhook exists, so it is not sent its own creation.
        activity.record(
            s, workspace_id, user, "webhook.created", "webhook", w.id, url, {"events": events}
        )
        s.add(w)
        s.flush()
        return CreatedWebhook(**_view(w).model_dump(), secret=secret)


def list_webhooks(
    user: User, workspace_id: uuid.UUID, kinds: tuple[str, ...] = ("herald",)
) -> list[WebhookView]:
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        rows = s.exec(
            select(Webhook)
            .where(Webhook.workspace_id == workspace_id, col(Webhook.kind).in_(kinds))
            .order_by(col(Webhook.created_at))
        ).all()
        return [_view(w) for w in rows]


def update_webhook(
    user: User,
    workspace_id: uuid.UUID,
    webhook_id: uuid.UUID,
    *,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> WebhookView:
    """Change a webhook (admins). Switching it on again clears its failures."""
    if url is not None:
        url = check_url(url)
    if events is not None:
        events = check_events(events)
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        w = _get(s, workspace_id, webhook_id)
        if url is not None:
            w.url = url
        if events is not None:
            w.events = events
        if description is not None:
            w.description = description.strip()[:200]
        if active is not None:
            if active and not w.active:
                w.failure_count = 0
                w.disabled_reason = None
            elif not active and w.active:
                w.disabled_reason = f"Switched off by {activity.actor_label(user)}."
            w.active = active
        s.add(w)
        s.flush()
        return _view(w)


def delete_webhook(user: User, workspace_id: uuid.UUID, webhook_id: uuid.UUID) -> None:
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        s.delete(_get(s, workspace_id, webhook_id))


def list_deliveries(
    user: User, workspace_id: uuid.UUID, webhook_id: uuid.UUID, limit: int = 50
) -> list[DeliveryView]:
    """The webhook's latest deliveries, newest first (admins)."""
    limit = max(1, min(limit, 200))
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        _get(s, workspace_id, webhook_id)
        rows = s.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id)
            .order_by(col(WebhookDelivery.created_at).desc())
            .limit(limit)
        ).all()
        return [_delivery_view(d) for d in rows]


def _queue(s: Session, w: Webhook, event: str, payload: dict[str, Any]) -> WebhookDelivery:
    now = utcnow()
    d = WebhookDelivery(
        webhook_id=w.id, event=event, payload=payload, next_attempt_at=now, created_at=now
    )
    s.add(d)
    s.flush()
    return d


def redeliver(
    user: User, workspace_id: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryView:
    """Send a past delivery's event again, as a new delivery (admins)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        w = _get(s, workspace_id, webhook_id)
        old = s.get(WebhookDelivery, delivery_id)
        if old is None or old.webhook_id != w.id:
            raise NotFound("Delivery not found.")
        d = _queue(s, w, old.event, {**old.payload, "redelivery_of": str(old.id)})
        view = _delivery_view(d)
    activity.kick()
    return view


def send_test(user: User, workspace_id: uuid.UUID, webhook_id: uuid.UUID) -> DeliveryView:
    """Queue a `webhook.test` event for this webhook only (admins)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.admin)
        w = _get(s, workspace_id, webhook_id)
        now = utcnow()
        d = _queue(
            s,
            w,
            TEST_EVENT,
            {
                "id": f"evt_test_{uuid.uuid4().hex[:12]}",
                "type": TEST_EVENT,
                "created_at": now.isoformat(),
                "workspace_id": str(workspace_id),
                "actor": {"id": str(user.id), "name": activity.actor_label(user)},
                "subject": {"type": "webhook", "id": str(w.id), "label": w.url},
                "data": {"message": "A test event from Herald."},
            },
        )
        view = _delivery_view(d)
    activity.kick()
    return view


# --------------------------------------------------------------------------- delivery


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The Herald-Signature header value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def backoff_seconds(attempts: int) -> float:
    """A delivery's backoff (HERALD_WEBHOOK_RETRY_BASE_SECONDS doubling, with jitter)."""
    return backoff.delay(attempts, settings.webhook_retry_base_seconds)


_CLAIM = text(
    """
    UPDATE webhook_deliveries d SET status = 'sending', attempts = d.attempts + 1,
        last_attempt_at = :now
    FROM webhooks w
    WHERE d.id IN (
        SELECT d2.id FROM webhook_deliveries d2 JOIN webhooks w2 ON w2.id = d2.webhook_id
        WHERE w2.active AND (
            (d2.status = 'pending' AND d2.next_attempt_at <= :now)
            OR (d2.status = 'sending' AND d2.last_attempt_at < :stale
                AND d2.attempts < :max))
        ORDER BY d2.next_attempt_at LIMIT :n FOR UPDATE OF d2 SKIP LOCKED)
      AND w.id = d.webhook_id
    RETURNING d.id, d.webhook_id, d.event, d.payload, d.attempts, d.created_at,
        d.deadline_at, w.url, w.secret, w.kind
    """
)


_ABANDONED = text(
    "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, "
    "error = 'The worker sending it stopped, and no try is left.' "
    "WHERE status = 'sending' AND last_attempt_at < :stale AND attempts >= :max"
)


_PRUNE = text(
    "DELETE FROM webhook_deliveries WHERE created_at < :before "
    "AND status IN ('delivered', 'failed')"
)


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    code: int | None
    excerpt: str
    error: str
    final: bool  # no point in trying again


def _send(url: str, secret: str, event: str, delivery_id: uuid.UUID, body: bytes) -> _Outcome:
    ts = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Herald-Event": event,
        "Herald-Delivery": str(delivery_id),
        "Herald-Signature": signature(secret, ts, body),
    }
    seconds = settings.webhook_timeout_seconds
    timeout = httpx.Timeout(connect=min(5.0, seconds), read=seconds, write=seconds, pool=seconds)
    try:
        with outbound.client(
            timeout=timeout, max_bytes=64 * 1024, body_seconds=seconds, connections=1
        ) as http:
            r = http.post(url, content=body, headers=headers)
            excerpt = outbound.short_message(r.text, 300)
    except outbound.OutboundRefused as exc:
        return _Outcome(False, None, "", f"Refused: {exc}.", True)
    except httpx.TimeoutException:
        return _Outcome(False, None, "", "No answer in time.", False)
    except httpx.HTTPError as exc:
        return _Outcome(False, None, "", outbound.short_message(f"Could not connect: {exc}"), False)
    if 200 <= r.status_code < 300:
        return _Outcome(True, r.status_code, excerpt, "", False)
    return _Outcome(False, r.status_code, excerpt, f"HTTP {r.status_code}", False)


def deliver_due(limit: int = BATCH, seconds: float = RUN_SECONDS) -> dict[str, int]:
    """Send the deliveries that are due (the worker job). Stops after `seconds`."""
    redis().delete(activity.KICK_KEY)  # from here on, a new event queues a new run
    deadline = time.monotonic() + seconds
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    with db.session() as s:  # tries whose worker died, with no try left: failed
        s.connection().execute(
            _ABANDONED,
            {"stale": utcnow() - STALE_SENDING, "max": settings.webhook_max_attempts},
        )
        s.connection().execute(  # the delivery log keeps webhook_log_days
            _PRUNE, {"before": utcnow() - dt.timedelta(days=settings.webhook_log_days)}
        )
    while time.monotonic() < deadline:
        now = utcnow()
        params = {
            "now": now,
            "stale": now - STALE_SENDING,
            "n": limit,
            "max": settings.webhook_max_attempts,
        }
        with db.session() as s:
            rows = s.connection().execute(_CLAIM, params).all()
        if not rows:
            break
        for row in rows:
            counts[_deliver(row)] += 1
    return counts


def _chat_body(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A Slack (`text`) or Discord (`content`) message for one event."""
    message = notifications.chat_text(payload)
    return {"content": message} if kind == "discord" else {"text": message}


def _deliver(row: Any) -> str:
    payload = _chat_body(row.kind, row.payload) if row.kind in CHAT_KINDS else row.payload
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    try:
        secret = crypto.decrypt(row.secret)
    except Exception:
        outcome = _Outcome(False, None, "", "The signing secret cannot be decrypted.", True)
    else:
        outcome = _send(row.url, secret, row.event, row.id, body)
    now = utcnow()
    deadline = row.deadline_at or row.created_at + dt.timedelta(
        seconds=settings.webhook_deadline_seconds
    )
    with db.session() as s:
        d = s.get(WebhookDelivery, row.id, with_for_update=True)
        w = s.get(Webhook, row.webhook_id, with_for_update=True)
        if d is None or w is None:  # deleted meanwhile
            return "failed"
        d.response_code = outcome.code
        d.response_excerpt = outcome.excerpt[:500]
        d.error = outcome.error[:500]
        if outcome.ok:
            d.status, d.delivered_at, d.next_attempt_at = "delivered", now, None
            w.failure_count, w.last_success_at = 0, now
            result = "delivered"
        else:
            w.failure_count += 1
            at = now + dt.timedelta(seconds=backoff_seconds(d.attempts))
            if outcome.final or d.attempts >= settings.webhook_max_attempts or at > deadline:
                d.status, d.next_attempt_at = "failed", None
                if not outcome.final:
                    d.error = f"Gave up after {d.attempts} attempts: {d.error}"[:500]
                result = "failed"
            else:
                d.status, d.next_attempt_at = "pending", at
                result = "retrying"
            if w.active and w.failure_count >= settings.webhook_disable_after:
                _disable(s, w, now, outcome)
        s.add(d)
        s.add(w)
    return result


def _disable(s: Session, w: Webhook, now: dt.datetime, outcome: _Outcome) -> None:
    w.active = False
    w.disabled_reason = (
        f"Switched off on {now:%Y-%m-%d %H:%M} UTC after {w.failure_count} failed deliveries in "
        f"a row (last: {outcome.error or 'no answer'})."
    )[:500]
    s.execute(
        text(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, "
            "error = 'The webhook was switched off.' "
            "WHERE webhook_id = :w AND status = 'pending'"
        ),
        {"w": w.id},
    )
    # The notification: an activity event other webhooks (and later email) can act on.
    activity.record(
        s,
        w.workspace_id,
        None,
        "webhook.disabled",
        "webhook",
        w.id,
        w.url,
        {"reason": w.disabled_reason, "failures": w.failure_count},
    )
    log.warning("webhook %s switched off: %s", w.id, w.disabled_reason)
