"""AI captions for a workspace: who may ask, how often, and what it cost.

Editors and admins generate captions; each workspace has a budget of generations per hour
(a Redis token bucket, HERALD_AI_REQUESTS_PER_HOUR); every generation that reached the AI server
is recorded in `ai_usage` (tokens, model, outcome) for the usage summary and billing.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import col, select

from app import db
from app.ai import captions
from app.ai.errors import AIError, AINotConfigured, AIRateLimited, Usage
from app.ai.prompts import TONES
from app.config import settings
from app.models import AIUsage, Role, User, Workspace
from app.providers.registry import UnknownPlatform, provider_class
from app.services import instance_settings, plans, throttle
from app.services.access import require_role
from app.services.errors import InvalidInput
from app.services.views import copy_view

__all__ = [
    "CaptionView",
    "UsageSummary",
    "generate_caption",
    "usage_summary",
]

MAX_TOPIC = 500
MAX_CONTEXT = 2000


class CaptionView(BaseModel):
    model_config = ConfigDict(frozen=True)

    caption: str
    hashtags: list[str] = Field(description="5-10 hashtags with '#' (fewer only when trimmed).")
    text: str = Field(description="Caption, a blank line, the hashtags: fits `limit`.")
    length: int = Field(description="Length of `text` as the platform counts it.")
    limit: int
    model: str
    platform: str
    adjusted: str = Field(
        description='"" when it fitted as written; "reasked", "trimmed" or "reasked+trimmed".'
    )
    prompt_tokens: int
    completion_tokens: int


class UsageSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    period_start: dt.datetime
    period_end: dt.datetime
    requests: int
    succeeded: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    configured: bool
    model: str
    requests_per_hour: int


def validate(topic: str, tone: str, platform: str, context: str) -> tuple[str, str]:
    """(topic, context) cleaned; InvalidInput naming the field otherwise."""
    topic = " ".join((topic or "").split())
    if not topic:
        raise InvalidInput("Say what the post is about (topic).", details={"field": "topic"})
    if len(topic) > MAX_TOPIC:
        raise InvalidInput(
            f"The topic is {len(topic)} characters; at most {MAX_TOPIC}.",
            details={"field": "topic"},
        )
    if tone not in TONES:
        raise InvalidInput(
            f"Unknown tone {tone!r}; choose one of {', '.join(TONES)}.",
            details={"field": "tone"},
        )
    try:
        provider_class(platform)
    except UnknownPlatform as exc:
        raise InvalidInput(str(exc), details={"field": "platform"}) from None
    context = (context or "").strip()
    if len(context) > MAX_CONTEXT:
        raise InvalidInput(
            f"The context is {len(context)} characters; at most {MAX_CONTEXT}.",
            details={"field": "context"},
        )
    return topic, context


def generate_caption(
    user: User, workspace_id: uuid.UUID, topic: str, tone: str, platform: str, context: str = ""
) -> CaptionView:
    """A caption and hashtags for `platform`, fitted to its limit (editor or admin)."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.editor)
    topic, context = validate(topic, tone, platform, context)
    config = instance_settings.ai_config()
    if not config.configured:
        raise AINotConfigured(captions.NOT_CONFIGURED)
    with db.session() as s:
        plans.check_caption(s, workspace_id)
    _take_budget(workspace_id)
    try:
        result = captions.generate(topic, tone, platform, context, config=config)
    except AIError as exc:
        if exc.usage.requests:
            _record(workspace_id, user, platform, exc.usage, exc.code)
        raise
    _record(workspace_id, user, platform, result.usage, "ok")
    return copy_view(
        CaptionView,
        result,
        platform=platform,
        prompt_tokens=result.usage.prompt_tokens,
        completion_tokens=result.usage.completion_tokens,
    )


def _take_budget(workspace_id: uuid.UUID) -> None:
    per_hour = settings.ai_requests_per_hour
    wait = throttle.wait_for(f"herald:ai:{workspace_id}", per_hour)
    if wait is not None:
        raise AIRateLimited(
            f"This workspace has used its {per_hour} AI captions for this hour; the next one is "
            f"available in {throttle.duration(wait)}.",
            retry_after=wait,
        )


def _record(workspace_id: uuid.UUID, user: User, platform: str, usage: Usage, outcome: str) -> None:
    with db.session() as s:
        s.add(
            AIUsage(
                workspace_id=workspace_id,
                user_id=user.id,
                model=(usage.model or instance_settings.ai_config().model)[:200],
                platform=platform,
                requests=usage.requests,
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                outcome=outcome,
            )
        )


def usage_summary(
    user: User, workspace_id: uuid.UUID, at: dt.datetime | None = None
) -> UsageSummary:
    """This calendar month's AI usage (in the workspace's time zone), for any member."""
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        ws = s.get(Workspace, workspace_id)
        assert ws is not None
        try:
            tz: dt.tzinfo = zoneinfo.ZoneInfo(ws.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = dt.UTC
        now = (at or dt.datetime.now(dt.UTC)).astimezone(tz)
        start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        ok = func.count().filter(col(AIUsage.outcome) == "ok")
        row = s.exec(
            select(
                func.count(),
                ok,
                func.coalesce(func.sum(AIUsage.prompt_tokens), 0),
                func.coalesce(func.sum(AIUsage.completion_tokens), 0),
            ).where(
                AIUsage.workspace_id == workspace_id,
                AIUsage.created_at >= start,
                AIUsage.created_at < end,
            )
        ).one()
    requests, succeeded, prompt, completion = (int(v) for v in row)
    config = instance_settings.ai_config()
    return UsageSummary(
        period_start=start,
        period_end=end,
        requests=requests,
        succeeded=succeeded,
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        configured=config.configured,
        model=config.model,
        requests_per_hour=settings.ai_requests_per_hour,
    )
