"""Post approvals in the UI: what waits for approval (dashboard, composer), and the approve /
reject actions shared by the calendar's post dialog and the composer (`ApprovalMixin`).

Every action calls app.services.approvals, the same functions as the REST API.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import reflex as rx

from app.models import PostApproval, PostStatus
from app.services import approvals, posts, workspaces
from app.services.errors import Conflict, InvalidInput, ServiceError
from app.ui.format import datetime_zone, excerpt, parse_clock, zone
from app.ui.state.auth import AuthState
from app.ui.state.handlers import SignedIn, setter, shows_errors, signed_in

LIST_LIMIT = 20


@dataclasses.dataclass
class ApprovalItem:
    """A post waiting for approval (or sent back), as the dashboard lists it."""

    id: str = ""
    content: str = ""
    author: str = ""
    when: str = ""
    state: str = ""  # pending | rejected
    comment: str = ""
    href: str = ""


def when_text(view: posts.PostView, tz: str, hours: str = "24h") -> str:
    if view.scheduled_at is None:
        return "As soon as approved"
    return datetime_zone(view.scheduled_at, tz, hours=hours)


def submitted_message(view: posts.PostView, tz: str) -> str:
    """What the composer says when saving sent the post for approval."""
    when = when_text(view, tz)
    return (
        f"Submitted for approval (to go out: {when}). An admin approves it before it is scheduled."
    )


class ApprovalListState(AuthState):
    """What waits for approval in the current workspace, for the current user."""

    required: bool = False
    can_approve: bool = False
    pending: int = 0
    mine_pending: int = 0
    mine_rejected: int = 0
    items: list[ApprovalItem] = []

    @rx.event
    @signed_in(quiet=True)
    def load(self, me: SignedIn):
        try:
            found = approvals.summary(me.user, me.wid)
        except ServiceError:
            return
        self.required, self.can_approve = found.required, found.can_approve
        self.pending, self.mine_pending = found.pending, found.mine_pending
        self.mine_rejected = found.mine_rejected
        if found.can_approve:
            page = posts.list_posts(
                me.user, me.wid, approval=[PostApproval.pending], limit=LIST_LIMIT
            )
        else:
            page = posts.list_posts(
                me.user,
                me.wid,
                approval=[PostApproval.pending, PostApproval.rejected],
                author_id=me.user.id,
                limit=LIST_LIMIT,
            )
        members = workspaces.list_members(me.user, me.wid)
        names = {m.user_id: m.full_name or m.email for m in members}
        self.items = [
            ApprovalItem(
                id=str(p.id),
                content=excerpt(p.content, 120) or "(no text)",
                author=names.get(p.author_id, "A former member") if p.author_id else "",
                when=when_text(p, self.user_timezone, self.user_time_format),
                state=p.approval.value,
                comment=p.approval_comment or "",
                href=f"/composer?post={p.id}",
            )
            for p in page.items
            if p.status == PostStatus.draft
        ]

    @rx.var
    def submits(self) -> bool:
        """Scheduling means submitting for approval (an editor where approval is required)."""
        return self.required and not self.can_approve


class ApprovalMixin(rx.State, mixin=True):
    """Approve / reject one post: the form's fields and handlers. A page state mixes it in and
    says which post (`_ap_post_id`) and what to do after (`_ap_done`)."""

    ap_reject_open: bool = False
    ap_comment_draft: str = ""
    ap_reject_error: str = ""
    # The post's time has passed while it waited: the approver picks a new one.
    ap_passed: str = ""
    ap_date: str = ""
    ap_time: str = ""
    ap_busy: bool = False
    # The post the form's state belongs to (a dialog opened on another post shows a clean form).
    ap_for: str = ""

    def _ap_post_id(self) -> str:  # pragma: no cover - overridden
        return ""

    def _ap_done(self, view: posts.PostView, message: str):  # pragma: no cover - overridden
        return rx.toast.success(message)

    def _ap_reset(self) -> None:
        self.ap_reject_open, self.ap_comment_draft, self.ap_reject_error = False, "", ""
        self.ap_passed, self.ap_date, self.ap_time, self.ap_busy = "", "", "", False
        self.ap_for = ""

    @rx.event
    def ap_open_reject(self, value: bool = True):
        if self.ap_for != self._ap_post_id():
            self._ap_reset()
        self.ap_for = self._ap_post_id()
        self.ap_reject_open = value
        self.ap_reject_error = ""

    @rx.event
    def ap_set_comment(self, value: str):
        self.ap_comment_draft = value
        self.ap_reject_error = ""

    ap_set_date = setter("ap_date", name="ap_set_date")
    ap_set_time = setter("ap_time", name="ap_set_time")

    def _approve(self, me: SignedIn, **kw):
        post_id = uuid.UUID(self._ap_post_id())
        tz = self.user_timezone or "UTC"  # type: ignore[attr-defined]
        self.ap_busy = True
        try:
            view = approvals.approve(me.user, me.wid, post_id, **kw)
        except Conflict as exc:
            self.ap_busy = False
            if exc.code != "approval_time_passed":
                raise
            self.ap_passed, self.ap_for = exc.message, str(post_id)
            soon = dt.datetime.now(zone(tz)) + dt.timedelta(hours=1)
            # a native time input: it takes HH:MM and shows it in the browser's format
            self.ap_date, self.ap_time = soon.strftime("%Y-%m-%d"), soon.strftime("%H:00")
            return rx.toast.warning("Its time has passed: choose a new time.")
        self.ap_busy = False
        when = when_text(view, tz, self.user_time_format)  # type: ignore[attr-defined]  # AuthState's
        self._ap_reset()
        return self._ap_done(view, f"Approved: scheduled for {when}.")

    @rx.event
    @shows_errors
    @signed_in
    def ap_approve(self, me: SignedIn):
        return self._approve(me)

    @rx.event
    @shows_errors
    @signed_in
    def ap_approve_now(self, me: SignedIn):
        return self._approve(me, now=True)

    @rx.event
    @shows_errors(inline="ap_passed")
    @signed_in
    def ap_approve_at(self, me: SignedIn):
        try:
            when = dt.datetime.combine(
                dt.date.fromisoformat(self.ap_date), parse_clock(self.ap_time)
            )
        except ValueError:
            self.ap_passed = "Pick a valid date and time."
            return None
        tz = self.user_timezone or "UTC"  # type: ignore[attr-defined]
        return self._approve(me, scheduled_at=when, timezone=tz)

    @rx.event
    @signed_in
    def ap_reject(self, me: SignedIn):
        post_id = uuid.UUID(self._ap_post_id())
        try:
            view = approvals.reject(me.user, me.wid, post_id, self.ap_comment_draft)
        except InvalidInput as exc:
            self.ap_reject_error = exc.message
            return None
        except ServiceError as exc:
            self.ap_reject_error = exc.message
            return rx.toast.error(exc.message)
        self._ap_reset()
        return self._ap_done(view, "Sent back to the author with your comment.")


class ApprovalSettingState(AuthState):
    """Settings → Workspace: the "posts need approval" switch (admins change it)."""

    require_approval: bool = False

    @rx.event
    @signed_in(quiet=True)
    def load(self, me: SignedIn):
        try:
            self.require_approval = approvals.is_required(me.user, me.wid)
        except ServiceError:
            self.require_approval = False

    @rx.event
    @shows_errors
    @signed_in
    def set_required(self, me: SignedIn, on: bool):
        self.require_approval = approvals.set_required(me.user, me.wid, bool(on))
        if self.require_approval:
            return rx.toast.success(
                "Editors' posts now wait for an admin's approval. Posts already scheduled stay "
                "scheduled."
            )
        return rx.toast.success("Approval turned off: editors schedule posts directly.")
