"""What a provider declares about its network: what a post may hold, what the platform can do,
how to write for it and how a post looks there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class Limits:
    """What one post may contain. `count_text` counts the way the platform counts."""

    max_text_length: int
    max_media: int
    media_types: frozenset[str] = frozenset()
    # Largest accepted file per major type ("image", "video", "audio").
    max_bytes: Mapping[str, int] = field(default_factory=dict)
    counter: Callable[[str], int] = len
    url_length: int = 23  # what a link counts, where the counter counts links as a fixed length

    def count_text(self, text: str) -> int:
        return self.counter(text)

    def max_size_for(self, mime: str) -> int | None:
        return self.max_bytes.get(mime.split("/", 1)[0])


@dataclass(frozen=True)
class Capabilities:
    text_only: bool = True
    images: bool = False
    video: bool = False
    mixed_media: bool = False
    threads: bool = False
    # Retrying a publish with the same PublishRequest.idempotency_key cannot duplicate it
    # (within `idempotency_window`).
    idempotent_publish: bool = False
    idempotency_window: timedelta | None = None
    refresh_tokens: bool = False
    tokens_expire: bool = False
    pkce: bool = False
    # publish() may return state="pending" (finish with check_status/finalize).
    pending_publish: bool = False
    find_recent: bool = False
    post_metrics: bool = False
    account_metrics: bool = False
    # The platform is federated: every account lives on its own server (api_base per account).
    per_instance: bool = False
    # Connects with a handle and an app password (login()) instead of an OAuth redirect.
    app_password: bool = False

    def plus(self, **flags: Any) -> Capabilities:
        """These capabilities with `flags` changed."""
        return replace(self, **flags)


# What every network here offers: its posts found again and measured, and the account's numbers.
MEASURED = Capabilities(find_recent=True, post_metrics=True, account_metrics=True)
# That, on a network connected with an expiring, refreshable OAuth token, whose published media
# may still be processing when publish() returns (a pending result).
OAUTH_MEASURED = MEASURED.plus(refresh_tokens=True, tokens_expire=True, pending_publish=True)


@dataclass(frozen=True)
class CaptionStyle:
    """How to write for the network, for the AI caption writer."""

    counting: str = "one per character"  # how the length is counted, in words
    conventions: str = "keep it concise and easy to scan"  # style and hashtag habits


@dataclass(frozen=True)
class Look:
    """How a post looks on the network, for the composer's preview."""

    mark: str  # one or two letters on the network's round badge
    color: str  # the badge's (brand) colour, also the network's colour on the calendar
    link_color: str  # links, hashtags and mentions in the text
    chart_color: str = "var(--gray-9)"  # the network in analytics charts (a theme colour)
    actions: tuple[str, ...] = ("heart",)  # lucide icons of the action row under a post
    subtitle: str = "now"  # the line under the author's name
    at_handle: bool = True  # the author shows as @handle (False: the bare name)
    show_handle: bool = False  # the handle is printed next to the name
    media_first: bool = False  # media above the text (visual-first networks)
    media_radius: str = "12px"
    square_avatar: bool = False
    text_size: str = "14px"
    call_to_action: str = ""  # a badge at the end of the action row (Pinterest's "Save")
    tinted: bool = False  # a darker card background
    # A video network: the preview shows a video frame of this shape ("16:9", "9:16").
    video_frame: str = ""
