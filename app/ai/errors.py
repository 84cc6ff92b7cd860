"""Typed AI errors. They are ServiceErrors, so the API answers them in the common envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.services.errors import ServiceError, TooManyRequests


@dataclass
class Usage:
    """What one generation cost: requests sent to the AI server and the tokens they used."""

    model: str = ""
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class AIError(ServiceError, status=502, code="ai_unavailable"):
    """Base of the AI errors; `usage` says what was spent before the failure."""

    def __init__(self, message: str, *, usage: Usage | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.usage = usage or Usage()


class AINotConfigured(AIError, status=503, code="ai_not_configured"): ...


class AITimeout(AIError, status=504, code="ai_timeout"): ...


class AIInvalidOutput(AIError, status=502, code="ai_invalid_output"): ...


class AIRefused(AIError, status=422, code="ai_refused"): ...


class AIUnavailable(AIError, status=502, code="ai_unavailable"): ...


class AIRateLimited(AIError, TooManyRequests, status=429, code="ai_rate_limited"):
    """The AI server (or this workspace's AI budget) says: not now, retry after `retry_after` s."""

    def __init__(self, message: str, *, retry_after: int, usage: Usage | None = None) -> None:
        TooManyRequests.__init__(
            self, message, retry_after=retry_after, details={"retry_after": retry_after}
        )
        self.usage = usage or Usage()
