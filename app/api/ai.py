"""/api/ai: caption generation and this month's AI usage of a workspace."""

from __future__ import annotations

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


@router.post("/generate", response_model=ai.CaptionView, responses=_ERRORS)
def generate(
    body: GenerateIn,
    wid: WorkspaceDep,
    user: CurrentUser,
) -> ai.CaptionView:
    """Write a caption and hashtags for one platform, fitted to its length limit."""
    return ai.generate_caption(user, wid, body.topic, body.tone, body.platform, body.context)


@router.get("/usage", response_model=ai.UsageSummary)
def usage(wid: WorkspaceDep, user: CurrentUser) -> ai.UsageSummary:
    """This calendar month's AI usage of the workspace (in its time zone)."""
    return ai.usage_summary(user, wid)
