"""The composer's approval banner: where the open post stands with the approvers, and approve /
reject for admins (app.ui.state.approvals)."""

from __future__ import annotations

import uuid

import reflex as rx

from app.models import PostStatus
from app.services import approvals, posts
from app.services.errors import ServiceError
from app.ui.state.approvals import ApprovalMixin
from app.ui.state.composer import ComposerState
from app.ui.state.handlers import SignedIn, signed_in


class ComposerApprovalState(ApprovalMixin, ComposerState):
    approval: str = ""
    approval_comment: str = ""
    can_decide: bool = False
    # Saving this post as an editor submits it for approval.
    submits: bool = False

    def _ap_post_id(self) -> str:
        return self.post_id

    def _ap_done(self, view: posts.PostView, message: str):
        return [rx.toast.success(message), rx.redirect("/")]

    @rx.event
    @signed_in(quiet=True)
    def load_approval(self, me: SignedIn):
        """After ComposerState.load (which read the post, if one is open)."""
        self._ap_reset()
        self.approval, self.approval_comment, self.can_decide = "", "", False
        try:
            found = approvals.summary(me.user, me.wid)
        except ServiceError:
            return
        self.submits = found.required and not found.can_approve
        if not self.post_id:
            return
        try:
            view = posts.get_post(me.user, me.wid, uuid.UUID(self.post_id))
        except (ValueError, ServiceError):
            return
        self.approval = view.approval.value
        self.approval_comment = view.approval_comment or ""
        self.can_decide = (
            found.can_approve and self.approval == "pending" and view.status == PostStatus.draft
        )
