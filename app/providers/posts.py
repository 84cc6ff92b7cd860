"""What a provider is asked to publish: the post's texts, options and media."""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from app.providers.errors import PermanentError


@dataclass
class MediaItem:
    """One file to attach. `open()` returns a fresh binary stream each call (retries re-open)."""

    mime: str
    size: int
    open: Callable[[], BinaryIO]
    filename: str = "file"
    alt_text: str | None = None
    # A URL the platform can fetch the file from (presigned GET), for platforms that pull media
    # by URL (Instagram, Threads, Facebook, Pinterest, TikTok PULL_FROM_URL).
    url: str | None = None
    # Pixel dimensions measured when the file was stored (None: unknown), for platforms that
    # lay media out by their aspect ratio before loading them (Bluesky).
    width: int | None = None
    height: int | None = None

    @classmethod
    def from_bytes(
        cls, data: bytes, mime: str, filename: str = "file", alt_text: str | None = None
    ) -> MediaItem:
        return cls(mime, len(data), lambda: io.BytesIO(data), filename, alt_text)

    @classmethod
    def from_path(
        cls, path: str | Path, mime: str | None = None, alt_text: str | None = None
    ) -> MediaItem:
        path = Path(path)
        mime = mime or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(mime, path.stat().st_size, lambda: path.open("rb"), path.name, alt_text)

    @property
    def kind(self) -> str:
        """Major type: "image", "video", "audio"..."""
        return self.mime.split("/", 1)[0]


@dataclass
class PublishRequest:
    text: str
    media: list[MediaItem] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    # Stable per destination (e.g. its id): the same key on a retry lets idempotent platforms
    # return the first result instead of posting twice.
    idempotency_key: str = ""
    # A thread that stopped part-way: the ids of the parts already out, in order. Providers
    # that publish threads go on from the next part, in reply to the last of these, so a retry
    # never posts a part twice (the engine keeps them in the destination's pending state).
    thread_done: list[str] = field(default_factory=list)
    # The media of each further part of the thread: thread_media[j] goes on part j + 2 (the
    # reply carrying options["thread"][j]); shorter than the thread when the last parts have
    # none. Providers upload only the parts not in `thread_done`.
    thread_media: list[list[MediaItem]] = field(default_factory=list)

    def part_media(self, index: int) -> list[MediaItem]:
        """The media of part `index` (0 = the first post)."""
        if index == 0:
            return self.media
        return self.thread_media[index - 1] if index - 1 < len(self.thread_media) else []

    def parts(self) -> list[str]:
        """The texts of a thread, first to last: `text`, then the `thread` option's replies."""
        thread = self.options.get("thread") or []
        if not isinstance(thread, list) or not all(isinstance(t, str) for t in thread):
            raise PermanentError("'thread' must be a list of texts")
        return [self.text, *thread]
