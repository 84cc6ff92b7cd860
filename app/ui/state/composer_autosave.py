"""Autosave of the composer: nothing typed is lost.

The browser (app/ui/views/composer_autosave.py) asks for a save about a second after the last
change, when a field loses focus, before an in-app navigation and every few seconds while
changes are unsaved; each request carries the text as typed (it lives in the browser) and the
browser's change counter, so the page knows when everything it showed is on the server (its
leave-page guard). The working copy goes to app.services.composer_drafts, per user, workspace
and post; opening the composer again restores it with a notice. Saving the post discards it
(ComposerScheduleState.submit).
"""

from __future__ import annotations

import uuid

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from app.models import User
from app.services import composer_drafts, media, post_versions, posts
from app.services.composer_drafts import WorkingCopy, WorkingCopyView
from app.services.errors import ServiceError
from app.ui import format
from app.ui.state.composer import TEXT, ComposerState
from app.ui.state.composer_model import MediaRef, media_ref
from app.ui.state.composer_schedule import ComposerScheduleState
from app.ui.state.handlers import SignedIn, signed_in


def _library_refs(
    user: User, wid: uuid.UUID, ids: list[str], alt: dict[str, str] | None = None
) -> list[MediaRef]:
    """Media as the composer shows them, with their alt text (ones deleted from the library
    since are left out)."""
    refs: list[MediaRef] = []
    for mid in ids:
        try:
            ref = media_ref(media.get_media(user, wid, uuid.UUID(str(mid))))
        except (ValueError, ServiceError):
            continue
        ref.alt = str((alt if isinstance(alt, dict) else {}).get(ref.id) or "")
        refs.append(ref)
    return refs


