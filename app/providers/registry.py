"""Platform id → provider class. Adding a platform = one module + one line in _PROVIDERS."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from app.providers import (
    bluesky_text,
    facebook_text,
    instagram_text,
    linkedin_text,
    mastodon_text,
    pinterest_text,
    threads_text,
    tiktok_text,
    x_text,
    youtube_text,
)
from app.providers.base import Provider
from app.providers.bluesky import BlueskyProvider
from app.providers.facebook import FacebookProvider
from app.providers.instagram import InstagramProvider
from app.providers.linkedin import LinkedInProvider
from app.providers.mastodon import MastodonProvider
from app.providers.pinterest import PinterestProvider
from app.providers.threads import ThreadsProvider
from app.providers.tiktok import TikTokProvider
from app.providers.x import XProvider
from app.providers.youtube import YouTubeProvider

_PROVIDERS: dict[str, type[Provider]] = {
    BlueskyProvider.id: BlueskyProvider,
    FacebookProvider.id: FacebookProvider,
    InstagramProvider.id: InstagramProvider,
    LinkedInProvider.id: LinkedInProvider,
    MastodonProvider.id: MastodonProvider,
    PinterestProvider.id: PinterestProvider,
    ThreadsProvider.id: ThreadsProvider,
    TikTokProvider.id: TikTokProvider,
    XProvider.id: XProvider,
    YouTubeProvider.id: YouTubeProvider,
}

# Platform id → its text rules module (`*_text.py`): COUNTING (how the browser counter counts),
# NOTE (the rule in a sentence, shown by the composer), STRICT (the vendor documents no rule).
_TEXT_RULES: dict[str, ModuleType] = {
    BlueskyProvider.id: bluesky_text,
    FacebookProvider.id: facebook_text,
    InstagramProvider.id: instagram_text,
    LinkedInProvider.id: linkedin_text,
    MastodonProvider.id: mastodon_text,
    PinterestProvider.id: pinterest_text,
    ThreadsProvider.id: threads_text,
    TikTokProvider.id: tiktok_text,
    XProvider.id: x_text,
    YouTubeProvider.id: youtube_text,
}


class UnknownPlatform(KeyError):
    def __str__(self) -> str:
        return f"Unknown platform {self.args[0]!r}; known: {', '.join(sorted(_PROVIDERS))}"


def provider_class(platform_id: str) -> type[Provider]:
    try:
        return _PROVIDERS[platform_id]
    except KeyError:
        raise UnknownPlatform(platform_id) from None


def text_rules(platform_id: str) -> ModuleType:
    """The text rules module of a platform (see _TEXT_RULES)."""
    try:
        return _TEXT_RULES[platform_id]
    except KeyError:
        raise UnknownPlatform(platform_id) from None


def get_provider(platform_id: str, **config: Any) -> Provider:
    """A ready provider, e.g. get_provider("mastodon", api_base=url, client_id=..., ...)."""
    return provider_class(platform_id)(**config)


def all_providers() -> list[type[Provider]]:
    """Provider classes (id, display_name, capabilities, default_limits) in a stable order."""
    return [_PROVIDERS[k] for k in sorted(_PROVIDERS)]


def register(cls: type[Provider]) -> type[Provider]:
    """Add a provider class (usable as a decorator, e.g. by plugins or tests)."""
    _PROVIDERS[cls.id] = cls
    return cls
