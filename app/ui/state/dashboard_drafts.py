"""Dashboard: the "Drafts" card — the workspace's draft posts (latest first, open or delete)
and the user's own unsaved new post (its autosaved working copy), through
app.services.composer_drafts and posts.delete_post."""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from app.services import composer_drafts, posts
from app.services.errors import ServiceError
from app.ui.format import excerpt, platform_name, relative
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, shows_errors, signed_in

SHOWN = 5


@dataclasses.dataclass
class DraftRow:
    id: str = ""
    content: str = ""
    networks: str = ""
    edited: str = ""
    author: str = ""


class DashboardDraftsState(AuthState):
    drafts: list[DraftRow] = []
    total: int = 0
    unsaved: str = ""  # excerpt of the user's unsaved new post ("" = none)
    unsaved_when: str = ""
    drafts_loaded: bool = False
    delete_id: str = ""
    delete_label: str = ""

    @rx.event
    @signed_in(quiet=True)
    def load_drafts(self, me: SignedIn, _value: str = ""):
        try:
            found = composer_drafts.list_drafts(me.user, me.wid, limit=SHOWN)
        except ServiceError:
            return
        tz = self.user_timezone
        self.total = found.total
        self.drafts = [
            DraftRow(
                id=str(d.id),
                content=excerpt(d.content, 120) or "(no text)",
                networks=", ".join(platform_name(p) for p in d.platforms) or "No accounts yet",
                edited=relative(d.updated_at, tz),
                author=d.author,
            )
            for d in found.items
        ]
        copy = found.unsaved
        self.unsaved = (
            (excerpt(copy.payload.text, 120) or "(no text yet)") if copy is not None else ""
        )
        self.unsaved_when = relative(copy.updated_at, tz) if copy is not None else ""
        self.drafts_loaded = True

    @rx.event
    def ask_delete(self, draft_id: str, label: str):
        self.delete_id, self.delete_label = draft_id, label

    @rx.event
    def set_delete_open(self, is_open: bool):
        if not is_open:
            self.delete_id = self.delete_label = ""

    @rx.event
    @shows_errors
    @signed_in
    def delete_draft(self, me: SignedIn):
        if not self.delete_id:
            return
        posts.delete_post(me.user, me.wid, uuid.UUID(self.delete_id))
        self.delete_id = self.delete_label = ""
        return [DashboardDraftsState.load_drafts, rx.toast.success("Draft deleted.")]

    @rx.event
    @shows_errors
    @signed_in
    def discard_unsaved(self, me: SignedIn):
        composer_drafts.discard(me.user, me.wid, None)
        self.unsaved = self.unsaved_when = ""
        return rx.toast.info("Unsaved draft discarded.")
