"""Alt text of the composer's images: one dialog, opened from an attached image, that edits the
description kept with this post's media (sent by every network that takes one)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from app.providers.registry import provider_class
from app.ui.state.composer import ComposerState

DEFAULT_LIMIT = 1000


class ComposerAltState(ComposerState):
    alt_open: bool = False
    alt_id: str = ""
    alt_value: str = ""

    @rx.event
    def open_alt(self, media_id: str):
        found = next((m for m in self.media_items if m.id == media_id), None)
        if found is None:
            return
        self.alt_id, self.alt_value, self.alt_open = media_id, found.alt, True

    @rx.event
    def set_alt_open(self, value: bool):
        self.alt_open = value

    @rx.event
    def set_alt_value(self, value: str):
        self.alt_value = value

    @rx.event
    def save_alt(self):
        value = self.alt_value.strip()
        self.media_items = [
            dataclasses.replace(m, alt=value) if m.id == self.alt_id else m
            for m in self.media_items
        ]
        self.alt_open = False
        self._edited()

    @rx.var
    def alt_item(self) -> dict[str, str]:
        found = next((m for m in self.media_items if m.id == self.alt_id), None)
        return {"url": found.url, "filename": found.filename} if found else {}

    @rx.var
    def alt_limit(self) -> int:
        """The tightest limit of the selected networks that take alt text."""
        limits = [provider_class(p).alt_text_limit for p in self.selected_platforms]
        return min([n for n in limits if n] or [DEFAULT_LIMIT])

    @rx.var
    def alt_where(self) -> str:
        """Which selected networks get the alt text, and which take none."""
        names = [provider_class(p) for p in self.selected_platforms]
        takes = [c.display_name for c in names if c.alt_text_limit]
        skips = [c.display_name for c in names if not c.alt_text_limit]
        out = f"Sent to {', '.join(takes)}." if takes else ""
        if skips:
            out += f" {', '.join(skips)} take{'s' if len(skips) == 1 else ''} no alt text."
        return out.strip() or "Describe the image for people who cannot see it."

    @rx.var
    def alt_too_long(self) -> bool:
        return len(self.alt_value) > self.alt_limit
