"""Platform adapters: HTTP only, no database. See base.py for the contract."""

from app.providers.accounts import AccountInfo, TokenSet
from app.providers.base import Provider, make_code_verifier, s256_challenge
from app.providers.errors import (
    AuthError,
    PermanentError,
    ProviderError,
    RateLimited,
    TransientError,
)
from app.providers.network import Capabilities, Limits
from app.providers.posts import MediaItem, PublishRequest
from app.providers.registry import all_providers, get_provider, provider_class
from app.providers.results import Metrics, PublishResult, RecentPost, StatusResult

__all__ = [
    "AccountInfo",
    "AuthError",
    "Capabilities",
    "Limits",
    "MediaItem",
    "Metrics",
    "PermanentError",
    "Provider",
    "ProviderError",
    "PublishRequest",
    "PublishResult",
    "RateLimited",
    "RecentPost",
    "StatusResult",
    "TokenSet",
    "TransientError",
    "all_providers",
    "get_provider",
    "make_code_verifier",
    "provider_class",
    "s256_challenge",
]