class ComposerAutosaveState(ComposerState):
    # "" (nothing to save yet) | "saved" | "clean" (nothing differs from the post) | "error"
    save_state: str = ""
    saved_label: str = ""
    save_error: str = ""
    # The browser's change counter that the last save covered (the leave-page guard reads it).
    saved_seq: int = 0
    # Bumped on every (re)load: a save request from before it is ignored.
    load_gen: int = 0
    notice: str = ""
    notice_warning: str = ""
    # On a version conflict: the newer text someone else saved.
    their_text: str = ""
    # Someone saved the post being edited since it was opened (said before a save runs into it).
    changed_since: str = ""
    _ready: bool = False
    _baseline: str = ""
    _last_saved: str = ""

    # ----------------------------------------------------------------- helpers

    def _copy(self, sched: ComposerScheduleState) -> WorkingCopy:
        chosen = set(self.selected)
        return WorkingCopy(
            text=self.text,
            account_ids=list(self.selected),
            overrides={k: v for k, v in self.overrides.items() if k in chosen},
            customized=[c for c in self.customized if c in chosen],
            options=self.options,
            media_ids=[m.id for m in self.media_items],
            media_alt={m.id: m.alt for m in self.media_items if m.alt.strip()},
            thread=[
                {
                    "text": text,
                    "media_ids": [m.id for m in part],
                    "media_alt": {m.id: m.alt for m in part if m.alt.strip()},
                }
                for text, part in zip(self.thread_parts, self._part_media(), strict=True)
            ],
            date=sched.date,
            time=sched.time,
        )

    def _post_uuid(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.post_id) if self.post_id else None
        except ValueError:
            return None

    def _apply(self, user: User, wid: uuid.UUID, copy: WorkingCopy) -> None:
        usable = {r.id for r in self.account_rows if not r.disabled}
        self.text = copy.text
        self.selected = [a for a in copy.account_ids if a in usable or a in self.selected]
        self.overrides = {k: v for k, v in copy.overrides.items() if k in self.selected}
        self.customized = [c for c in copy.customized if c in self.overrides]
        self.options = {**self.options, **copy.options}
        self.media_items = _library_refs(user, wid, copy.media_ids, copy.media_alt)
        if copy.thread:
            self.thread_parts = [str(p.get("text") or "") for p in copy.thread]
            self.thread_media = [
                _library_refs(user, wid, p.get("media_ids") or [], p.get("media_alt"))
                for p in copy.thread
            ]
        self._rebuild_rows()
        for account_id in self.selected:
            if account_id not in self.dest_info:
                self._load_dest(user, wid, account_id)

    def _restored(self, found: WorkingCopyView, user: User) -> None:
        at = format.relative(found.updated_at, self.user_timezone)
        if self.post_id:
            self.notice = f"Restored your unsaved changes to this post ({at})."
        else:
            self.notice = f"Restored your unsaved draft ({at})."
        if self.post_id and found.base_version and found.base_version != self.post_version:
            # Saving must be checked against the version these changes were made on.
            self.post_version = found.base_version
            self.notice_warning = (
                "The post was changed by someone else since: saving will show you what "
                "changed before anything is replaced."
            )

    # ----------------------------------------------------------------- events

    @rx.event
    @signed_in(quiet=True)
    async def restore(self, me: SignedIn):
        """After the composer's own on_load handlers: bring back the unsaved working copy."""
        self._ready = False
        self.save_state = self.saved_label = self.save_error = ""
        self.notice = self.notice_warning = self.their_text = self.changed_since = ""
        self.saved_seq = 0
        self.load_gen += 1
        sched = await self.get_state(ComposerScheduleState)
        query = self.router.url.query_parameters
        if query.get("post") and not self.post_id:
            return  # the post asked for does not exist: nothing to restore it onto
        self._baseline = self._last_saved = self._copy(sched).model_dump_json()
        self._ready = True
        found = composer_drafts.get(me.user, me.wid, self._post_uuid())
        if found is None:
            return
        if found.payload.model_dump_json() == self._baseline or not self.can_edit:
            composer_drafts.discard(me.user, me.wid, self._post_uuid())
            return
        self._apply(me.user, me.wid, found.payload)
        if found.payload.date and found.payload.time and not query.get("at"):
            sched.date, sched.time = found.payload.date, found.payload.time
        self._restored(found, me.user)
        self._last_saved = self._copy(sched).model_dump_json()
        self.save_state = "saved"
        self.saved_label = f"Saved {format.clock(found.updated_at, self.user_timezone)}"
        return TEXT.push(self.text)

    @rx.event
    @signed_in(quiet=True)
    async def autosave(self, me: SignedIn, text: str, seq: int, gen: int):
        """Keep the working copy (a no-op when nothing changed since the last save)."""
        if not self._ready or gen != self.load_gen or self.loading or self.busy:
            return
        if not self.can_edit:
            self.saved_seq = max(self.saved_seq, seq)
            return
        self.text = text
        sched = await self.get_state(ComposerScheduleState)
        copy = self._copy(sched)
        dumped = copy.model_dump_json()
        post_id = self._post_uuid()
        if dumped != self._last_saved or self.save_state == "error":
            empty = not copy.text.strip() and not copy.account_ids and not copy.media_ids
            try:
                if dumped == self._baseline or (post_id is None and empty):
                    composer_drafts.discard(me.user, me.wid, post_id)
                    self.save_state = "clean"
                else:
                    saved = composer_drafts.save(
                        me.user, me.wid, copy, post_id=post_id,
                        base_version=self.post_version or None,
                    )  # fmt: skip
                    self.save_state = "saved"
                    self.saved_label = f"Saved {format.clock(saved.updated_at, self.user_timezone)}"
            except ServiceError as exc:
                self.save_state = "error"
                self.save_error = exc.message
                return
            except SQLAlchemyError:  # the database is away: the page keeps retrying
                self.save_state = "error"
                self.save_error = "The server could not save just now."
                return
            self._last_saved = dumped
            self.save_error = ""
        self.saved_seq = max(self.saved_seq, seq)

    @rx.event
    @signed_in(quiet=True)
    def watch_version(self, me: SignedIn, _value: str = ""):
        """While a post is open: has someone saved it since (cheap: one read every few s)."""
        post_id = self._post_uuid()
        if post_id is None or not self.post_version or self.stale_version or self.busy:
            return
        try:
            who = post_versions.newer_edit(me.user, me.wid, post_id, self.post_version)
        except ServiceError:
            return
        said = f"{who} while you were editing. Saving will ask before replacing it." if who else ""
        if said != self.changed_since:
            self.changed_since = said

    @rx.event
    @signed_in
    def discard(self, me: SignedIn):
        """Drop the restored working copy and show the post as it is saved (or a blank one)."""
        composer_drafts.discard(me.user, me.wid, self._post_uuid())
        self.notice = self.notice_warning = ""
        return [
            ComposerState.load,
            ComposerScheduleState.load_when,
            ComposerAutosaveState.restore,
            rx.toast.info("Unsaved changes discarded."),
        ]

    @rx.event
    @signed_in
    def show_theirs(self, me: SignedIn):
        """On a version conflict: the newer text, next to the user's (which stays as typed)."""
        post_id = self._post_uuid()
        if post_id is None:
            return
        try:
            self.their_text = posts.get_post(me.user, me.wid, post_id).content or "(no text)"
        except ServiceError as exc:
            return rx.toast.error(exc.message)

    @rx.event
    def keep_mine(self):
        """On a version conflict: the next save replaces the newer version with this one."""
        if self.stale_version:
            self.post_version = self.stale_version
        self.stale_version = 0
        self.their_text = ""
        self.form_error = ""
        return rx.toast.info("Your version is kept: save again to replace theirs.")

    @rx.event
    @signed_in
    def take_theirs(self, me: SignedIn):
        """On a version conflict: drop this edit and load the newer version."""
        composer_drafts.discard(me.user, me.wid, self._post_uuid())
        return [ComposerState.load, ComposerScheduleState.load_when, ComposerAutosaveState.restore]
