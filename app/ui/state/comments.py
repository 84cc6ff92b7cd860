"""The comments thread of one post (app/ui/views/post_comments.py): shown in the calendar's
post dialog and in the composer when it edits a post. Every action calls app.services.comments,
as the REST API does.

The text being written lives in the browser (`DRAFT`, like the composer's text) and reaches
this state debounced, only for the @-mention suggestions; posting reads the form itself, so
Ctrl/Cmd+Enter right after typing posts every character.
"""

from __future__ import annotations

import dataclasses
import re
import uuid

import reflex as rx

from app.services import comments
from app.services.errors import NotFound, ServiceError
from app.ui.components.counter import client_text
from app.ui.format import datetime_zone, relative
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, shows_errors, signed_in

DRAFT = client_text("comment_draft", "")
# The "@partial" being typed at the end of the draft (a mention cannot follow a word or "@").
_TYPING = re.compile(r"(?:^|[^\w@.])@([^\s@]{0,40})$")
MAX_SUGGESTIONS = 6


@dataclasses.dataclass
class Part:
    """A piece of a comment's text: plain, or a mention to highlight."""

    text: str = ""
    mention: bool = False


@dataclasses.dataclass
class CommentRow:
    id: str = ""
    author: str = ""
    initials: str = ""
    when: str = ""
    when_full: str = ""
    edited: bool = False
    body: str = ""
    parts: list[Part] = dataclasses.field(default_factory=list)
    can_edit: bool = False
    can_delete: bool = False


@dataclasses.dataclass
class Suggestion:
    handle: str = ""
    email: str = ""


def parts_of(view: comments.CommentView) -> list[Part]:
    """The comment's text cut at its mentions."""
    out: list[Part] = []
    at = 0
    for m in sorted(view.mentions, key=lambda m: m.start):
        if m.start < at:
            continue
        if m.start > at:
            out.append(Part(view.body[at : m.start]))
        out.append(Part(view.body[m.start : m.end], True))
        at = m.end
    if at < len(view.body):
        out.append(Part(view.body[at:]))
    return out


class CommentsState(AuthState):
    c_post_id: str = ""
    c_rows: list[CommentRow] = []
    c_loaded: bool = False
    c_error: str = ""
    c_busy: bool = False
    c_draft: str = ""
    c_suggestions: list[Suggestion] = []
    c_confirm: str = ""  # the comment whose deletion awaits a yes
    c_editing: str = ""  # the comment being edited
    c_edit_text: str = ""
    c_edit_error: str = ""

    _members: list[comments.Member] = []

    def _row(self, view: comments.CommentView) -> CommentRow:
        tz = self.user_timezone
        return CommentRow(
            id=str(view.id),
            author=view.author_name,
            initials=view.author_initials,
            when=relative(view.created_at, tz, hours=self.user_time_format),
            when_full=datetime_zone(view.created_at, tz, hours=self.user_time_format),
            edited=view.edited_at is not None,
            body=view.body,
            parts=parts_of(view),
            can_edit=view.can_edit,
            can_delete=view.can_delete,
        )

    def _read(self, me: SignedIn) -> None:
        views = comments.list_comments(me.user, me.wid, uuid.UUID(self.c_post_id))
        rows = [self._row(v) for v in views]
        if rows != self.c_rows:
            self.c_rows = rows
        self.c_loaded = True

    @rx.event
    @shows_errors(inline="c_error", toast=False)
    @signed_in
    def show(self, me: SignedIn, post_id: str):
        """Open the thread of `post_id` (the view calls this when it appears)."""
        self.c_post_id, self.c_rows, self.c_loaded = post_id, [], False
        self.c_error = self.c_edit_error = self.c_confirm = self.c_editing = ""
        self.c_draft, self.c_suggestions = "", []
        if not post_id:
            return
        try:
            uuid.UUID(post_id)
        except ValueError:
            self.c_error = "Post not found."
            return
        self._members = comments.mentionable(me.user, me.wid)
        self._read(me)
        return DRAFT.push("")

    @rx.event
    @signed_in(quiet=True)
    def refresh(self, me: SignedIn, _value: str = ""):
        """A poll while the thread is open: teammates' new comments appear."""
        if not self.c_post_id or self.c_busy or self.c_editing:
            return
        try:
            self._read(me)
        except NotFound:
            self.c_rows, self.c_error = [], "This post was deleted."
        except ServiceError:
            pass  # a poll does not shout; the next deliberate action says what is wrong

    @rx.event
    def set_draft(self, value: str):
        self.c_draft = value
        self.c_error = ""
        found = _TYPING.search(value)
        if found is None:
            self.c_suggestions = []
            return
        typed = found.group(1).lower()
        picks = [
            Suggestion(m.handle, m.email)
            for m in self._members
            if any(w.lower().startswith(typed) for w in (*m.name.split(), m.email, m.name))
        ]
        self.c_suggestions = picks[:MAX_SUGGESTIONS]

    @rx.event
    def pick(self, handle: str):
        """Complete the "@partial" being typed with a member's name."""
        found = _TYPING.search(self.c_draft)
        if found is None:
            return
        self.c_draft = self.c_draft[: found.start(1)] + handle + " "
        self.c_suggestions = []
        return [DRAFT.push(self.c_draft), rx.set_focus("comment-input")]

    @rx.event
    @shows_errors(inline="c_error", toast=False)
    @signed_in
    def submit(self, me: SignedIn, form: dict):
        body = str(form.get("body") or "")
        if not self.c_post_id or self.c_busy:
            return
        self.c_busy = True
        try:
            comments.add_comment(me.user, me.wid, uuid.UUID(self.c_post_id), body)
        finally:
            self.c_busy = False
        self.c_draft, self.c_error, self.c_suggestions = "", "", []
        self._read(me)
        return DRAFT.push("")

    @rx.event
    def ask_delete(self, comment_id: str):
        self.c_confirm = comment_id

    @rx.event
    def keep(self):
        self.c_confirm = ""

    @rx.event
    @shows_errors
    @signed_in
    def delete(self, me: SignedIn, comment_id: str):
        self.c_confirm = ""
        post_id = uuid.UUID(self.c_post_id)
        comments.delete_comment(me.user, me.wid, post_id, uuid.UUID(comment_id))
        self._read(me)
        return rx.toast.success("Comment deleted.")

    @rx.event
    def start_edit(self, comment_id: str):
        row = next((r for r in self.c_rows if r.id == comment_id), None)
        if row is not None:
            self.c_editing, self.c_edit_text, self.c_edit_error = comment_id, row.body, ""

    @rx.event
    def cancel_edit(self):
        self.c_editing = self.c_edit_error = ""

    @rx.event
    @shows_errors(inline="c_edit_error", toast=False)
    @signed_in
    def save_edit(self, me: SignedIn, form: dict):
        body = str(form.get("body") or "")
        post_id = uuid.UUID(self.c_post_id)
        comments.edit_comment(me.user, me.wid, post_id, uuid.UUID(self.c_editing), body)
        self.c_editing = self.c_edit_error = ""
        self._read(me)

    @rx.var
    def c_count(self) -> int:
        return len(self.c_rows)
