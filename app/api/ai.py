"""/api/ai: caption generation and this month's AI usage of a workspace."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, WorkspaceDep
from app.services import ai

router = APIRouter(prefix="/api/ai", tags=["ai"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Viewers cannot generate captions."},
    422: {"description": "Invalid input, or the AI refused (`ai_refused`)."},
    429: {"description": "`ai_rate_limited`: the workspace's hourly budget or the AI service."},
    502: {"description": "`ai_invalid_output` or `ai_unavailable`."},
    503: {"description": "`ai_not_configured`: no HERALD_OPENAI_API_KEY / base URL."},
    504: {"description": "`ai_timeout`."},
}


class GenerateIn(BaseModel):
    topic: str = Field(min_length=1, max_length=ai.MAX_TOPIC, description="What the post is about.")
    tone: Literal["professional", "witty", "casual", "urgent"] = "professional"
    platform: str = Field(description="Platform id, e.g. `x`, `bluesky`, `linkedin`.")
    context: str = Field(
        default="", max_length=ai.MAX_CONTEXT, description="Background facts the post may use."
    )


class GenerateOut(BaseModel):
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


class UsageOut(BaseModel):
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


@router.post("/generate", response_model=GenerateOut, responses=_ERRORS)
def generate(
    body: GenerateIn,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> GenerateOut:
    """Write a caption and hashtags for one platform, fitted to its length limit."""
    view = ai.generate_caption(user, wid, body.topic, body.tone, body.platform, body.context)
    return GenerateOut(**view.__dict__)


@router.get("/usage", response_model=UsageOut)
def usage(wid: WorkspaceDep, user: CurrentUser) -> UsageOut:
    """This calendar month's AI usage of the workspace (in its time zone)."""
    return UsageOut(**ai.usage_summary(user, wid).__dict__)
