"""AI captions: an OpenAI-compatible chat API writes a caption and hashtags for a platform."""

from app.ai.captions import AIConfig, Caption, generate
from app.ai.errors import (
    AIError,
    AIInvalidOutput,
    AINotConfigured,
    AIRateLimited,
    AIRefused,
    AITimeout,
    AIUnavailable,
    Usage,
)
from app.ai.prompts import TONES

__all__ = [
    "TONES",
    "AIConfig",
    "AIError",
    "AIInvalidOutput",
    "AINotConfigured",
    "AIRateLimited",
    "AIRefused",
    "AITimeout",
    "AIUnavailable",
    "Caption",
    "Usage",
    "generate",
]
