"""/api/notifications: the signed-in user's notifications in a workspace (the bell), marking
them read, their preferences per event group and channel, and the workspace's Slack/Discord
channels (admins)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import notifications, notify_channels

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


class NotificationOut(BaseModel):
    id: int
    verb: str = Field(description="The activity verb, e.g. post.failed, account.expired.")
    group: str = Field(description=f"One of {', '.join(notifications.GROUPS)}.")
    title: str
    body: str
    link: str = Field(description="A path inside Herald, e.g. /composer?post=<id>.")
    actor: str
    read: bool
    created_at: dt.datetime


class NotificationPageOut(BaseModel):
    items: list[NotificationOut]
    unread: int = Field(description="Unread notifications of this workspace (the bell).")
    next_before: int | None = Field(description="Pass as `before` for older ones; null at the end.")


class UnreadOut(BaseModel):
    unread: int


class GroupChoice(BaseModel):
    in_app: bool | None = None
    email: Literal["immediate", "digest", "off"] | None = None


class PreferencesIn(BaseModel):
    groups: dict[str, GroupChoice] = Field(
        default_factory=dict, description=f"Any of {', '.join(notifications.GROUPS)}."
    )
    digest: Literal["daily", "hourly"] | None = None


class PreferencesOut(BaseModel):
    groups: dict[str, dict[str, Any]]
    digest: str
    labels: dict[str, str] = Field(description="What each group is called in the UI.")


class ChannelIn(BaseModel):
    kind: Literal["slack", "discord"]
    url: str = Field(max_length=2000, description="The incoming webhook URL Slack/Discord gave.")
    groups: list[str] | None = Field(default=None, description="Event groups; default: failures.")
    description: str = Field(default="", max_length=200)


class ChannelPatch(BaseModel):
    groups: list[str] | None = None
    active: bool | None = None


class ChannelOut(BaseModel):
    id: uuid.UUID
    kind: str
    url_hint: str
    description: str
    groups: list[str]
    active: bool
    disabled_reason: str | None


def _prefs(p: notifications.Preferences) -> PreferencesOut:
    labels = {g: label for g, (label, _) in notifications.GROUPS.items()}
    return PreferencesOut(groups=p.groups, digest=p.digest, labels=labels)


@router.get("", response_model=NotificationPageOut)
def list_notifications(
    wid: WorkspaceDep,
    user: CurrentUser,
    unread: bool = False,
    before: int | None = Query(default=None, ge=1),
    limit: int = Query(default=30, ge=1, le=100),
) -> NotificationPageOut:
    """Newest first; `unread=true` for the unread ones only."""
    page = notifications.list_notifications(
        user, wid, unread_only=unread, before=before, limit=limit
    )
    return NotificationPageOut(
        items=[NotificationOut(**n.__dict__) for n in page.items],
        unread=page.unread,
        next_before=page.next_before,
    )


@router.get("/unread", response_model=UnreadOut)
def unread_count(wid: WorkspaceDep, user: CurrentUser) -> UnreadOut:
    return UnreadOut(unread=notifications.unread_count(user, wid))


@router.post("/read-all", response_model=UnreadOut)
def read_all(wid: WorkspaceDep, user: CurrentUser) -> UnreadOut:
    notifications.mark_all_read(user, wid)
    return UnreadOut(unread=0)


@router.post("/{notification_id}/read", response_model=UnreadOut)
def read_one(notification_id: int, wid: WorkspaceDep, user: CurrentUser) -> UnreadOut:
    return UnreadOut(unread=notifications.mark_read(user, wid, notification_id))


@router.get("/preferences", response_model=PreferencesOut)
def get_preferences(user: CurrentUser) -> PreferencesOut:
    """Yours, for every workspace: per group, the bell (in_app) and email (immediate,
    digest or off), and how often the digest comes."""
    return _prefs(notifications.get_preferences(user))


@router.put("/preferences", response_model=PreferencesOut)
def put_preferences(body: PreferencesIn, user: CurrentUser) -> PreferencesOut:
    groups = {g: c.model_dump(exclude_none=True) for g, c in body.groups.items()}
    return _prefs(notifications.save_preferences(user, groups, body.digest))


@router.get("/channels", response_model=list[ChannelOut])
def list_channels(wid: WorkspaceDep, user: CurrentUser) -> list[ChannelOut]:
    return [ChannelOut(**c.__dict__) for c in notify_channels.list_channels(user, wid)]


@router.post("/channels", status_code=201, response_model=ChannelOut)
def add_channel(body: ChannelIn, wid: WorkspaceDep, user: CurrentUser) -> ChannelOut:
    c = notify_channels.add_channel(user, wid, body.kind, body.url, body.groups, body.description)
    return ChannelOut(**c.__dict__)


@router.patch("/channels/{channel_id}", response_model=ChannelOut)
def patch_channel(
    channel_id: uuid.UUID, body: ChannelPatch, wid: WorkspaceDep, user: CurrentUser
) -> ChannelOut:
    c = None
    if body.groups is not None:
        c = notify_channels.set_groups(user, wid, channel_id, body.groups)
    if body.active is not None:
        c = notify_channels.set_active(user, wid, channel_id, body.active)
    if c is None:
        c = notify_channels.get_channel(user, wid, channel_id)
    return ChannelOut(**c.__dict__)


@router.delete("/channels/{channel_id}", status_code=204)
def delete_channel(channel_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> Response:
    notify_channels.remove_channel(user, wid, channel_id)
    return Response(status_code=204)


@router.post("/channels/{channel_id}/test", status_code=202)
def test_channel(channel_id: uuid.UUID, wid: WorkspaceDep, user: CurrentUser) -> dict[str, str]:
    notify_channels.send_test(user, wid, channel_id)
    return {"status": "queued"}
