"""The composer's media: attached files (upload, reorder, remove) and the library dialog."""

from __future__ import annotations

import reflex as rx

from app.services import media
from app.ui.components.uploader import UploaderMixin
from app.ui.state.composer import ComposerState
from app.ui.state.composer_model import MediaRef, media_ref
from app.ui.state.handlers import SignedIn, setter, shows_errors, signed_in

UPLOAD_ID = "composer-upload"


class ComposerMediaState(UploaderMixin, ComposerState):
    library_open: bool = False
    library: list[MediaRef] = []
    library_kind: str = "all"
    library_loading: bool = False

    @rx.event
    def reset_media(self):
        """After ComposerState.load: no dialog open, no upload errors left over."""
        self.library_open = False
        self.upload_errors = []

    @rx.event
    def remove_media(self, media_id: str):
        self.media_items = [m for m in self.media_items if m.id != media_id]
        self._edited()

    @rx.event
    def move_media(self, media_id: str, step: int):
        items = list(self.media_items)
        i = next((k for k, m in enumerate(items) if m.id == media_id), -1)
        j = i + step
        if i < 0 or not 0 <= j < len(items):
            return
        items[i], items[j] = items[j], items[i]
        self.media_items = items
        self._edited()

    def _on_uploaded(self, views: list[media.MediaView]):
        if self.library_open and self.media_part >= 0:  # uploaded for a thread part
            for v in views:
                self._toggle_part_media(media_ref(v), add_only=True)
            return None
        have = {m.id for m in self.media_items}
        self.media_items = [
            *self.media_items,
            *[media_ref(v) for v in views if str(v.id) not in have],
        ]
        self._edited()
        return None

    @rx.event
    def open_library(self):
        self.media_part = -1
        self.library_open = True
        return ComposerMediaState.load_library

    @rx.event
    def open_part_library(self, index: int):
        """The library, picking for thread part `index` (0 = the first further part)."""
        if not 0 <= index < len(self.thread_parts):
            return None
        self.media_part = index
        self.library_open = True
        return ComposerMediaState.load_library

    def _toggle_part_media(self, ref: MediaRef, add_only: bool = False) -> None:
        parts = self._part_media()
        if not 0 <= self.media_part < len(parts):
            return
        items = parts[self.media_part]
        if any(m.id == ref.id for m in items):
            if not add_only:
                parts[self.media_part] = [m for m in items if m.id != ref.id]
        else:
            parts[self.media_part] = [*items, ref]
        self.thread_media = parts
        self._edited()

    set_library_open = setter("library_open", bool)

    @rx.event
    def set_library_kind(self, value: str | list[str]):
        self.library_kind = value if isinstance(value, str) else (value[0] if value else "all")
        return ComposerMediaState.load_library

    @rx.event
    @shows_errors
    @signed_in
    def load_library(self, me: SignedIn):
        kind = None if self.library_kind == "all" else self.library_kind
        self.library_loading = True
        try:
            page = media.list_media(me.user, me.wid, kind=kind, limit=100)
        finally:
            self.library_loading = False
        self.library = [media_ref(v) for v in page.items]

    @rx.event
    def pick_media(self, media_id: str):
        if self.media_part >= 0:  # for a thread part
            ref = next((m for m in self.library if m.id == media_id), None)
            if ref is not None:
                self._toggle_part_media(ref)
            return
        if any(m.id == media_id for m in self.media_items):
            self.media_items = [m for m in self.media_items if m.id != media_id]
        elif found := next((m for m in self.library if m.id == media_id), None):
            self.media_items = [*self.media_items, found]
        self._edited()
