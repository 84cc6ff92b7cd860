"""The calendar's post dialog: approve or reject the open post (app.ui.state.approvals)."""

from __future__ import annotations

from app.services import posts
from app.ui.state.approvals import ApprovalMixin
from app.ui.state.calendar import CalendarState


class CalendarApprovalState(ApprovalMixin, CalendarState):
    def _ap_post_id(self) -> str:
        return self.open_post_id

    def _ap_done(self, view: posts.PostView, message: str):
        import reflex as rx

        self._show_post(view)
        self._refilter()
        return rx.toast.success(message)
