"""The composer's live checks: per account, what its network would refuse right now, and what
Herald will convert for it, from the same function Schedule uses (services/checks.py).
Pure Python on the composer's own state: no database, no platform, cheap enough for every
(debounced) keystroke. Also the previews of video networks (a frame, not an image post)."""

from __future__ import annotations

import io
from typing import Any

from app.providers.base import MediaItem
from app.providers.registry import provider_class
from app.services import checks
from app.ui.state.composer_model import MediaRef, Preview

STATUS_PROBLEMS = {
    "expired": "The account is expired: reconnect it first.",
    "revoked": "The account was disconnected: reconnect it first.",
}


def media_items(refs: list[MediaRef]) -> list[MediaItem]:
    """The attached media as validation sees them (facts only: no bytes are read)."""
    return [
        MediaItem(
            mime=m.mime or ("video/mp4" if m.kind == "video" else "image/jpeg"),
            size=m.size,
            open=io.BytesIO,
            filename=m.filename or "file",
            alt_text=m.alt.strip() or None,
            url=m.url or None,
            width=m.width or None,
            height=m.height or None,
        )
        for m in refs
    ]


def live_check(
    platform: str,
    text: str,
    items: list[MediaItem],
    options: dict[str, Any],
    max_text_length: int | None,
    status: str,
    thread_media: list[list[MediaItem]] | None = None,
) -> checks.Check:
    """`options["thread"]`: the further parts' texts (thread networks only), `thread_media`
    their media, checked as Schedule checks them (posts.validate_destinations)."""
    provider = checks.offline_provider(platform, max_text_length)
    parts = options.get("thread") or []
    if not text.strip() and not items and not any(p.strip() for p in parts):
        found = checks.Check()  # nothing written yet: the network's needs say enough
    else:
        found = checks.check(provider, text, items, options, thread_media)
    if status in STATUS_PROBLEMS:
        return checks.Check([STATUS_PROBLEMS[status], *found.problems], found.notes)
    return found


def needs(platform: str) -> str:
    return checks.requirements(platform)


def video_preview(preview: Preview, media: list[MediaRef]) -> Preview:
    """A video network's preview: the video (or a placeholder) in the network's frame, its
    thumbnail image as the poster; a TikTok photo post stays a photo post."""
    cls = provider_class(preview.platform)
    frame = cls.look.video_frame
    videos = [m for m in media if m.kind == "video"]
    images = [m for m in media if m.kind == "image"]
    if not frame or (images and not videos and cls.capabilities.images):
        return preview
    preview.frame = frame
    preview.video = videos[0].url if videos else ""
    preview.poster = images[0].url if images else ""
    preview.media = []
    preview.empty = False
    return preview
