"""A workspace's chat channels: Slack and Discord incoming webhooks that receive the events of
the notification groups an admin picks.

They are webhooks of another kind (`Webhook.kind`): the same outbox, worker, guarded client,
retries, backoff, deadline and switch-off as app.services.webhooks, with a chat message
(`{"text": …}` for Slack, `{"content": …}` for Discord) instead of the signed JSON event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.models import User
from app.services import webhooks
from app.services.errors import InvalidInput, NotFound
from app.services.notifications import GROUP_VERBS, GROUPS

KINDS = webhooks.CHAT_KINDS
# The groups a new channel gets unless the admin picks others.
DEFAULT_GROUPS = ("post_failed", "accounts", "outages")


@dataclass(frozen=True)
class ChannelView:
    id: uuid.UUID
    kind: str
    url_hint: str  # the URL is a credential: shown shortened
    description: str
    groups: list[str]
    active: bool
    disabled_reason: str | None


def _hint(url: str) -> str:
    head, _, tail = url.partition("://")
    host, _, path = tail.partition("/")
    return f"{head}://{host}/…{path[-4:]}" if path else url


def events_of(groups: list[str]) -> list[str]:
    """The verbs of the groups (the webhook's subscription)."""
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise InvalidInput(
            f"Unknown group {unknown[0]!r}; use one of {', '.join(GROUPS)}.",
            code="invalid_group",
            details={"field": "groups"},
        )
    if not groups:
        raise InvalidInput(
            "Pick at least one kind of event.", code="invalid_group", details={"field": "groups"}
        )
    return [v for g in GROUPS if g in groups for v in GROUP_VERBS[g]]


def groups_of(events: list[str]) -> list[str]:
    return [g for g, verbs in GROUP_VERBS.items() if any(v in events for v in verbs)]


def _view(w: webhooks.WebhookView) -> ChannelView:
    return ChannelView(
        w.id, w.kind, _hint(w.url), w.description, groups_of(w.events), w.active,
        w.disabled_reason,
    )  # fmt: skip


def list_channels(user: User, workspace_id: uuid.UUID) -> list[ChannelView]:
    """The workspace's Slack and Discord channels (admins)."""
    return [_view(w) for w in webhooks.list_webhooks(user, workspace_id, kinds=KINDS)]


def get_channel(user: User, workspace_id: uuid.UUID, channel_id: uuid.UUID) -> ChannelView:
    for c in list_channels(user, workspace_id):
        if c.id == channel_id:
            return c
    raise NotFound("Channel not found.")


def add_channel(
    user: User,
    workspace_id: uuid.UUID,
    kind: str,
    url: str,
    groups: list[str] | None = None,
    description: str = "",
) -> ChannelView:
    """Connect a Slack or Discord incoming webhook URL (admins)."""
    if kind not in KINDS:
        raise InvalidInput(
            "Choose Slack or Discord.", code="invalid_kind", details={"field": "kind"}
        )
    events = events_of(list(groups if groups is not None else DEFAULT_GROUPS))
    label = description.strip() or ("Slack" if kind == "slack" else "Discord")
    created = webhooks.create_webhook(user, workspace_id, url, events, label, kind=kind)
    return _view(created.webhook)


def set_groups(
    user: User, workspace_id: uuid.UUID, channel_id: uuid.UUID, groups: list[str]
) -> ChannelView:
    w = webhooks.update_webhook(user, workspace_id, channel_id, events=events_of(groups))
    return _view(w)


def set_active(
    user: User, workspace_id: uuid.UUID, channel_id: uuid.UUID, active: bool
) -> ChannelView:
    return _view(webhooks.update_webhook(user, workspace_id, channel_id, active=active))


def remove_channel(user: User, workspace_id: uuid.UUID, channel_id: uuid.UUID) -> None:
    webhooks.delete_webhook(user, workspace_id, channel_id)


def send_test(user: User, workspace_id: uuid.UUID, channel_id: uuid.UUID) -> None:
    """A test message to the channel, through the same delivery as real events."""
    webhooks.send_test(user, workspace_id, channel_id)
