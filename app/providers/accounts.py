"""What a connection is: the tokens a provider is given and the account they belong to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None  # UTC; None = does not expire
    scope: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def has_scope(self, *scopes: str) -> bool:
        """True if the granted scope string contains any of `scopes`."""
        granted = set(self.scope.split())
        return any(s in granted for s in scopes)


@dataclass
class AccountInfo:
    platform_account_id: str
    name: str
    username: str
    avatar_url: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
