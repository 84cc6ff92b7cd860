"""/api/webhooks: outgoing webhooks of a workspace (admins), their delivery log, redelivery and
test events. The signing secret is returned once, when the webhook is created."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import activity, webhooks

router = APIRouter(prefix="/api", tags=["webhooks"])

SIGNATURE_DOC = (
    "Each delivery is a POST of the event as JSON with `Herald-Event`, `Herald-Delivery` and "
    "`Herald-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + '.' + body)>`."
)


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000, description="https:// (or http://) on a public address.")
    events: list[str] = Field(
        default_factory=lambda: ["*"],
        max_length=50,
        description=f"Verbs ({', '.join(activity.VERBS)}), prefixes like 'post.*', or '*'.",
    )
    description: str = Field(default="", max_length=200)


class WebhookPatch(BaseModel):
    url: str | None = Field(default=None, max_length=2000)
    events: list[str] | None = Field(default=None, max_length=50)
    description: str | None = Field(default=None, max_length=200)
    active: bool | None = Field(default=None, description="true switches it on again.")


@router.get("/webhooks", response_model=list[webhooks.WebhookView])
def list_webhooks(wid: WorkspaceDep, user: CurrentUser) -> list[webhooks.WebhookView]:
    return webhooks.list_webhooks(user, wid)


@router.post(
    "/webhooks", status_code=201, response_model=webhooks.CreatedWebhook, description=SIGNATURE_DOC
)
def create_webhook(
    body: WebhookIn, wid: WorkspaceDep, user: CurrentUser
) -> webhooks.CreatedWebhook:
    return webhooks.create_webhook(user, wid, body.url, body.events, body.description)


@router.patch("/webhooks/{webhook_id}", response_model=webhooks.WebhookView)
def update_webhook(
    webhook_id: uuid.UUID,
    body: WebhookPatch,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> webhooks.WebhookView:
    return webhooks.update_webhook(
        user,
        wid,
        webhook_id,
        url=body.url,
        events=body.events,
        description=body.description,
        active=body.active,
    )


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(
    webhook_id: uuid.UUID,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> Response:
    webhooks.delete_webhook(user, wid, webhook_id)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=list[webhooks.DeliveryView])
def list_deliveries(
    webhook_id: uuid.UUID,
    wid: WorkspaceDep,
    user: CurrentUser,
    limit: int = Query(default=50, ge=1, le=200),
) -> list[webhooks.DeliveryView]:
    return webhooks.list_deliveries(user, wid, webhook_id, limit)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=webhooks.DeliveryView,
)
def redeliver(
    webhook_id: uuid.UUID,
    delivery_id: uuid.UUID,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> webhooks.DeliveryView:
    """Send a past delivery's event again (as a new delivery)."""
    return webhooks.redeliver(user, wid, webhook_id, delivery_id)


@router.post("/webhooks/{webhook_id}/test", status_code=202, response_model=webhooks.DeliveryView)
def send_test(
    webhook_id: uuid.UUID,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> webhooks.DeliveryView:
    """Queue a `webhook.test` event for this webhook."""
    return webhooks.send_test(user, wid, webhook_id)
