"""Alt text of the composer's images: one dialog, opened from an attached image (of the post
itself, or of a thread part), that edits the description kept with that image (sent by every
network that takes one: for a thread part, the thread networks)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from app.providers.registry import provider_class
from app.services.post_threads import THREAD_PLATFORMS
from app.ui.state.composer import ComposerState
from app.ui.state.composer_model import MediaRef
from app.ui.state.handlers import setter

DEFAULT_LIMIT = 1000


class ComposerAltState(ComposerState):
    alt_open: bool = False
    alt_id: str = ""
    alt_value: str = ""
    # Whose image: -1 the post's, k thread part k's (thread_media[k]).
    alt_part: int = -1

    def _alt_media(self) -> list[MediaRef]:
        """The images the dialog's image is among (the post's, or its thread part's)."""
        if self.alt_part < 0:
            return self.media_items
        parts = self._part_media()
        return parts[self.alt_part] if self.alt_part < len(parts) else []

    @rx.event
    def open_alt(self, media_id: str, part: int = -1):
        """`part`: -1 for an image of the post, k for one of thread part k (0 = part 2)."""
        self.alt_part = part
        found = next((m for m in self._alt_media() if m.id == media_id), None)
        if found is None:
            return
        self.alt_id, self.alt_value, self.alt_open = media_id, found.alt, True

    set_alt_open = setter("alt_open", bool)
    set_alt_value = setter("alt_value")

    @rx.event
    def save_alt(self):
        value = self.alt_value.strip()
        described = [
            dataclasses.replace(m, alt=value) if m.id == self.alt_id else m
            for m in self._alt_media()
        ]
        if self.alt_part < 0:
            self.media_items = described
        elif self.alt_part < len(self.thread_parts):
            parts = self._part_media()
            parts[self.alt_part] = described
            self.thread_media = parts
        self.alt_open = False
        self._edited()

    def _alt_platforms(self) -> list[str]:
        """The selected networks the image goes to (a thread part's: the thread networks)."""
        chosen = self.selected_platforms
        return chosen if self.alt_part < 0 else [p for p in chosen if p in THREAD_PLATFORMS]

    @rx.var
    def alt_item(self) -> dict[str, str]:
        found = next((m for m in self._alt_media() if m.id == self.alt_id), None)
        return {"url": found.url, "filename": found.filename} if found else {}

    @rx.var
    def alt_limit(self) -> int:
        """The tightest limit of the selected networks that take alt text."""
        limits = [provider_class(p).alt_text_limit for p in self._alt_platforms()]
        return min([n for n in limits if n] or [DEFAULT_LIMIT])

    @rx.var
    def alt_where(self) -> str:
        """Which selected networks get the alt text, and which take none."""
        names = [provider_class(p) for p in self._alt_platforms()]
        takes = [c.display_name for c in names if c.alt_text_limit]
        skips = [c.display_name for c in names if not c.alt_text_limit]
        out = f"Sent to {', '.join(takes)}." if takes else ""
        if skips:
            out += f" {', '.join(skips)} take{'s' if len(skips) == 1 else ''} no alt text."
        return out.strip() or "Describe the image for people who cannot see it."

    @rx.var
    def alt_too_long(self) -> bool:
        return len(self.alt_value) > self.alt_limit
